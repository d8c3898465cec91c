"""Issue 15's journey, in French, in a real Chromium: the district clerk, who does not hold the
HIV programme's right, searches for a VIH_Soins beneficiary by his insurance number and reads
« Données confidentielles », never his name nor his VIH_Soins policy; the programme's focal point
`fosa.mfoundi` finds the same number and sees the beneficiary's name and his VIH_Soins policy;
the district manager opens the read audit of that person (« Audit de la saisie », « Qui a
consulté ») and sees both views: the clerk's and the focal point's, the person still shown by his
number only."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from kinga.demo.data import DEMO_PASSWORD
from kinga.policies.models import Policy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def _login(page, username: str) -> None:
    page.context.clear_cookies()
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click(".login button[type=submit]")
    page.wait_for_selector("text=Bienvenue")


def test_the_clerk_reads_donnees_confidentielles_and_the_focal_point_the_beneficiary(page):
    call_command("demo", "--quiet", stdout=StringIO())
    policy = (
        Policy.objects.current()
        .filter(product__code="VIH_Soins", family__village__parent__parent__name="Mfoundi")
        .select_related("family__head")
        .order_by("id")
        .first()
    )
    head = policy.family.head
    name = f"{head.other_names} {head.last_name}"

    # The district clerk: the number finds a row, masked.
    _login(page, "clerk.mfoundi")
    page.goto("/families/")
    page.fill("#id_number", head.insurance_number)
    page.click("form.filters button[type=submit]")
    row = page.locator("table.table tbody tr", has_text=head.insurance_number)
    row.wait_for()
    assert "Données confidentielles" in row.inner_text()
    assert str(head.dob.year) in row.inner_text()
    body = page.content()
    assert head.last_name not in body and head.other_names not in body
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "confidential-clerk.png"), full_page=True)
    # His page: number, sex and year of birth; no VIH_Soins among the family's policies.
    row.get_by_role("link", name=head.insurance_number).click()
    page.wait_for_selector("h1")
    assert "Données confidentielles" in page.inner_text("h1")
    assert "Année de naissance" in page.inner_text("dl.details")
    page.wait_for_selector("#programmes-title")
    assert "VIH_Soins" not in page.inner_text("#policies-block")
    assert head.last_name not in page.content()

    # The programme's focal point: the same number, the name and the VIH_Soins policy.
    _login(page, "fosa.mfoundi")
    page.goto("/families/")
    page.fill("#id_number", head.insurance_number)
    page.click("form.filters button[type=submit]")
    row = page.locator("table.table tbody tr", has_text=head.insurance_number)
    row.wait_for()
    assert name in row.inner_text() and "Données confidentielles" not in row.inner_text()
    row.get_by_role("link", name=head.insurance_number).click()
    page.wait_for_selector("#programmes-title")
    page.locator("#policies-block", has_text="VIH_Soins").wait_for()
    assert name in page.inner_text("h1")
    page.screenshot(path=str(SHOTS / "confidential-focal-point.png"), full_page=True)

    # The district manager: who viewed that record — both views, the person by number only.
    _login(page, "manager")
    page.click("summary:has-text('Outils')")
    page.click("text=Audit de la saisie")
    page.wait_for_url("**/reports/audit/")
    page.click("nav.tabs >> text=Qui a consulté")
    page.fill("#id_number", head.insurance_number)
    page.click("button:has-text('Afficher')")
    page.wait_for_url(f"**number={head.insurance_number}**")
    person = page.locator("section.person").inner_text()
    assert "Données confidentielles" in person and head.last_name not in person
    rows = [r.inner_text() for r in page.locator("table.audit-readers tbody tr").all()]
    assert not any(head.last_name in r or head.other_names in r for r in rows), rows
    readers = {
        login for login in ("clerk.mfoundi", "fosa.mfoundi") if any(login in r for r in rows)
    }
    assert readers == {"clerk.mfoundi", "fosa.mfoundi"}, rows
    assert all("autorisé" in r for r in rows), rows
    page.screenshot(path=str(SHOTS / "confidential-read-audit.png"), full_page=True)
