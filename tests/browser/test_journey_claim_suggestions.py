"""Issue 12, entry at the clerk's speed: the suggestions of diagnoses and of services and items
are picked with ↓ and Enter, in a real (headless) Chromium, where a native datalist popup
cannot be reached by the keyboard.  The clerk types « B », goes down to the second diagnosis
(B54, after B24), types « c » in a line's code and takes the first service (CD4, before CONS),
then « gan » and the only item (GANT); ↑ wraps to the last suggestion; Escape closes the list."""

from __future__ import annotations

import pytest

from kinga.claims.models import Claim

from ..claims.conftest import CARE, care  # noqa: F401  (the claims world)
from ..factories import PASSWORD
from .test_journey_claim_entry import tab_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def suggestions(page) -> list[str]:
    page.wait_for_selector("#suggestions li")
    return page.locator("#suggestions li").all_inner_texts()


def test_suggestions_are_picked_with_arrow_down_and_enter(
    page,
    claim_admin,
    care,  # noqa: F811
):
    page.goto("/login/")
    page.fill("input[name=username]", claim_admin.username)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_selector("text=Bienvenue")
    page.goto("/claims/new/")
    page.wait_for_selector("#id_insurance_number:focus")
    page.keyboard.type(care.jean.insurance_number)
    page.wait_for_selector("#insuree-name")
    page.keyboard.press("Enter")
    page.keyboard.type(CARE.strftime("%d/%m/%Y"))

    # The main diagnosis: « B » suggests B24 then B54; ↓ ↓ Enter takes B54.
    tab_to(page, "#id_icd")
    page.keyboard.type("B")
    assert [s.split(" — ")[0] for s in suggestions(page)] == ["B24", "B54"]
    assert page.get_attribute("#id_icd", "aria-expanded") == "true"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.get_attribute("#suggestion-1", "aria-selected") == "true"
    page.keyboard.press("Enter")
    assert page.input_value("#id_icd") == "B54"
    assert page.locator("#suggestions").count() == 0
    assert page.evaluate("document.activeElement.id") == "id_icd"  # Enter picked, stayed

    # ↑ from the top wraps to the last suggestion; Escape closes the list, the text stays.
    page.keyboard.press("Tab")  # the first secondary diagnosis
    page.keyboard.type("B")
    suggestions(page)
    page.keyboard.press("ArrowUp")
    assert page.get_attribute("#suggestion-1", "aria-selected") == "true"
    page.keyboard.press("Escape")
    assert page.locator("#suggestions").count() == 0
    assert page.input_value("#id_icd_1") == "B"
    page.fill("#id_icd_1", "")

    # A line: « c » suggests the services CD4 and CONS (and the item whose name holds a c);
    # ↓ Enter takes CD4, its name and price come in; Enter moves on to the quantity.
    tab_to(page, "#line-0-code")
    page.keyboard.type("c")
    assert suggestions(page)[0].startswith("CD4 — ")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.input_value("#line-0-code") == "CD4"
    page.locator("#line-0-name", has_text="Numération CD4").wait_for()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "line-0-quantity"
    page.keyboard.type("1")
    page.keyboard.press("Enter")  # a new line
    page.wait_for_selector("#line-1-code:focus")
    page.keyboard.type("gan")
    assert [s.split(" — ")[0] for s in suggestions(page)] == ["GANT"]
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.input_value("#line-1-code") == "GANT"
    page.locator("#line-1-name", has_text="Gants").wait_for()
    page.keyboard.press("Enter")
    page.keyboard.type("3")
    page.keyboard.press("Tab")
    page.locator("#line-1-total", has_text="FCFA").wait_for()

    tab_to(page, "#save-claim")
    page.keyboard.press("Enter")
    page.wait_for_selector("#claim-status")
    claim = Claim.objects.get(insuree=care.jean)
    assert claim.icd.code == "B54"
    assert [(line.medical.code, line.quantity) for line in claim.lines.order_by("id")] == [
        ("CD4", 1),
        ("GANT", 3),
    ]
