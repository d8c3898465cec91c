"""Policy pages: the policy form (preview, save, programme confirmation and same-day
cancellation), the policy page, the contribution form, the contribution's edit form and delete
confirmation, with rights and district scope by URL."""

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kinga.policies.models import Contribution, Policy, PolicyStatus
from kinga.policies.services import contributions as contribution_services
from kinga.policies.services import policies as policy_services

from ..conftest import login, make_user
from .conftest import pay

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


# --- same-day programme replacement -----------------------------------------------------------


def test_the_policy_form_cancels_a_programme_policy_of_the_same_day_once_confirmed(
    client, on_sale_today, mfoundi_clerk
):
    e = on_sale_today
    test = policy_services.policy_attach(
        actor=mfoundi_clerk,
        family=e.family,
        product=e.vih_test,
        enroll_date=timezone.localdate(),
        officer=e.officer,
    ).policy
    url = reverse("policies:create", args=[e.family.uuid])
    login(client, mfoundi_clerk)
    asked = client.post(url, form_data(e, e.vih_soins, save="1"))
    assert asked.status_code == 200 and "Confirm and save" in asked.text
    assert "will be cancelled" in asked.text
    confirmed = client.post(url, form_data(e, e.vih_soins, save="1", confirm_replace="on"))
    assert confirmed.status_code == 302
    block = client.get(reverse("policies:family_block", args=[e.family.uuid]))
    assert "VIH_Soins" in block.text and "VIH_Test" not in block.text
    assert client.get(reverse("policies:detail", args=[test.uuid])).status_code == 404


# --- changing and deleting contributions --------------------------------------------------------


@pytest.fixture
def partly_paid(on_sale_today, mfoundi_clerk):
    """An Idle MUT policy enrolled today (value 12,000) with 5,000 paid, receipt R-1."""
    e = on_sale_today
    today = timezone.localdate()
    policy = policy_services.policy_attach(
        actor=mfoundi_clerk, family=e.family, product=e.mut, enroll_date=today, officer=e.officer
    ).policy
    return pay(mfoundi_clerk, policy, 5000, "R-1", pay_date=today).contribution


def pay_rest(actor, contribution, receipt="R-2"):
    return contribution_services.contribution_add(
        actor=actor,
        policy=contribution.policy,
        payer=None,
        amount=Decimal(7000),
        receipt=receipt,
        pay_date=timezone.localdate(),
        pay_type="C",
    ).contribution


def contributions_table(html: str) -> str:
    start = html.index('id="contributions"')
    return html[start : html.index("</table>", start)]


def edit_url(c):
    return reverse("policies:contribution_edit", args=[c.uuid])


def delete_url(c):
    return reverse("policies:contribution_delete", args=[c.uuid])


def test_the_policy_page_links_to_edit_and_delete_each_contribution(
    client, partly_paid, mfoundi_clerk
):
    login(client, mfoundi_clerk)
    detail_url = reverse("policies:detail", args=[partly_paid.policy.uuid])
    page = client.get(detail_url)
    assert edit_url(partly_paid) in page.text and delete_url(partly_paid) in page.text
    # Once the policy is paid in full its contributions can be edited but no longer deleted.
    rest = pay_rest(mfoundi_clerk, partly_paid)
    page = client.get(detail_url)
    assert "Active" in page.text
    assert edit_url(partly_paid) in page.text and edit_url(rest) in page.text
    assert delete_url(partly_paid) not in page.text and delete_url(rest) not in page.text


def test_the_edit_form_shows_the_contribution_and_saves_the_change(
    client, partly_paid, mfoundi_clerk
):
    login(client, mfoundi_clerk)
    page = client.get(edit_url(partly_paid))
    assert page.status_code == 200 and 'value="R-1"' in page.text and "5000" in page.text
    today = timezone.localdate().isoformat()
    data = {"amount": "12000", "receipt": "R-1", "pay_date": today, "pay_type": "C"}
    done = client.post(edit_url(partly_paid), data)
    assert done.status_code == 302
    partly_paid.refresh_from_db()
    partly_paid.policy.refresh_from_db()
    assert partly_paid.amount == Decimal(12000)
    assert partly_paid.policy.status == PolicyStatus.ACTIVE


def test_the_edit_form_offers_the_choices_when_the_change_does_not_pay_in_full(
    client, partly_paid, mfoundi_clerk
):
    login(client, mfoundi_clerk)
    today = timezone.localdate().isoformat()
    data = {"amount": "6000", "receipt": "R-1", "pay_date": today, "pay_type": "C"}
    asked = client.post(edit_url(partly_paid), data)
    assert asked.status_code == 200 and 'value="enforce"' in asked.text
    partly_paid.refresh_from_db()
    assert partly_paid.amount == Decimal(5000)
    assert client.post(edit_url(partly_paid), {**data, "action": "wait"}).status_code == 302
    partly_paid.refresh_from_db()
    assert partly_paid.amount == Decimal(6000)


def test_the_edit_form_refuses_a_receipt_of_another_contribution_and_keeps_the_input(
    client, partly_paid, mfoundi_clerk
):
    rest = pay_rest(mfoundi_clerk, partly_paid)
    login(client, mfoundi_clerk)
    today = timezone.localdate().isoformat()
    data = {"amount": "7000", "receipt": "R-1", "pay_date": today, "pay_type": "M"}
    refused = client.post(edit_url(rest), data)
    assert refused.status_code == 200 and "already used for the product MUT" in refused.text
    assert 'value="M" selected' in refused.text
    rest.refresh_from_db()
    assert (rest.receipt, rest.pay_type) == ("R-2", "C")


def test_the_edit_form_of_an_active_policy_locks_the_amount(client, partly_paid, mfoundi_clerk):
    pay_rest(mfoundi_clerk, partly_paid)
    login(client, mfoundi_clerk)
    page = client.get(edit_url(partly_paid))
    assert "Locked: the policy is no longer idle." in page.text
    today = timezone.localdate().isoformat()
    data = {"amount": "99999", "receipt": "R-1 bis", "pay_date": today, "pay_type": "B"}
    assert client.post(edit_url(partly_paid), data).status_code == 302
    partly_paid.refresh_from_db()
    assert partly_paid.amount == Decimal(5000)
    assert (partly_paid.receipt, partly_paid.pay_type) == ("R-1 bis", "B")


def test_the_delete_page_asks_then_retires_the_contribution(client, partly_paid, mfoundi_clerk):
    login(client, mfoundi_clerk)
    page = client.get(delete_url(partly_paid))
    assert page.status_code == 200 and "R-1" in page.text and 'class="button danger"' in page.text
    done = client.post(delete_url(partly_paid))
    detail_url = reverse("policies:detail", args=[partly_paid.policy.uuid])
    assert done.status_code == 302 and done.url == detail_url
    partly_paid.refresh_from_db()
    assert partly_paid.retired_at is not None
    detail = client.get(detail_url).text
    assert "Contribution R-1 deleted." in detail
    assert "R-1" not in contributions_table(detail)
    assert client.get(delete_url(partly_paid)).status_code == 404


def test_the_delete_page_of_an_active_policy_explains_and_deletes_nothing(
    client, partly_paid, mfoundi_clerk
):
    pay_rest(mfoundi_clerk, partly_paid)
    login(client, mfoundi_clerk)
    page = client.get(delete_url(partly_paid))
    assert page.status_code == 200
    assert "can only be deleted while it is idle" in page.text
    assert 'class="button danger"' not in page.text
    again = client.post(delete_url(partly_paid))
    assert again.status_code == 200
    partly_paid.refresh_from_db()
    assert partly_paid.retired_at is None


def test_contribution_pages_of_another_district_are_forbidden_by_url(
    client, partly_paid, other_district_clerk
):
    login(client, other_district_clerk)
    today = timezone.localdate().isoformat()
    data = {"amount": "12000", "receipt": "X", "pay_date": today, "pay_type": "C"}
    assert client.get(edit_url(partly_paid)).status_code == 403
    assert client.post(edit_url(partly_paid), data).status_code == 403
    assert client.get(delete_url(partly_paid)).status_code == 403
    assert client.post(delete_url(partly_paid)).status_code == 403
    partly_paid.refresh_from_db()
    assert partly_paid.receipt == "R-1" and partly_paid.retired_at is None
    unknown = reverse("policies:contribution_edit", args=[uuid.uuid4()])
    assert client.get(unknown).status_code == 404


def test_a_user_without_the_contribution_rights_sees_no_links_and_is_forbidden(
    client, partly_paid, world
):
    accountant = make_user("accountant.mfoundi", roles=["accountant"], districts=[world.mfoundi])
    login(client, accountant)
    page = client.get(reverse("policies:detail", args=[partly_paid.policy.uuid]))
    assert page.status_code == 200 and "R-1" in page.text
    assert edit_url(partly_paid) not in page.text and delete_url(partly_paid) not in page.text
    assert client.get(edit_url(partly_paid)).status_code == 403
    assert client.post(delete_url(partly_paid)).status_code == 403
    partly_paid.refresh_from_db()
    assert partly_paid.retired_at is None


def test_the_contribution_pages_speak_french(client, partly_paid, mfoundi_clerk, settings):
    pay_rest(mfoundi_clerk, partly_paid)
    login(client, mfoundi_clerk)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    edit = client.get(edit_url(partly_paid)).text
    assert "Modifier la cotisation R-1" in edit
    assert "Verrouillé : la police n'est plus en attente." in edit.replace("&#x27;", "'")
    delete = client.get(delete_url(partly_paid)).text.replace("&#x27;", "'")
    assert "Supprimer la cotisation R-1" in delete
    assert "La police est active : ses cotisations ne peuvent être supprimées" in delete
