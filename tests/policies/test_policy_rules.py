"""The pure rules of policies and contributions (spec registers §9–§11.1, decisions 1–16).

The worked examples are openIMIS's `policy/tests/test_values.py` (summarised in spec §9.3/§9.4);
the invariants are checked with hypothesis.  No database."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

from hypothesis import assume, given
from hypothesis import strategies as st

from kinga.policies import rules
from kinga.policies.rules import (
    NEW,
    RENEWAL,
    Action,
    Contribution,
    Member,
    ProductTerms,
)
from kinga.policies.status import PolicyStatus as Status

D = Decimal
HEAD = Member(dob=date(1985, 5, 5), relationship=None, joined_on=date(2019, 1, 1))
SPOUSE = Member(dob=date(1989, 9, 9), relationship=8, joined_on=date(2019, 1, 2))
CHILD = Member(dob=date(2010, 5, 5), relationship=4, joined_on=date(2019, 1, 3))


def adult(joined: int, relationship=None) -> Member:
    return Member(dob=date(1980, 1, 1), relationship=relationship, joined_on=date(2019, 1, joined))


def child(joined: int, relationship=None) -> Member:
    return Member(dob=date(2015, 1, 1), relationship=relationship, joined_on=date(2019, 1, joined))


# --- openIMIS's worked examples (test_values.py) ----------------------------------------------

SIMPLE = ProductTerms(
    max_members=5,
    premium_adult=D(300),
    premium_child=D(200),
    registration_lump_sum=D(250),
    general_assembly_lump_sum=D(130),
    insurance_period=12,
)
LUMP_AND_CYCLES = ProductTerms(
    max_members=5,
    lump_sum=D(200),
    threshold=2,
    grace_period_enrolment=1,
    start_cycles=("01-01", "01-06"),
    premium_adult=D(300),
    premium_child=D(200),
    registration_fee=D(10),
    general_assembly_fee=D(5),
    insurance_period=12,
)
ADMIN_AND_CAP = ProductTerms(
    max_members=2,
    administration_period=1,
    lump_sum=D(200),
    threshold=1,
    grace_period_enrolment=1,
    start_cycles=("01-01", "01-06"),
    premium_adult=D(300),
    premium_child=D(200),
    registration_fee=D(10),
    general_assembly_fee=D(5),
    insurance_period=6,
)


def test_a_free_product_runs_from_the_enrolment_date_for_its_insurance_period():
    assert rules.policy_period(SIMPLE, date(2020, 11, 10)) == (
        date(2020, 11, 10),
        date(2021, 11, 9),
    )
    assert rules.policy_period(SIMPLE, date(2020, 11, 1)) == (date(2020, 11, 1), date(2021, 10, 31))


def test_two_adults_pay_their_premiums_and_the_registration_and_assembly_lump_sums():
    assert rules.policy_value(SIMPLE, [HEAD, SPOUSE], date(2020, 11, 10)) == D(980)


def test_a_child_adds_the_child_premium():
    assert rules.policy_value(SIMPLE, [HEAD, SPOUSE, CHILD], date(2020, 11, 1)) == D(1180)


def test_a_cycle_product_starts_at_the_next_cycle_after_the_grace_period():
    period = rules.policy_period(LUMP_AND_CYCLES, date(2020, 11, 10))
    assert period == (date(2021, 1, 1), date(2021, 12, 31))


def test_an_enrolment_inside_the_grace_period_joins_the_cycle_that_has_started():
    period = rules.policy_period(LUMP_AND_CYCLES, date(2021, 1, 11))
    assert period == (date(2021, 1, 1), date(2021, 12, 31))


def test_the_lump_sum_covers_the_threshold_and_fees_are_per_member():
    assert rules.policy_value(LUMP_AND_CYCLES, [HEAD, SPOUSE], date(2020, 11, 10)) == D(230)


def test_a_child_above_the_threshold_pays_the_child_premium():
    value = rules.policy_value(LUMP_AND_CYCLES, [HEAD, SPOUSE, CHILD], date(2021, 1, 11))
    assert value == D(445)  # 200 + 200 + 3 × 10 + 3 × 5


def test_the_administration_period_can_push_the_start_past_a_cycle_and_its_grace():
    period = rules.policy_period(ADMIN_AND_CAP, date(2021, 1, 10))
    assert period == (date(2021, 6, 1), date(2021, 11, 30))
    assert rules.policy_value(ADMIN_AND_CAP, [HEAD, SPOUSE], date(2021, 1, 10)) == D(530)


def test_a_member_above_the_maximum_is_not_counted():
    period = rules.policy_period(ADMIN_AND_CAP, date(2021, 12, 11))
    assert period == (date(2022, 1, 1), date(2022, 6, 30))
    family = [HEAD, SPOUSE, CHILD]
    assert rules.policy_value(ADMIN_AND_CAP, family, date(2021, 12, 11)) == D(530)
    covered, not_covered = rules.covered_members(family, 2)
    assert (covered, not_covered) == ([HEAD, SPOUSE], [CHILD])
    breakdown = rules.value_breakdown(ADMIN_AND_CAP, family, date(2021, 12, 11))
    assert breakdown.not_covered == (CHILD,)  # listed with a warning


# --- dates ------------------------------------------------------------------------------------

CYCLE_JAN = ProductTerms(start_cycles=("01-01",), grace_period_enrolment=1, insurance_period=12)


def test_a_cycle_is_open_until_its_start_plus_grace_months_minus_one_day():
    assert rules.policy_period(CYCLE_JAN, date(2021, 1, 31)).start_date == date(2021, 1, 1)
    assert rules.policy_period(CYCLE_JAN, date(2021, 2, 1)).start_date == date(2022, 1, 1)


def test_without_grace_a_cycle_is_closed_on_its_first_day():
    terms = ProductTerms(start_cycles=("01-01",), insurance_period=12)
    assert rules.policy_period(terms, date(2020, 12, 31)).start_date == date(2021, 1, 1)
    assert rules.policy_period(terms, date(2021, 1, 1)).start_date == date(2022, 1, 1)


def test_renewals_use_the_renewal_grace_period():
    terms = ProductTerms(
        start_cycles=("01-01", "01-07"),
        grace_period_enrolment=0,
        grace_period_renewal=2,
        administration_period=3,
        insurance_period=6,
    )
    renewal = rules.policy_period(terms, date(2021, 2, 15), RENEWAL, date(2020, 12, 31))
    assert renewal == (date(2021, 1, 1), date(2021, 6, 30))
    # a new policy: administration period, then no grace
    assert rules.policy_period(terms, date(2021, 2, 15)).start_date == date(2021, 7, 1)


def test_cycles_are_taken_in_date_order_whatever_their_numbering():
    terms = ProductTerms(start_cycles=("01-07", "01-01"), insurance_period=6)
    assert rules.policy_period(terms, date(2020, 12, 1)).start_date == date(2021, 1, 1)
    assert rules.policy_period(terms, date(2021, 3, 1)).start_date == date(2021, 7, 1)


def test_a_cycle_on_29_february_starts_on_28_february_in_common_years():
    terms = ProductTerms(start_cycles=("29-02",), insurance_period=12)
    assert rules.policy_period(terms, date(2022, 1, 10)).start_date == date(2022, 2, 28)
    assert rules.policy_period(terms, date(2024, 1, 10)).start_date == date(2024, 2, 29)


def test_expiry_of_a_month_end_start_follows_the_shorter_month():
    assert rules.expiry_date(date(2021, 1, 31), 1) == date(2021, 2, 27)
    assert rules.expiry_date(date(2024, 3, 1), 12) == date(2025, 2, 28)


def test_an_early_renewal_of_a_free_product_starts_the_day_after_the_previous_expiry():
    terms = ProductTerms(insurance_period=12, administration_period=2)
    early = rules.policy_period(terms, date(2021, 12, 1), RENEWAL, date(2021, 12, 31))
    assert early == (date(2022, 1, 1), date(2022, 12, 31))
    late = rules.policy_period(terms, date(2022, 2, 10), RENEWAL, date(2021, 12, 31))
    assert late == (date(2022, 2, 10), date(2023, 2, 9))  # no administration period


def test_an_early_renewal_of_a_cycle_product_looks_up_the_cycle_from_the_previous_expiry():
    terms = ProductTerms(
        start_cycles=("01-01", "01-07"), grace_period_renewal=1, insurance_period=6
    )
    renewal = rules.policy_period(terms, date(2021, 5, 20), RENEWAL, date(2021, 6, 30))
    assert renewal == (date(2021, 7, 1), date(2021, 12, 31))


def test_a_renewal_never_starts_before_the_previous_policy_has_expired():
    terms = ProductTerms(start_cycles=("01-06",), grace_period_renewal=2, insurance_period=12)
    renewal = rules.policy_period(terms, date(2021, 6, 5), RENEWAL, date(2021, 6, 14))
    assert renewal.start_date == date(2021, 6, 15)


def test_the_last_date_for_payment_of_a_cycle_product_is_the_start_plus_its_grace():
    terms = ProductTerms(start_cycles=("01-01",), grace_period_enrolment=1, grace_period_renewal=2)
    start = date(2021, 1, 1)
    assert rules.last_date_for_payment(terms, NEW, start, date(2020, 11, 10)) == date(2021, 1, 31)
    last = rules.last_date_for_payment(terms, RENEWAL, start, date(2020, 12, 1), date(2020, 12, 31))
    assert last == date(2021, 2, 28)


def test_the_last_date_for_payment_of_a_free_product_counts_from_the_enrolment():
    terms = ProductTerms(grace_period_payment=2)
    last = rules.last_date_for_payment(terms, NEW, date(2021, 3, 10), date(2021, 3, 10))
    assert last == date(2021, 5, 9)


def test_the_last_date_for_paying_a_renewal_counts_from_the_previous_expiry():
    terms = ProductTerms(grace_period_payment=1)
    last = rules.last_date_for_payment(
        terms, RENEWAL, date(2022, 1, 1), date(2021, 12, 1), previous_expiry=date(2021, 12, 31)
    )
    assert last == date(2022, 1, 31)  # not the new policy's expiry (decision 14)


def test_a_renewal_after_the_renewal_grace_is_late():
    terms = ProductTerms(grace_period_renewal=1)
    assert rules.last_renewal_date(date(2021, 12, 31), terms) == date(2022, 2, 1)
    assert not rules.is_renewal_late(date(2021, 12, 31), date(2022, 2, 1), terms)
    assert rules.is_renewal_late(date(2021, 12, 31), date(2022, 2, 2), terms)


# --- value --------------------------------------------------------------------------------------


def test_without_a_lump_sum_the_threshold_charges_nobody_twice():
    terms = ProductTerms(premium_adult=D(300), premium_child=D(200), threshold=1)
    family = [adult(1), adult(2), child(3)]
    assert rules.policy_value(terms, family, date(2021, 1, 1)) == D(800)


def test_children_fill_the_threshold_places_the_adults_left():
    terms = ProductTerms(lump_sum=D(1000), threshold=3, premium_adult=D(300), premium_child=D(200))
    family = [adult(1), child(2), child(3), child(4)]
    assert rules.policy_value(terms, family, date(2021, 1, 1)) == D(1200)


def test_others_always_pay_per_head_outside_the_lump_sum():
    terms = ProductTerms(lump_sum=D(1000), threshold=5, premium_adult=D(300), premium_child=D(200))
    family = [adult(1), adult(2, rules.OTHERS), child(3, rules.OTHERS)]
    assert rules.policy_value(terms, family, date(2021, 1, 1)) == D(1500)
    counts = rules.count_members(family, date(2021, 1, 1))
    assert counts == rules.MemberCounts(adults=1, children=0, other_adults=1, other_children=1)


def test_without_a_lump_sum_others_pay_their_premium_once():
    terms = ProductTerms(premium_adult=D(300), premium_child=D(200))
    family = [adult(1), adult(2, rules.OTHERS)]
    assert rules.policy_value(terms, family, date(2021, 1, 1)) == D(600)


def test_the_cap_keeps_the_first_members_to_join_whatever_the_order_given():
    late_adult = adult(9)
    early_child = Member(dob=date(2015, 1, 1), joined_on=date(2018, 12, 1))
    covered, not_covered = rules.covered_members([late_adult, HEAD, early_child], 2)
    assert covered == [early_child, HEAD] and not_covered == [late_adult]
    terms = ProductTerms(premium_adult=D(300), premium_child=D(200), max_members=2)
    value = rules.policy_value(terms, [late_adult, HEAD, early_child], date(2021, 1, 1))
    assert value == D(500)


def test_a_maximum_of_zero_means_no_cap():
    family = [adult(i) for i in range(1, 8)]
    assert rules.covered_members(family, 0) == (family, [])


def test_age_is_exact_on_the_enrolment_date():
    terms = ProductTerms(premium_adult=D(300), premium_child=D(200))
    turning_18 = Member(dob=date(2003, 3, 11), joined_on=date(2019, 1, 1))
    assert rules.policy_value(terms, [turning_18], date(2021, 3, 10)) == D(200)
    assert rules.policy_value(terms, [turning_18], date(2021, 3, 11)) == D(300)
    assert rules.policy_value(terms, [turning_18], date(2021, 3, 10), majority=16) == D(300)


def test_a_leap_day_baby_comes_of_age_on_1_march_in_common_years():
    assert rules.age_on(date(2004, 2, 29), date(2022, 2, 28)) == 17
    assert rules.is_adult(date(2004, 2, 29), date(2022, 3, 1))


def test_registration_is_charged_on_new_policies_only_and_assembly_on_both():
    terms = ProductTerms(premium_adult=D(100), registration_fee=D(10), general_assembly_fee=D(5))
    family = [adult(1), adult(2)]
    breakdown = rules.value_breakdown(terms, family, date(2021, 1, 1))
    assert (breakdown.registration, breakdown.general_assembly, breakdown.value) == (
        D(20),
        D(10),
        D(230),
    )
    renewal = rules.value_breakdown(terms, family, date(2021, 1, 1), RENEWAL, date(2021, 1, 5))
    assert (renewal.registration, renewal.value) == (D(0), D(210))


def test_a_fee_lump_sum_wins_over_the_fee_per_member():
    terms = ProductTerms(
        registration_lump_sum=D(50),
        registration_fee=D(10),
        general_assembly_lump_sum=D(7),
        general_assembly_fee=D(5),
    )
    assert rules.policy_value(terms, [adult(i) for i in range(1, 10)], date(2021, 1, 1)) == D(57)


def test_the_enrolment_discount_applies_to_early_enrolments_in_cycle_products():
    terms = ProductTerms(
        start_cycles=("01-01",),
        premium_adult=D(1000),
        enrolment_discount_perc=D(10),
        enrolment_discount_period=2,
    )
    assert rules.policy_value(terms, [HEAD], date(2020, 11, 1)) == D(900)
    assert rules.policy_value(terms, [HEAD], date(2020, 11, 2)) == D(1000)


def test_free_enrolment_products_give_no_enrolment_discount():
    terms = ProductTerms(premium_adult=D(1000), enrolment_discount_perc=D(10))
    assert rules.policy_value(terms, [HEAD], date(2020, 11, 1)) == D(1000)


def test_the_renewal_discount_counts_from_the_day_after_the_previous_expiry():
    terms = ProductTerms(
        premium_adult=D(1000), renewal_discount_perc=D(10), renewal_discount_period=1
    )
    previous = date(2021, 12, 31)
    assert rules.policy_value(terms, [HEAD], date(2021, 12, 1), RENEWAL, previous) == D(900)
    assert rules.policy_value(terms, [HEAD], date(2021, 12, 2), RENEWAL, previous) == D(1000)


def test_the_value_is_rounded_to_cents():
    terms = ProductTerms(
        premium_adult=D("333.33"), renewal_discount_perc=D("12.5"), renewal_discount_period=0
    )
    value = rules.policy_value(terms, [HEAD], date(2021, 12, 1), RENEWAL, date(2021, 12, 31))
    assert value == D("291.66")  # 333.33 − 41.66625


def test_terms_are_read_from_a_product_like_object_with_empty_fields_as_zero():
    product = SimpleNamespace(
        insurance_period=12,
        administration_period=0,
        max_members=3,
        threshold=0,
        lump_sum=None,
        premium_adult=D(300),
        premium_child=None,
        registration_lump_sum=None,
        registration_fee=None,
        general_assembly_lump_sum=None,
        general_assembly_fee=None,
        max_installments=2,
        grace_period_enrolment=1,
        grace_period_renewal=0,
        grace_period_payment=0,
        start_cycle_1="01-01",
        start_cycle_2="",
        start_cycle_3=" ",
        start_cycle_4=None,
        enrolment_discount_perc=None,
        enrolment_discount_period=None,
        renewal_discount_perc=D("5.00"),
        renewal_discount_period=None,
    )
    terms = ProductTerms.of(product)
    assert terms.start_cycles == ("01-01",) and terms.has_cycles
    assert terms.premium_child == D(0) and terms.enrolment_discount_period == 0
    assert terms.renewal_discount_perc == D(5)


def test_terms_are_read_from_an_unsaved_product():
    from kinga.products.models import Product

    product = Product(code="VIH_Soins", insurance_period=12, start_cycle_1="", premium_adult=None)
    terms = ProductTerms.of(product)
    assert terms.insurance_period == 12 and not terms.has_cycles
    assert rules.policy_value(terms, [HEAD], date(2026, 1, 5)) == D(0)


# --- contributions and statuses ---------------------------------------------------------------

START = date(2021, 1, 1)


def pay(value, paid, pay_date, **kw):
    kw.setdefault("status", Status.IDLE)
    return rules.status_after_payment(
        value=D(value), paid=D(paid), pay_date=pay_date, start_date=START, **kw
    )


def test_a_full_payment_before_the_start_activates_from_the_start_date():
    outcome = pay(1000, 1000, date(2020, 12, 10))
    assert (outcome.status, outcome.effective_date, outcome.activated) == (
        Status.ACTIVE,
        START,
        True,
    )


def test_a_full_payment_after_the_start_activates_from_the_pay_date():
    outcome = pay(1000, 1000, date(2021, 1, 20))
    assert (outcome.status, outcome.effective_date) == (Status.ACTIVE, date(2021, 1, 20))


def test_under_activation_option_3_a_full_payment_makes_the_policy_ready():
    outcome = pay(1000, 1000, date(2021, 1, 20), activation_option=3)
    assert outcome.status == Status.READY
    assert pay(1000, 1000, date(2021, 1, 20), activation_option=2).status == Status.ACTIVE


def test_a_partial_payment_leaves_the_policy_idle():
    for action in (None, Action.WAIT):
        outcome = pay(1000, 400, date(2021, 1, 20), action=action)
        assert (outcome.status, outcome.effective_date, outcome.activated) == (
            Status.IDLE,
            None,
            False,
        )


def test_an_enforced_partial_payment_activates():
    outcome = pay(1000, 400, date(2020, 12, 20), action=Action.ENFORCE)
    assert (outcome.status, outcome.effective_date) == (Status.ACTIVE, START)


def test_enforcing_keeps_an_effective_date_the_policy_already_has():
    outcome = pay(
        1000,
        800,
        date(2021, 3, 1),
        status=Status.SUSPENDED,
        effective_date=date(2021, 1, 5),
        action=Action.ENFORCE,
    )
    assert (outcome.status, outcome.effective_date) == (Status.ACTIVE, date(2021, 1, 5))


def test_the_user_may_suspend_a_late_policy():
    outcome = pay(1000, 400, date(2021, 3, 1), action=Action.SUSPEND)
    assert (outcome.status, outcome.effective_date) == (Status.SUSPENDED, None)


def test_an_over_payment_activates_and_is_flagged():
    outcome = pay(1000, 1250, date(2021, 1, 20))
    assert outcome.status == Status.ACTIVE
    assert outcome.overpaid and outcome.surplus == D(250)
    assert not pay(1000, 1000, date(2021, 1, 20)).overpaid


def test_a_photo_fee_never_changes_the_policy():
    outcome = pay(1000, 5000, date(2021, 1, 20), is_photo_fee=True, action=Action.ENFORCE)
    assert (outcome.status, outcome.effective_date, outcome.activated) == (
        Status.IDLE,
        None,
        False,
    )


def test_an_expired_policy_stays_expired_whatever_is_paid():
    outcome = pay(1000, 1000, date(2022, 2, 1), status=Status.EXPIRED, action=Action.ENFORCE)
    assert outcome.status == Status.EXPIRED


def test_paying_an_active_policy_in_full_covers_the_members_added_since_from_the_pay_date():
    outcome = pay(1200, 1200, date(2021, 4, 2), status=Status.ACTIVE, effective_date=START)
    assert (outcome.status, outcome.effective_date) == (Status.ACTIVE, START)
    assert outcome.member_effective_date == date(2021, 4, 2) and not outcome.activated


def test_a_free_policy_is_active_from_its_start_date_when_saved():
    assert rules.status_on_save(D(0), START) == (Status.ACTIVE, START)
    assert rules.status_on_save(D(10), START) == (Status.IDLE, None)


def test_a_free_idle_policy_activates_from_its_start_date_on_any_payment():
    outcome = pay(0, 0, date(2021, 3, 1))
    assert (outcome.status, outcome.effective_date) == (Status.ACTIVE, START)


def test_photo_fees_count_neither_as_paid_nor_as_instalments():
    contributions = [
        Contribution(D(400), date(2021, 1, 5)),
        Contribution(D(50), date(2021, 1, 5), is_photo_fee=True),
    ]
    assert rules.paid_total(contributions) == D(400)
    assert rules.instalment_count(contributions) == 1


def test_a_partial_payment_on_time_offers_ok_or_enforce():
    check = rules.check_payment(
        D(1000), [Contribution(D(400), date(2021, 1, 5))], date(2021, 1, 5), date(2021, 1, 31), 3
    )
    assert check.choices == (Action.WAIT, Action.ENFORCE)
    assert (check.balance, check.comparison, check.late, check.last_instalment) == (
        D(600),
        0,
        False,
        False,
    )


def test_a_late_partial_payment_also_offers_suspend():
    check = rules.check_payment(
        D(1000), [Contribution(D(400), date(2021, 2, 1))], date(2021, 2, 1), date(2021, 1, 31)
    )
    assert check.late and check.choices == (Action.WAIT, Action.SUSPEND, Action.ENFORCE)


def test_the_last_allowed_instalment_that_does_not_pay_in_full_also_offers_suspend():
    payments = [Contribution(D(300), date(2021, 1, 2)), Contribution(D(300), date(2021, 1, 9))]
    check = rules.check_payment(D(1000), payments, date(2021, 1, 9), date(2021, 1, 31), 2)
    assert check.last_instalment and Action.SUSPEND in check.choices


def test_a_full_payment_offers_no_choice_even_when_late():
    payments = [Contribution(D(1100), date(2021, 3, 1))]
    check = rules.check_payment(D(1000), payments, date(2021, 3, 1), date(2021, 1, 31), 1)
    assert check.choices == () and not check.late and check.comparison == 2 and check.overpaid


def test_a_member_added_who_changes_an_unpaid_value_is_not_covered_yet():
    kw = {"policy_effective_date": START, "old_value": D(1000), "new_value": D(1200)}
    assert rules.new_member_effective_date(paid=D(1000), **kw) is None
    assert rules.new_member_effective_date(paid=D(1200), **kw) == START
    assert rules.new_member_effective_date(paid=D(1000), activate=True, **kw) == START
    same = {**kw, "new_value": D(1000)}
    assert rules.new_member_effective_date(paid=D(0), **same) == START


# --- expiry and the enquiry -------------------------------------------------------------------


def test_the_expiry_job_expires_every_live_status_the_day_after_expiry():
    expiry = date(2021, 12, 31)
    for status in (Status.IDLE, Status.ACTIVE, Status.SUSPENDED, Status.READY):
        assert rules.expire(status, expiry, date(2021, 12, 31)) == status
        assert rules.expire(status, expiry, date(2022, 1, 1)) == Status.EXPIRED
    assert rules.expire(Status.EXPIRED, expiry, date(2022, 1, 1)) == Status.EXPIRED


def test_the_enquiry_letter_follows_the_members_own_dates_then_the_policy_status():
    eff, exp, today = date(2021, 1, 1), date(2021, 12, 31), date(2021, 6, 1)
    letter = rules.member_status_letter
    assert letter(Status.ACTIVE, None, exp, today) == "I"  # not paid for yet
    assert letter(Status.ACTIVE, date(2021, 7, 1), exp, today) == "I"  # from a later day
    assert letter(Status.ACTIVE, eff, date(2021, 5, 31), today) == "E"
    assert letter(Status.ACTIVE, eff, exp, today) == "A"
    assert letter(Status.IDLE, eff, exp, today) == "I"
    assert letter(Status.SUSPENDED, eff, exp, today) == "S"
    assert letter(Status.READY, eff, exp, today) == "R"
    assert letter(Status.EXPIRED, eff, exp, today) == "E"
    assert letter(Status.ACTIVE, eff, exp, exp) == "A"  # the expiry day is still covered


def test_a_member_is_covered_from_his_effective_date_to_his_expiry_date():
    assert rules.is_covered(date(2021, 1, 1), date(2021, 12, 31), date(2021, 12, 31))
    assert not rules.is_covered(date(2021, 1, 1), date(2021, 12, 31), date(2020, 12, 31))
    assert not rules.is_covered(None, date(2021, 12, 31), date(2021, 6, 1))


def test_overlapping_periods_share_a_day():
    assert rules.periods_overlap(
        date(2021, 1, 1), date(2021, 12, 31), date(2021, 12, 31), date(2022, 1, 1)
    )
    assert not rules.periods_overlap(
        date(2021, 1, 1), date(2021, 12, 31), date(2022, 1, 1), date(2022, 12, 31)
    )


# --- invariants (hypothesis) ------------------------------------------------------------------

days = st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31))
money = st.decimals(min_value=0, max_value=100_000, places=2, allow_nan=False)
percent = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False)
cycle_texts = st.builds(
    lambda day, month: f"{min(day, 29 if month == 2 else 30):02d}-{month:02d}",
    st.integers(1, 31),
    st.integers(1, 12),
)


@st.composite
def terms(draw, free=False):
    zero_or = (lambda s: st.just(D(0))) if free else (lambda s: s)
    return ProductTerms(
        insurance_period=draw(st.integers(1, 36)),
        administration_period=draw(st.integers(0, 6)),
        max_members=draw(st.integers(0, 8)),
        threshold=draw(st.integers(0, 6)),
        lump_sum=draw(zero_or(money)),
        premium_adult=draw(zero_or(money)),
        premium_child=draw(zero_or(money)),
        registration_lump_sum=draw(zero_or(money)),
        registration_fee=draw(zero_or(money)),
        general_assembly_lump_sum=draw(zero_or(money)),
        general_assembly_fee=draw(zero_or(money)),
        grace_period_enrolment=draw(st.integers(0, 6)),
        grace_period_renewal=draw(st.integers(0, 6)),
        grace_period_payment=draw(st.integers(0, 6)),
        start_cycles=tuple(draw(st.lists(cycle_texts, max_size=4))),
        enrolment_discount_perc=draw(percent),
        enrolment_discount_period=draw(st.integers(0, 12)),
        renewal_discount_perc=draw(percent),
        renewal_discount_period=draw(st.integers(0, 12)),
    )


members_joined = st.lists(
    st.tuples(
        st.dates(min_value=date(1920, 1, 1), max_value=date(2060, 12, 31)),
        st.sampled_from([None, 1, 2, 3, 4, 5, 6, 7, 8]),
    ),
    max_size=12,
).map(
    lambda rows: [
        Member(dob=dob, relationship=rel, joined_on=date(2000, 1, 1) + timedelta(days=i))
        for i, (dob, rel) in enumerate(rows)
    ]
)
stages = st.sampled_from([NEW, RENEWAL])


@given(terms(), days, stages, st.one_of(st.none(), days))
def test_expiry_is_never_before_start(t, enroll, stage, previous):
    start, expiry = rules.policy_period(t, enroll, stage, previous)
    assert expiry >= start
    assert expiry == rules.add_months(start, t.insurance_period) - timedelta(days=1)


@given(terms(), days, stages, st.one_of(st.none(), days))
def test_a_policy_starts_no_earlier_than_its_cycles_grace_allows(t, enroll, stage, previous):
    start, _ = rules.policy_period(t, enroll, stage, previous)
    shifted = enroll if stage == RENEWAL else rules.add_months(enroll, t.administration_period)
    if not t.has_cycles or t.grace(stage) == 0:
        assert start >= shifted >= enroll  # start ≥ enrolment date
    else:
        assert rules.add_months(start, t.grace(stage)) > shifted
    assert start <= max(shifted, previous or shifted) + timedelta(days=366 + 1)
    if stage == RENEWAL and previous is not None:
        assert start > previous


@given(terms(), members_joined, days, stages, st.one_of(st.none(), days))
def test_the_value_is_never_negative(t, members, enroll, stage, previous):
    assert rules.policy_value(t, members, enroll, stage, previous) >= 0


@given(terms(), members_joined, days, stages)
def test_a_family_never_pays_for_more_than_the_maximum_members(t, members, enroll, stage):
    assume(t.max_members > 0 and len(members) > t.max_members)
    first = members[: t.max_members]
    assert rules.policy_value(t, members, enroll, stage) == rules.policy_value(
        t, first, enroll, stage
    )
    covered, not_covered = rules.covered_members(members, t.max_members)
    assert covered == first and not_covered == members[t.max_members :]


@given(
    terms(),
    members_joined,
    days,
    stages,
    st.dates(min_value=date(1920, 1, 1)),
    st.sampled_from([None, 2, rules.OTHERS]),
)
def test_a_member_who_joins_never_lowers_the_value(t, members, enroll, stage, dob, relationship):
    newcomer = Member(dob=dob, relationship=relationship, joined_on=date(2100, 1, 1))
    more = [*members, newcomer]
    assert rules.policy_value(t, more, enroll, stage) >= rules.policy_value(
        t, members, enroll, stage
    )


@given(terms(free=True), members_joined, days, stages)
def test_a_free_product_is_worth_nothing_and_active_when_saved(t, members, enroll, stage):
    value = rules.policy_value(t, members, enroll, stage)
    assert value == 0
    start = rules.policy_period(t, enroll, stage).start_date
    assert rules.status_on_save(value, start) == (Status.ACTIVE, start)


@given(money.filter(lambda v: v > 0), days, days, st.sampled_from([1, 2, 3]))
def test_paying_exactly_the_value_activates_from_the_later_of_pay_and_start(
    value, pay_date, start, option
):
    outcome = rules.status_after_payment(
        value=value,
        paid=value,
        pay_date=pay_date,
        start_date=start,
        status=Status.IDLE,
        activation_option=option,
    )
    assert outcome.status == (Status.READY if option == 3 else Status.ACTIVE)
    assert outcome.effective_date == max(pay_date, start)
    assert not outcome.overpaid


@given(
    money,
    st.lists(st.tuples(money, st.booleans()), max_size=6),
    days,
    days,
    st.sampled_from(list(Status)),
    st.sampled_from([None, *Action]),
    money,
)
def test_photo_fees_never_change_the_status(
    value, rows, pay_date, start, status, action, photo_fee
):
    contributions = [Contribution(a, pay_date, is_photo_fee=p) for a, p in rows]
    with_photo = [*contributions, Contribution(photo_fee, pay_date, is_photo_fee=True)]
    assert rules.paid_total(with_photo) == rules.paid_total(contributions)
    assert rules.check_payment(value, with_photo, pay_date, start) == rules.check_payment(
        value, contributions, pay_date, start
    )
    outcome = rules.status_after_payment(
        value=value,
        paid=rules.paid_total(with_photo),
        pay_date=pay_date,
        start_date=start,
        status=status,
        action=action,
        is_photo_fee=True,
    )
    assert (outcome.status, outcome.effective_date) == (status, None)


@given(st.sampled_from(list(Status)), days, days)
def test_expiry_happens_only_after_the_expiry_date_and_only_once(status, expiry, today):
    after = rules.expire(status, expiry, today)
    assert after == (Status.EXPIRED if today > expiry else status)
    assert rules.expire(after, expiry, today) == after


@given(st.sampled_from(list(Status)), st.one_of(st.none(), days), days, days)
def test_a_member_shows_a_if_and_only_if_an_active_policy_covers_him_today(
    status, effective, expiry, today
):
    letter = rules.member_status_letter(status, effective, expiry, today)
    assert letter in {"I", "A", "S", "R", "E"}
    assert (letter == "A") == (
        status == Status.ACTIVE and rules.is_covered(effective, expiry, today)
    )


def test_the_rules_statuses_are_the_models_with_the_glossarys_words():
    from django.utils import translation

    from kinga.policies.models import Policy

    status = rules.activated_status(rules.ActivationOption.READY_ON_CONTRIBUTION)
    assert status == 16 and Policy._meta.get_field("status").choices == Status.choices
    with translation.override("fr"):
        assert status.label == "Prête"
        assert rules.status_on_save(D(10), START)[0].label == "En attente"
