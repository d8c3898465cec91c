"""Policies: attach (free programmes, refusals, district scope), the one-policy-per-programme
rule, member cap, update, suspend, renew and the expiry job."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from kinga.core.errors import Refused
from kinga.policies import rules
from kinga.policies.models import InsureePolicy, Policy, PolicyStatus
from kinga.policies.queries import policies as policy_queries
from kinga.policies.services import contributions as contribution_services
from kinga.policies.services import expiry as expiry_services
from kinga.policies.services import policies as policy_services

from .conftest import TODAY, make_family, pay

pytestmark = pytest.mark.usefixtures("english")


def attach(actor, e, product, **over):
    values = {
        "family": e.family,
        "product": product,
        "enroll_date": TODAY,
        "officer": e.officer,
        "today": TODAY,
    }
    values.update(over)
    return policy_services.policy_attach(actor=actor, **values)


# --- free programmes ------------------------------------------------------------------------


def test_a_free_policy_is_active_at_once_and_expires_twelve_months_less_a_day_later(
    enrolment, mfoundi_clerk
):
    result = attach(mfoundi_clerk, enrolment, enrolment.vih_soins)
    policy = result.policy
    assert policy.status == PolicyStatus.ACTIVE
    assert policy.value == Decimal(0)
    assert policy.stage == rules.NEW
    assert (policy.enroll_date, policy.start_date, policy.effective_date) == (TODAY,) * 3
    assert policy.expiry_date == date(2027, 3, 14)
    rows = InsureePolicy.objects.filter(policy=policy)
    assert rows.count() == 4
    assert {(r.effective_date, r.expiry_date) for r in rows} == {(TODAY, date(2027, 3, 14))}
    history = policy.history.get()
    assert history.history_user == mfoundi_clerk and history.history_type == "+"
    assert all(r.history.get().history_user == mfoundi_clerk for r in rows)


def test_the_start_date_of_a_free_product_may_be_set_and_the_expiry_follows_it(
    enrolment, mfoundi_clerk
):
    policy = attach(
        mfoundi_clerk, enrolment, enrolment.vih_soins, start_date=date(2026, 4, 1)
    ).policy
    assert (policy.start_date, policy.effective_date) == (date(2026, 4, 1), date(2026, 4, 1))
    assert policy.expiry_date == date(2027, 3, 31)


def test_the_preview_shows_dates_value_and_members_before_saving(enrolment, mfoundi_clerk):
    preview = policy_services.policy_preview(
        actor=mfoundi_clerk,
        family=enrolment.family,
        product=enrolment.mut,
        enroll_date=TODAY,
        today=TODAY,
    )
    assert (preview.start_date, preview.expiry_date) == (TODAY, date(2027, 3, 14))
    # Only the first 3 members (in order of joining) are counted: 2 adults + 1 child.
    assert preview.value == Decimal("12000.00")
    assert [i.other_names for i in preview.covered] == ["Jean", "Marie", "Paul"]
    assert [i.other_names for i in preview.not_covered] == ["Luc"]
    assert preview.last_payment_date == date(2026, 4, 14)
    assert preview.status == PolicyStatus.IDLE
    assert not Policy.objects.exists()


def test_members_above_the_cap_are_not_covered_and_listed_with_a_warning(enrolment, mfoundi_clerk):
    result = attach(mfoundi_clerk, enrolment, enrolment.mut)
    assert result.policy.status == PolicyStatus.IDLE and result.policy.effective_date is None
    assert result.policy.value == Decimal("12000.00")
    assert [i.other_names for i in result.not_covered] == ["Luc"]
    assert "Luc" in result.warnings[0] and "3 members" in result.warnings[0]
    covered = InsureePolicy.objects.filter(policy=result.policy)
    assert sorted(r.insuree.other_names for r in covered) == ["Jean", "Marie", "Paul"]
    assert all(r.effective_date is None for r in covered)


# --- refusals -------------------------------------------------------------------------------


def test_an_enrolment_date_in_the_future_is_refused(enrolment, mfoundi_clerk):
    with pytest.raises(Refused) as refused:
        attach(mfoundi_clerk, enrolment, enrolment.vih_soins, enroll_date=date(2026, 3, 16))
    assert refused.value.field == "enroll_date"
    assert not Policy.objects.exists()


def test_a_product_of_another_district_is_not_on_sale_for_the_family(enrolment, mfoundi_clerk):
    with pytest.raises(Refused) as refused:
        attach(mfoundi_clerk, enrolment, enrolment.dla)
    assert refused.value.field == "product" and "not on sale" in refused.value.message


def test_a_product_outside_its_sale_window_is_refused(enrolment, mfoundi_clerk):
    with pytest.raises(Refused) as refused:
        attach(mfoundi_clerk, enrolment, enrolment.vih_soins, enroll_date=date(2025, 12, 31))
    assert refused.value.field == "product"


def test_products_on_sale_are_national_or_of_the_familys_region_or_district(enrolment):
    codes = {p.code for p in policy_queries.products_on_sale(enrolment.family, TODAY)}
    assert codes == {"VIH_Test", "VIH_Soins", "MUT"}


def test_an_officer_of_another_district_is_refused(enrolment, mfoundi_clerk):
    with pytest.raises(Refused) as refused:
        attach(mfoundi_clerk, enrolment, enrolment.vih_soins, officer=enrolment.douala_officer)
    assert refused.value.field == "officer"


def test_an_officer_no_longer_working_on_the_enrolment_date_is_refused(enrolment, mfoundi_clerk):
    with pytest.raises(Refused) as refused:
        attach(mfoundi_clerk, enrolment, enrolment.vih_soins, officer=enrolment.gone)
    assert refused.value.field == "officer"
    # …but he could enrol families on a day he still worked.
    policy = attach(
        mfoundi_clerk,
        enrolment,
        enrolment.vih_soins,
        officer=enrolment.gone,
        enroll_date=date(2026, 2, 10),
    ).policy
    assert policy.officer == enrolment.gone


def test_a_family_outside_the_users_districts_is_refused(enrolment, other_district_clerk):
    with pytest.raises(PermissionDenied):
        attach(other_district_clerk, enrolment, enrolment.vih_soins)
    with pytest.raises(PermissionDenied):
        policy_services.policy_preview(
            actor=other_district_clerk,
            family=enrolment.family,
            product=enrolment.vih_soins,
            enroll_date=TODAY,
            today=TODAY,
        )


def test_a_user_without_the_policy_right_is_refused(enrolment, world):
    from ..conftest import make_user

    manager = make_user("manager.mfoundi", roles=["manager"], districts=[world.mfoundi])
    with pytest.raises(PermissionDenied):
        attach(manager, enrolment, enrolment.vih_soins)


def test_policies_are_read_only_within_the_users_districts(
    enrolment, mfoundi_clerk, other_district_clerk
):
    policy = attach(mfoundi_clerk, enrolment, enrolment.vih_soins).policy
    assert list(policy_queries.policies_of_family(mfoundi_clerk, enrolment.family)) == [policy]
    assert not policy_queries.policies_of_family(other_district_clerk, enrolment.family).exists()
    with pytest.raises(PermissionDenied):
        policy_queries.get_policy_for_user(other_district_clerk, policy.uuid)
    assert policy_queries.get_policy_for_user(mfoundi_clerk, policy.uuid) == policy


# --- one policy per health programme ----------------------------------------------------------


def test_vih_soins_over_an_active_vih_test_needs_confirmation_then_ends_vih_test_the_day_before(
    enrolment, mfoundi_clerk
):
    test = attach(mfoundi_clerk, enrolment, enrolment.vih_test, enroll_date=date(2026, 3, 1))
    test = test.policy
    assert test.status == PolicyStatus.ACTIVE and test.expiry_date == date(2026, 5, 31)

    with pytest.raises(Refused) as refused:
        attach(mfoundi_clerk, enrolment, enrolment.vih_soins)
    assert refused.value.code == "confirm_replace"
    assert "VIH_Test" in refused.value.message
    assert Policy.objects.count() == 1

    result = attach(mfoundi_clerk, enrolment, enrolment.vih_soins, confirm_replace=True)
    assert result.policy.status == PolicyStatus.ACTIVE
    test.refresh_from_db()
    assert test.expiry_date == date(2026, 3, 14)
    # Its coverage ended yesterday: it is expired at once (rules.expire), with history.
    assert test.status == PolicyStatus.EXPIRED
    assert result.ended == [test]
    assert set(InsureePolicy.objects.filter(policy=test).values_list("expiry_date", flat=True)) == {
        date(2026, 3, 14)
    }
    latest = test.history.order_by("-history_id").first()
    assert latest.history_user == mfoundi_clerk and "VIH_Soins" in latest.history_change_reason
    row = InsureePolicy.objects.filter(policy=test).first()
    assert row.history.count() == 2


def test_the_same_package_twice_over_overlapping_dates_is_refused(enrolment, mfoundi_clerk):
    attach(mfoundi_clerk, enrolment, enrolment.vih_soins, enroll_date=date(2026, 1, 10))
    with pytest.raises(Refused) as refused:
        attach(mfoundi_clerk, enrolment, enrolment.vih_soins, confirm_replace=True)
    assert refused.value.field == "product" and "already holds" in refused.value.message
    assert Policy.objects.count() == 1


def test_a_programme_policy_that_has_expired_does_not_need_confirmation(enrolment, mfoundi_clerk):
    attach(mfoundi_clerk, enrolment, enrolment.vih_test, enroll_date=date(2026, 1, 2))
    assert expiry_services.expire_policies(today=date(2026, 4, 3)) == 1
    result = attach(mfoundi_clerk, enrolment, enrolment.vih_soins)
    assert result.ended == []


# --- update, suspend, members changed, renew ----------------------------------------------------


def test_only_an_idle_policy_can_be_changed(enrolment, mfoundi_clerk):
    idle = attach(mfoundi_clerk, enrolment, enrolment.mut).policy
    changed = policy_services.policy_update(
        actor=mfoundi_clerk,
        policy=idle,
        enroll_date=date(2026, 3, 1),
        product=enrolment.mut,
        officer=enrolment.officer,
        today=TODAY,
    ).policy
    assert (changed.start_date, changed.expiry_date) == (date(2026, 3, 1), date(2027, 2, 28))
    assert set(InsureePolicy.objects.filter(policy=idle).values_list("start_date", flat=True)) == {
        date(2026, 3, 1)
    }
    other = make_family(enrolment.family.village, ("Alice", date(1990, 1, 1), None))
    active = attach(mfoundi_clerk, enrolment, enrolment.vih_soins, family=other).policy
    with pytest.raises(Refused):
        policy_services.policy_update(
            actor=mfoundi_clerk,
            policy=active,
            enroll_date=TODAY,
            product=enrolment.vih_soins,
            officer=enrolment.officer,
            today=TODAY,
        )


def test_a_policy_can_be_suspended_by_hand_but_not_twice(enrolment, mfoundi_clerk):
    policy = attach(mfoundi_clerk, enrolment, enrolment.vih_soins).policy
    policy = policy_services.policy_suspend(actor=mfoundi_clerk, policy=policy)
    assert policy.status == PolicyStatus.SUSPENDED
    assert policy.history.order_by("-history_id").first().history_change_reason == "Suspended"
    with pytest.raises(Refused):
        policy_services.policy_suspend(actor=mfoundi_clerk, policy=policy)


def test_the_value_of_an_idle_policy_follows_the_members(enrolment, mfoundi_clerk):
    family = make_family(
        enrolment.family.village,
        ("Jean", date(1980, 5, 1), None),
        ("Paul", date(2012, 1, 1), 4),
    )
    policy = attach(mfoundi_clerk, enrolment, enrolment.mut, family=family).policy
    assert policy.value == Decimal("7000.00")
    from kinga.insurees.models import Insuree

    Insuree.objects.create(
        family=family,
        insurance_number="200000001",
        last_name="Mballa",
        other_names="Anne",
        dob=date(1984, 1, 1),
        gender="F",
        relationship=8,
    )
    policy = policy_services.members_changed(actor=mfoundi_clerk, policy=policy, today=TODAY)
    assert policy.value == Decimal("12000.00")
    assert InsureePolicy.objects.filter(policy=policy, retired_at__isnull=True).count() == 3


def test_a_renewal_starts_the_day_after_the_previous_expiry_with_stage_r(enrolment, mfoundi_clerk):
    old = attach(mfoundi_clerk, enrolment, enrolment.vih_test, enroll_date=date(2026, 1, 2))
    old = old.policy
    renewal = policy_services.policy_renew(
        actor=mfoundi_clerk,
        policy=old,
        enroll_date=date(2026, 3, 20),
        officer=enrolment.officer,
        today=date(2026, 3, 20),
    ).policy
    assert renewal.stage == rules.RENEWAL and renewal.previous == old
    assert (renewal.start_date, renewal.expiry_date) == (date(2026, 4, 2), date(2026, 7, 1))
    with pytest.raises(Refused):
        policy_services.policy_renew(
            actor=mfoundi_clerk,
            policy=old,
            enroll_date=date(2026, 3, 20),
            officer=enrolment.officer,
            today=date(2026, 3, 20),
        )


# --- the expiry job ---------------------------------------------------------------------------


def test_the_expiry_job_expires_past_policies_with_a_history_row_and_is_idempotent(
    enrolment, mfoundi_clerk
):
    past = attach(mfoundi_clerk, enrolment, enrolment.vih_test, enroll_date=date(2026, 1, 2))
    past = past.policy  # expires 2026-04-01
    other = make_family(enrolment.family.village, ("Alice", date(1990, 1, 1), None))
    current = attach(mfoundi_clerk, enrolment, enrolment.vih_soins, family=other).policy
    idle = attach(mfoundi_clerk, enrolment, enrolment.mut, enroll_date=date(2026, 1, 5)).policy

    out = StringIO()
    call_command("expire_policies", "--today", "2026-04-02", stdout=out)
    assert out.getvalue().strip() == "1 policies expired."
    past.refresh_from_db()
    current.refresh_from_db()
    idle.refresh_from_db()
    assert past.status == PolicyStatus.EXPIRED
    assert current.status == PolicyStatus.ACTIVE and idle.status == PolicyStatus.IDLE
    latest = past.history.order_by("-history_id").first()
    assert latest.status == PolicyStatus.EXPIRED and latest.history_type == "~"
    assert latest.history_change_reason == "Expired"

    out = StringIO()
    call_command("expire_policies", "--today", "2026-04-02", stdout=out)
    assert out.getvalue().strip() == "0 policies expired."
    assert past.history.count() == 2

    # A year later, the idle one (expired 2027-01-04) and the free one go too.
    assert expiry_services.expire_policies(today=date(2027, 3, 15)) == 2
    assert not Policy.objects.exclude(status=PolicyStatus.EXPIRED).exists()


def test_the_expiry_date_itself_is_still_covered(enrolment, mfoundi_clerk):
    attach(mfoundi_clerk, enrolment, enrolment.vih_test, enroll_date=date(2026, 1, 2))
    assert expiry_services.expire_policies(today=date(2026, 4, 1)) == 0
    assert expiry_services.expire_policies(today=date(2026, 4, 2)) == 1


# --- same-day replacement: the later policy is cancelled -------------------------------------


@pytest.mark.parametrize(
    "test_start", [TODAY, date(2026, 3, 20)], ids=["same day", "starting later"]
)
def test_a_programme_policy_starting_on_or_after_the_new_start_is_cancelled_once_confirmed(
    enrolment, mfoundi_clerk, test_start
):
    test = attach(mfoundi_clerk, enrolment, enrolment.vih_test, start_date=test_start).policy
    rows = list(InsureePolicy.objects.filter(policy=test))
    assert len(rows) == 4

    preview = policy_services.policy_preview(
        actor=mfoundi_clerk,
        family=enrolment.family,
        product=enrolment.vih_soins,
        enroll_date=TODAY,
        today=TODAY,
    )
    assert preview.replaces == [test]
    assert "VIH_Test" in preview.warnings[0] and "will be cancelled" in preview.warnings[0]
    with pytest.raises(Refused) as refused:
        attach(mfoundi_clerk, enrolment, enrolment.vih_soins)
    assert refused.value.code == "confirm_replace"
    assert "will be cancelled" in refused.value.message
    assert "will end" not in refused.value.message

    result = attach(mfoundi_clerk, enrolment, enrolment.vih_soins, confirm_replace=True)
    assert result.policy.status == PolicyStatus.ACTIVE
    assert result.cancelled == [test] and result.ended == []
    test.refresh_from_db()
    # Soft delete: the row is kept, retired, with its dates untouched.
    assert test.retired_at is not None and test.start_date == test_start
    assert list(policy_queries.policies_of_family(mfoundi_clerk, enrolment.family)) == [
        result.policy
    ]
    assert not InsureePolicy.objects.filter(policy=test, retired_at__isnull=True).exists()
    assert InsureePolicy.objects.filter(policy=test).count() == 4
    jean = enrolment.family.head
    assert [r.policy for r in policy_queries.insuree_policies(jean)] == [result.policy]
    latest = test.history.order_by("-history_id").first()
    assert latest.history_user == mfoundi_clerk
    assert latest.history_change_reason == "Replaced by VIH_Soins from 15/03/2026"
    row = InsureePolicy.objects.filter(policy=test).first()
    assert (
        row.history.order_by("-history_id")
        .first()
        .history_change_reason.startswith("Replaced by VIH_Soins")
    )


def test_a_programme_policy_with_contributions_is_not_cancelled(enrolment, mfoundi_clerk):
    from .conftest import make_product

    plus = make_product(
        "VIH_Plus", programme=enrolment.vih, insurance_period=3, premium_adult=Decimal(1000)
    )
    paid = attach(mfoundi_clerk, enrolment, plus).policy
    pay(mfoundi_clerk, paid, 500, "R-1", pay_date=TODAY, today=TODAY)
    with pytest.raises(Refused) as refused:
        policy_services.policy_preview(
            actor=mfoundi_clerk,
            family=enrolment.family,
            product=enrolment.vih_soins,
            enroll_date=TODAY,
            today=TODAY,
        )
    assert "VIH_Plus" in refused.value.message
    with pytest.raises(Refused) as refused:
        attach(mfoundi_clerk, enrolment, enrolment.vih_soins, confirm_replace=True)
    assert refused.value.field == "start_date"
    assert "VIH_Plus" in refused.value.message and "contributions" in refused.value.message
    assert Policy.objects.count() == 1
    paid.refresh_from_db()
    assert paid.retired_at is None
    assert InsureePolicy.objects.filter(policy=paid, retired_at__isnull=True).count() == 4


def test_a_programme_policy_whose_contributions_were_deleted_can_be_cancelled(
    enrolment, mfoundi_clerk
):
    from .conftest import make_product

    plus = make_product(
        "VIH_Plus", programme=enrolment.vih, insurance_period=3, premium_adult=Decimal(1000)
    )
    paid = attach(mfoundi_clerk, enrolment, plus).policy
    contribution = pay(mfoundi_clerk, paid, 500, "R-1", pay_date=TODAY, today=TODAY).contribution
    contribution_services.contribution_retire(actor=mfoundi_clerk, contribution=contribution)
    result = attach(mfoundi_clerk, enrolment, enrolment.vih_soins, confirm_replace=True)
    assert result.cancelled == [paid]


def test_an_older_and_a_later_programme_policy_are_ended_and_cancelled_together(
    enrolment, mfoundi_clerk
):
    """VIH_Test in force since 1 March ends on 14 March; VIH_Test2, attached to start on 1 June
    after it, is cancelled by VIH_Soins from 15 March."""
    from .conftest import make_product

    test2 = make_product("VIH_Test2", programme=enrolment.vih, insurance_period=3)
    older = attach(mfoundi_clerk, enrolment, enrolment.vih_test, enroll_date=date(2026, 3, 1))
    later = policy_services.policy_attach(
        actor=mfoundi_clerk,
        family=enrolment.family,
        product=test2,
        enroll_date=TODAY,
        start_date=date(2026, 6, 1),
        officer=enrolment.officer,
        today=TODAY,
    )
    result = attach(mfoundi_clerk, enrolment, enrolment.vih_soins, confirm_replace=True)
    assert result.ended == [older.policy] and result.cancelled == [later.policy]
    older.policy.refresh_from_db()
    later.policy.refresh_from_db()
    assert older.policy.expiry_date == date(2026, 3, 14) and older.policy.retired_at is None
    assert later.policy.retired_at is not None
