"""The demo administrator, in French, creates a district and a village under it, finds them in
the tree, switches to English and logs out (issue 3's journey), in a real Chromium."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from kinga.demo.data import DEMO_PASSWORD
from kinga.locations.models import Location

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_administrator_creates_a_district_and_a_village_and_sees_them_in_the_tree(page):
    call_command("demo", stdout=StringIO())

    page.goto("/login/")
    assert page.locator("html").get_attribute("lang") == "fr"
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click(".login button[type=submit]")
    page.wait_for_selector("text=Bienvenue")

    # Administration › Lieux › Nouveau lieu: a district of the Centre region.
    page.click("summary:has-text('Administration')")
    page.click(".menu a:has-text('Lieux')")
    page.wait_for_selector("h1:has-text('Lieux')")
    page.click("a.button:has-text('Nouveau lieu')")
    page.select_option("#id_type", "D")
    page.select_option("#id_parent", label="CE Centre (Région)")
    page.fill("#id_code", "NYS")
    page.fill("#id_name", "Nyong-et-So'o")
    page.click("form.form button[type=submit]")
    page.wait_for_selector("h1:has-text('Nyong-et-So')")

    # A municipality under it, then a village under that (the four levels of the spec).
    page.click("a.button:has-text('Ajouter un lieu rattaché')")
    page.fill("#id_code", "MBL")
    page.fill("#id_name", "Mbalmayo")
    page.click("form.form button[type=submit]")
    page.wait_for_selector("h1:has-text('Mbalmayo')")
    page.click("a.button:has-text('Ajouter un lieu rattaché')")
    page.fill("#id_code", "MBLC")
    page.fill("#id_name", "Mbalmayo-Centre")
    page.fill("#id_male_population", "2400")
    page.fill("#id_female_population", "2500")
    page.click("form.form button[type=submit]")
    page.wait_for_selector("h1:has-text('Mbalmayo-Centre')")
    assert page.locator("dd:has-text('2400')").count() == 1
    assert page.locator("#history").inner_text().count("Jeanne Mballa") >= 1

    village = Location.objects.get(code="MBLC")
    assert (village.type, village.parent.code, village.parent.parent.code) == ("V", "MBL", "NYS")

    # The tree opens level by level (htmx fragments): Centre › Nyong-et-So'o › Mbalmayo.
    page.goto("/locations/tree/")
    page.click("a:has-text('CE Centre')")
    page.click("a:has-text('NYS Nyong-et-So')")
    page.click("a:has-text('MBL Mbalmayo')")
    page.wait_for_selector(".tree .tree .tree .tree li:has-text('MBLC Mbalmayo-Centre')")

    # Switch to English, then log out.
    page.click("form.lang button[value=en]")
    page.wait_for_selector("h1:has-text('Locations tree')")
    assert page.locator("html").get_attribute("lang") == "en"
    page.click("button:has-text('Log out')")
    page.wait_for_url(re.compile(r"/login/"))
    page.goto("/locations/tree/")
    assert "/login/" in page.url
