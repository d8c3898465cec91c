"""The claims control pages (issue 12 steps 3–5): the claim search with openIMIS's overview filters
and its bulk actions (submit, select for review or feedback, return for completion with a
comment), the selection over a search, the medical officer's review, the patient's feedback, the
home page's cards of claim work — and their denials: a facility's claim administrator never sees
nor touches another facility's claims, even by naming them in a POST."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from kinga.claims.codes import ClaimStatus, LineStatus, Rejection, ReviewStatus
from kinga.claims.models import Claim, ClaimLine, ClaimReturn, Feedback
from kinga.claims.services.claims import LineInput
from kinga.claims.services.submission import claims_submit
from kinga.insurees.models import Officer

from ..factories import login, make_user
from ..querycount import assert_flat
from .conftest import enter

pytestmark = pytest.mark.usefixtures("english")

SEARCH = reverse("claims_control:search")
BULK = reverse("claims_control:bulk")
SELECT = reverse("claims_control:select")


def submitted(actor, care, *args, **kwargs) -> Claim:
    claim = enter(actor, care, *args, **kwargs)
    claims_submit(actor=actor, claims=[claim])
    claim.refresh_from_db()
    return claim


def codes(response) -> list[str]:
    return [c.code for c in response.context["page"].rows]


@pytest.fixture
def dla_admin(world, care):
    return make_user(
        "claims.dla", roles=["claim_admin"], districts=[world.wouri], health_facility=care.dla
    )


# --- search ---------------------------------------------------------------------------------------


def test_the_search_filters_as_openimis_overview(client, claim_admin, medical_officer, care):
    entered = enter(claim_admin, care, code="E-1")
    checked = submitted(claim_admin, care, code="C-1")
    nobody = submitted(claim_admin, care, care.ngono, code="R-1", icd=care.malaria)
    assert (checked.status, nobody.status) == (ClaimStatus.CHECKED, ClaimStatus.REJECTED)
    login(client, medical_officer)
    assert set(codes(client.get(SEARCH))) == {"E-1", "C-1", "R-1"}
    assert codes(client.get(SEARCH, {"status": ClaimStatus.ENTERED})) == ["E-1"]
    assert set(
        codes(client.get(SEARCH, {"status": [ClaimStatus.CHECKED, ClaimStatus.REJECTED]}))
    ) == {"C-1", "R-1"}
    assert codes(client.get(SEARCH, {"icd": "b54"})) == ["R-1"]
    assert codes(client.get(SEARCH, {"insuree_name": "ngono"})) == ["R-1"]
    assert codes(client.get(SEARCH, {"insurance_number": care.ngono.insurance_number})) == ["R-1"]
    assert codes(client.get(SEARCH, {"code": "E-"})) == ["E-1"]
    assert codes(client.get(SEARCH, {"amount_min": "100000"})) == []
    assert len(codes(client.get(SEARCH, {"amount_max": "100000", "visit_type": "O"}))) == 3
    assert codes(client.get(SEARCH, {"care_from": "2026-03-11"})) == []
    assert len(codes(client.get(SEARCH, {"health_facility": care.hcy.pk}))) == 3
    assert codes(client.get(SEARCH, {"review_status": ReviewStatus.SELECTED})) == []
    assert len(codes(client.get(SEARCH, {"feedback_status": ReviewStatus.IDLE}))) == 3
    html = client.get(SEARCH, {"code": "C-1"}).content.decode()
    assert "Checked" in html and "Idle" in html and entered.code not in html


@pytest.mark.parametrize(
    "params",
    [
        {"status": "x"},
        {"care_from": "2026-13-45"},
        {"amount_min": "-1"},
        {"amount_min": "1e400"},
        {"amount_min": "50", "amount_max": "10"},
        {"icd": "ZZZ"},
        {"health_facility": "999999"},
        {"admin": "abc"},
        {"after": "garbage"},
        {"after": "2026-01-01_notanumber"},
        {"visit_type": "Q"},
    ],
)
def test_bad_search_input_is_a_message_never_a_500(client, medical_officer, care, params):
    response = login(client, medical_officer).get(SEARCH, params)
    assert response.status_code == 200


def test_a_facility_sees_only_its_claims(client, claim_admin, dla_admin, imis_admin, care):
    enter(claim_admin, care, code="HCY-1")
    enter(imis_admin, care, code="DLA-1", facility=care.dla)
    assert codes(login(client, claim_admin).get(SEARCH)) == ["HCY-1"]
    assert codes(login(client, dla_admin).get(SEARCH)) == ["DLA-1"]
    # asking for the other facility by its id finds nothing (the choice is refused)
    response = client.get(SEARCH, {"health_facility": care.hcy.pk})
    assert response.status_code == 200 and response.context["page"] is None


def test_the_search_pages_by_keyset_with_a_capped_count(
    client, claim_admin, medical_officer, care, settings
):
    from kinga.claims.views import control

    for n in range(5):
        enter(claim_admin, care, code=f"K-{n}", date_from=date(2026, 3, 1 + n))
    control.PAGE_SIZE, old = 2, control.PAGE_SIZE
    try:
        login(client, medical_officer)
        first = client.get(SEARCH)
        assert codes(first) == ["K-4", "K-3"] and first.context["page"].count == 5
        seen = codes(first)
        cursor = first.context["page"].next_cursor
        while cursor is not None:
            page = client.get(SEARCH, {"after": str(cursor)})
            seen += codes(page)
            cursor = page.context["page"].next_cursor
        assert seen == ["K-4", "K-3", "K-2", "K-1", "K-0"]
    finally:
        control.PAGE_SIZE = old


def test_the_search_page_makes_the_same_queries_for_30_or_60_claims(
    client, claim_admin, medical_officer, care
):
    def grow(n=30):
        for _ in range(n):
            enter(claim_admin, care)

    grow()
    login(client, medical_officer)
    assert_flat(
        client,
        SEARCH,
        grow,
        at_most=8,
        shown=lambda r: len(r.context["page"].rows),
    )


# --- bulk actions ---------------------------------------------------------------------------------


def test_bulk_submit_asks_then_submits_the_ticked_claims(client, claim_admin, care):
    one, two = (
        enter(claim_admin, care, code="B-1"),
        enter(claim_admin, care, care.ngono, code="B-2"),
    )
    login(client, claim_admin)
    asked = client.post(BULK, {"action": "submit", "claims": [one.uuid, two.uuid]})
    assert asked.status_code == 200 and "B-1" in asked.content.decode()
    assert Claim.objects.get(pk=one.pk).status == ClaimStatus.ENTERED  # nothing yet
    done = client.post(
        BULK,
        {"action": "submit", "claims": [one.uuid, two.uuid], "confirmed": "1", "next": SEARCH},
        follow=True,
    )
    assert "checked 1, rejected 1" in done.content.decode()
    one.refresh_from_db()
    two.refresh_from_db()
    assert (one.status, two.status) == (ClaimStatus.CHECKED, ClaimStatus.REJECTED)
    assert set(two.lines.values_list("rejection_reason", flat=True)) == {Rejection.NOT_COVERED}


def test_another_facility_cannot_act_on_a_claim_even_by_naming_it(
    client, claim_admin, dla_admin, care
):
    mine = enter(claim_admin, care, code="MINE")
    login(client, dla_admin)
    for confirmed in ("", "1"):
        response = client.post(
            BULK, {"action": "submit", "claims": [mine.uuid], "confirmed": confirmed}
        )
        assert response.status_code == 403
    assert Claim.objects.get(pk=mine.pk).status == ClaimStatus.ENTERED
    for name in ("claim", "review", "return", "feedback"):
        url = reverse(f"claims_control:{name}", kwargs={"uuid": mine.uuid})
        assert client.get(url).status_code == 403


@pytest.mark.parametrize(
    "data",
    [
        {"action": "submit"},
        {"action": "explode", "claims": ["x"]},
        {"action": "submit", "claims": ["not-a-uuid"], "confirmed": "1"},
        {"action": "submit", "claims": ["6a4c3c1e-0000-4000-8000-000000000000"]},
        {"action": "return", "claims": [], "confirmed": "1"},
        {"action": "submit", "claims": ["x"], "next": "https://evil.example/"},
    ],
)
def test_bad_bulk_input_never_500(client, claim_admin, care, data):
    response = login(client, claim_admin).post(BULK, data)
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response["Location"].startswith(SEARCH)


def test_bulk_selection_for_review_and_feedback(client, claim_admin, medical_officer, care):
    one, two = submitted(claim_admin, care), submitted(claim_admin, care)
    login(client, medical_officer)
    client.post(
        BULK, {"action": "review", "claims": [one.uuid, two.uuid], "confirmed": "1"}, follow=True
    )
    client.post(BULK, {"action": "feedback", "claims": [one.uuid], "confirmed": "1"})
    one.refresh_from_db()
    two.refresh_from_db()
    assert (one.review_status, two.review_status) == (ReviewStatus.SELECTED,) * 2
    assert (one.feedback_status, two.feedback_status) == (ReviewStatus.SELECTED, ReviewStatus.IDLE)
    # the claim administrator has no right to select
    login(client, claim_admin)
    assert client.post(BULK, {"action": "review", "claims": [two.uuid]}).status_code == 403


def test_the_selection_page_selects_over_a_search(client, claim_admin, medical_officer, care):
    small = submitted(claim_admin, care, lines=[LineInput(care.consultation, 1)], code="S-1")
    big = submitted(claim_admin, care, code="S-2")
    login(client, medical_officer)
    url = f"{SELECT}?status={ClaimStatus.CHECKED}"
    assert "The search finds 2 claims" in client.get(url).content.decode()
    response = client.post(url, {"kind": "review", "rule": "all", "value": "5000"}, follow=True)
    assert "Selected for review: 1; not selected: 1" in response.content.decode()
    small.refresh_from_db()
    big.refresh_from_db()
    assert (big.review_status, small.review_status) == (
        ReviewStatus.SELECTED,
        ReviewStatus.NOT_SELECTED,
    )
    # a random share of the feedback, then bad input
    response = client.post(url, {"kind": "feedback", "rule": "random", "share": "50"}, follow=True)
    assert "Selected for feedback: 1; not selected: 1" in response.content.decode()
    for bad in (
        {"kind": "review", "rule": "random"},
        {"kind": "x", "rule": "all"},
        {"kind": "review", "rule": "variance", "variance": "-5"},
    ):
        assert client.post(url, bad).status_code == 200
    assert client.get(f"{SELECT}?care_from=nope").status_code == 200
    login(client, claim_admin)
    assert client.get(url).status_code == 403


# --- return for completion ------------------------------------------------------------------------


def test_a_claim_returned_with_a_comment_shows_why_to_its_facility(
    client, claim_admin, medical_officer, care
):
    claim = submitted(claim_admin, care, code="RET-1")
    login(client, medical_officer)
    url = reverse("claims_control:return", kwargs={"uuid": claim.uuid})
    assert client.post(url, {"comment": "  "}).status_code == 200  # refused: no comment
    assert not ClaimReturn.objects.exists()
    response = client.post(url, {"comment": "Joindre la lettre de référence"})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.ENTERED
    login(client, claim_admin)
    home = client.get("/").content.decode()
    assert "RET-1" in home and "Joindre la lettre de référence" in home
    page = client.get(reverse("claims_control:claim", kwargs={"uuid": claim.uuid}))
    assert "Joindre la lettre de référence" in page.content.decode()
    assert codes(client.get(SEARCH, {"returned": "yes"})) == ["RET-1"]
    # resubmitted as the same claim
    claims_submit(actor=claim_admin, claims=[claim])
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.CHECKED and Claim.objects.count() == 1


def test_bulk_return_needs_a_comment(client, claim_admin, medical_officer, care):
    claim = submitted(claim_admin, care)
    entered = enter(claim_admin, care)
    login(client, medical_officer)
    data = {"action": "return", "claims": [claim.uuid], "confirmed": "1"}
    asked = client.post(BULK, data)
    assert asked.status_code == 200 and "Say what the facility must complete" in (
        asked.content.decode()
    )
    done = client.post(
        BULK, {**data, "claims": [claim.uuid, entered.uuid], "comment": "Ordonnance"}, follow=True
    )
    text = done.content.decode()
    assert "1 claim returned" in text and "only a checked or rejected claim" in text
    assert ClaimReturn.objects.get().comment == "Ordonnance"


# --- review and feedback --------------------------------------------------------------------------


def test_the_medical_officer_reviews_line_by_line(client, claim_admin, medical_officer, care):
    claim = submitted(
        claim_admin,
        care,
        lines=[
            LineInput(care.consultation, 1),
            LineInput(care.arv, 2),
            LineInput(care.uncovered, 1),
        ],
    )
    consultation, arv, uncovered = claim.lines.order_by("id")
    assert uncovered.rejection_reason == Rejection.NOT_COVERED
    url = reverse("claims_control:review", kwargs={"uuid": claim.uuid})
    login(client, medical_officer)
    page = client.get(url).content.decode()
    assert "Rejected by the checks (3)" in page
    # the proposed price reads as the reviewer would type it, francs without cents
    price = f'name="price_{consultation.pk}"'
    field = page[page.index(price) - 200 : page.index(price) + 200]
    assert f'value="{int(consultation.price_asked)}"' in field and ".00" not in field
    base = {
        f"decision_{consultation.pk}": "pass",
        f"qty_{consultation.pk}": "1",
        f"price_{consultation.pk}": "1500",
        f"decision_{arv.pk}": "reject",
        f"decision_{uncovered.pk}": "reject",
        "deliver": "on",
    }
    # rejecting without a justification is refused under the line
    refused = client.post(url, base)
    assert refused.status_code == 200 and "Give the reason" in refused.content.decode()
    # a system-rejected line cannot be passed (the choice is not offered)
    assert client.post(url, {**base, f"decision_{uncovered.pk}": "pass"}).status_code == 200
    # an approved quantity above the claimed one is refused
    assert client.post(url, {**base, f"qty_{consultation.pk}": "5"}).status_code == 200
    assert ClaimLine.objects.get(pk=arv.pk).status == LineStatus.PASSED
    done = client.post(url, {**base, f"justification_{arv.pk}": "Non prescrit"})
    assert done.status_code == 302
    claim.refresh_from_db()
    arv.refresh_from_db()
    assert claim.review_status == ReviewStatus.DELIVERED and claim.status == ClaimStatus.CHECKED
    assert claim.approved == 1500
    assert (arv.status, arv.rejection_reason) == (LineStatus.REJECTED, Rejection.REVIEW)
    # once reviewed it is still Checked: the claim admin cannot review
    login(client, claim_admin)
    assert client.get(url).status_code == 403


def test_the_feedback_is_entered_for_the_officer_of_the_village(
    client, world, claim_admin, medical_officer, enrolment_officer, care
):
    officer = Officer.objects.create(
        code="EO1", last_name="Ateba", other_names="Paul", district=world.mfoundi
    )
    officer.villages.add(world.nlongkak)
    elsewhere = Officer.objects.create(
        code="EO2", last_name="Eto", other_names="Luc", district=world.mfoundi
    )
    claim = submitted(claim_admin, care)
    url = reverse("claims_control:feedback", kwargs={"uuid": claim.uuid})
    login(client, enrolment_officer)
    assert client.get(url).status_code == 403  # not selected for feedback yet
    login(client, medical_officer).post(
        BULK, {"action": "feedback", "claims": [claim.uuid], "confirmed": "1"}
    )
    login(client, enrolment_officer)
    page = client.get(url)
    officers = list(page.context["form"].fields["officer"].queryset)
    assert officers == [officer] and elsewhere not in officers
    answers = {
        "officer": officer.pk,
        "feedback_date": "2026-03-15",
        "care_rendered": "yes",
        "payment_asked": "no",
        "drug_prescribed": "yes",
        "drug_received": "",
        "assessment": "4",
    }
    assert client.post(url, {**answers, "assessment": "9"}).status_code == 200
    assert client.post(url, {**answers, "feedback_date": "2026-01-01"}).status_code == 200
    assert client.post(url, {**answers, "officer": elsewhere.pk}).status_code == 200
    assert client.post(url, answers).status_code == 302
    feedback = Feedback.objects.get(claim=claim)
    assert (feedback.care_rendered, feedback.payment_asked, feedback.drug_received) == (
        True,
        False,
        None,
    )
    claim.refresh_from_db()
    assert claim.feedback_status == ReviewStatus.DELIVERED
    page = client.get(reverse("claims_control:claim", kwargs={"uuid": claim.uuid}))
    assert "EO1 Paul Ateba" in page.content.decode()


# --- home page and menu ---------------------------------------------------------------------------


def test_the_home_page_shows_each_role_its_claim_work(client, claim_admin, medical_officer, care):
    enter(claim_admin, care)
    to_review = submitted(claim_admin, care)
    login(client, medical_officer).post(
        BULK, {"action": "review", "claims": [to_review.uuid], "confirmed": "1"}
    )
    admin_cards = login(client, claim_admin).get("/").context["cards"]
    items = {i["label"]: i["count"] for card in admin_cards for i in card["items"]}
    assert items["Claims to complete and submit"] == "1"
    assert items["Claims returned for completion"] == "0"
    assert "Claims to review" not in items
    officer_cards = login(client, medical_officer).get("/").context["cards"]
    items = {i["label"]: i["count"] for card in officer_cards for i in card["items"]}
    assert items == {"Claims to review": "1", "Claims awaiting feedback": "0"}
    html = client.get("/").content.decode()
    assert "Claim search" in html


def test_the_home_page_of_a_claim_user_stays_bounded(
    client, claim_admin, care, django_assert_max_num_queries
):
    for _ in range(3):
        enter(claim_admin, care)
    login(client, claim_admin).get("/")
    # 5: the confidential programmes the user may not see are read once (issue 15).
    with django_assert_max_num_queries(5):
        assert client.get("/").status_code == 200


def test_the_pages_speak_french(client, claim_admin, medical_officer, care, settings):
    claim = submitted(claim_admin, care, code="FR-1")
    login(client, medical_officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    html = client.get(SEARCH).content.decode()
    assert "Recherche des prestations" in html and "Vérifiée" in html
    assert "Sélectionner pour le contrôle technique" in html
    review = client.get(reverse("claims_control:review", kwargs={"uuid": claim.uuid}))
    assert "Quantité approuvée" in review.content.decode()
    home = client.get("/").content.decode()
    assert "Prestations à contrôler" in home


def test_counts_stop_at_the_cap(client, claim_admin, care, monkeypatch):
    from kinga.claims.queries import control as control_queries

    monkeypatch.setattr(control_queries, "COUNT_CAP", 2)
    for _ in range(3):
        enter(claim_admin, care)
    login(client, claim_admin)
    assert "More than 2 claims" in client.get(SEARCH).content.decode()
    cards = client.get("/").context["cards"]
    items = {i["label"]: i["count"] for card in cards for i in card["items"]}
    assert items["Claims to complete and submit"] == "2+"


def test_the_filters_keep_what_was_chosen(client, medical_officer, care):
    login(client, medical_officer)
    params = {"status": [ClaimStatus.CHECKED], "visit_type": "R", "health_facility": care.hcy.pk}
    html = client.get(SEARCH, params).content.decode()
    assert f'name="status" value="{ClaimStatus.CHECKED}" id="id_status_2" checked' in html
    assert f'name="status" value="{ClaimStatus.ENTERED}" id="id_status_1">' in html
    assert '<option value="R" selected>' in html
    assert f'<option value="{care.hcy.pk}" selected>' in html
    # another district's facility is not offered
    assert f'<option value="{care.dla.pk}"' not in html


def test_bad_input_on_the_claim_pages_never_500(client, world, claim_admin, medical_officer, care):
    claim = submitted(claim_admin, care)
    line = claim.lines.order_by("id").first()
    login(client, medical_officer)
    for name in ("claim", "review", "return", "feedback"):
        assert client.get(f"/claims/control/not-a-uuid/{name}/").status_code == 404
    assert client.get("/claims/control/6a4c3c1e-0000-4000-8000-000000000000/").status_code == 404
    review = reverse("claims_control:review", kwargs={"uuid": claim.uuid})
    for data in (
        {f"decision_{line.pk}": "maybe"},
        {f"decision_{line.pk}": "pass", f"qty_{line.pk}": "abc"},
        {f"decision_{line.pk}": "pass", f"qty_{line.pk}": "-1"},
        {f"decision_{line.pk}": "pass", f"price_{line.pk}": "1e999"},
        {f"decision_{line.pk}": "pass", f"price_{line.pk}": "NaN"},
        {f"decision_{line.pk}": "pass", f"price_{line.pk}": "999999"},
        {f"decision_{line.pk}": "pass", "adjustment": "x" * 5000},
    ):
        assert client.post(review, data).status_code == 200, data
    claim.refresh_from_db()
    assert claim.review_status == ReviewStatus.IDLE
    client.post(BULK, {"action": "feedback", "claims": [claim.uuid], "confirmed": "1"})
    login(client, medical_officer)
    feedback = reverse("claims_control:feedback", kwargs={"uuid": claim.uuid})
    for data in (
        {"feedback_date": "x"},
        {"feedback_date": "2026-03-15", "officer": "abc"},
        {"feedback_date": "2026-03-15", "assessment": "x"},
        {"feedback_date": "2026-03-15", "care_rendered": "perhaps"},
        {"feedback_date": "2999-01-01"},
    ):
        assert client.post(feedback, data).status_code == 200, data
    assert not Feedback.objects.exists()
    back = reverse("claims_control:return", kwargs={"uuid": claim.uuid})
    assert client.post(back, {"comment": "x" * 3000}).status_code == 200
    assert not ClaimReturn.objects.exists()


# --- the claim page leads to the control's work ---------------------------------------------


def test_the_claim_page_offers_review_return_and_feedback_to_whom_may(
    client, claim_admin, medical_officer, care
):
    claim = submitted(claim_admin, care, code="LNK-1")
    detail = reverse("claims_entry:detail", kwargs={"uuid": claim.uuid})
    officer_page = login(client, medical_officer).get(detail).content.decode()
    for name in ("review", "return"):
        url = reverse(f"claims_control:{name}", kwargs={"uuid": claim.uuid})
        assert f'href="{url}"' in officer_page
    feedback = reverse("claims_control:feedback", kwargs={"uuid": claim.uuid})
    assert feedback not in officer_page  # not selected for feedback
    Claim.objects.filter(pk=claim.pk).update(feedback_status=ReviewStatus.SELECTED)
    assert feedback in client.get(detail).content.decode()
    # The control page leads back to the claim page.
    control = client.get(reverse("claims_control:claim", kwargs={"uuid": claim.uuid}))
    assert f'href="{detail}"' in control.content.decode()
    # The facility's claim administrator may not review: no such links for him.
    admin_page = login(client, claim_admin).get(detail).content.decode()
    assert 'id="review-claim"' not in admin_page and 'id="return-claim"' not in admin_page
    assert feedback not in admin_page


def test_the_claim_history_names_each_line_once_and_says_why_in_french(client, claim_admin, care):
    from django.utils import translation

    with translation.override("fr"):
        claim = submitted(claim_admin, care, code="HIS-1")
    detail = reverse("claims_entry:detail", kwargs={"uuid": claim.uuid})
    page = login(client, claim_admin).get(detail).content.decode()
    assert "— —" not in page and "Consultation —</strong>" not in page
    assert '<strong class="subject">Line CONS Consultation</strong>: ' in page
    assert "soumise" in page and "saisie" in page


def test_the_search_dates_are_typed_dd_mm_yyyy_and_a_bad_one_is_said_under_its_field(
    client, claim_admin, medical_officer, care, settings
):
    """The date filters are text fields read as dd/mm/yyyy like the entry form's dates (not the
    browser's date picker in its own locale); a bad date is a message under the field, in
    French, never a 500."""
    submitted(claim_admin, care, care.jean, code="D-1")
    login(client, medical_officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    claim = Claim.objects.get(code="D-1")
    day = claim.date_from
    typed = day.strftime("%d/%m/%Y")
    assert codes(client.get(SEARCH, {"care_from": typed, "care_to": typed})) == ["D-1"]
    after = (day + timedelta(days=1)).strftime("%d/%m/%Y")
    assert codes(client.get(SEARCH, {"care_from": after})) == []
    html = client.get(SEARCH, {"claimed_from": typed}).content.decode()
    assert 'name="claimed_from" value="' + typed + '"' in html
    assert 'type="date"' not in html
    assert 'placeholder="jj/mm/aaaa"' in html
    for bad in ("31/02/2026", "12/2026", "2026-13-45", "hier"):
        response = client.get(SEARCH, {"care_to": bad})
        assert response.status_code == 200
        assert "Saisissez la date sous la forme jj/mm/aaaa, par exemple 05/12/2026." in (
            response.content.decode()
        )
