"""Dates that follow the clerk (issue 14, item 2; spec registers §9.1, §9.4): the start date
follows the enrolment date and the product as the preview shows, unless the clerk typed one;
an Idle policy's dates and officer are changed; a policy in force has only its officer
corrected, with the reason; the confirmation says the status the row shows."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kinga.insurees.models import Officer
from kinga.policies.models import Policy, PolicyStatus
from kinga.policies.services import policies as policy_services
from kinga.products.models import Product

from ..conftest import login, make_user

pytestmark = pytest.mark.usefixtures("english")


def today():
    return timezone.localdate()


def iso(day: date) -> str:
    return day.isoformat()


@pytest.fixture
def on_sale(enrolment):
    Product.objects.update(
        date_from=date(today().year - 2, 1, 1), date_to=date(today().year + 1, 12, 31)
    )
    return enrolment


def form(e, product, **over):
    data = {
        "enroll_date": iso(today()),
        "product": str(product.uuid),
        "start_date": "",
        "officer": str(e.officer.uuid),
    }
    data.update(over)
    return data


def test_the_start_date_follows_a_backdated_enrolment_date(client, on_sale, mfoundi_clerk):
    """The page had computed today as the start date; the clerk changes the enrolment date to
    30 days ago: the preview, the start date field and the saved policy follow it."""
    e = on_sale
    login(client, mfoundi_clerk)
    url = reverse("policies:create", args=[e.family.uuid])
    first = client.post(url, form(e, e.vih_soins, preview="1"))
    assert f'name="start_date" value="{iso(today())}"' in first.content.decode()
    assert f'id="computed_start" value="{iso(today())}"' in first.content.decode()
    back = today() - timedelta(days=30)
    moved = form(e, e.vih_soins, enroll_date=iso(back), start_date=iso(today()))
    moved["computed_start"] = iso(today())
    page = client.post(url, {**moved, "preview": "1"})
    text = page.content.decode()
    assert f'name="start_date" value="{iso(back)}"' in text
    assert page.context["preview"].start_date == back
    client.post(url, {**moved, "save": "1"})
    policy = Policy.objects.get()
    assert policy.enroll_date == policy.start_date == back
    assert policy.expiry_date == date(back.year + 1, back.month, back.day) - timedelta(days=1)


def test_the_htmx_preview_moves_the_start_date_field(client, on_sale, mfoundi_clerk):
    e = on_sale
    login(client, mfoundi_clerk)
    back = today() - timedelta(days=12)
    params = form(e, e.vih_soins, enroll_date=iso(back), start_date=iso(today()))
    params["computed_start"] = iso(today())
    fragment = client.get(reverse("policies:dates", args=[e.family.uuid]), params)
    text = fragment.content.decode()
    assert fragment.status_code == 200
    assert 'id="id_start_date"' in text and f'value="{iso(back)}"' in text
    assert 'hx-swap-oob="true"' in text
    assert f'id="computed_start" value="{iso(back)}"' in text


def test_a_start_date_typed_by_the_clerk_stays(client, on_sale, mfoundi_clerk):
    e = on_sale
    login(client, mfoundi_clerk)
    back = today() - timedelta(days=12)
    typed = today() - timedelta(days=5)
    params = form(e, e.vih_soins, enroll_date=iso(back), start_date=iso(typed))
    params["computed_start"] = iso(today())
    fragment = client.get(reverse("policies:dates", args=[e.family.uuid]), params)
    assert 'id="id_start_date"' not in fragment.content.decode()  # the clerk's field is left
    url = reverse("policies:create", args=[e.family.uuid])
    client.post(url, {**params, "save": "1"})
    assert Policy.objects.get().start_date == typed


def test_the_confirmation_says_expired_for_a_policy_that_has_expired(
    client, on_sale, mfoundi_clerk
):
    """A free 3-month package enrolled 200 days ago has already expired: the message and the
    row both say Expired (never « Active » beside an Expired row)."""
    e = on_sale
    login(client, mfoundi_clerk)
    url = reverse("policies:create", args=[e.family.uuid])
    back = iso(today() - timedelta(days=200))
    saved = client.post(url, {**form(e, e.vih_test, enroll_date=back), "save": "1"}, follow=True)
    text = saved.content.decode()
    assert "Policy saved: Expired." in text and "Policy saved: Active" not in text
    policy = Policy.objects.get()
    assert policy.expiry_date < today()
    row = client.get(reverse("policies:family_block", args=[e.family.uuid])).content.decode()
    assert 'data-status="8">Expired<' in row


def _idle_mut(e, mfoundi_clerk, enroll_date):
    return policy_services.policy_attach(
        actor=mfoundi_clerk,
        family=e.family,
        product=e.mut,
        enroll_date=enroll_date,
        officer=e.officer,
    ).policy


def test_an_idle_policy_has_its_dates_and_officer_changed(client, on_sale, mfoundi_clerk, world):
    e = on_sale
    policy = _idle_mut(e, mfoundi_clerk, today())
    assert policy.status == PolicyStatus.IDLE and policy.value == Decimal(12000)
    other = Officer.objects.create(
        code="EO4", last_name="Mvondo", other_names="Anne", district=world.mfoundi
    )
    login(client, mfoundi_clerk)
    url = reverse("policies:edit", args=[policy.uuid])
    page = client.get(url)
    assert page.status_code == 200 and 'name="enroll_date"' in page.content.decode()
    back = today() - timedelta(days=20)
    data = {
        "enroll_date": iso(back),
        "start_date": iso(policy.start_date),
        "computed_start": iso(policy.start_date),
        "officer": str(other.uuid),
    }
    shown = client.post(url, {**data, "preview": "1"})
    assert f'<dd id="edit_start">{back:%d/%m/%Y}</dd>' in shown.content.decode()
    done = client.post(url, {**data, "save": "1"}, follow=True)
    policy.refresh_from_db()
    assert policy.enroll_date == policy.start_date == back and policy.officer == other
    assert f"Policy changed: Idle, from {back:%d/%m/%Y}" in done.content.decode()


def test_a_policy_in_force_has_only_its_officer_corrected_with_the_reason(
    client, on_sale, mfoundi_clerk, world
):
    e = on_sale
    policy = policy_services.policy_attach(
        actor=mfoundi_clerk,
        family=e.family,
        product=e.vih_soins,
        enroll_date=today(),
        officer=e.officer,
    ).policy
    assert policy.status == PolicyStatus.ACTIVE
    other = Officer.objects.create(
        code="EO4", last_name="Mvondo", other_names="Anne", district=world.mfoundi
    )
    login(client, mfoundi_clerk)
    url = reverse("policies:edit", args=[policy.uuid])
    page = client.get(url).content.decode()
    assert "can no longer be changed" in page and 'name="enroll_date"' not in page
    missing = client.post(url, {"officer": str(other.uuid), "reason": ""})
    assert missing.status_code == 200 and "This field is required" in missing.content.decode()
    sneaky = {
        "officer": str(other.uuid),
        "reason": "Wrong officer typed",
        "enroll_date": "2020-01-01",
    }
    done = client.post(url, sneaky, follow=True)
    policy.refresh_from_db()
    assert policy.officer == other and policy.enroll_date == today()
    assert "Policy corrected" in done.content.decode()
    assert "Wrong officer typed" in done.content.decode()  # the history says why


def test_changing_a_policy_is_denied_without_the_right_or_outside_the_district(
    client, on_sale, mfoundi_clerk, other_district_clerk, world
):
    e = on_sale
    policy = _idle_mut(e, mfoundi_clerk, today())
    url = reverse("policies:edit", args=[policy.uuid])
    login(client, make_user("viewer", roles=["hf_admin"], districts=[world.mfoundi]))
    assert client.get(url).status_code == 403
    login(client, other_district_clerk)
    assert client.get(url).status_code == 403
    assert client.post(url, {"enroll_date": "2026-01-01", "save": "1"}).status_code == 403
    policy.refresh_from_db()
    assert policy.enroll_date == today()
