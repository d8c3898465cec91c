"""Issue 13's journey, from the reviewed claim to the money, in French, in a real Chromium: the
claim administrator's submitted claim for a VIH_Soins beneficiary is valued by the medical
officer from its page (« Valoriser »: its consultation is paid at relative prices, so the claim
is Traitée and waits for the month's batch run); the accountant starts the month's batch run
from the menu, the worker runs it, and the run's page says the claim is closed; the claim is then
Valorisée with its remunerated amount, its « Bon à payer » carries the total in words, and the
HIV payment statement of the FOSA is generated, downloaded and paid.  Screenshots go to
/tmp/claims-screens/."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone

from kinga.claims.codes import ClaimStatus
from kinga.claims.models import BatchRun, BatchRunStatus, Claim, PaymentStatement
from kinga.claims.services.submission import claims_submit
from kinga.products.models import ProductService

from ..claims.conftest import care, enter  # noqa: F401  (the claims world)
from ..claims.pdf_helpers import pdf_text, render_first_page
from .test_journey_claim_entry import SCREENS
from .test_journey_claim_review import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_valued_then_closed_by_the_batch_run_then_paid(
    page,
    world,
    claim_admin,
    medical_officer,
    accountant,
    care,  # noqa: F811
):
    SCREENS.mkdir(parents=True, exist_ok=True)
    # VIH_Soins is a Mfoundi product whose consultation is paid at relative prices (no
    # periodicity: the month's index is 1, the line is paid its valued amount at the run).
    care.vih_soins.location = world.mfoundi
    care.vih_soins.save()
    ProductService.objects.filter(product=care.vih_soins, service=care.consultation).update(
        price_origin="R"
    )
    claim = enter(claim_admin, care)
    claims_submit(actor=claim_admin, claims=[claim])
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.CHECKED

    # The medical officer values it from its page.
    log_in(page, medical_officer)
    page.goto(f"/claims/control/{claim.uuid}/")
    page.click("button:has-text('Valoriser')")
    page.wait_for_selector("#amounts")
    assert "au traitement par lot" in page.inner_text(
        "#amounts"
    )  # the consultation waits for the run
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PROCESSED and claim.remunerated is None
    page.screenshot(path=str(SCREENS / "money-processed.png"), full_page=True)

    # The accountant starts the month's run from the menu.
    now = timezone.localtime(claim.processed_at)
    log_in(page, accountant)
    page.goto(page.get_attribute(".menu a:has-text('Traitements par lot')", "href"))
    page.click("a:has-text('Lancer un traitement par lot')")
    page.fill("#id_year", str(now.year))
    page.select_option("#id_month", str(now.month))
    page.select_option("#id_location", str(world.mfoundi.pk))
    page.click("button:has-text('Lancer')")
    page.wait_for_selector("#run-progress")
    run = BatchRun.objects.get()
    assert run.status == BatchRunStatus.QUEUED
    assert "En attente" in page.inner_text("#run-progress")

    # The worker takes the job; the page, polling, shows the run done.
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    page.wait_for_selector("#run-progress .status:has-text('Terminé')", timeout=15000)
    page.reload()
    assert "1 prestation clôturée" in page.inner_text("main")
    page.screenshot(path=str(SCREENS / "money-batch-run.png"), full_page=True)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.VALUATED and claim.batch_run_id == run.pk
    total = claim.remunerated
    assert total == claim.valuated and total > 0

    # The HIV payment statement of the FOSA for the month of care, then its payment.
    page.goto(page.get_attribute(".menu a:has-text('États de paiement')", "href"))
    page.click("#new-statement")
    page.select_option("#id_health_facility", str(care.hcy.pk))
    page.fill("#id_date_from", claim.date_from.replace(day=1).strftime("%d/%m/%Y"))
    page.fill("#id_date_to", claim.date_from.strftime("%d/%m/%Y"))
    page.select_option("#id_programme", str(care.vih.pk))
    page.click("#statement-form button[type=submit]")
    page.wait_for_selector("#statement-total")
    statement = PaymentStatement.objects.get()
    assert statement.total == total
    figures = f"{int(total):,}".replace(",", "\u00a0") + "\u00a0FCFA"
    assert page.inner_text("#statement-total") == figures
    figures = figures.replace("\u00a0", " ")
    with page.expect_download() as download:
        page.click("#download-pdf")
    content = open(download.value.path(), "rb").read()
    render_first_page(content, SCREENS / "money-statement-pdf.png")
    assert figures in pdf_text(content)

    # The bon à payer of its claim, from the statement's claims.
    page.click("#statement-claims-link")
    page.wait_for_selector("#statement-claims")
    voucher = page.request.get(page.get_attribute(f"a:has-text('{claim.code}')", "href"))
    text = pdf_text(voucher.body())
    assert "BON À PAYER" in text and figures in text and "francs CFA" in text
    page.click("a:has-text('Retour à l')")
    page.wait_for_selector("#statement-total")
    page.fill("#id_paid_on", timezone.localdate().strftime("%d/%m/%Y"))
    page.fill("#id_reference", "VIR-2026-0107")
    page.fill("#id_amount", str(int(total)))
    page.click("#record-payment-button")
    page.wait_for_selector("text=Paiement enregistré")
    assert page.inner_text("#statement-status") == "Payé"
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.VALUATED
