"""Issue 12's entry journey, in French, in a real Chromium: the claim administrator of the
Hôpital Central enters, with the keyboard only, a claim for a VIH_Soins beneficiary (covered)
and one for a person without a policy, submits both, and sees the first « Vérifiée » and the
second « Rejetée » with code 3 and its French text on every line.  Screenshots of the entry
page and of the claim page go to /tmp/claims-screens/."""

from __future__ import annotations

from pathlib import Path

import pytest

from kinga.claims.codes import ClaimStatus
from kinga.claims.models import Claim

from ..claims.conftest import CARE, care  # noqa: F401  (the claims world)
from ..factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = Path("/tmp/claims-screens")
NOT_COVERED = "3 — Le soin ou produit médical n'est pas couvert par une police active de l'assuré"


def tab_to(page, selector: str, limit: int = 40) -> None:
    """Press Tab until `selector` has the focus (the keyboard's way to a button)."""
    for _ in range(limit):
        if page.evaluate(
            "s => document.activeElement && document.activeElement.matches(s)", selector
        ):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} never took the focus")


def enter_claim(
    page, number: str, icd: str, lines: list[tuple[str, str]], shot: str | None = None
) -> None:
    page.goto("/claims/new/")
    page.wait_for_selector("#id_insurance_number:focus")
    page.keyboard.type(number)
    page.wait_for_selector("#insuree-name")
    page.keyboard.press("Enter")  # Enter moves on, like Tab: to the date of care
    page.keyboard.type(CARE.strftime("%d/%m/%Y"))
    tab_to(page, "#id_icd")
    page.keyboard.type(icd)
    tab_to(page, "#line-0-code")
    for n, (code, quantity) in enumerate(lines):
        page.wait_for_selector(f"#line-{n}-code:focus")
        page.keyboard.type(code)
        page.keyboard.press("Enter")  # to the quantity
        page.keyboard.type(quantity)
        if n < len(lines) - 1:
            page.keyboard.press("Enter")  # a new line, no page reload
    page.keyboard.press("Tab")
    page.locator(f"#line-{len(lines) - 1}-total", has_text="FCFA").wait_for()
    page.locator("#claim-total", has_text="FCFA").wait_for()
    if shot:
        page.screenshot(path=str(SCREENS / shot), full_page=True)
    tab_to(page, "#save-claim")
    page.keyboard.press("Enter")
    page.wait_for_selector("#claim-status")


def submit(page) -> None:
    tab_to(page, "#submit-claim")
    page.keyboard.press("Enter")
    page.wait_for_selector("#confirm-submit:focus")
    page.keyboard.press("Enter")
    page.wait_for_selector("#claim-status:not([data-status='2'])")


def test_a_claim_administrator_enters_and_submits_two_claims_by_keyboard(
    page,
    claim_admin,
    care,  # noqa: F811  (the claims world of tests/claims/conftest.py)
):
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.goto("/login/")
    page.fill("input[name=username]", claim_admin.username)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_selector("text=Bienvenue")
    assert page.locator(".menu a[href='/claims/new/']").count() == 1

    # Jean Mballa, covered by VIH_Soins: a consultation and two boxes of ARVs.
    enter_claim(
        page,
        care.jean.insurance_number,
        "B24",
        [("CONS", "1"), ("ténofovir", "2")],  # an item found by its name
        shot="entry.png",
    )
    assert "7\xa0000\xa0FCFA" in page.inner_text("#claim-claimed")
    submit(page)
    assert page.inner_text("#claim-status") == "Vérifiée"
    assert "ARV1" in page.inner_text("#claim-lines")
    first = Claim.objects.get(insuree=care.jean)
    assert first.status == ClaimStatus.CHECKED and first.code.startswith("HCY.2026.VIH.")

    # Ngono, registered, without any policy: rejected with code 3 on every line.
    # The diagnosis found by its French name.
    enter_claim(page, care.ngono.insurance_number, "paludisme", [("CONS", "1"), ("CD4", "1")])
    submit(page)
    assert page.inner_text("#claim-status") == "Rejetée"
    reasons = page.locator("#claim-lines td.reason").all_inner_texts()
    assert reasons == [NOT_COVERED, NOT_COVERED]
    page.screenshot(path=str(SCREENS / "detail.png"), full_page=True)
    second = Claim.objects.get(insuree=care.ngono)
    assert second.status == ClaimStatus.REJECTED and second.icd.code == "B54"
