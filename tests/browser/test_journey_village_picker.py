"""The village picker in a real Chromium: when a clerk's districts hold more villages than a
select lists, the family form searches them as he types (htmx), and he picks one."""

from io import StringIO

import pytest
from django.core.management import call_command

from kinga.demo.data import DEMO_PASSWORD
from kinga.insurees.models import Insuree

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_clerk_finds_the_village_by_typing_part_of_its_name(page, settings):
    call_command("demo", "--quiet", stdout=StringIO())
    settings.KINGA_LOCATION_SELECT_MAX = 5  # Mfoundi's 18 demo villages become a search

    page.goto("/login/")
    page.fill("input[name=username]", "clerk.mfoundi")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click(".login button[type=submit]")
    page.wait_for_selector("text=Bienvenue")

    page.goto("/families/new/")
    search = page.locator("#id_village_search")
    assert search.is_visible()  # shown by the script; without it the code box is offered
    assert page.locator("#id_village option").count() == 1  # no village listed up front
    search.fill("ongk")
    page.locator("#id_village option", has_text="Nlongkak").wait_for(state="attached")
    assert page.locator("#id_village").input_value() != ""  # a single match is chosen
    assert "Mfoundi › Yaoundé I" in page.locator("#id_village").inner_text()
    page.fill("#id_insurance_number", "770000124")
    page.fill("#id_last_name", "Essomba")
    page.fill("#id_other_names", "Martin")
    page.fill("#id_dob", "1990-04-12")
    page.select_option("#id_gender", "M")
    page.click("form.form button[type=submit]")
    page.wait_for_selector("#programmes-title")
    assert Insuree.objects.get(insurance_number="770000124").family.village.code == "NLK"
