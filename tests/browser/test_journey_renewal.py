"""Issue 14's renewal journey, in French, in a real Chromium: the clerk opens the renewal
reminders, renews an expiring VIH_Soins policy in one click (its cover runs on from the day
after the old expiry), then a FAM policy from its renewal page, which shows the renewal's
dates, value and renewal discount before he confirms.  The clerk is the FOSA focal point
`fosa.mfoundi`: the HIV programme is confidential (issue 15), only its users see its policies."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from kinga.core.models import User
from kinga.demo.data import DEMO_PASSWORD
from kinga.insurees.models import Officer
from kinga.policies.models import Policy, PolicyStage, PolicyStatus
from kinga.policies.services import policies as policy_services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def spaced(text: str) -> str:
    return text.replace("\xa0", " ").replace("\u202f", " ")


def _mfoundi_policy(code: str) -> Policy:
    return (
        Policy.objects.current()
        .filter(
            product__code=code,
            status=PolicyStatus.ACTIVE,
            family__village__parent__parent__code__isnull=False,
            family__village__parent__parent__name="Mfoundi",
            renewals__isnull=True,
        )
        .select_related("family__village__parent__parent")
        .order_by("id")
        .first()
    )


def test_the_clerk_renews_from_the_reminder_list(page):
    call_command("demo", "--quiet", stdout=StringIO())
    today = timezone.localdate()
    soins, fam = _mfoundi_policy("VIH_Soins"), _mfoundi_policy("FAM")
    assert soins is not None and fam is not None
    # Their own officer, so that the filtered list shows just these two.
    officer = Officer.objects.create(
        code="EOJ1",
        last_name="Nkodo",
        other_names="Serge",
        district=soins.family.village.parent.parent,
    )
    soins_expiry, fam_expiry = today + timedelta(days=6), today + timedelta(days=75)
    Policy.objects.filter(pk=soins.pk).update(officer=officer, expiry_date=soins_expiry)
    Policy.objects.filter(pk=fam.pk).update(officer=officer, expiry_date=fam_expiry)
    fam.refresh_from_db()

    page.goto("/login/")
    page.fill("input[name=username]", "fosa.mfoundi")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click(".login button[type=submit]")
    page.wait_for_selector("text=Bienvenue")

    page.goto("/policies/renewals/")
    assert page.inner_text("h1") == "Rappels de renouvellement"
    page.select_option("#id_officer", str(officer.uuid))
    page.fill("#id_days", "90")
    page.click("#renewals-filter button[type=submit]")
    soins_row = page.locator(f"tr[data-policy='{soins.uuid}']")
    fam_row = page.locator(f"tr[data-policy='{fam.uuid}']")
    soins_row.wait_for()
    assert fam_row.count() == 1
    # Each row links to the family.
    assert soins_row.locator("a[href*='/families/']").count() == 1

    # VIH_Soins: one click.
    soins_row.get_by_role("button", name="Renouveler VIH_Soins").click()
    page.wait_for_selector(".messages")
    start = soins_expiry + timedelta(days=1)
    assert f"Police renouvelée : Active, du {start:%d/%m/%Y}" in page.inner_text(".messages")
    renewal = Policy.objects.get(previous=soins)
    assert renewal.status == PolicyStatus.ACTIVE and renewal.start_date == start
    assert renewal.effective_date == start  # no gap after the old expiry

    # FAM: the renewal page shows the dates, the value and the 5 % discount first.
    page.goto(f"/policies/renewals/?officer={officer.uuid}&days=90")
    page.locator(f"tr[data-policy='{fam.uuid}']").get_by_role("link", name="Renouveler FAM").click()
    page.wait_for_selector("#renewal-preview")
    clerk = User.objects.get(username="fosa.mfoundi")
    expected = policy_services.policy_renew_preview(actor=clerk, policy=fam, enroll_date=today)
    assert expected.breakdown.discount > 0
    assert page.inner_text("#renewal_start") == f"{expected.start_date:%d/%m/%Y}"
    assert page.inner_text("#renewal_expiry") == f"{expected.expiry_date:%d/%m/%Y}"
    assert spaced(page.inner_text("#renewal_discount")).startswith("5 % : − ")
    value = f"{int(expected.value):,}".replace(",", " ")
    assert spaced(page.inner_text("#renewal_value")) == f"{value} FCFA"
    assert spaced(page.inner_text("#renewal_registration")) == "0 FCFA"
    assert Policy.objects.filter(previous=fam).count() == 0  # nothing saved by looking
    page.select_option("#id_officer", str(officer.uuid))
    page.click("#renew-save")
    page.wait_for_selector(".messages")
    assert "Police renouvelée : En attente" in page.inner_text(".messages")
    renewed = Policy.objects.get(previous=fam)
    assert renewed.stage == PolicyStage.RENEWAL and renewed.value == expected.value

    # Dates that follow the clerk: on the FAM family's policy form, VIH_Test enrolled 30 days
    # ago starts 30 days ago, as the preview shows (the start date field follows the date).
    page.goto(f"/policies/family/{fam.family.uuid}/new/")
    page.select_option(
        "#id_product",
        label=page.locator("#id_product option", has_text="VIH_Test").first.inner_text(),
    )
    expect(page.locator("#id_start_date")).to_have_value(today.isoformat())
    back = today - timedelta(days=30)
    page.fill("#id_enroll_date", back.isoformat())
    page.locator("#id_enroll_date").dispatch_event("change")
    expect(page.locator("#id_start_date")).to_have_value(back.isoformat())
