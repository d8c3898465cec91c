"""Issue 15's journey, its audit step, in French, in a real Chromium: the manager of Mfoundi
opens « Audit de la saisie » from the menu, the tab « Qui a consulté », types Thérèse Ébéné's
insurance number and sees the two reads of her record: the clerk's (allowed) and the Wouri
clerk's enquiry (denied)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ..insurees.test_families_services import new_family
from ..reports.conftest import read
from .test_journey_claim_review import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def manager(world):
    from ..factories import make_user

    return make_user("manager.mfoundi", roles=["manager"], districts=[world.mfoundi])


def test_the_manager_sees_who_viewed_a_record_allowed_and_denied(
    page, manager, mfoundi_clerk, other_district_clerk, world, tmp_path
):
    family = new_family(mfoundi_clerk, world.nlongkak, last_name="Ébéné", other_names="Thérèse")
    head = family.head
    now = timezone.now()
    read(mfoundi_clerk, "insurees.insuree", head.pk, at=now - timedelta(hours=2))
    read(other_district_clerk, "policies.enquiry", head.pk, outcome="denied", at=now)
    log_in(page, manager)

    page.click("summary:has-text('Outils')")
    page.click("text=Audit de la saisie")
    page.wait_for_url("**/reports/audit/")
    page.click("nav.tabs >> text=Qui a consulté")
    page.fill("#id_number", head.insurance_number)
    page.click("button:has-text('Afficher')")
    page.wait_for_url(f"**number={head.insurance_number}**")

    assert "Thérèse Ébéné" in page.locator("section.person").inner_text()
    rows = page.locator("table.audit-readers tbody tr")
    assert rows.count() == 2
    first, second = rows.nth(0).inner_text(), rows.nth(1).inner_text()
    assert "clerk.wouri" in first and "Consultation d'un assuré" in first and "refusé" in first
    assert "clerk.mfoundi" in second and "Fiche de l'assuré" in second and "autorisé" in second
    page.screenshot(path=str(tmp_path / "audit.png"), full_page=True)
    page.screenshot(path="/tmp/audit_journey.png", full_page=True)
