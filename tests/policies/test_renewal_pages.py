"""Renewal from the pages (issue 14, item 1; spec registers §9.3, §9.4, §9.7): « Renew » on the
family's block, the policy page and the reminder list; the renewal page shows the renewal's
dates, value and discount before it is saved; a free package renews in one click and its
coverage runs on without a gap."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kinga.policies.models import InsureePolicy, Policy, PolicyStage, PolicyStatus
from kinga.products.models import Product

from ..conftest import login, make_user
from .conftest import make_product

pytestmark = pytest.mark.usefixtures("english")


def today():
    return timezone.localdate()


@pytest.fixture
def renewing(enrolment, world):
    """The products on sale around the real today, and FAM: 5,000 per adult, 2,000 per child,
    1,000 registration per member, 10 % renewal discount for a renewal before the expiry."""
    Product.objects.update(
        date_from=date(today().year - 1, 1, 1), date_to=date(today().year + 1, 12, 31)
    )
    enrolment.fam = make_product(
        "FAM",
        date_from=date(today().year - 1, 1, 1),
        date_to=date(today().year + 1, 12, 31),
        premium_adult=Decimal(5000),
        premium_child=Decimal(2000),
        registration_fee=Decimal(1000),
        renewal_discount_perc=Decimal(10),
        renewal_discount_period=0,
    )
    return enrolment


def make_policy(e, product, expiry, *, status=PolicyStatus.ACTIVE, officer=None, value=0):
    start = expiry - timedelta(days=364)
    policy = Policy.objects.create(
        family=e.family,
        product=product,
        officer=officer or e.officer,
        stage=PolicyStage.NEW,
        status=status,
        enroll_date=start,
        start_date=start,
        effective_date=start if status != PolicyStatus.IDLE else None,
        expiry_date=expiry,
        value=Decimal(value),
    )
    for member in e.family.members.order_by("id"):
        InsureePolicy.objects.create(
            policy=policy,
            insuree=member,
            enrollment_date=start,
            start_date=start,
            effective_date=policy.effective_date,
            expiry_date=expiry,
        )
    return policy


def block(client, e):
    return client.get(reverse("policies:family_block", args=[e.family.uuid])).content.decode()


def test_the_family_block_offers_renew_for_an_expiring_or_expired_policy_only(
    client, renewing, mfoundi_clerk
):
    e = renewing
    expiring = make_policy(e, e.fam, today() + timedelta(days=10), value=14000)
    far = make_policy(e, e.vih_test, today() + timedelta(days=200))
    expired = make_policy(e, e.vih_soins, today() - timedelta(days=3))
    login(client, mfoundi_clerk)
    text = block(client, e)
    assert reverse("policies:renew", args=[expiring.uuid]) in text
    assert reverse("policies:renew", args=[expired.uuid]) in text
    assert reverse("policies:renew", args=[far.uuid]) not in text
    # A free package's « Renew » is a one-click button; FAM's goes to the renewal page.
    assert 'name="quick"' in text and "Renew VIH_Soins" in text


def test_the_renewal_page_shows_dates_value_and_discount_before_saving(
    client, renewing, mfoundi_clerk
):
    e = renewing
    expiry = today() + timedelta(days=10)
    old = make_policy(e, e.fam, expiry, value=18000)
    login(client, mfoundi_clerk)
    url = reverse("policies:renew", args=[old.uuid])
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    start = expiry + timedelta(days=1)
    end = date(start.year + 1, start.month, start.day) - timedelta(days=1)
    assert start.strftime("%d/%m/%Y") in text and end.strftime("%d/%m/%Y") in text
    # 2 adults × 5,000 + 2 children × 2,000 = 14,000; no registration fee; 10 % off: 12,600.
    assert "10 % : − 1,400 FCFA" in text
    assert '<dd id="renewal_value">12,600 FCFA</dd>' in text
    assert '<dd id="renewal_registration">0 FCFA</dd>' in text
    assert Policy.objects.count() == 1  # nothing saved by looking
    # A date changed since the preview: the new preview is shown, nothing saved yet.
    earlier = today() - timedelta(days=1)
    moved = {"enroll_date": earlier.isoformat(), "officer": str(e.officer.uuid), "save": "1"}
    again = client.post(url, {**moved, "previewed": today().isoformat()})
    assert again.status_code == 200 and again.context["preview"].enroll_date == earlier
    assert Policy.objects.count() == 1
    saved = client.post(
        url,
        {
            "enroll_date": today().isoformat(),
            "officer": str(e.officer.uuid),
            "save": "1",
            "previewed": today().isoformat(),
        },
    )
    renewal = Policy.objects.get(previous=old)
    assert saved.status_code == 302
    assert saved["Location"] == reverse("policies:detail", args=[renewal.uuid])
    assert renewal.stage == PolicyStage.RENEWAL and renewal.value == Decimal("12600.00")
    assert renewal.start_date == start and renewal.status == PolicyStatus.IDLE
    shown = client.get(saved["Location"]).content.decode()
    assert f"Policy renewed: Idle, from {start:%d/%m/%Y} to {end:%d/%m/%Y}." in shown
    # Renewed: « Renew » is no longer offered, and a second renewal is refused.
    assert reverse("policies:renew", args=[old.uuid]) not in block(client, e)
    twice = client.post(
        url,
        {
            "enroll_date": today().isoformat(),
            "officer": str(e.officer.uuid),
            "save": "1",
            "previewed": today().isoformat(),
        },
    )
    assert twice.status_code == 200 and "already been renewed" in twice.content.decode()
    assert Policy.objects.count() == 2


def test_a_renewal_date_in_the_future_is_refused_on_the_page(client, renewing, mfoundi_clerk):
    e = renewing
    old = make_policy(e, e.fam, today() + timedelta(days=10), value=18000)
    login(client, mfoundi_clerk)
    tomorrow = (today() + timedelta(days=1)).isoformat()
    page = client.post(
        reverse("policies:renew", args=[old.uuid]),
        {"enroll_date": tomorrow, "officer": str(e.officer.uuid), "save": "1"},
    )
    assert page.status_code == 200
    assert "cannot be in the future" in page.content.decode()
    assert Policy.objects.count() == 1


@pytest.mark.parametrize("days", [5, -20])
def test_a_free_package_renews_in_one_click_without_a_gap(client, renewing, mfoundi_clerk, days):
    """Expiring in 5 days or expired 20 days ago: the renewal's cover starts the day after the
    old expiry, for every member, active at once."""
    e = renewing
    expiry = today() + timedelta(days=days)
    old = make_policy(e, e.vih_soins, expiry)
    login(client, mfoundi_clerk)
    done = client.post(
        reverse("policies:renew", args=[old.uuid]),
        {"quick": "1", "next": reverse("policies:renewals")},
    )
    assert done.status_code == 302
    renewal = Policy.objects.get(previous=old)
    assert renewal.status == PolicyStatus.ACTIVE
    assert renewal.start_date == renewal.effective_date == expiry + timedelta(days=1)
    rows = InsureePolicy.objects.filter(policy=renewal)
    assert rows.count() == 4
    assert {r.effective_date for r in rows} == {expiry + timedelta(days=1)}
    message = client.get(done["Location"]).content.decode()
    assert "Policy renewed: Active, from " + f"{expiry + timedelta(days=1):%d/%m/%Y}" in message


def test_one_click_on_a_paying_product_only_shows_the_renewal_page(client, renewing, mfoundi_clerk):
    e = renewing
    old = make_policy(e, e.fam, today() + timedelta(days=5), value=18000)
    login(client, mfoundi_clerk)
    page = client.post(reverse("policies:renew", args=[old.uuid]), {"quick": "1"})
    assert page.status_code == 200 and "renewal_value" in page.content.decode()
    assert Policy.objects.count() == 1


def test_the_reminder_list_links_to_the_family_and_to_the_renewal(client, renewing, mfoundi_clerk):
    e = renewing
    soins = make_policy(e, e.vih_soins, today() + timedelta(days=6))
    fam = make_policy(e, e.fam, today() + timedelta(days=8), value=18000)
    login(client, mfoundi_clerk)
    text = client.get(reverse("policies:renewals")).content.decode()
    assert reverse("families:detail", args=[e.family.uuid]) in text
    assert f'action="{reverse("policies:renew", args=[soins.uuid])}"' in text
    assert f'href="{reverse("policies:renew", args=[fam.uuid])}?next=' in text


def test_renewal_is_denied_without_the_right_or_outside_the_district(
    client, renewing, world, other_district_clerk
):
    e = renewing
    old = make_policy(e, e.vih_soins, today() + timedelta(days=5))
    url = reverse("policies:renew", args=[old.uuid])
    viewer = make_user("viewer", roles=["hf_admin"], districts=[world.mfoundi])
    login(client, viewer)
    assert client.get(url).status_code == 403
    assert client.post(url, {"quick": "1"}).status_code == 403
    login(client, other_district_clerk)
    assert client.get(url).status_code == 403
    assert client.post(url, {"quick": "1"}).status_code == 403
    assert Policy.objects.count() == 1


def test_the_policy_page_offers_renew_and_change(client, renewing, mfoundi_clerk):
    e = renewing
    old = make_policy(e, e.fam, today() + timedelta(days=5), value=18000)
    login(client, mfoundi_clerk)
    text = client.get(reverse("policies:detail", args=[old.uuid])).content.decode()
    assert reverse("policies:renew", args=[old.uuid]) in text
    assert reverse("policies:edit", args=[old.uuid]) in text


def test_a_free_package_of_an_officer_who_left_renews_with_his_substitute(
    client, renewing, mfoundi_clerk
):
    """EO2 stopped working: the one-click renewal names EO1, his substitute (as the reminder
    list does)."""
    e = renewing
    old = make_policy(e, e.vih_soins, today() + timedelta(days=4), officer=e.gone)
    login(client, mfoundi_clerk)
    done = client.post(reverse("policies:renew", args=[old.uuid]), {"quick": "1"})
    assert done.status_code == 302
    assert Policy.objects.get(previous=old).officer == e.officer
