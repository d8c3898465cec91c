"""Issue 13's journey, money side, in French, in a real Chromium: the claim administrator of the
Hôpital Central prints the « Bon à payer » of a valuated claim from its page; the accountant of
Mfoundi opens « États de paiement », generates the HIV payment statement of the FOSA for March,
reads its total in words, downloads its PDF (the total in figures and words on its first page,
rendered to PNG), and records the payment: the statement reads « Payé ».  Screenshots go to
/tmp/claims-screens/."""

from __future__ import annotations

import pytest

from kinga.claims.models import PaymentStatement, StatementStatus

from ..claims.conftest import care  # noqa: F401  (the claims world)
from ..claims.payment_helpers import valuated_claim
from ..claims.pdf_helpers import pdf_text, render_first_page
from .test_journey_claim_entry import SCREENS
from .test_journey_claim_review import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = "vingt-deux mille cinq cents francs CFA"


def test_the_voucher_then_the_statement_its_pdf_and_its_payment(
    page,
    claim_admin,
    accountant,
    care,  # noqa: F811  (the claims world of tests/claims/conftest.py)
):
    SCREENS.mkdir(parents=True, exist_ok=True)
    claim = valuated_claim(care)

    # The claim administrator prints the bon à payer from the claim page.
    log_in(page, claim_admin)
    page.goto(f"/claims/{claim.uuid}/")
    page.wait_for_selector("#voucher-claim")
    assert page.inner_text("#voucher-claim") == "Bon à payer"
    voucher = page.request.get(page.get_attribute("#voucher-claim", "href"))
    assert voucher.headers["content-type"] == "application/pdf"
    text = pdf_text(voucher.body())
    assert "BON À PAYER" in text and "22 500 FCFA" in text and WORDS in text

    # The accountant generates the statement from the menu.
    log_in(page, accountant)
    page.goto(page.get_attribute(".menu a:has-text('États de paiement')", "href"))
    page.wait_for_selector("h1:has-text('États de paiement')")
    page.click("#new-statement")
    page.wait_for_selector("h1:has-text('Nouvel état de paiement')")
    page.select_option("#id_health_facility", str(care.hcy.pk))
    page.fill("#id_date_from", "01/03/2026")
    page.fill("#id_date_to", "31/03/2026")
    page.select_option("#id_programme", str(care.vih.pk))
    page.click("#statement-form button[type=submit]")
    page.wait_for_selector("#statement-total")
    statement = PaymentStatement.objects.get()
    assert page.inner_text("#statement-total") == "22\u00a0500\u00a0FCFA"
    assert WORDS in page.inner_text("#total-words")
    assert page.inner_text("#statement-status") == "Brouillon"
    page.screenshot(path=str(SCREENS / "statement.png"), full_page=True)

    # Its PDF: the total in figures and in words on page 1.
    with page.expect_download() as download:
        page.click("#download-pdf")
    content = open(download.value.path(), "rb").read()
    render_first_page(content, SCREENS / "statement-pdf.png")
    text = pdf_text(content)
    assert statement.number in text and "22 500 FCFA" in text and WORDS in text

    # He records the payment.
    page.fill("#id_paid_on", "10/04/2026")
    page.fill("#id_reference", "VIR-2026-0042")
    page.fill("#id_amount", "22500")
    page.click("#record-payment-button")
    page.wait_for_selector("text=Paiement enregistré")
    assert page.inner_text("#statement-status") == "Payé"
    assert "VIR-2026-0042" in page.inner_text("#payment")
    statement.refresh_from_db()
    assert statement.status == StatementStatus.PAID
