"""Issue 12's journey, second half, in French, in a real Chromium: after the claim administrator
of the Hôpital Central has entered and submitted two claims by keyboard (both « Vérifiée »), the
medical officer of Mfoundi finds the first through « Recherche des prestations », selects it
for review, approves one line and rejects the other with a justification; he returns the second
for completion with a comment.  The claim administrator sees that claim and its comment on his
home page, opens it, completes it and submits it again: the same claim, « Vérifiée » again, its
history showing every round.  Screenshots of the search, the review page and the home page go
to /tmp/claims-screens/."""

from __future__ import annotations

import pytest

from kinga.claims.codes import ClaimStatus, LineStatus, ReviewStatus
from kinga.claims.models import Claim

from ..claims.conftest import care  # noqa: F401  (the claims world)
from ..factories import PASSWORD
from .test_journey_claim_entry import SCREENS, enter_claim, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COMMENT = "Joindre l'ordonnance et préciser le motif de la consultation"


def log_in(page, user) -> None:
    page.context.clear_cookies()
    page.goto("/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_selector("text=Bienvenue")


def test_the_medical_officer_reviews_and_returns_and_the_facility_completes(
    page,
    claim_admin,
    medical_officer,
    care,  # noqa: F811  (the claims world of tests/claims/conftest.py)
):
    SCREENS.mkdir(parents=True, exist_ok=True)

    # The claim administrator enters and submits two claims for Jean Mballa (VIH_Soins).
    log_in(page, claim_admin)
    enter_claim(page, care.jean.insurance_number, "B24", [("CONS", "1"), ("ténofovir", "2")])
    submit(page)
    assert page.inner_text("#claim-status") == "Vérifiée"
    # He may not review his own claims: no such button on his claim page.
    assert page.locator("#review-claim").count() == 0
    enter_claim(page, care.jean.insurance_number, "B24", [("CONS", "1")])
    submit(page)
    assert page.inner_text("#claim-status") == "Vérifiée"
    reviewed, returned = Claim.objects.filter(insuree=care.jean).order_by("id")

    # The medical officer finds the first through the claim search.
    log_in(page, medical_officer)
    page.goto(page.get_attribute(".menu a:has-text('Recherche des prestations')", "href"))
    page.wait_for_selector("h1:has-text('Recherche des prestations')")
    page.fill("input[name=code]", reviewed.code)
    page.click("form[role=search] button[type=submit]")
    page.locator("tr.claim-row").first.wait_for()
    assert page.locator("tr.claim-row").count() == 1
    page.screenshot(path=str(SCREENS / "search.png"), full_page=True)

    # He selects it for review: ticked, « Sélectionner pour révision », confirmed.
    page.check(f"input[name=claims][value='{reviewed.uuid}']")
    page.select_option("#id_bulk_action", "review")
    page.click("form[action$='/bulk/'] button[type=submit]")
    page.click("button:has-text('Confirmer')")
    page.wait_for_selector(".claim-row")
    reviewed.refresh_from_db()
    assert reviewed.review_status == ReviewStatus.SELECTED

    # From the claim page (the search's link), « Réviser ».
    page.click(f"a:has-text('{reviewed.code}')")
    page.wait_for_selector("#claim-status")
    assert page.locator("#return-claim").count() == 1
    page.click("#review-claim")
    page.wait_for_selector("h1:has-text('Contrôle technique')")
    cons, arv = reviewed.lines.filter(retired_at__isnull=True).order_by("id")
    page.check(f"input[name=decision_{cons.pk}][value=pass]")
    page.check(f"input[name=decision_{arv.pk}][value=reject]")
    page.fill(f"[name=justification_{arv.pk}]", "Deux boîtes délivrées le mois dernier")
    page.screenshot(path=str(SCREENS / "review.png"), full_page=True)
    page.click("button:has-text('Enregistrer')")
    page.wait_for_selector("#claim-page")
    assert "Deux boîtes délivrées le mois dernier" in page.inner_text("table")
    reviewed.refresh_from_db()
    cons.refresh_from_db()
    arv.refresh_from_db()
    assert reviewed.review_status == ReviewStatus.DELIVERED
    assert cons.status == LineStatus.PASSED and arv.status == LineStatus.REJECTED
    # The control page leads back to the claim page, whose history shows the review.
    page.click("#claim-page")
    page.wait_for_selector("#claim-status")
    assert "révisée" in page.inner_text(".history")

    # He returns the second for completion, from its claim page.
    page.goto(f"/claims/{returned.uuid}/")
    page.click("#return-claim")
    page.fill("[name=comment]", COMMENT)
    page.click("form button[type=submit]:has-text('Retour pour complément')")
    page.wait_for_selector("#claim-page")
    returned.refresh_from_db()
    assert returned.status == ClaimStatus.ENTERED

    # The claim administrator sees it, with the comment, on his home page.
    log_in(page, claim_admin)
    card = page.locator(".card:has(h3:text-is('Retournées pour complément'))")
    assert COMMENT in card.inner_text()
    page.screenshot(path=str(SCREENS / "home-returned.png"), full_page=True)
    card.locator(f"a:has-text('{returned.code}')").click()
    page.wait_for_selector("#claim-status")
    assert page.inner_text("#claim-status") == "Saisie"
    assert COMMENT in page.inner_text("#returns")

    # He completes it (the explanation asked for) and submits it again.
    page.click("#edit-claim")
    page.wait_for_selector("#id_explanation")
    page.fill("#id_explanation", "Ordonnance jointe ; consultation de suivi VIH")
    page.click("#save-claim")
    page.wait_for_selector("#claim-status")
    submit(page)
    assert page.inner_text("#claim-status") == "Vérifiée"
    again = Claim.objects.get(pk=returned.pk)
    assert again.status == ClaimStatus.CHECKED and again.code == returned.code
    assert Claim.objects.filter(insuree=care.jean).count() == 2

    # Every round in the claim page's history, in French, lines named without an empty part.
    history = page.inner_text(".history")
    assert history.count("soumise") >= 2
    assert "retournée pour complément : " + COMMENT in history
    assert "saisie" in history and "modifiée" in history
    assert "Ligne CONS Consultation —" not in history
    page.locator("#history").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENS / "history.png"), full_page=True)
