"""Issue 15, claims side: the claims of a confidential programme (VIH) are absent for a user who
may not see it, everywhere a claim shows; a claim he may see whose insuree VIH_Soins covers
names the insuree by number, sex and year of birth only (« Données confidentielles »); its
programme's users (within their reach) and the holders of right 101901 see everything.

The world (tests/claims/conftest.py): Jean and Marie Mballa covered by VIH_Soins (programme VIH,
marked confidential here) and by MUT (no programme); Ngono Mballa covered by nothing.
- `hidden`: Jean's Valuated claim under VIH (code HCY.2026.VIH.n), paid by VIH_Soins;
- `shown`: Jean's Valuated claim under no programme, paid by MUT, for malaria (code
  HCY.2026.MUT.1), one of its lines paid by VIH_Soins;
- `plain`: Ngono's Valuated claim (code HCY.2026.PL.1)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from kinga.claims.codes import ClaimStatus, ReviewStatus
from kinga.claims.models import BatchRun, BatchRunClaim, Claim, PaymentStatement
from kinga.claims.queries import batch as batch_queries
from kinga.claims.queries import control as control_queries
from kinga.claims.services import statements as statement_services
from kinga.core.models import Role
from kinga.core.rights import Right

from ..factories import login, make_user
from ..querycount import assert_flat
from .conftest import cover_family, make_product
from .payment_helpers import valuated_claim
from .pdf_helpers import pdf_text

SEARCH = reverse("claims_control:search")
BULK = reverse("claims_control:bulk")
SECRETS = ("Jean", "Marie", "VIH")  # the names, and the programme's and product's codes
MASK = "Données confidentielles"


def entry(name: str, claim) -> str:
    return reverse(f"claims_entry:{name}", kwargs={"uuid": claim.uuid})


def control(name: str, claim) -> str:
    return reverse(f"claims_control:{name}", kwargs={"uuid": claim.uuid})


def voucher(claim) -> str:
    return reverse("claims_payment:voucher", kwargs={"uuid": claim.uuid})


@pytest.fixture
def conf(care, world):
    care.vih.confidential = True
    care.vih.save()
    care.mut = make_product("MUT")
    cover_family(care.family, care.mut, date(2026, 1, 1), date(2026, 12, 31))
    care.hidden = valuated_claim(care)
    care.shown = valuated_claim(
        care,
        product=care.mut,
        programme=None,
        code="HCY.2026.MUT.1",
        lines=[(care.consultation, 1, Decimal(2000)), (care.gloves, 5, Decimal(100))],
    )
    care.shown.lines.filter(item=care.gloves).update(product=care.vih_soins)
    care.plain = valuated_claim(
        care, insuree=care.ngono, product=care.mut, programme=None, code="HCY.2026.PL.1"
    )
    Claim.objects.filter(pk__in=[care.shown.pk, care.plain.pk]).update(icd=care.malaria)
    return care


@pytest.fixture
def clerk(world, hcy):
    """Claims and statements in Mfoundi, at HCY, without the programme."""
    return make_user(
        "clerk.hcy",
        roles=["claim_admin", "medical_officer", "accountant"],
        districts=[world.mfoundi],
        health_facility=hcy,
    )


@pytest.fixture
def focal(world, hcy, conf):
    """The same, named among the programme's users."""
    user = make_user(
        "focal.hcy",
        roles=["claim_admin", "medical_officer", "accountant"],
        districts=[world.mfoundi],
        health_facility=hcy,
    )
    conf.vih.users.add(user)
    return user


@pytest.fixture
def holder(world, hcy):
    """The same, with the right « Confidential programmes » from a role."""
    role = Role.objects.create(name="VIH", rights=[int(Right.CONFIDENTIAL_PROGRAMMES)])
    return make_user(
        "holder.hcy",
        roles=["claim_admin", "medical_officer", "accountant", role],
        districts=[world.mfoundi],
        health_facility=hcy,
    )


def french(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    return client


def body(client, url, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def assert_withheld(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, secret


# --- absent: the search, its counts, the home page, bulk actions ------------------------------


def test_the_search_lists_no_claim_of_the_programme_and_masks_the_insuree(client, conf, clerk):
    html = body(french(login(client, clerk)), SEARCH)
    assert conf.hidden.code not in html
    assert conf.shown.code in html and conf.plain.code in html
    assert MASK in html and conf.jean.insurance_number in html and "Ngono" in html
    assert_withheld(html)
    page = client.get(SEARCH).context["page"]
    assert page.count == 2
    # Not found by his name either, but by his number.
    assert client.get(SEARCH, {"insuree_name": "Jean"}).context["page"].count == 0
    number = client.get(SEARCH, {"insurance_number": conf.jean.insurance_number})
    assert [c.code for c in number.context["page"].rows] == [conf.shown.code]


@pytest.mark.parametrize("who", ["focal", "holder"])
def test_the_programme_s_users_and_the_right_s_holders_see_everything(client, conf, who, request):
    user = request.getfixturevalue(who)
    html = body(french(login(client, user)), SEARCH)
    assert conf.hidden.code in html and "Jean" in html and MASK not in html
    assert client.get(SEARCH).context["page"].count == 3
    assert client.get(SEARCH, {"insuree_name": "Jean"}).context["page"].count == 2
    for url in (entry("detail", conf.hidden), control("claim", conf.hidden), voucher(conf.hidden)):
        assert client.get(url).status_code == 200
    claim_page = body(client, control("claim", conf.shown))
    assert "Jean" in claim_page and "VIH_Soins" in claim_page


def test_a_programme_user_still_sees_only_his_own_reach(client, conf, world):
    wouri = make_user("focal.wouri", roles=["medical_officer"], districts=[world.wouri])
    conf.vih.users.add(wouri)
    login(client, wouri)
    assert client.get(control("claim", conf.hidden)).status_code == 403
    assert client.get(SEARCH).context["page"].count == 0


def test_the_home_page_counts_no_claim_of_the_programme(client, conf, clerk, focal):
    Claim.objects.filter(pk__in=[conf.hidden.pk, conf.plain.pk]).update(
        status=ClaimStatus.CHECKED, review_status=ReviewStatus.SELECTED
    )
    assert control_queries.work_counts(clerk)["to_review"].value == 1
    assert control_queries.work_counts(focal)["to_review"].value == 2
    assert_withheld(body(french(login(client, clerk)), "/"))


def test_a_ticked_claim_of_the_programme_is_refused_and_nothing_is_done(client, conf, clerk):
    Claim.objects.filter(pk__in=[conf.hidden.pk, conf.plain.pk]).update(status=ClaimStatus.ENTERED)
    login(client, clerk)
    for confirmed in ("", "1"):
        response = client.post(
            BULK,
            {
                "action": "submit",
                "claims": [conf.plain.uuid, conf.hidden.uuid],
                "confirmed": confirmed,
            },
        )
        assert response.status_code == 403
    assert set(
        Claim.objects.filter(pk__in=[conf.hidden.pk, conf.plain.pk]).values_list(
            "status", flat=True
        )
    ) == {ClaimStatus.ENTERED}
    asked = client.post(BULK, {"action": "voucher", "claims": [conf.hidden.uuid]})
    assert asked.status_code == 403


def test_the_bulk_confirmation_masks_the_insuree(client, conf, clerk):
    Claim.objects.filter(pk=conf.shown.pk).update(status=ClaimStatus.ENTERED)
    html = french(login(client, clerk)).post(
        BULK, {"action": "submit", "claims": [conf.shown.uuid]}
    )
    assert html.status_code == 200
    text = html.content.decode()
    assert MASK in text
    assert_withheld(text)


# --- absent: every page of the claim (404, as if it did not exist) -----------------------------


def test_every_page_of_a_claim_of_the_programme_is_not_found(client, conf, clerk):
    login(client, clerk)
    for url in (
        entry("detail", conf.hidden),
        entry("print", conf.hidden),
        control("claim", conf.hidden),
        control("review", conf.hidden),
        control("feedback", conf.hidden),
        control("return", conf.hidden),
        voucher(conf.hidden),
    ):
        assert client.get(url).status_code == 404, url
    Claim.objects.filter(pk=conf.hidden.pk).update(status=ClaimStatus.ENTERED)
    for name in ("edit", "delete", "submit"):
        assert client.get(entry(name, conf.hidden)).status_code == 404, name
    for name in ("delete", "duplicate", "submit"):
        assert client.post(entry(name, conf.hidden)).status_code == 404, name
    assert Claim.objects.count() == 3
    assert Claim.objects.get(pk=conf.hidden.pk).retired_at is None
    Claim.objects.filter(pk=conf.hidden.pk).update(
        status=ClaimStatus.CHECKED, review_status=ReviewStatus.SELECTED
    )
    assert client.get(control("review", conf.hidden)).status_code == 404
    assert client.post(control("value", conf.hidden)).status_code == 404


# --- a claim he may see: the insuree by number, sex and year of birth only --------------------


def test_the_claim_pages_withhold_the_names_and_the_programme_s_product(client, conf, clerk):
    login(french(client), clerk)
    for url in (entry("detail", conf.shown), entry("print", conf.shown)):
        html = body(client, url)
        assert MASK in html and conf.jean.insurance_number in html and "1980" in html
        assert_withheld(html)
    html = body(client, control("claim", conf.shown))
    assert MASK in html and "MUT" in html
    assert_withheld(html)
    html = body(client, entry("detail", conf.plain))
    assert "Ngono Mballa" in html


def test_the_voucher_names_the_insuree_by_number_only(client, conf, clerk, focal):
    text = pdf_text(french(login(client, clerk)).get(voucher(conf.shown)).content)
    assert conf.jean.insurance_number in text and MASK in text
    assert_withheld(text)
    text = pdf_text(login(client, focal).get(voucher(conf.shown)).content)
    assert "Jean Mballa" in text


def test_the_insuree_lookup_of_the_claim_entry(client, conf, clerk, focal):
    url = reverse("claims_entry:insuree")
    params = {"insurance_number": conf.jean.insurance_number, "date_from": "2026-03-10"}
    html = body(french(login(client, clerk)), url, **params)
    assert MASK in html and "1980" in html and "MUT" in html
    assert_withheld(html)
    html = body(login(client, focal), url, **params)
    assert "Jean Mballa" in html and "VIH_Soins" in html


def test_the_claim_history_names_a_confidential_insuree_by_his_number(client, conf, clerk):
    from kinga.claims.services.claims import LineInput, claim_create, claim_update

    claim = claim_create(
        actor=clerk,
        health_facility=conf.hcy,
        insuree=conf.ngono,
        date_from=date(2026, 3, 10),
        icd=conf.malaria,
        lines=[LineInput(conf.consultation, 1)],
        code="HCY.H.1",
        today=date(2026, 3, 20),
    )
    claim_update(
        actor=clerk,
        claim=claim,
        insuree=conf.jean,
        date_from=date(2026, 3, 10),
        icd=conf.malaria,
        lines=[LineInput(conf.consultation, 1)],
        code="HCY.H.1",
        today=date(2026, 3, 20),
    )
    html = body(french(login(client, clerk)), entry("detail", claim))
    history = html.split('id="history"', 1)[1]
    assert conf.jean.insurance_number in history and "Ngono" in history
    assert_withheld(html)


# --- payment statements and batch runs ---------------------------------------------------------


def test_the_accountant_neither_sees_nor_generates_the_programme_s_statements(
    client, conf, clerk, focal
):
    theirs = statement_services.statement_generate(
        actor=focal,
        health_facility=conf.hcy,
        date_from=date(2026, 3, 1),
        date_to=date(2026, 3, 31),
        programme=conf.vih,
    )
    assert theirs.claims_count == 1
    login(french(client), clerk)
    listing = body(client, reverse("claims_payment:statements"))
    assert theirs.number not in listing
    assert_withheld(listing)  # nor the programme nor its product among the filters
    detail = reverse("claims_payment:statement", kwargs={"uuid": theirs.uuid})
    assert client.get(detail).status_code == 404
    form = body(client, reverse("claims_payment:statement_new"))
    assert_withheld(form)
    posted = client.post(
        reverse("claims_payment:statement_new"),
        {
            "health_facility": conf.hcy.code,
            "date_from": "01/03/2026",
            "date_to": "31/03/2026",
            "programme": "VIH",
        },
    )
    assert posted.status_code == 200
    assert PaymentStatement.objects.count() == 1


def test_a_statement_of_another_product_takes_and_lists_no_hidden_claim(client, conf, clerk, focal):
    conf.hidden.lines.update(product=conf.mut)  # a VIH claim paid by MUT alone
    # The accountant's statement of MUT: the VIH claim waits for its programme's statement.
    mine = statement_services.statement_generate(
        actor=clerk,
        health_facility=conf.hcy,
        date_from=date(2026, 3, 1),
        date_to=date(2026, 3, 31),
        product=conf.mut,
    )
    assert set(mine.claim_links.values_list("claim_id", flat=True)) == {conf.plain.pk}
    theirs = statement_services.statement_generate(
        actor=focal,
        health_facility=conf.hcy,
        date_from=date(2026, 3, 1),
        date_to=date(2026, 3, 31),
        programme=conf.vih,
    )
    assert set(theirs.claim_links.values_list("claim_id", flat=True)) == {conf.hidden.pk}
    url = reverse("claims_payment:statement_claims", kwargs={"uuid": mine.uuid})
    html = body(french(login(client, clerk)), url)
    assert conf.hidden.code not in html
    assert_withheld(html)
    for fmt in ("pdf", "csv", "xlsx"):
        download = reverse(
            "claims_payment:statement_download", kwargs={"uuid": mine.uuid, "fmt": fmt}
        )
        response = client.get(download)
        assert response.status_code == 200
        if fmt == "csv":
            assert_withheld(response.content.decode())
        if fmt == "pdf":
            assert_withheld(pdf_text(response.content))


def test_a_visible_statement_lists_the_confidential_insuree_by_number(client, conf, clerk):
    conf.shown.lines.update(product=conf.mut)  # all paid by MUT: in MUT's statement
    statement = statement_services.statement_generate(
        actor=clerk,
        health_facility=conf.hcy,
        date_from=date(2026, 3, 1),
        date_to=date(2026, 3, 31),
        product=conf.mut,
    )
    url = reverse("claims_payment:statement_claims", kwargs={"uuid": statement.uuid})
    html = body(french(login(client, clerk)), url)
    assert conf.shown.code in html and conf.plain.code in html and conf.hidden.code not in html
    assert MASK in html and "Ngono" in html
    assert_withheld(html)
    vouchers = reverse("claims_payment:statement_vouchers", kwargs={"uuid": statement.uuid})
    text = pdf_text(client.get(vouchers).content)
    assert MASK in text
    assert_withheld(text)


def test_the_batch_run_names_no_product_of_the_programme(conf, clerk, focal, world, imis_admin):
    run = BatchRun.objects.create(
        location=world.mfoundi, year=2026, month=3, status="done", created_by=imis_admin
    )
    for claim in (conf.hidden, conf.shown, conf.plain):
        BatchRunClaim.objects.create(run=run, claim=claim, status_before=ClaimStatus.PROCESSED)
    theirs = batch_queries.totals_per_product(run, focal)
    assert {r["product__code"] for r in theirs} == {"MUT", "VIH_Soins"}
    mine = batch_queries.totals_per_product(run, clerk)
    assert {r["product__code"] for r in mine} == {"MUT", "—"}
    assert sum(r["total"] for r in mine) == sum(r["total"] for r in theirs)


# --- cost ---------------------------------------------------------------------------------------


def test_the_search_with_a_hidden_programme_makes_the_same_queries_for_30_or_60_claims(
    client, conf, clerk
):
    def grow(n=30):
        for i in range(n):
            valuated_claim(conf, code=f"HCY.V.{i}.{Claim.objects.count()}")
            valuated_claim(
                conf, product=conf.mut, programme=None, code=f"HCY.M.{i}.{Claim.objects.count()}"
            )

    grow()
    login(client, clerk)
    assert_flat(client, SEARCH, grow, at_most=8, shown=lambda r: len(r.context["page"].rows))


def test_a_withheld_insuree_is_never_saved_with_the_mask(conf, clerk):
    from kinga.claims.queries.claims import get_claim_for_user

    claim = get_claim_for_user(clerk, conf.shown.uuid)
    assert claim.insuree.withheld and claim.insuree.other_names in (MASK, "Confidential data")
    with pytest.raises(RuntimeError):
        claim.insuree.save()
    conf.jean.refresh_from_db()
    assert conf.jean.other_names == "Jean"


def test_the_names_never_leave_the_database_for_the_claim_page_and_the_search(conf, clerk):
    from kinga.claims.queries import control as control_queries
    from kinga.claims.queries.claims import ClaimFilters, get_claim_for_user

    claim = get_claim_for_user(clerk, conf.shown.uuid)
    assert "Jean" not in repr(vars(claim.insuree))
    rows = control_queries.page_of(
        control_queries.listed(control_queries.found(clerk, ClaimFilters())), None, 50
    ).rows
    jean = [r for r in rows if r.insuree_id == conf.jean.pk]
    assert jean and all("Jean" not in repr(vars(r.insuree)) for r in jean)
    assert all(r.insuree.other_names in (MASK, "Confidential data") for r in jean)
    ngono = [r for r in rows if r.insuree_id == conf.ngono.pk]
    assert [r.insuree.other_names for r in ngono] == ["Ngono"]
