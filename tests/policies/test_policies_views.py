"""Policy pages: the policy form (preview, save, programme confirmation), the policy page and
the contribution form, with district scope by URL."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kinga.policies import policy_services
from kinga.policies.models import Contribution, Policy, PolicyStatus

from ..conftest import login

pytestmark = pytest.mark.usefixtures("english")


def form_data(e, product, **over):
    today = timezone.localdate()
    data = {
        "enroll_date": today.isoformat(),
        "product": str(product.uuid),
        "start_date": "",
        "officer": str(e.officer.uuid),
    }
    data.update(over)
    return data


@pytest.fixture
def on_sale_today(enrolment):
    """Stretch the sale windows around the real today (pages use the clock)."""
    from kinga.products.models import Product

    today = timezone.localdate()
    Product.objects.update(
        date_from=date(today.year - 1, 1, 1), date_to=date(today.year + 1, 12, 31)
    )
    return enrolment


def test_the_policy_form_saves_a_free_policy_active_at_once(client, on_sale_today, mfoundi_clerk):
    e = on_sale_today
    url = reverse("policies:create", args=[e.family.uuid])
    login(client, mfoundi_clerk)
    page = client.get(url)
    assert page.status_code == 200 and "VIH_Soins" in page.text
    preview = client.post(url, form_data(e, e.vih_soins, preview="1"))
    assert preview.status_code == 200 and 'id="expiry_date"' in preview.text
    assert not Policy.objects.exists()
    saved = client.post(url, form_data(e, e.vih_soins, save="1"))
    assert saved.status_code == 302
    policy = Policy.objects.get()
    assert policy.status == PolicyStatus.ACTIVE
    detail = client.get(reverse("policies:detail", args=[policy.uuid]))
    assert detail.status_code == 200 and "Active" in detail.text


def test_the_policy_form_asks_to_confirm_a_programme_replacement(
    client, on_sale_today, mfoundi_clerk
):
    e = on_sale_today
    url = reverse("policies:create", args=[e.family.uuid])
    login(client, mfoundi_clerk)
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    client.post(url, form_data(e, e.vih_test, save="1", enroll_date=yesterday))
    asked = client.post(url, form_data(e, e.vih_soins, save="1"))
    assert asked.status_code == 200 and "Confirm and save" in asked.text
    assert Policy.objects.count() == 1
    confirmed = client.post(url, form_data(e, e.vih_soins, save="1", confirm_replace="on"))
    assert confirmed.status_code == 302 and Policy.objects.count() == 2


def test_policy_pages_outside_the_users_districts_are_forbidden(
    client, on_sale_today, mfoundi_clerk, other_district_clerk
):
    e = on_sale_today
    policy = policy_services.policy_attach(
        actor=mfoundi_clerk,
        family=e.family,
        product=e.vih_soins,
        enroll_date=timezone.localdate(),
        officer=e.officer,
    ).policy
    login(client, other_district_clerk)
    assert client.get(reverse("policies:create", args=[e.family.uuid])).status_code == 403
    assert client.get(reverse("policies:detail", args=[policy.uuid])).status_code == 403
    url = reverse("policies:contribution_add", args=[policy.uuid])
    assert client.get(url).status_code == 403


def test_the_contribution_form_offers_the_choices_of_a_partial_payment(
    client, on_sale_today, mfoundi_clerk
):
    e = on_sale_today
    today = timezone.localdate()
    policy = policy_services.policy_attach(
        actor=mfoundi_clerk, family=e.family, product=e.mut, enroll_date=today, officer=e.officer
    ).policy
    assert policy.value == Decimal("12000.00")
    url = reverse("policies:contribution_add", args=[policy.uuid])
    login(client, mfoundi_clerk)
    data = {"amount": "5000", "receipt": "R-1", "pay_date": today.isoformat(), "pay_type": "C"}
    asked = client.post(url, data)
    assert asked.status_code == 200 and 'value="enforce"' in asked.text
    assert not Contribution.objects.exists()
    done = client.post(url, {**data, "action": "enforce"})
    assert done.status_code == 302
    policy.refresh_from_db()
    assert policy.status == PolicyStatus.ACTIVE
