"""Issue 14's journey, its search step, in French, in a real Chromium: the clerk of Mfoundi
types « ebene » in the name box of « Familles et assurés » and finds « Thérèse Ébéné »; then
« ndongo » and finds « Jean-Paul N'Dongo ».  Neither is found by the other's word."""

from __future__ import annotations

import pytest

from ..insurees.test_families_services import add_member, new_family
from .test_journey_claim_review import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_clerk_finds_ebene_by_typing_it_without_accents(page, mfoundi_clerk, world):
    family = new_family(mfoundi_clerk, world.nlongkak, last_name="Ébéné", other_names="Thérèse")
    add_member(mfoundi_clerk, family, last_name="N'Dongo", other_names="Jean-Paul")
    new_family(mfoundi_clerk, world.nlongkak, last_name="Mballa", other_names="Aline")
    log_in(page, mfoundi_clerk)

    page.goto("/families/")
    page.fill("#id_name", "ebene")
    page.press("#id_name", "Enter")
    page.wait_for_url("**name=ebene**")
    rows = page.locator("table.table tbody tr")
    assert rows.count() == 1
    assert "Thérèse Ébéné" in rows.first.inner_text()
    assert "1 résultat" in page.locator("p.count").inner_text()

    page.fill("#id_name", "ndongo")
    page.press("#id_name", "Enter")
    page.wait_for_url("**name=ndongo**")
    assert page.locator("table.table tbody tr").count() == 1
    assert "Jean-Paul N'Dongo" in page.locator("table.table tbody").inner_text()
    assert "Ébéné" not in page.locator("table.table tbody").inner_text()
