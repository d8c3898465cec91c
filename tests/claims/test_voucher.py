"""The bon à payer (payment voucher) of a Valuated claim: the PDF, its button on the claim page,
the search's bulk action, and who may print it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from kinga.claims.codes import ClaimStatus

from ..factories import login, make_user
from .payment_helpers import valuated_claim
from .pdf_helpers import page_count, pdf_text, render_first_page

WORDS = "vingt-deux mille cinq cents francs CFA"


def voucher_url(claim) -> str:
    return reverse("claims_payment:voucher", kwargs={"uuid": claim.uuid})


def test_the_voucher_shows_the_claim_and_its_total_in_figures_and_words(
    client, care, claim_admin, tmp_path
):
    claim = valuated_claim(care)
    response = login(client, claim_admin).get(voucher_url(claim))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    content = response.content
    png = render_first_page(content, tmp_path / "voucher.png")
    assert png.stat().st_size > 10_000  # a drawn page, not a blank one
    text = pdf_text(content)
    assert "BON À PAYER" in text
    assert claim.code in text
    assert "HCY Hôpital Central" in text
    assert "MFO Mfoundi" in text and "CE Centre" in text
    assert care.jean.insurance_number in text and "Jean Mballa" in text
    assert "B24" in text
    assert "Ténofovir/Lamivudine/" in text
    assert "22 500 FCFA" in text
    assert WORDS in text
    assert "Signature" in text or "signature" in text


def test_the_voucher_of_a_confidential_programme_is_only_for_its_users(
    client, care, claim_admin, medical_officer
):
    """Issue 15 replaced issue 13's rule (a programme with users hid the names): a claim of a
    confidential programme does not exist for who may not see it (the names shown otherwise
    are in tests/claims/test_confidential.py)."""
    claim = valuated_claim(care)
    care.vih.users.add(medical_officer)  # a programme with users, not confidential: no effect
    text = pdf_text(login(client, claim_admin).get(voucher_url(claim)).content)
    assert "Jean Mballa" in text
    care.vih.confidential = True
    care.vih.save()
    assert client.get(voucher_url(claim)).status_code == 404
    care.vih.users.add(claim_admin)
    text = pdf_text(client.get(voucher_url(claim)).content)
    assert "Jean Mballa" in text


def test_rejected_lines_show_with_nothing_approved(client, care, claim_admin):
    claim = valuated_claim(
        care, lines=[(care.consultation, 1, Decimal(2000))], rejected=[(care.cd4, 1, Decimal(5000))]
    )
    text = pdf_text(login(client, claim_admin).get(voucher_url(claim)).content)
    assert "Numération CD4 (rejeté)" in text
    assert "7 000 FCFA" in text  # claimed
    assert "deux mille francs CFA" in text


def test_it_is_refused_to_whom_may_not_print_it(client, care, claim_admin, world, imis_admin):
    from ..conftest import make_facility

    claim = valuated_claim(care)
    # No print right: a medical officer.
    officer = make_user("mo", roles=["medical_officer"], districts=[world.mfoundi])
    assert login(client, officer).get(voucher_url(claim)).status_code == 403
    # The claim administrator of another facility.
    other = make_facility(imis_admin, world.mfoundi, code="CSN", name="CS Nlongkak")
    stranger = make_user(
        "claims.csn", roles=["claim_admin"], districts=[world.mfoundi], health_facility=other
    )
    assert login(client, stranger).get(voucher_url(claim)).status_code == 403
    # Not valuated yet.
    processed = valuated_claim(care, status=ClaimStatus.PROCESSED)
    assert login(client, claim_admin).get(voucher_url(processed)).status_code == 403
    # Unknown or malformed keys.
    assert (
        client.get("/claims/payment/voucher/00000000-0000-0000-0000-000000000000/").status_code
        == 404
    )
    assert client.get("/claims/payment/voucher/nope/").status_code == 404


def test_the_claim_page_offers_the_voucher_of_a_valuated_claim_only(client, care, claim_admin):
    claim = valuated_claim(care)
    processed = valuated_claim(care, status=ClaimStatus.PROCESSED)
    login(client, claim_admin)
    page = client.get(reverse("claims_entry:detail", kwargs={"uuid": claim.uuid}))
    assert voucher_url(claim) in page.content.decode()
    assert "Bon à payer" in page.content.decode()
    page = client.get(reverse("claims_entry:detail", kwargs={"uuid": processed.uuid}))
    assert "voucher-claim" not in page.content.decode()


def test_the_search_prints_the_vouchers_of_the_ticked_claims_in_one_pdf(client, care, claim_admin):
    claims = [valuated_claim(care) for _n in range(3)]
    entered = valuated_claim(care, status=ClaimStatus.PROCESSED)
    login(client, claim_admin)
    search = client.get(reverse("claims_control:search"))
    assert 'value="voucher"' in search.content.decode()
    response = client.post(
        reverse("claims_control:bulk"),
        {"action": "voucher", "claims": [str(c.uuid) for c in [*claims, entered]]},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    content = response.content
    assert page_count(content) == 3
    text = pdf_text(content)
    for claim in claims:
        assert claim.code in text
    assert entered.code not in text


def test_the_bulk_vouchers_say_when_none_is_valuated(client, care, claim_admin):
    processed = valuated_claim(care, status=ClaimStatus.PROCESSED)
    login(client, claim_admin)
    response = client.post(
        reverse("claims_control:bulk"),
        {"action": "voucher", "claims": [str(processed.uuid)]},
        follow=True,
    )
    assert response.status_code == 200
    assert "valuated" in response.content.decode() or "évaluée" in response.content.decode()


@pytest.mark.parametrize("language", ["en"])
def test_the_voucher_in_english_also_writes_the_french_words(
    client, care, claim_admin, english, language
):
    claim = valuated_claim(care)
    text = pdf_text(login(client, claim_admin).get(voucher_url(claim)).content)
    assert "PAYMENT VOUCHER" in text
    assert WORDS in text
    assert "twenty-two thousand five hundred CFA francs" in text


def test_the_claim_page_says_in_which_statement_and_when_it_is_paid(
    client, care, claim_admin, accountant
):
    from datetime import date

    from kinga.claims.services import statements

    claim = valuated_claim(care)
    statement = statements.statement_generate(
        actor=accountant,
        health_facility=care.hcy,
        date_from=date(2026, 3, 1),
        date_to=date(2026, 3, 31),
        programme=care.vih,
    )
    login(client, claim_admin)
    page = reverse("claims_entry:detail", kwargs={"uuid": claim.uuid})
    assert "pas encore payée" in client.get(page).content.decode()
    statements.statement_record_payment(
        actor=accountant,
        statement=statement,
        paid_on=date(2026, 4, 10),
        reference="VIR-42",
        amount=Decimal(22500),
    )
    body = client.get(page).content.decode()
    assert "Payée" in body and statement.number in body and "10/04/2026" in body


def test_thirty_vouchers_in_one_pdf_take_a_few_queries(client, care, claim_admin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    claims = [valuated_claim(care) for _n in range(30)]
    login(client, claim_admin)
    client.get(reverse("claims_control:search"))
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(
            reverse("claims_control:bulk"),
            {"action": "voucher", "claims": [str(c.uuid) for c in claims]},
        )
    assert response.status_code == 200
    assert page_count(response.content) == 30
    assert len(ctx) <= 8, "\n".join(q["sql"] for q in ctx.captured_queries)
