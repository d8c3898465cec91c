"""Contributions: full, partial, enforced, late and photo-fee payments, receipts unique per
product, over-payment, payers of the family's location, district scope; changing and deleting
a contribution (only what the policy's status does not rest on once it is no longer idle)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from kinga.core.errors import Refused
from kinga.core.models import Role
from kinga.policies import rules
from kinga.policies.models import Contribution, InsureePolicy, Payer, PolicyStatus
from kinga.policies.services import contributions as contribution_services
from kinga.policies.services import policies as policy_services

from .conftest import TODAY, make_family

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def idle(enrolment, mfoundi_clerk):
    """An Idle MUT policy of the Mballa family enrolled on 1 March 2026: value 12,000, to be
    paid by 31 March 2026, 3 instalments at most."""
    return policy_services.policy_attach(
        actor=mfoundi_clerk,
        family=enrolment.family,
        product=enrolment.mut,
        enroll_date=date(2026, 3, 1),
        officer=enrolment.officer,
        today=TODAY,
    ).policy


def pay(actor, policy, amount, receipt="R-1", pay_date=TODAY, **over):
    values = {
        "policy": policy,
        "payer": None,
        "amount": Decimal(amount),
        "receipt": receipt,
        "pay_date": pay_date,
        "pay_type": "C",
        "today": TODAY,
    }
    values.update(over)
    return contribution_services.contribution_add(actor=actor, **values)


def rows(policy):
    return InsureePolicy.objects.filter(policy=policy, retired_at__isnull=True)


def test_a_full_payment_activates_from_the_later_of_pay_date_and_start_date(idle, mfoundi_clerk):
    assert idle.value == Decimal("12000.00") and idle.start_date == date(2026, 3, 1)
    result = pay(mfoundi_clerk, idle, 12000, pay_date=date(2026, 3, 10))
    policy = result.policy
    assert policy.status == PolicyStatus.ACTIVE and policy.effective_date == date(2026, 3, 10)
    assert result.outcome.activated and result.check.choices == ()
    assert {r.effective_date for r in rows(policy)} == {date(2026, 3, 10)}
    assert result.contribution.history.get().history_user == mfoundi_clerk
    assert policy.history.order_by("-history_id").first().history_user == mfoundi_clerk


def test_a_payment_before_the_start_date_activates_from_the_start_date(enrolment, mfoundi_clerk):
    policy = policy_services.policy_attach(
        actor=mfoundi_clerk,
        family=enrolment.family,
        product=enrolment.mut,
        enroll_date=TODAY,
        start_date=date(2026, 4, 1),
        officer=enrolment.officer,
        today=TODAY,
    ).policy
    policy = pay(mfoundi_clerk, policy, 12000).policy
    assert policy.effective_date == date(2026, 4, 1)


def test_a_partial_payment_asks_the_user_and_nothing_is_saved_before_he_answers(
    idle, mfoundi_clerk
):
    with pytest.raises(contribution_services.ChoiceNeeded) as needed:
        pay(mfoundi_clerk, idle, 5000)
    assert needed.value.choices == (rules.Action.WAIT, rules.Action.ENFORCE)
    assert needed.value.field == "action" and "7000" in needed.value.message
    assert not Contribution.objects.exists()


def test_a_partial_payment_with_wait_leaves_the_policy_idle(idle, mfoundi_clerk):
    result = pay(mfoundi_clerk, idle, 5000, action="wait")
    assert result.policy.status == PolicyStatus.IDLE and result.policy.effective_date is None
    assert {r.effective_date for r in rows(idle)} == {None}
    assert "7000" in result.messages[0]
    # The second instalment completes the payment and activates the policy.
    result = pay(mfoundi_clerk, idle, 7000, receipt="R-2", pay_date=date(2026, 3, 12))
    assert result.policy.status == PolicyStatus.ACTIVE
    assert result.policy.effective_date == date(2026, 3, 12)


def test_an_enforced_partial_payment_activates(idle, mfoundi_clerk):
    result = pay(mfoundi_clerk, idle, 5000, action=rules.Action.ENFORCE)
    assert result.policy.status == PolicyStatus.ACTIVE
    assert result.policy.effective_date == TODAY
    assert {r.effective_date for r in rows(idle)} == {TODAY}


def test_a_late_partial_payment_offers_wait_suspend_and_enforce(idle, mfoundi_clerk):
    late = date(2026, 4, 2)
    with pytest.raises(contribution_services.ChoiceNeeded) as needed:
        pay(mfoundi_clerk, idle, 5000, pay_date=late, today=late)
    assert needed.value.choices == (
        rules.Action.WAIT,
        rules.Action.SUSPEND,
        rules.Action.ENFORCE,
    )
    result = pay(mfoundi_clerk, idle, 5000, pay_date=late, today=late, action="suspend")
    assert result.policy.status == PolicyStatus.SUSPENDED


def test_suspend_is_not_offered_for_a_partial_payment_on_time(idle, mfoundi_clerk):
    with pytest.raises(Refused) as refused:
        pay(mfoundi_clerk, idle, 5000, action="suspend")
    assert refused.value.field == "action"


def test_the_last_instalment_allowed_offers_suspend(idle, mfoundi_clerk):
    pay(mfoundi_clerk, idle, 1000, receipt="R-1", action="wait")
    pay(mfoundi_clerk, idle, 1000, receipt="R-2", action="wait")
    with pytest.raises(contribution_services.ChoiceNeeded) as needed:
        pay(mfoundi_clerk, idle, 1000, receipt="R-3")
    assert rules.Action.SUSPEND in needed.value.choices
    assert needed.value.check.last_instalment


def test_a_photo_fee_never_counts_towards_the_value(idle, mfoundi_clerk):
    result = pay(mfoundi_clerk, idle, 12000, receipt="P-1", is_photo_fee=True)
    assert result.policy.status == PolicyStatus.IDLE
    assert result.contribution.is_photo_fee
    with pytest.raises(contribution_services.ChoiceNeeded):
        pay(mfoundi_clerk, idle, 6000, receipt="R-1")
    assert pay(mfoundi_clerk, idle, 12000, receipt="R-1").policy.status == PolicyStatus.ACTIVE


def test_a_receipt_used_for_the_same_product_is_refused(enrolment, idle, mfoundi_clerk):
    pay(mfoundi_clerk, idle, 12000, receipt="RC-42")
    other = make_family(enrolment.family.village, ("Alice", date(1990, 1, 1), None))
    policy = policy_services.policy_attach(
        actor=mfoundi_clerk,
        family=other,
        product=enrolment.mut,
        enroll_date=TODAY,
        officer=enrolment.officer,
        today=TODAY,
    ).policy
    with pytest.raises(Refused) as refused:
        pay(mfoundi_clerk, policy, 5000, receipt=" RC-42 ")
    assert refused.value.field == "receipt" and "MUT" in refused.value.message
    assert Contribution.objects.count() == 1


def test_the_same_receipt_is_accepted_for_another_product(enrolment, idle, mfoundi_clerk, world):
    from .conftest import make_product

    other_product = make_product("MUT2", premium_adult=Decimal(1000))
    pay(mfoundi_clerk, idle, 12000, receipt="RC-42")
    other = make_family(enrolment.family.village, ("Alice", date(1990, 1, 1), None))
    policy = policy_services.policy_attach(
        actor=mfoundi_clerk,
        family=other,
        product=other_product,
        enroll_date=TODAY,
        officer=enrolment.officer,
        today=TODAY,
    ).policy
    assert pay(mfoundi_clerk, policy, 1000, receipt="RC-42").policy.status == PolicyStatus.ACTIVE


def test_an_over_payment_is_accepted_with_a_message(idle, mfoundi_clerk):
    with pytest.raises(contribution_services.OverpaymentToConfirm, match="3000.00"):
        pay(mfoundi_clerk, idle, 15000)
    assert not Contribution.objects.exists()
    result = pay(mfoundi_clerk, idle, 15000, confirm_overpayment=True)
    assert result.policy.status == PolicyStatus.ACTIVE
    assert result.outcome.overpaid and result.outcome.surplus == Decimal(3000)
    assert any("Over-payment of 3000" in m for m in result.messages)


def test_bad_amounts_dates_and_pay_types_are_refused(idle, mfoundi_clerk):
    for over, field in [
        ({"amount": Decimal(0)}, "amount"),
        ({"amount": Decimal("-5")}, "amount"),
        ({"amount": Decimal("10.001")}, "amount"),
        ({"amount": Decimal("1e30")}, "amount"),  # past decimal(18, 2): not a DataError
        ({"amount": Decimal("10000000000000000")}, "amount"),
        ({"pay_date": date(2026, 3, 16)}, "pay_date"),
        ({"pay_type": "X"}, "pay_type"),
        ({"receipt": "  "}, "receipt"),
    ]:
        values = {"amount": Decimal(12000), **over}
        with pytest.raises(Refused) as refused:
            pay(mfoundi_clerk, idle, **values)
        assert refused.value.field == field, over
    assert not Contribution.objects.exists()


def test_the_payer_must_pay_for_the_familys_location(idle, mfoundi_clerk, world):
    wouri = Payer.objects.create(type="P", name="Port autonome de Douala", location=world.wouri)
    mfoundi = Payer.objects.create(type="L", name="Commune de Yaoundé I", location=world.mfoundi)
    with pytest.raises(Refused) as refused:
        pay(mfoundi_clerk, idle, 12000, payer=wouri)
    assert refused.value.field == "payer"
    result = pay(mfoundi_clerk, idle, 12000, payer=mfoundi, pay_type="B")
    assert result.contribution.payer == mfoundi


def test_a_contribution_outside_the_users_districts_is_refused(idle, other_district_clerk):
    with pytest.raises(PermissionDenied):
        pay(other_district_clerk, idle, 12000)


# --- changing a contribution ----------------------------------------------------------------


def change(actor, contribution, **values):
    return contribution_services.contribution_update(
        actor=actor, contribution=contribution, today=values.pop("today", TODAY), **values
    )


def current(policy):
    return list(Contribution.objects.filter(policy=policy, retired_at__isnull=True))


def test_changing_a_partial_payment_to_the_full_amount_activates_the_policy(idle, mfoundi_clerk):
    first = pay(mfoundi_clerk, idle, 5000, pay_date=date(2026, 3, 10), action="wait")
    result = change(mfoundi_clerk, first.contribution, amount=Decimal(12000))
    assert result.contribution.amount == Decimal(12000)
    policy = result.policy
    assert policy.status == PolicyStatus.ACTIVE and policy.effective_date == date(2026, 3, 10)
    assert {r.effective_date for r in rows(policy)} == {date(2026, 3, 10)}
    latest = result.contribution.history.order_by("-history_id").first()
    assert latest.history_user == mfoundi_clerk and latest.history_change_reason == "Changed"
    assert latest.amount == Decimal(12000)
    assert policy.history.order_by("-history_id").first().history_user == mfoundi_clerk


def test_a_changed_amount_that_still_does_not_pay_in_full_asks_the_user(idle, mfoundi_clerk):
    first = pay(mfoundi_clerk, idle, 5000, action="wait").contribution
    with pytest.raises(contribution_services.ChoiceNeeded) as needed:
        change(mfoundi_clerk, first, amount=Decimal(6000))
    assert needed.value.choices == (rules.Action.WAIT, rules.Action.ENFORCE)
    assert "6000" in needed.value.message
    first.refresh_from_db()
    assert first.amount == Decimal(5000)
    result = change(mfoundi_clerk, first, amount=Decimal(6000), action="enforce")
    assert result.policy.status == PolicyStatus.ACTIVE and result.policy.effective_date == TODAY


def test_a_changed_pay_date_after_the_last_date_offers_suspend(idle, mfoundi_clerk):
    later = date(2026, 4, 2)
    first = pay(mfoundi_clerk, idle, 5000, action="wait").contribution
    with pytest.raises(contribution_services.ChoiceNeeded) as needed:
        change(mfoundi_clerk, first, pay_date=later, today=later)
    assert rules.Action.SUSPEND in needed.value.choices and needed.value.check.late
    result = change(mfoundi_clerk, first, pay_date=later, today=later, action="suspend")
    assert result.policy.status == PolicyStatus.SUSPENDED
    assert result.contribution.pay_date == later


def test_correcting_only_the_receipt_of_a_partial_payment_asks_nothing(idle, mfoundi_clerk):
    first = pay(mfoundi_clerk, idle, 5000, action="wait").contribution
    result = change(mfoundi_clerk, first, receipt="  R-1b ")
    assert result.contribution.receipt == "R-1b"
    assert result.policy.status == PolicyStatus.IDLE


def test_a_receipt_used_by_another_contribution_of_the_product_is_refused_on_change(
    idle, mfoundi_clerk
):
    pay(mfoundi_clerk, idle, 1000, receipt="R-1", action="wait")
    second = pay(mfoundi_clerk, idle, 1000, receipt="R-2", action="wait").contribution
    with pytest.raises(Refused) as refused:
        change(mfoundi_clerk, second, receipt="R-1")
    assert refused.value.field == "receipt" and "R-1" in refused.value.message
    second.refresh_from_db()
    assert second.receipt == "R-2"
    # Its own receipt is not a duplicate of itself.
    assert change(mfoundi_clerk, second, receipt="R-2", pay_type="B").contribution.pay_type == "B"


def test_an_active_policy_locks_amount_date_and_category_but_not_the_receipt(idle, mfoundi_clerk):
    full = pay(mfoundi_clerk, idle, 12000, pay_date=date(2026, 3, 10)).contribution
    for values, field in [
        ({"amount": Decimal(11000)}, "amount"),
        ({"pay_date": date(2026, 3, 11)}, "pay_date"),
        ({"is_photo_fee": True}, "is_photo_fee"),
    ]:
        with pytest.raises(Refused) as refused:
            change(mfoundi_clerk, full, **values)
        assert refused.value.field == field
        assert "active" in refused.value.message and "idle" in refused.value.message
    result = change(mfoundi_clerk, full, receipt="RC-10", pay_type="M", amount=Decimal(12000))
    assert (result.contribution.receipt, result.contribution.pay_type) == ("RC-10", "M")
    idle.refresh_from_db()
    assert idle.status == PolicyStatus.ACTIVE and idle.effective_date == date(2026, 3, 10)


def test_a_photo_fee_may_be_changed_on_an_active_policy_but_not_made_a_contribution(
    idle, mfoundi_clerk
):
    pay(mfoundi_clerk, idle, 12000)
    fee = pay(mfoundi_clerk, idle, 500, receipt="P-1", is_photo_fee=True).contribution
    assert change(mfoundi_clerk, fee, amount=Decimal(700)).contribution.amount == Decimal(700)
    with pytest.raises(Refused) as refused:
        change(mfoundi_clerk, fee, is_photo_fee=False)
    assert refused.value.field == "is_photo_fee"


def test_turning_a_photo_fee_into_a_contribution_of_an_idle_policy_counts_it(idle, mfoundi_clerk):
    fee = pay(mfoundi_clerk, idle, 12000, receipt="P-1", is_photo_fee=True).contribution
    assert fee.policy.status == PolicyStatus.IDLE
    result = change(mfoundi_clerk, fee, is_photo_fee=False)
    assert result.policy.status == PolicyStatus.ACTIVE


def test_a_changed_payer_must_pay_for_the_familys_location_but_a_retired_one_is_kept(
    idle, mfoundi_clerk, world
):
    wouri = Payer.objects.create(type="P", name="Port autonome de Douala", location=world.wouri)
    mfoundi = Payer.objects.create(type="L", name="Commune de Yaoundé I", location=world.mfoundi)
    paid = pay(mfoundi_clerk, idle, 12000, payer=mfoundi).contribution
    with pytest.raises(Refused) as refused:
        change(mfoundi_clerk, paid, payer=wouri)
    assert refused.value.field == "payer"
    mfoundi.retired_at = timezone.now()
    mfoundi.save()
    result = change(mfoundi_clerk, paid, payer=mfoundi, receipt="R-1b")
    assert result.contribution.payer == mfoundi and result.contribution.receipt == "R-1b"


def test_changing_needs_the_edit_right_and_the_familys_district(
    idle, mfoundi_clerk, other_district_clerk, world
):
    from ..conftest import make_user

    paid = pay(mfoundi_clerk, idle, 5000, action="wait").contribution
    cashier = make_user(
        "cashier.mfoundi",
        roles=[Role.objects.create(name="Cashier", rights=[101201, 101301, 101302])],
        districts=[world.mfoundi],
    )
    for user in (cashier, other_district_clerk):
        with pytest.raises(PermissionDenied):
            change(user, paid, receipt="X-1")
        with pytest.raises(PermissionDenied):
            contribution_services.contribution_retire(actor=user, contribution=paid)
    paid.refresh_from_db()
    assert paid.receipt == "R-1" and paid.retired_at is None


# --- deleting a contribution ----------------------------------------------------------------


def test_deleting_a_contribution_of_an_idle_policy_retires_it_and_frees_its_receipt(
    idle, mfoundi_clerk
):
    first = pay(mfoundi_clerk, idle, 5000, action="wait").contribution
    deleted = contribution_services.contribution_retire(actor=mfoundi_clerk, contribution=first)
    assert deleted.retired_at is not None
    assert Contribution.objects.filter(pk=first.pk).exists()  # soft delete
    assert current(idle) == []
    latest = first.history.order_by("-history_id").first()
    assert latest.history_user == mfoundi_clerk and latest.history_change_reason == "Deleted"
    idle.refresh_from_db()
    assert idle.status == PolicyStatus.IDLE
    # The balance is the whole value again, and the receipt may be used again.
    with pytest.raises(contribution_services.ChoiceNeeded) as needed:
        pay(mfoundi_clerk, idle, 7000, receipt="R-1")
    assert "5000" in needed.value.message
    assert pay(mfoundi_clerk, idle, 12000, receipt="R-1").policy.status == PolicyStatus.ACTIVE


def test_a_contribution_of_an_active_policy_cannot_be_deleted(idle, mfoundi_clerk):
    full = pay(mfoundi_clerk, idle, 12000).contribution
    with pytest.raises(Refused) as refused:
        contribution_services.contribution_retire(actor=mfoundi_clerk, contribution=full)
    assert "active" in refused.value.message and "idle" in refused.value.message
    assert current(idle) == [full]
    idle.refresh_from_db()
    assert idle.status == PolicyStatus.ACTIVE


def test_a_contribution_of_a_suspended_policy_cannot_be_deleted(idle, mfoundi_clerk):
    later = date(2026, 4, 2)
    late = pay(mfoundi_clerk, idle, 5000, pay_date=later, today=later, action="suspend")
    with pytest.raises(Refused) as refused:
        contribution_services.contribution_retire(
            actor=mfoundi_clerk, contribution=late.contribution
        )
    assert "suspended" in refused.value.message


def test_a_photo_fee_of_an_active_policy_may_be_deleted(idle, mfoundi_clerk):
    full = pay(mfoundi_clerk, idle, 12000).contribution
    fee = pay(mfoundi_clerk, idle, 500, receipt="P-1", is_photo_fee=True).contribution
    contribution_services.contribution_retire(actor=mfoundi_clerk, contribution=fee)
    assert current(idle) == [full]
    idle.refresh_from_db()
    assert idle.status == PolicyStatus.ACTIVE


def test_a_deleted_contribution_can_be_neither_changed_nor_deleted_again(idle, mfoundi_clerk):
    first = pay(mfoundi_clerk, idle, 5000, action="wait").contribution
    contribution_services.contribution_retire(actor=mfoundi_clerk, contribution=first)
    with pytest.raises(Refused):
        change(mfoundi_clerk, first, receipt="R-9")
    with pytest.raises(Refused):
        contribution_services.contribution_retire(actor=mfoundi_clerk, contribution=first)
    assert first.history.count() == 2
