"""Coverage follows the members (spec §8.4, §9.6): a member who joins is added to the family's
Active and Idle policies (within the product's maximum members), one who leaves has his
coverage ended the day before, with history; a family with a policy cannot be retired."""

from datetime import date
from decimal import Decimal

import pytest

from kinga.insurees.models import InsureeStatus, Relationship
from kinga.insurees.services import families as services
from kinga.policies import rules
from kinga.policies.models import InsureePolicy, Policy, PolicyStatus
from kinga.policies.services import policies as policy_services

from ..policies import conftest as policy_fixtures
from ..policies.conftest import TODAY, make_family

_numbers = iter(range(500000001, 600000000))
policy_enrolment = policy_fixtures.enrolment  # the policies' fixture, here as a fixture too


@pytest.fixture
def enrolment(policy_enrolment):
    """The policies' fixture (tests/policies/conftest.py): products, officers, a family."""
    return policy_enrolment


def member(**fields) -> dict:
    values = {
        "insurance_number": str(next(_numbers)),
        "last_name": "Mballa",
        "other_names": "Awa",
        "dob": date(2019, 6, 1),
        "gender": "F",
        "relationship": Relationship.CHILD,
    }
    values.update(fields)
    return values


def attach(actor, e, product, **over):
    values = {
        "actor": actor,
        "family": e.family,
        "product": product,
        "enroll_date": TODAY,
        "officer": e.officer,
        "today": TODAY,
    }
    values.update(over)
    return policy_services.policy_attach(**values).policy


def row_of(policy, insuree):
    return InsureePolicy.objects.get(policy=policy, insuree=insuree, retired_at__isnull=True)


def test_a_member_who_joins_is_covered_by_the_active_free_policy(enrolment, mfoundi_clerk):
    e = enrolment
    policy = attach(mfoundi_clerk, e, e.vih_soins)
    assert policy.status == PolicyStatus.ACTIVE
    newcomer = services.insuree_add(actor=mfoundi_clerk, family=e.family, today=TODAY, **member())
    row = row_of(policy, newcomer)
    assert row.effective_date == policy.effective_date
    assert row.expiry_date == policy.expiry_date
    assert (
        rules.member_status_letter(policy.status, row.effective_date, row.expiry_date, TODAY) == "A"
    )
    assert row.history.count() == 1


def test_a_member_above_the_maximum_is_not_added(enrolment, mfoundi_clerk):
    e = enrolment
    e.vih_soins.max_members = 4
    e.vih_soins.save()
    policy = attach(mfoundi_clerk, e, e.vih_soins)
    newcomer = services.insuree_add(actor=mfoundi_clerk, family=e.family, today=TODAY, **member())
    assert not InsureePolicy.objects.filter(policy=policy, insuree=newcomer).exists()


def test_a_member_who_joins_an_idle_policy_raises_its_value(enrolment, mfoundi_clerk, world):
    e = enrolment
    family = make_family(world.nlongkak, ("Amina", date(1990, 1, 1), None))
    e.family = family
    policy = attach(mfoundi_clerk, e, e.mut)
    assert policy.status == PolicyStatus.IDLE and policy.value == Decimal(5000)
    child = services.insuree_add(actor=mfoundi_clerk, family=family, today=TODAY, **member())
    policy.refresh_from_db()
    assert policy.value == Decimal(7000)
    assert row_of(policy, child).effective_date is None


def test_a_member_who_is_detached_loses_his_coverage_the_day_before(enrolment, mfoundi_clerk):
    e = enrolment
    policy = attach(mfoundi_clerk, e, e.vih_soins)
    paul = e.family.members.get(other_names="Paul")
    later = date(2026, 6, 10)
    services.insuree_detach(actor=mfoundi_clerk, insuree=paul, today=later)
    row = InsureePolicy.objects.get(policy=policy, insuree=paul)
    assert row.expiry_date == date(2026, 6, 9)
    assert not rules.is_covered(row.effective_date, row.expiry_date, later)
    assert row.history.count() == 2
    others = InsureePolicy.objects.filter(policy=policy).exclude(insuree=paul)
    assert all(r.expiry_date == policy.expiry_date for r in others)


def test_a_member_who_moves_is_added_to_the_new_familys_policy(enrolment, mfoundi_clerk, world):
    e = enrolment
    old_policy = attach(mfoundi_clerk, e, e.vih_soins)
    paul = e.family.members.get(other_names="Paul")
    other = make_family(world.nlongkak, ("Amina", date(1990, 1, 1), None))
    e.family = other
    new_policy = attach(mfoundi_clerk, e, e.vih_test)
    services.insuree_move(
        actor=mfoundi_clerk,
        insuree=paul,
        family=other,
        relationship=Relationship.CHILD,
        today=date(2026, 4, 1),
    )
    assert row_of(old_policy, paul).expiry_date == date(2026, 3, 31)
    assert row_of(new_policy, paul).effective_date == new_policy.effective_date


def test_a_member_who_dies_is_no_longer_covered(enrolment, mfoundi_clerk):
    e = enrolment
    policy = attach(mfoundi_clerk, e, e.vih_soins)
    luc = e.family.members.get(other_names="Luc")
    values = {n: getattr(luc, n) for n in services.INSUREE_FIELDS}
    values.update(status=InsureeStatus.DEAD, status_date=date(2026, 5, 2), status_reason="†")
    services.insuree_update(actor=mfoundi_clerk, insuree=luc, today=date(2026, 5, 3), **values)
    assert row_of(policy, luc).expiry_date == date(2026, 5, 2)


def test_family_has_policies(enrolment, mfoundi_clerk):
    e = enrolment
    assert not services.family_has_policies(e.family)
    attach(mfoundi_clerk, e, e.vih_soins)
    assert services.family_has_policies(e.family)
    assert services.family_retire_refusal(e.family)
    assert Policy.objects.filter(family=e.family).count() == 1


# --- the beneficiary page's block « Sélectionner un programme de santé » --------------------


@pytest.fixture
def on_sale_today(enrolment):
    from django.utils import timezone

    from kinga.products.models import Product

    today = timezone.localdate()
    Product.objects.update(
        date_from=date(today.year - 1, 1, 1), date_to=date(today.year + 1, 12, 31)
    )
    return enrolment


@pytest.mark.usefixtures("english")
def test_the_beneficiary_pages_load_the_policy_block(client, on_sale_today, mfoundi_clerk):
    from django.urls import reverse
    from django.utils import timezone

    from ..conftest import login

    e = on_sale_today
    today = timezone.localdate()
    attach(mfoundi_clerk, e, e.vih_soins, enroll_date=today, today=today)
    login(client, mfoundi_clerk)
    block = reverse("policies:family_block", args=[e.family.uuid])
    family_page = client.get(reverse("families:detail", args=[e.family.uuid]))
    insuree_page = client.get(reverse("families:insuree", args=[e.family.head.uuid]))
    assert block in family_page.text and block in insuree_page.text
    back = reverse("families:insuree", args=[e.family.head.uuid])
    fragment = client.get(block, {"next": back})
    assert "Select a health programme" in fragment.text
    assert 'class="plus"' in fragment.text and "aria-label=" in fragment.text
    assert reverse("policies:create", args=[e.family.uuid]) + "?next=" in fragment.text
    assert "VIH_Soins" in fragment.text and 'data-status="2"' in fragment.text


@pytest.mark.usefixtures("english")
def test_the_block_needs_the_rights(client, on_sale_today, world):
    from django.urls import reverse

    from kinga.core.models import Role

    from ..conftest import login, make_user

    e = on_sale_today
    block = reverse("policies:family_block", args=[e.family.uuid])
    receptionist = make_user("recep", roles=["receptionist"], districts=[world.mfoundi])
    login(client, receptionist)
    fragment = client.get(block)
    assert "Select a health programme" in fragment.text and 'class="plus"' not in fragment.text
    nobody = make_user(
        "nobody",
        roles=[Role.objects.create(name="Families", rights=[101001])],
        districts=[world.mfoundi],
    )
    login(client, nobody)
    assert client.get(block).text == ""


@pytest.mark.usefixtures("english")
def test_the_expiry_date_follows_the_start_date(client, on_sale_today, mfoundi_clerk):
    from django.urls import reverse
    from django.utils import timezone
    from django.utils.formats import date_format

    from ..conftest import login

    e = on_sale_today
    today = timezone.localdate()
    login(client, mfoundi_clerk)
    url = reverse("policies:dates", args=[e.family.uuid])
    start = today
    fragment = client.get(
        url,
        {
            "enroll_date": today.isoformat(),
            "product": str(e.vih_soins.uuid),
            "start_date": start.isoformat(),
        },
    )
    expected = rules.expiry_date(start, 12)
    assert fragment.status_code == 200
    assert date_format(expected, "SHORT_DATE_FORMAT") in fragment.text
    assert 'id="expiry_date"' in fragment.text
    form = client.get(reverse("policies:create", args=[e.family.uuid]))
    assert f'hx-get="{url}"' in form.text and 'class="actions split"' in form.text


def test_a_member_active_again_is_covered_again_from_that_day(enrolment, mfoundi_clerk):
    e = enrolment
    policy = attach(mfoundi_clerk, e, e.vih_soins)
    luc = e.family.members.get(other_names="Luc")
    values = {n: getattr(luc, n) for n in services.INSUREE_FIELDS}
    values.update(status=InsureeStatus.INACTIVE, status_date=date(2026, 5, 2), status_reason="x")
    luc = services.insuree_update(
        actor=mfoundi_clerk, insuree=luc, today=date(2026, 5, 3), **values
    )
    values.update(status=InsureeStatus.ACTIVE, status_date=None, status_reason="")
    services.insuree_update(actor=mfoundi_clerk, insuree=luc, today=date(2026, 7, 1), **values)
    row = row_of(policy, luc)
    assert row.effective_date == date(2026, 7, 1) and row.expiry_date == policy.expiry_date
    ended = InsureePolicy.objects.get(policy=policy, insuree=luc, retired_at__isnull=False)
    assert ended.expiry_date == date(2026, 5, 2)
