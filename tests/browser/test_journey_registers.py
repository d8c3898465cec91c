"""Issue 4's journey, in French, in a real Chromium: the demo scheme administrator creates a
service, adds it with an override price to a new price list, assigns the list to a health
facility, and sees the history."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from kinga.demo.data import DEMO_PASSWORD
from kinga.facilities.models import HealthFacility
from kinga.medical.models import ServicesPriceList

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_scheme_administrator_prices_a_new_service_for_a_facility(page):
    call_command("demo", "--quiet", stdout=StringIO())
    page.goto("/login/")
    page.fill("input[name=username]", "scheme.admin")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click(".login button[type=submit]")
    page.wait_for_selector("text=Bienvenue")

    # A new medical service.
    page.click("summary:has-text('Administration')")
    page.click(".menu a[href='/services/']")
    page.click("a.button[href='/services/new/']")
    page.fill("#id_code", "KJ001")
    page.fill("#id_name", "Consultation prénatale de rattrapage")
    page.select_option("#id_type", "P")
    page.select_option("#id_level", "S")
    page.select_option("#id_category", "A")
    page.fill("#id_price", "3000")
    page.select_option("#id_care_type", "O")
    page.click("form.form button[type=submit]")
    page.wait_for_selector("h1:has-text('KJ001')")

    # A new services price list for Mfoundi, with the service at an override price.
    page.goto("/price-lists/services/new/")
    page.fill("#id_name", "Tarifs Mfoundi 2027")
    page.select_option("#id_location", label="MFD Mfoundi (District)")
    page.click("form.form button[type=submit]")
    page.wait_for_selector("h1:has-text('Tarifs Mfoundi 2027')")
    page.click("a.button[href$='/add/']")
    page.fill("form.filters input[name=q]", "KJ001")
    page.press("form.filters input[name=q]", "Enter")
    page.wait_for_selector("td:has-text('KJ001')")
    page.check("input[name=member]")
    page.click("button[name=more]")
    page.goto(page.url.replace("/add/", "/").split("?")[0])
    page.fill("input[name^=override-]", "2500")
    page.click("#members form[method=post] button[type=submit]")
    # The effective price, with the French thousands separator (a non-breaking space).
    page.locator("#members td", has_text=re.compile(r"^2\s500\sFCFA$")).wait_for()
    member_history = page.locator("#history").inner_text()
    assert "KJ001" in member_history and "Thérèse Ngono" in member_history

    # The list is assigned to the Hôpital Central de Yaoundé.
    hcy = HealthFacility.objects.get(code="HCY")
    page.goto(f"/facilities/{hcy.uuid}/edit/")
    page.select_option("#id_services_price_list", label="Tarifs Mfoundi 2027 (Mfoundi)")
    page.click("form.form button[type=submit]")
    page.wait_for_selector("h1:has-text('Hôpital Central de Yaoundé')")
    history = page.locator("#history").inner_text()
    assert "Tarifs Mfoundi 2027" in history and "Thérèse Ngono" in history

    hcy.refresh_from_db()
    price_list = ServicesPriceList.objects.get(name="Tarifs Mfoundi 2027")
    assert hcy.services_price_list == price_list
    entry = price_list.entries.get(service__code="KJ001")
    assert entry.effective_price == 2500
