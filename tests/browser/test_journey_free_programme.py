"""Issue 6's journey, the second seed's procedure in French, in a real Chromium: the enrolment
clerk of a FOSA adds a beneficiary, clicks the green + under « Sélectionner un programme de
santé », fills the policy details with VIH_Soins, saves, sees the policy Active with its expiry
date (start + 12 months − 1 day); then the enquiry of his number shows him covered.  The clerk is
the FOSA focal point `fosa.mfoundi`, a user of the HIV programme, which is confidential
(issue 15)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import override

from kinga.demo.data import DEMO_PASSWORD
from kinga.insurees.models import Insuree
from kinga.policies import rules
from kinga.policies.models import Policy, PolicyStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NUMBER = "770000123"


def test_a_clerk_enrols_a_beneficiary_in_the_free_hiv_programme(page):
    call_command("demo", "--quiet", stdout=StringIO())
    today = timezone.localdate()
    expiry = rules.expiry_date(today, 12)
    with override("fr"):
        expiry_text = date_format(expiry, "SHORT_DATE_FORMAT")

    page.goto("/login/")
    page.fill("input[name=username]", "fosa.mfoundi")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click(".login button[type=submit]")
    page.wait_for_selector("text=Bienvenue")

    # Add a beneficiary: a family and its head.
    page.goto("/families/new/")
    page.select_option("#id_village", index=1)
    page.fill("#id_insurance_number", NUMBER)
    page.fill("#id_last_name", "Essomba")
    page.fill("#id_other_names", "Martin")
    page.fill("#id_dob", "1990-04-12")
    page.select_option("#id_gender", "M")
    page.click("form.form button[type=submit]")
    page.wait_for_selector("h1")
    page.wait_for_selector("#programmes-title")
    assert "Sélectionner un programme de santé" in page.inner_text("#programmes-title")

    # The green + opens the policy form.
    page.click("#policies-block a.plus")
    page.wait_for_selector("#policy-details-title")
    assert "Détail de la police" in page.inner_text("#policy-details-title")
    assert page.input_value("#id_enroll_date") == today.isoformat()
    page.select_option(
        "#id_product",
        label=page.locator("#id_product option", has_text="VIH_Soins").first.inner_text(),
    )
    page.locator("#expiry_date", has_text=expiry_text).wait_for()
    # The start date follows the product's rules (issue 14): today for VIH_Soins.
    assert page.input_value("#id_start_date") == today.isoformat()
    page.select_option("#id_officer", index=1)
    # Save sits at the bottom left, Cancel at the bottom right.
    save = page.locator(".actions.split button[name=save]").bounding_box()
    cancel = page.locator(".actions.split a.button").bounding_box()
    assert save["x"] < cancel["x"]
    page.click(".actions.split button[name=save]")

    # Back on the beneficiary page: the policy is Active until start + 12 months − 1 day.
    page.wait_for_selector("#family-policies td.status")
    row = page.locator("#family-policies tbody tr", has_text="VIH_Soins")
    assert row.locator("[data-status='2']").count() == 1
    assert expiry_text in row.locator("td.expiry").inner_text()
    policy = Policy.objects.get(family__head__insurance_number=NUMBER)
    assert policy.status == PolicyStatus.ACTIVE and policy.expiry_date == expiry

    # The enquiry of his number shows him covered.
    page.goto("/policies/enquiry/")
    page.fill("#id_number", NUMBER)
    page.press("#id_number", "Enter")
    page.wait_for_selector("#enquiry-result")
    assert "Martin Essomba" in page.inner_text("#enquiry-name")
    assert page.locator("#enquiry-policies [data-letter='A']").count() == 1
    assert "VIH_Soins" in page.inner_text("#enquiry-policies")
    assert Insuree.objects.get(insurance_number=NUMBER).insuree_policies.count() == 1
