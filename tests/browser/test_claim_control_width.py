"""Issue 12, technical control: the review, feedback and control claim pages fit a 1280 px wide
screen (a district office's laptop) without scrolling sideways, their line table included (a
long item name, a line rejected by the checks with its reason, the review's errors under its
fields, in French and in English).  Screenshots at 1280×800 (full page) go to
/tmp/claims-screens/."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kinga.claims.codes import ReviewStatus
from kinga.claims.services.claims import LineInput
from kinga.claims.services.review import FEEDBACK, REVIEW, claims_select
from kinga.claims.services.submission import claims_submit

from ..claims.conftest import care, enter  # noqa: F401  (the claims world)
from .test_journey_claim_entry import SCREENS
from .test_journey_claim_review import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FITS = """() => {
  const page = document.documentElement;
  const tables = [...document.querySelectorAll("main table")];
  return {
    page: page.scrollWidth - page.clientWidth,
    tables: tables.map(t => {
      const box = t.closest(".scroll") || t.parentElement;
      return Math.max(box.scrollWidth - box.clientWidth, t.getBoundingClientRect().right - page.clientWidth);
    }),
  };
}"""


def test_the_review_and_feedback_pages_fit_1280_pixels(
    page,
    claim_admin,
    medical_officer,
    care,  # noqa: F811
):
    SCREENS.mkdir(parents=True, exist_ok=True)
    care.arv.name = "Ténofovir/Lamivudine/Dolutégravir 300/300/50 mg, boîte de 30 comprimés"
    care.arv.save()
    claim = enter(
        claim_admin,
        care,
        lines=[
            LineInput(care.consultation, 1),
            LineInput(care.arv, 2),
            LineInput(care.cd4, 1),
            LineInput(care.gloves, 12),
            LineInput(care.uncovered, 1),  # rejected by the checks: its reason is shown
        ],
        explanation="Consultation de suivi et renouvellement du traitement antirétroviral",
    )
    claims_submit(actor=claim_admin, claims=[claim])
    for kind in (REVIEW, FEEDBACK):
        claims_select(actor=medical_officer, claims=[claim], kind=kind)
    claim.refresh_from_db()
    assert (claim.review_status, claim.feedback_status) == (ReviewStatus.SELECTED,) * 2

    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, medical_officer)
    for name in ("review", "feedback", "claim"):
        page.goto(reverse(f"claims_control:{name}", kwargs={"uuid": claim.uuid}))
        page.wait_for_selector("h1")
        page.screenshot(path=str(SCREENS / f"{name}-1280.png"), full_page=True)
        overflow = page.evaluate(FITS)
        assert overflow["page"] <= 0, (name, overflow)
        assert all(extra <= 1 for extra in overflow["tables"]), (name, overflow)
    # The review sent back with its errors under the fields (a line rejected without a
    # justification), in English: still no sideways scroll.
    review = reverse("claims_control:review", kwargs={"uuid": claim.uuid})
    page.goto(review)
    page.click("text=EN")
    page.wait_for_load_state()
    page.goto(review)
    page.wait_for_selector("h1:has-text('Review')")
    page.check("input[name^='decision_'][value='reject'] >> nth=1")
    page.click("main form button[type=submit]")
    page.wait_for_selector(".error")
    page.screenshot(path=str(SCREENS / "review-errors-1280.png"), full_page=True)
    overflow = page.evaluate(FITS)
    assert overflow["page"] <= 0 and all(extra <= 1 for extra in overflow["tables"]), overflow
