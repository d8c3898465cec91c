"""The FOSA's claim pages (kinga.claims.views.entry, kinga.claims.views.lookups): entering a
claim through the form, the lookups as the clerk types, the lines and totals fragments, edit,
delete, duplicate, submission giving Checked or Rejected (code 3, in French), the printable
form, the denial of another facility's claims, bad input giving messages, and the claim page's
query count with 30+ lines."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from kinga.claims.codes import ClaimStatus, Rejection
from kinga.claims.models import Claim, ClaimLine
from kinga.claims.services import claims as claim_services
from kinga.claims.services.claims import LineInput

from ..factories import login, make_facility, make_user
from ..querycount import page_queries
from .conftest import CARE, enter

NEW = reverse("claims_entry:new")
CARE_TEXT = CARE.strftime("%d/%m/%Y")
NOT_COVERED_FR = escape(
    "3 — Le soin ou produit médical n'est pas couvert par une police active de l'assuré"
)


def form_data(care, insuree=None, **fields):
    """A full POST of the entry form: a consultation and two ARVs."""
    data = {
        "health_facility": care.hcy.pk,
        "code": "HCY.2026.VIH.1",
        "insurance_number": (insuree or care.jean).insurance_number,
        "date_from": CARE_TEXT,
        "date_to": "",
        "visit_type": "O",
        "icd": "B24",
        "guarantee_number": "",
        "explanation": "",
        "line-0-code": "CONS",
        "line-0-quantity": "1",
        "line-0-price": "",
        "line-1-code": "arv1",
        "line-1-quantity": "2",
        "line-1-price": "2500",
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def current_lines(claim) -> list[ClaimLine]:
    return list(claim.lines.filter(retired_at__isnull=True).order_by("id"))


def detail(claim) -> str:
    return reverse("claims_entry:detail", args=[claim.uuid])


# --- the entry form -----------------------------------------------------------------------------


def test_the_menu_offers_the_new_claim_page(client, claim_admin, care):
    login(client, claim_admin)
    page = client.get(reverse("home")).content.decode()
    assert NEW in page
    assert "Saisir une demande de remboursement" in page


def test_the_new_claim_page_proposes_a_number_and_fixes_the_facility(client, claim_admin, care):
    login(client, claim_admin)
    response = client.get(NEW)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="HCY.' in page
    assert "Hôpital Central" in page and "Hôpital de Douala" not in page
    assert "htmx" in page  # the page's fragments, no script of its own but a small one
    assert 'src="/static/claims/entry.js"' in page


def test_a_district_user_picks_among_the_facilities_of_his_districts(
    world, client, imis_admin, care
):
    contributor = make_user(
        "contrib.mfoundi", roles=["claim_contributor"], districts=[world.mfoundi]
    )
    make_facility(imis_admin, world.mfoundi, code="CSI", name="CSI Nlongkak")
    login(client, contributor)
    page = client.get(NEW).content.decode()
    assert "CSI Nlongkak" in page and "Hôpital Central" in page
    assert "Hôpital de Douala" not in page


def test_a_claim_administrator_enters_a_claim_through_the_page(client, claim_admin, care):
    login(client, claim_admin)
    response = client.post(NEW, form_data(care))
    claim = Claim.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(claim)
    assert claim.code == "HCY.2026.VIH.1" and claim.insuree == care.jean
    assert claim.health_facility == care.hcy and claim.icd == care.hiv
    assert claim.status == ClaimStatus.ENTERED
    assert [(x.medical, x.quantity, x.price_asked) for x in current_lines(claim)] == [
        (care.consultation, 1, Decimal(2000)),
        (care.arv, 2, Decimal(2500)),
    ]
    assert claim.claimed == Decimal(7000)
    page = client.get(detail(claim)).content.decode()
    assert "7\xa0000\xa0FCFA" in page
    assert "Saisie" in page


def test_secondary_diagnoses_and_an_attachment_are_saved_with_the_claim(
    client, claim_admin, care, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    login(client, claim_admin)
    data = form_data(care, icd_1="B54 — Paludisme", visit_type="R", attachment_type="referral")
    data["attachment"] = SimpleUploadedFile("lettre.jpg", b"\xff\xd8\xff scan", "image/jpeg")
    client.post(NEW, data)
    claim = Claim.objects.get()
    assert claim.icd_1 == care.malaria and claim.visit_type == "R"
    attachment = claim.attachments.get()
    assert attachment.type == "referral" and attachment.filename == "lettre.jpg"
    page = client.get(detail(claim)).content.decode()
    url = reverse("claims_entry:attachment", args=[claim.uuid, attachment.uuid])
    assert url in page
    assert client.get(url).status_code == 200


def test_the_dates_are_typed_day_month_year(client, claim_admin, care):
    login(client, claim_admin)
    client.post(NEW, form_data(care, date_from="10/03/2026", date_to="12/03/2026"))
    claim = Claim.objects.get()
    assert (claim.date_from.day, claim.date_to.day) == (10, 12)


# --- bad input: messages, never a 500, nothing written ----------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"line-0-quantity": "deux"}, "nombre entier"),
        ({"line-0-quantity": "0"}, "nombre entier"),
        ({"line-0-quantity": "1.5"}, "nombre entier"),
        ({"insurance_number": "999999999999"}, "Aucun assuré"),
        ({"icd": "ZZZ"}, "ZZZ"),
        ({"line-0-code": "NOPE"}, "Aucun soin ou produit"),
        ({"date_from": "31/02/2026"}, "date"),
        ({"date_to": "01/03/2026"}, "avant"),
        ({"line-1-price": "abc"}, "prix"),
        ({"line-1-code": "GANT", "line-1-price": "NaN"}, "prix"),
        ({"line-1-code": "GANT", "line-1-price": "1e400"}, "prix"),
        ({"line-1-code": "GANT", "line-1-price": "-5"}, "prix"),
        ({"line-0-quantity": "99999999999999999999"}, "nombre entier"),
        ({"visit_type": "X"}, "choix"),
        ({"icd_3": "Q99.9"}, "Q99.9"),
        ({"code": "X" * 51}, "caractères"),
        ({"health_facility": "999999"}, "choix"),
        ({"health_facility": "abc"}, "choix"),
        (
            {
                "line-0-code": "",
                "line-0-quantity": "",
                "line-1-code": "",
                "line-1-quantity": "",
                "line-1-price": "",
            },
            "au moins",
        ),
    ],
)
def test_bad_input_gives_a_message_and_writes_nothing(client, claim_admin, care, fields, message):
    login(client, claim_admin)
    response = client.post(NEW, form_data(care, **fields))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Claim.objects.exists()


def test_another_facility_cannot_be_forced_in_by_a_tampered_id(client, claim_admin, care):
    login(client, claim_admin)
    response = client.post(NEW, form_data(care, health_facility=str(care.dla.pk)))
    assert response.status_code == 200
    assert not Claim.objects.exists()


def test_a_changed_list_price_is_refused_under_its_line(client, claim_admin, care):
    """The consultation takes the price list's price: a tampered price is not used."""
    login(client, claim_admin)
    client.post(NEW, form_data(care, **{"line-0-price": "99999"}))
    claim = Claim.objects.get()
    assert current_lines(claim)[0].price_asked == Decimal(2000)


def test_a_provider_priced_item_keeps_the_typed_price(client, claim_admin, care):
    login(client, claim_admin)
    client.post(
        NEW,
        form_data(care, **{"line-1-code": "GANT", "line-1-price": "150", "line-1-quantity": "3"}),
    )
    assert current_lines(Claim.objects.get())[1].price_asked == Decimal(150)


def test_a_used_number_is_said_under_the_number(client, claim_admin, care):
    enter(claim_admin, care, code="HCY.2026.VIH.1")
    login(client, claim_admin)
    response = client.post(NEW, form_data(care))
    assert "déjà utilisé" in response.content.decode()
    assert Claim.objects.count() == 1


# --- lookups and fragments ----------------------------------------------------------------------


def test_the_insuree_card_shows_name_age_sex_coverage_and_the_programme_number(
    client, claim_admin, care
):
    login(client, claim_admin)
    url = reverse("claims_entry:insuree")
    page = client.get(
        url,
        {
            "insurance_number": care.jean.insurance_number,
            "health_facility": care.hcy.pk,
            "date_from": CARE_TEXT,
            "code": "",
        },
    ).content.decode()
    assert "Jean" in page and "45 ans" in page and "Masculin" in page
    assert "VIH_Soins" in page
    assert 'value="HCY.2026.VIH.1"' in page and 'hx-swap-oob="true"' in page
    page = client.get(
        url, {"insurance_number": care.ngono.insurance_number, "date_from": CARE_TEXT}
    ).content.decode()
    assert "Ngono" in page and "Aucune police en vigueur" in page
    page = client.get(url, {"insurance_number": "12345x"}).content.decode()
    assert "Aucun assuré" in page


def test_the_number_is_not_proposed_over_the_clerks_own(client, claim_admin, care):
    login(client, claim_admin)
    page = client.get(
        reverse("claims_entry:insuree"),
        {
            "insurance_number": care.jean.insurance_number,
            "health_facility": care.hcy.pk,
            "code": "MY-OWN",
            "code_proposed": "HCY.2026.1",
        },
    ).content.decode()
    assert "hx-swap-oob" not in page


def test_diagnoses_are_found_by_code_or_name_in_french_or_english(client, claim_admin, care):
    login(client, claim_admin)
    url = reverse("claims_entry:diagnoses")
    assert "B54" in client.get(url, {"icd": "palu"}).content.decode()
    assert "B54" in client.get(url, {"icd_2": "malar"}).content.decode()
    page = client.get(url, {"icd": "B2"}).content.decode()
    assert "B24" in page and "B54" not in page


def test_services_and_items_are_found_by_code_or_name(client, claim_admin, care):
    login(client, claim_admin)
    url = reverse("claims_entry:medical")
    page = client.get(url, {"line-3-code": "ténofo"}).content.decode()
    assert "ARV1" in page and "CONS" not in page
    assert "CONS" in client.get(url, {"line-0-code": "cons"}).content.decode()
    assert client.get(url, {"line-0-code": ""}).content.decode().strip() == ""


def test_a_line_shows_its_price_and_whether_it_can_be_changed(client, claim_admin, care):
    login(client, claim_admin)
    url = reverse("claims_entry:line_refresh")
    base = {
        "health_facility": care.hcy.pk,
        "insurance_number": care.jean.insurance_number,
        "date_from": CARE_TEXT,
    }
    response = client.get(
        url, {**base, "line-4-code": "ARV1", "line-4-quantity": "2", "line-4-price": ""}
    )
    page = response.content.decode()
    assert response["HX-Trigger"] == "claims-totals"
    assert 'id="line-4-price" value="2500"' in page and "readonly" in page
    assert "5\xa0000\xa0FCFA" in page
    page = client.get(
        url, {**base, "line-4-code": "GANT", "line-4-quantity": "1", "line-4-price": "150"}
    ).content.decode()
    assert 'value="150"' in page and "readonly" not in page
    page = client.get(url, {**base, "line-4-code": "CONS", "line-4-quantity": "x"}).content.decode()
    assert "nombre entier" in page
    page = client.get(url, {**base, "line-4-code": "???"}).content.decode()
    assert "Aucun soin ou produit" in page


def test_a_new_line_comes_with_the_next_number(client, claim_admin, care):
    login(client, claim_admin)
    page = client.get(reverse("claims_entry:line_new"), {"next_line": "7"}).content.decode()
    assert 'name="line-7-code"' in page and "autofocus" in page
    assert 'id="next_line" name="next_line" value="8" hx-swap-oob="true"' in page
    page = client.get(reverse("claims_entry:line_new"), {"next_line": "x"}).content.decode()
    assert 'name="line-0-code"' in page


def test_the_totals_follow_the_quantities_and_prices(client, claim_admin, care):
    login(client, claim_admin)
    page = client.post(
        reverse("claims_entry:totals"),
        {
            "line-0-code": "CONS",
            "line-0-quantity": "3",
            "line-0-price": "2000",
            "line-2-code": "ARV1",
            "line-2-quantity": "abc",
            "line-2-price": "2500",
        },
    ).content.decode()
    assert 'id="line-0-total" hx-swap-oob="true">6\xa0000\xa0FCFA' in page
    assert 'id="claim-total" hx-swap-oob="true">6\xa0000\xa0FCFA' in page


def test_the_lookups_need_the_claim_entry_right(client, mfoundi_clerk, care):
    login(client, mfoundi_clerk)
    for name in ("insuree", "diagnoses", "medical", "line_new", "line_refresh"):
        assert client.get(reverse(f"claims_entry:{name}")).status_code == 403
    assert client.post(reverse("claims_entry:totals")).status_code == 403
    assert client.get(NEW).status_code == 403


# --- edit, delete, duplicate --------------------------------------------------------------------


def test_an_entered_claim_is_edited_through_the_same_form(client, claim_admin, care):
    claim = enter(claim_admin, care)
    login(client, claim_admin)
    url = reverse("claims_entry:edit", args=[claim.uuid])
    page = client.get(url).content.decode()
    assert f'value="{claim.code}"' in page and 'value="CONS"' in page and 'value="ARV1"' in page
    data = form_data(care, code=claim.code, **{"line-0-quantity": "2"})
    data.pop("line-1-code")
    response = client.post(url, data)
    assert response.status_code == 302
    claim.refresh_from_db()
    assert [(x.medical, x.quantity) for x in current_lines(claim)] == [(care.consultation, 2)]
    assert claim.claimed == Decimal(4000)


def test_an_entered_claim_is_deleted_after_confirmation(client, claim_admin, care):
    claim = enter(claim_admin, care)
    login(client, claim_admin)
    url = reverse("claims_entry:delete", args=[claim.uuid])
    assert claim.code in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.retired_at is not None  # soft delete
    page = client.get(detail(claim)).content.decode()
    assert "supprimée" in page.lower() or "Supprimé" in page


def test_a_claim_is_duplicated_with_a_new_number(client, claim_admin, care):
    claim = enter(claim_admin, care)
    login(client, claim_admin)
    response = client.post(reverse("claims_entry:duplicate", args=[claim.uuid]))
    copy = Claim.objects.exclude(pk=claim.pk).get()
    assert response["Location"] == reverse("claims_entry:edit", args=[copy.uuid])
    assert copy.code != claim.code and len(current_lines(copy)) == 2


# --- submission ---------------------------------------------------------------------------------


def _submit(client, claim):
    url = reverse("claims_entry:submit", args=[claim.uuid])
    assert client.get(url).status_code == 200
    return client.post(url)


def test_a_covered_claim_is_submitted_and_checked(client, claim_admin, care):
    claim = enter(claim_admin, care)
    login(client, claim_admin)
    response = _submit(client, claim)
    assert response["Location"] == detail(claim)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.CHECKED
    page = client.get(detail(claim)).content.decode()
    assert 'data-status="4">Vérifiée' in page
    assert "Contrôle administratif" in page


def test_a_claim_for_a_person_without_policy_is_rejected_with_code_3_in_french(
    client, claim_admin, care
):
    claim = enter(claim_admin, care, care.ngono)
    login(client, claim_admin)
    response = _submit(client, claim)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REJECTED
    assert set(claim.lines.values_list("rejection_reason", flat=True)) == {Rejection.NOT_COVERED}
    page = client.get(response["Location"]).content.decode()
    assert 'data-status="1">Rejetée' in page
    assert page.count(NOT_COVERED_FR) == 2


def test_a_double_submission_gives_one_result_and_a_message(client, claim_admin, care):
    claim = enter(claim_admin, care)
    login(client, claim_admin)
    url = reverse("claims_entry:submit", args=[claim.uuid])
    client.post(url)
    history = claim.history.count()
    response = client.post(url, follow=True)
    assert response.status_code == 200
    assert "ne peut plus être" in response.content.decode()
    assert claim.history.count() == history
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.CHECKED


def test_a_submitted_claim_can_no_longer_be_edited_or_deleted(client, claim_admin, care):
    claim = enter(claim_admin, care)
    login(client, claim_admin)
    client.post(reverse("claims_entry:submit", args=[claim.uuid]))
    for name in ("edit", "delete"):
        response = client.get(reverse(f"claims_entry:{name}", args=[claim.uuid]))
        assert response.status_code == 302 and response["Location"] == detail(claim)
    page = client.get(detail(claim)).content.decode()
    assert 'id="edit-claim"' not in page and 'id="submit-claim"' not in page


# --- print ---------------------------------------------------------------------------------------


def test_the_printable_claim_form(client, claim_admin, care):
    claim = enter(claim_admin, care, care.ngono)
    login(client, claim_admin)
    client.post(reverse("claims_entry:submit", args=[claim.uuid]))
    response = client.get(reverse("claims_entry:print", args=[claim.uuid]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "claims/claims.css" in page and claim.code in page
    assert NOT_COVERED_FR in page and "Signature" in page
    assert "core/base" not in page and 'class="top"' not in page


# --- reach: another facility's claims, even by URL ----------------------------------------------


def test_another_facilitys_claim_administrator_never_reaches_the_claim(
    world, client, imis_admin, care
):
    claim = enter(imis_admin, care, facility=care.dla, code="DLA-1")
    dla_admin = make_user(
        "claims.dla", roles=["claim_admin"], districts=[world.wouri], health_facility=care.dla
    )
    hcy_admin = make_user(
        "claims.hcy2",
        roles=["claim_admin"],
        districts=[world.wouri, world.mfoundi],
        health_facility=care.hcy,
    )
    login(client, hcy_admin)
    for name in ("detail", "edit", "delete", "submit", "print"):
        assert client.get(reverse(f"claims_entry:{name}", args=[claim.uuid])).status_code == 403, (
            name
        )
    for name in ("duplicate", "submit", "delete", "attach"):
        assert client.post(reverse(f"claims_entry:{name}", args=[claim.uuid])).status_code == 403, (
            name
        )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.ENTERED and claim.retired_at is None
    # an unknown or malformed key: 404
    assert client.get("/claims/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get("/claims/not-a-uuid/").status_code == 404
    login(client, dla_admin)
    assert client.get(detail(claim)).status_code == 200


def test_a_tampered_attachment_key_is_not_found(client, claim_admin, care):
    claim = enter(claim_admin, care)
    login(client, claim_admin)
    url = reverse(
        "claims_entry:attachment", args=[claim.uuid, "00000000-0000-0000-0000-000000000000"]
    )
    assert client.get(url).status_code == 404


# --- the claim page ------------------------------------------------------------------------------


def test_the_claim_page_shows_returns_and_history(client, claim_admin, medical_officer, care):
    claim = enter(claim_admin, care)
    from kinga.claims.services.submission import claim_submit

    claim_submit(actor=claim_admin, claim=claim)
    claim_services.claim_return(actor=medical_officer, claim=claim, comment="Joindre l'ordonnance")
    login(client, claim_admin)
    page = client.get(detail(claim)).content.decode()
    assert "Retours pour complément" in page or "Retour pour complément" in page
    assert "Joindre l&#x27;ordonnance" in page
    assert 'id="history"' in page and "Consultation" in page
    # the programme whose name is its code reads once
    assert "<dd>VIH</dd>" in page and "VIH VIH" not in page


def test_the_claim_page_makes_a_fixed_number_of_queries_with_30_lines(client, claim_admin, care):
    claim = enter(claim_admin, care, lines=[LineInput(care.consultation, 1)] * 2)
    login(client, claim_admin)
    client.get(detail(claim))
    few, _sql, _r = page_queries(client, detail(claim))
    claim_services.claim_update(
        actor=claim_admin,
        claim=claim,
        insuree=care.jean,
        date_from=CARE,
        icd=care.hiv,
        code=claim.code,
        lines=[LineInput(care.consultation, 1), LineInput(care.arv, 2)] * 16,
    )
    assert ClaimLine.objects.filter(claim=claim, retired_at__isnull=True).count() == 32
    many, sql, response = page_queries(client, detail(claim))
    assert response.content.decode().count('data-reason="0"') == 32
    assert many == few, "\n\n".join(sql)
    # 12, and the read audit's entry (kinga.core.audit, issue 15)
    assert many <= 13, "\n\n".join(sql)


def test_a_document_is_attached_from_the_claim_page(client, claim_admin, care, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    claim = enter(claim_admin, care)
    login(client, claim_admin)
    url = reverse("claims_entry:attach", args=[claim.uuid])
    page = client.post(url, {"type": "prescription", "file": ""}, follow=True).content.decode()
    assert "Choisissez un fichier" in page

    def html():
        return SimpleUploadedFile("page.html", b"<script>alert(1)</script>", "text/html")

    client.post(url, {"type": "nonsense", "file": html()})
    assert not claim.attachments.exists()
    client.post(url, {"type": "prescription", "file": html()})
    attachment = claim.attachments.get()
    response = client.get(reverse("claims_entry:attachment", args=[claim.uuid, attachment.uuid]))
    # not an image nor a PDF: downloaded, never shown as a page of the site
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")


def test_a_returned_claim_shows_why_on_its_form(client, claim_admin, medical_officer, care):
    from kinga.claims.services.submission import claim_submit

    claim = enter(claim_admin, care, lines=[LineInput(care.gloves, 2, Decimal(150))])
    claim_submit(actor=claim_admin, claim=claim)
    claim_services.claim_return(actor=medical_officer, claim=claim, comment="Joindre le bon")
    login(client, claim_admin)
    page = client.get(reverse("claims_entry:edit", args=[claim.uuid])).content.decode()
    assert "Retournée pour complément" in page and "Joindre le bon" in page
    # the gloves take the provider's price: still editable
    assert 'id="line-0-price" value="150" size="8" inputmode="decimal" autocomplete="off"' in page
    assert (
        'id="line-0-price" value="150" size="8" inputmode="decimal" autocomplete="off" aria-label="Prix unitaire" class="line-price">'
        in page
    )


def test_a_line_or_a_diagnosis_is_found_by_its_name_when_only_one_matches(
    client, claim_admin, care
):
    login(client, claim_admin)
    page = client.get(
        reverse("claims_entry:line_refresh"),
        {"health_facility": care.hcy.pk, "line-2-code": "ténofovir", "line-2-quantity": "1"},
    ).content.decode()
    # the code box now holds the item's code, swapped in with the line's cells
    assert 'id="line-2-code-cell"' in page and 'value="ARV1"' in page
    client.post(NEW, form_data(care, icd="infection vih", **{"line-1-code": "ténofovir"}))
    claim = Claim.objects.get()
    assert claim.icd == care.hiv and current_lines(claim)[1].medical == care.arv
    # « c » matches several services and items: the clerk is asked for a code
    response = client.post(NEW, form_data(care, code="X-2", **{"line-0-code": "c"}))
    assert "Aucun soin ou produit" in response.content.decode()


def test_the_claim_page_speaks_english_too(client, claim_admin, care, english):
    from kinga.claims.services.submission import claim_submit

    claim = enter(claim_admin, care, care.ngono)
    claim_submit(actor=claim_admin, claim=claim)
    login(client, claim_admin)
    page = client.get(detail(claim)).content.decode()
    assert ">Rejected<" in page and "Administrative check" in page
    assert (
        escape("3 — The service or item is not covered by an active policy of the insuree") in page
    )
    assert "New claim" in client.get(NEW).content.decode()
