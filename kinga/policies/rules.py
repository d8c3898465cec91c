"""Pure rules of policies and contributions (spec registers §9, §10, §11.1 and the decisions at
the top of that file, which override the rest).

Plain values in, plain values out: no ORM, no request, no settings, no clock (`today` is a
parameter).  Services build `ProductTerms` from a product (`ProductTerms.of(product)`) and
`Member`s from the family's insurees, call these functions and write what they return.

Money is `Decimal`, rounded to cents like openIMIS's `PolicyValue decimal(18,2)`; statuses are
openIMIS's codes (`PolicyStatus`, kinga.policies.status), stages its letters (`NEW` "N", `RENEWAL` "R").
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import IntEnum, StrEnum
from typing import Any, NamedTuple

from kinga.insurees.rules import AGE_OF_MAJORITY, age_at, is_adult
from kinga.products.rules import parse_cycle

from .status import PolicyStatus

NEW = "N"
RENEWAL = "R"
STAGES = (NEW, RENEWAL)
OTHERS = 7  # relationship "Others": always pays per head (decision 2)
ZERO = Decimal(0)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
ONE_DAY = timedelta(days=1)


# The statuses a policy may be suspended from by hand (spec §9.8): the policy page offers
# « Suspend » for these only and policy_suspend refuses the others.
SUSPENDABLE = frozenset({PolicyStatus.IDLE, PolicyStatus.ACTIVE, PolicyStatus.READY})


class ActivationOption(IntEnum):
    """tblIMISDefaults.ActivationOption (§10.3)."""

    ON_CONTRIBUTION = 1
    ON_MATCHED_PAYMENT = 2
    READY_ON_CONTRIBUTION = 3


class Action(StrEnum):
    """The user's answer when a contribution does not pay the policy in full (§10.2)."""

    WAIT = "wait"  # save the contribution only ("OK" in the "not covered" dialog)
    SUSPEND = "suspend"
    ENFORCE = "enforce"


# --- dates ------------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """`day` moved by `months` calendar months, clamped to the end of a shorter month (as SQL
    Server's DATEADD(MONTH, …): 31 January + 1 month = 28 or 29 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


# Age is the insurees' rule (decision 4: exact age, birthday basis); one definition serves both.
age_on = age_at


def periods_overlap(start_a: date, end_a: date, start_b: date, end_b: date) -> bool:
    """Whether two closed date ranges share a day (the same package twice over overlapping dates
    is refused)."""
    return start_a <= end_b and start_b <= end_a


# --- the product's terms ----------------------------------------------------------------------

_MONEY = (
    "lump_sum",
    "premium_adult",
    "premium_child",
    "registration_lump_sum",
    "registration_fee",
    "general_assembly_lump_sum",
    "general_assembly_fee",
    "enrolment_discount_perc",
    "renewal_discount_perc",
)


def _decimal(value: Any) -> Decimal:
    if value is None or value == "":
        return ZERO
    return value if isinstance(value, Decimal) else Decimal(str(value))


@dataclass(frozen=True)
class ProductTerms:
    """What the policy rules need of a product (§7.1), with openIMIS's meaning: 0 = not set.
    Field names are the `Product` model's, so `ProductTerms.of(product)` reads a model instance
    (or any object with those attributes) without this module importing models."""

    insurance_period: int = 12  # months
    administration_period: int = 0  # months added to the enrolment date of new policies
    max_members: int = 0  # 0 = no cap
    threshold: int = 0  # members covered by the lump sum
    lump_sum: Decimal = ZERO
    premium_adult: Decimal = ZERO
    premium_child: Decimal = ZERO
    registration_lump_sum: Decimal = ZERO
    registration_fee: Decimal = ZERO
    general_assembly_lump_sum: Decimal = ZERO
    general_assembly_fee: Decimal = ZERO
    max_installments: int = 0  # 0 = unlimited
    grace_period_enrolment: int = 0  # months (GracePeriod)
    grace_period_renewal: int = 0  # months (GracePeriodRenewal)
    grace_period_payment: int = 0  # months (WaitingPeriod)
    start_cycles: tuple[str, ...] = ()  # "DD-MM" texts, empty for a free-enrolment product
    enrolment_discount_perc: Decimal = ZERO
    enrolment_discount_period: int = 0  # months
    renewal_discount_perc: Decimal = ZERO
    renewal_discount_period: int = 0  # months

    def __post_init__(self):
        for name in _MONEY:
            object.__setattr__(self, name, _decimal(getattr(self, name)))
        for f in fields(self):
            if f.name not in _MONEY and f.name != "start_cycles":
                object.__setattr__(self, f.name, int(getattr(self, f.name) or 0))
        cycles = tuple(c.strip() for c in self.start_cycles if c and c.strip())
        object.__setattr__(self, "start_cycles", cycles)
        for c in cycles:
            parse_cycle(c)  # ValueError on "31-04" and the like
        if self.insurance_period < 1:
            raise ValueError("the insurance period is at least one month")

    @classmethod
    def of(cls, product: Any) -> ProductTerms:
        """The terms of a `Product` (or anything with its attribute names); None reads as 0."""
        values = {
            f.name: getattr(product, f.name)
            for f in fields(cls)
            if f.name != "start_cycles" and hasattr(product, f.name)
        }
        values["start_cycles"] = tuple(
            getattr(product, f"start_cycle_{i}", "") or "" for i in range(1, 5)
        )
        return cls(**values)

    @property
    def has_cycles(self) -> bool:
        return bool(self.start_cycles)

    def grace(self, stage: str) -> int:
        """Cycle grace in months: enrolment grace for new policies, renewal grace for renewals
        (decision 5)."""
        return self.grace_period_renewal if stage == RENEWAL else self.grace_period_enrolment


# --- start and expiry dates (§9.4) ------------------------------------------------------------


class Period(NamedTuple):
    start_date: date
    expiry_date: date


def _cycle_date(day: int, month: int, year: int) -> date:
    # "29-02" in a common year: 28 February (SQL Server would fail to convert the date).
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def cycle_start(start_cycles: Sequence[str], day: date, grace: int) -> date:
    """The cycle a policy whose (administration-shifted) enrolment date is `day` joins.

    1. Lay the cycle dates (`DD-MM`) out on the calendar, from the year before `day − grace`
       to the year after `day`, in date order.
    2. Take the first cycle date `c` still open to `day`: `day ≤ c + grace months − 1 day`
       (decision 5; the same as legacy's `day < c + grace months`).  With no grace, a
       cycle is open only before its first day.
    There is always one: the cycles of the following year are all after `day`.
    (Legacy looks only at the cycles of `day`'s own year, in the product's order; for cycles
    written in date order and grace periods that stay within the year the result is the same.)
    """
    cycles = [parse_cycle(c) for c in start_cycles]
    first_year = add_months(day, -grace).year - 1
    candidates = sorted(
        _cycle_date(d, m, year) for year in range(first_year, day.year + 2) for d, m in cycles
    )
    for c in candidates:
        if day <= add_months(c, grace) - ONE_DAY:
            return c
    raise AssertionError("unreachable: next year's cycles are after the day")


def expiry_date(start_date: date, insurance_period: int) -> date:
    """Start + insurance period months − 1 day (§9.4; decision 13: funding policies too)."""
    return add_months(start_date, insurance_period) - ONE_DAY


def policy_period(
    terms: ProductTerms,
    enroll_date: date,
    stage: str = NEW,
    previous_expiry: date | None = None,
) -> Period:
    """Start and expiry dates of a policy (§9.4, uspGetPolicyPeriod).

    1. `E'` = enrolment date + administration period months for a new policy; the enrolment
       date itself for a renewal.
    2. A renewal of a cycle product enrolled before the previous policy's expiry looks the cycle
       up from that expiry date instead (legacy form).
    3. Free-enrolment product: start = `E'`.  Cycle product: start = the first cycle still open
       to `E'` with the enrolment grace (new) or the renewal grace (renewal) — `cycle_start`.
    4. A renewal never starts before the day after the previous policy's expiry (legacy form and
       phone renewals: free products start then when renewed early; cycle starts are pushed).
    5. Expiry = start + insurance period months − 1 day.
    """
    if stage not in STAGES:
        raise ValueError(f"unknown policy stage {stage!r}")
    day = enroll_date if stage == RENEWAL else add_months(enroll_date, terms.administration_period)
    renewing = stage == RENEWAL and previous_expiry is not None
    if terms.has_cycles:
        if renewing and day < previous_expiry:
            day = previous_expiry
        start = cycle_start(terms.start_cycles, day, terms.grace(stage))
    else:
        start = day
    if renewing:
        start = max(start, previous_expiry + ONE_DAY)
    return Period(start, expiry_date(start, terms.insurance_period))


def last_date_for_payment(
    terms: ProductTerms,
    stage: str,
    start_date: date,
    enroll_date: date,
    previous_expiry: date | None = None,
) -> date:
    """The last day to pay a policy in full before the payment is late (§9.5,
    uspLastDateForPayment; decision 14).

    * Cycle product: start date + cycle grace months (enrolment grace for new policies, renewal
      grace for renewals) − 1 day.
    * Free product, new policy: enrolment date + payment grace months − 1 day.
    * Free product, renewal: the day after the **previous** policy's expiry (decision 14; the
      start date when there is none) + payment grace months − 1 day.
    With no grace at all the last day is that day itself (the start date, the enrolment date or
    the day after the previous expiry): openIMIS takes the day before, which calls every
    payment late, even one made on the enrolment day; Kinga never says a payment made on time
    is late.
    """
    if terms.has_cycles:
        base, grace = start_date, terms.grace(stage)
    elif stage == RENEWAL:
        base = previous_expiry + ONE_DAY if previous_expiry is not None else start_date
        grace = terms.grace_period_payment
    else:
        base, grace = enroll_date, terms.grace_period_payment
    return max(base, add_months(base, grace) - ONE_DAY)


def last_renewal_date(previous_expiry: date, terms: ProductTerms) -> date:
    """The last day a renewal is on time: previous expiry + 1 day + renewal grace months
    (§9.7, GetLastRenewalDate)."""
    return add_months(previous_expiry + ONE_DAY, terms.grace_period_renewal)


def is_renewal_late(previous_expiry: date, enroll_date: date, terms: ProductTerms) -> bool:
    """A renewal enrolled after `last_renewal_date` is late: the form asks for confirmation."""
    return enroll_date > last_renewal_date(previous_expiry, terms)


# --- members and value (§9.3) -----------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    """A current member of the family as the value rules see him.  `joined_on` orders members
    (creation date/time; one type per call); ties keep the order given.  `ref` is the caller's
    handle (an insuree id) and plays no part in the rules."""

    dob: date
    relationship: int | None = None
    joined_on: date | None = None
    ref: Any = field(default=None, compare=False)


def covered_members(
    members: Iterable[Member], max_members: int
) -> tuple[list[Member], list[Member]]:
    """(covered, not covered): the first `max_members` members in order of joining are covered
    and counted in the value, the others are listed as not covered (decision 3).  0 = no cap."""
    ordered = list(members)
    if all(m.joined_on is not None for m in ordered):
        ordered.sort(key=lambda m: m.joined_on)
    if max_members <= 0:
        return ordered, []
    return ordered[:max_members], ordered[max_members:]


class MemberCounts(NamedTuple):
    adults: int = 0  # A
    children: int = 0  # C
    other_adults: int = 0  # OA: relationship 7
    other_children: int = 0  # OC

    @property
    def total(self) -> int:
        return sum(self)


def count_members(
    members: Iterable[Member], day: date, majority: int = AGE_OF_MAJORITY
) -> MemberCounts:
    """Adults and children by exact age on `day` (the enrolment date, decision 4), "Others"
    (relationship 7) apart (decision 2)."""
    a = c = oa = oc = 0
    for m in members:
        adult = is_adult(m.dob, day, majority)
        if m.relationship == OTHERS:
            oa, oc = oa + adult, oc + (not adult)
        else:
            a, c = a + adult, c + (not adult)
    return MemberCounts(a, c, oa, oc)


def contribution(terms: ProductTerms, counts: MemberCounts) -> Decimal:
    """The contribution part of the value (uspPolicyValue; decisions 1 and 2).

    1. With a lump sum (> 0): the lump sum covers `threshold` members (0 = all of them); above
       it adults pay `ExtraA = max(0, A − T)` premiums and children fill the slots adults left:
       `ExtraC = max(0, C − (T − A + ExtraA))`.
    2. Without a lump sum: every counted member pays once, `A × adult + C × child` (decision 1:
       no second charge above the threshold).
    3. "Others" (relationship 7) always pay per head on top (decision 2).
    """
    a, c, oa, oc = counts
    if terms.lump_sum > 0:
        t = terms.threshold
        extra_a = max(0, a - t) if t > 0 else 0
        extra_c = max(0, c - (t - a + extra_a)) if t > 0 else 0
        amount = terms.lump_sum + extra_a * terms.premium_adult + extra_c * terms.premium_child
    else:
        amount = a * terms.premium_adult + c * terms.premium_child
    return amount + oa * terms.premium_adult + oc * terms.premium_child


def general_assembly(terms: ProductTerms, counts: MemberCounts) -> Decimal:
    """General-assembly fee, new and renewal: the lump sum if > 0, else fee × counted members."""
    if terms.general_assembly_lump_sum > 0:
        return terms.general_assembly_lump_sum
    return counts.total * terms.general_assembly_fee


def registration(terms: ProductTerms, counts: MemberCounts, stage: str) -> Decimal:
    """Registration fee, new policies only: the lump sum if > 0, else fee × counted members."""
    if stage != NEW:
        return ZERO
    if terms.registration_lump_sum > 0:
        return terms.registration_lump_sum
    return counts.total * terms.registration_fee


def discount_perc(
    terms: ProductTerms,
    stage: str,
    enroll_date: date,
    start_date: date,
    previous_expiry: date | None = None,
) -> Decimal:
    """The early-enrolment or early-renewal discount (%) that applies, else 0 (§9.3).

    * New policy, cycle products only (decision 9): when the enrolment date ≤ start date −
      enrolment discount period months.
    * Renewal, every product: reference = previous expiry + 1 day (the start date when there is
      no previous policy); when the enrolment date ≤ reference − renewal discount period months.
    A period of 0 months means any enrolment up to the start (or reference) date qualifies, as
    in openIMIS.
    """
    if stage == NEW:
        if terms.has_cycles and enroll_date <= add_months(
            start_date, -terms.enrolment_discount_period
        ):
            return terms.enrolment_discount_perc
        return ZERO
    reference = previous_expiry + ONE_DAY if previous_expiry is not None else start_date
    if enroll_date <= add_months(reference, -terms.renewal_discount_period):
        return terms.renewal_discount_perc
    return ZERO


def money(amount: Decimal) -> Decimal:
    """Rounded to cents, half up (PolicyValue is decimal(18,2)); schemes without a minor unit
    round again for display."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ValueBreakdown:
    """A policy's value and how it was reached, to show before saving."""

    counts: MemberCounts
    contribution: Decimal
    general_assembly: Decimal
    registration: Decimal
    discount_perc: Decimal
    discount: Decimal
    value: Decimal
    covered: tuple[Member, ...]
    not_covered: tuple[Member, ...]


def value_breakdown(
    terms: ProductTerms,
    members: Iterable[Member],
    enroll_date: date,
    stage: str = NEW,
    previous_expiry: date | None = None,
    start_date: date | None = None,
    majority: int = AGE_OF_MAJORITY,
) -> ValueBreakdown:
    """The value of a policy, step by step (§9.3, uspPolicyValue, with decisions 1–4 and 9).

    1. Keep the first `max_members` members in order of joining (`covered_members`).
    2. Count adults and children by exact age at the enrolment date, "Others" apart.
    3. Contribution (lump sum and threshold, or premiums per head; "Others" per head).
    4. Add the general-assembly fee and, for new policies, the registration fee.
    5. Take off the enrolment or renewal discount, using the start date of `policy_period`
       (or `start_date` when the user set it on a free product).
    6. Round to cents; never below 0.
    """
    covered, not_covered = covered_members(members, terms.max_members)
    counts = count_members(covered, enroll_date, majority)
    contrib = contribution(terms, counts)
    assembly = general_assembly(terms, counts)
    reg = registration(terms, counts, stage)
    gross = contrib + assembly + reg
    if start_date is None:
        start_date = policy_period(terms, enroll_date, stage, previous_expiry).start_date
    perc = discount_perc(terms, stage, enroll_date, start_date, previous_expiry)
    discount = min(gross, gross * perc / HUNDRED) if perc > 0 else ZERO
    value = money(max(ZERO, gross - discount))
    return ValueBreakdown(
        counts=counts,
        contribution=contrib,
        general_assembly=assembly,
        registration=reg,
        discount_perc=perc,
        discount=money(discount),
        value=value,
        covered=tuple(covered),
        not_covered=tuple(not_covered),
    )


def policy_value(
    terms: ProductTerms,
    members: Iterable[Member],
    enroll_date: date,
    stage: str = NEW,
    previous_expiry: date | None = None,
    start_date: date | None = None,
    majority: int = AGE_OF_MAJORITY,
) -> Decimal:
    """The amount to pay for a policy (see `value_breakdown` for the steps)."""
    return value_breakdown(
        terms, members, enroll_date, stage, previous_expiry, start_date, majority
    ).value


# --- contributions and statuses (§10) ---------------------------------------------------------


@dataclass(frozen=True)
class Contribution:
    amount: Decimal
    pay_date: date
    is_photo_fee: bool = False


def paid_total(contributions: Iterable[Contribution]) -> Decimal:
    """What has been paid towards the value: photo fees never count (§10.1)."""
    return sum((c.amount for c in contributions if not c.is_photo_fee), ZERO)


def instalment_count(contributions: Iterable[Contribution]) -> int:
    """Every contribution that is not a photo fee is one instalment (§10.1)."""
    return sum(1 for c in contributions if not c.is_photo_fee)


@dataclass(frozen=True)
class PaymentCheck:
    """What the contribution form tells the user before saving (§10.2), with `paid` and
    `instalments` counting the contribution being saved.

    `choices` are the answers offered: () when the policy is paid in full (it activates),
    (WAIT, ENFORCE) for a partial payment ("policy not covered": OK or Enforce),
    (WAIT, SUSPEND, ENFORCE) when the payment is late or the last instalment allowed."""

    paid: Decimal
    value: Decimal
    late: bool
    last_instalment: bool

    @property
    def balance(self) -> Decimal:
        return self.value - self.paid

    @property
    def comparison(self) -> int:
        """openIMIS's `P`: 0 under-paid, 1 paid exactly, 2 over-paid."""
        return 0 if self.paid < self.value else 1 if self.paid == self.value else 2

    @property
    def overpaid(self) -> bool:
        return self.paid > self.value

    @property
    def choices(self) -> tuple[Action, ...]:
        if self.paid >= self.value:
            return ()
        if self.late or self.last_instalment:
            return (Action.WAIT, Action.SUSPEND, Action.ENFORCE)
        return (Action.WAIT, Action.ENFORCE)


def check_payment(
    value: Decimal,
    contributions: Iterable[Contribution],
    pay_date: date,
    last_date: date,
    max_installments: int = 0,
) -> PaymentCheck:
    """§10.2 (Premium.aspx): `contributions` include the one being saved.

    1. `paid` = the non-photo-fee contributions; `n` = their number.
    2. Late (`L`): pay date after the last date for payment and not paid in full.
    3. Last instalment (`M`): `n ≥ max_installments` (0 = unlimited) and not paid in full.
    """
    contributions = list(contributions)
    paid = paid_total(contributions)
    short = paid < value
    n = instalment_count(contributions)
    return PaymentCheck(
        paid=paid,
        value=value,
        late=short and pay_date > last_date,
        last_instalment=short and max_installments > 0 and n >= max_installments,
    )


@dataclass(frozen=True)
class PaymentOutcome:
    """The policy after a contribution.  `member_effective_date`, when set, goes to the
    InsureePolicy rows that have no effective date yet (members added to a policy already in
    force, now paid for); on activation every row takes the policy's dates instead."""

    status: int
    effective_date: date | None
    activated: bool = False
    member_effective_date: date | None = None
    overpaid: bool = False
    surplus: Decimal = ZERO


def activated_status(activation_option: int = ActivationOption.ON_CONTRIBUTION) -> PolicyStatus:
    """Active, or Ready under activation option 3 (§10.3; legacy: options 1 and 2 activate a
    contribution entered by hand)."""
    if activation_option == ActivationOption.READY_ON_CONTRIBUTION:
        return PolicyStatus.READY
    return PolicyStatus.ACTIVE


def status_on_save(value: Decimal, start_date: date) -> tuple[PolicyStatus, date | None]:
    """A new policy is Idle with no effective date, unless its value is 0 (a free programme):
    then it is Active at once, effective from its start date (decision 16)."""
    if value <= 0:
        return PolicyStatus.ACTIVE, start_date
    return PolicyStatus.IDLE, None


def status_after_payment(
    *,
    value: Decimal,
    paid: Decimal,
    pay_date: date,
    start_date: date,
    status: int,
    effective_date: date | None = None,
    activation_option: int = ActivationOption.ON_CONTRIBUTION,
    action: Action | str | None = None,
    is_photo_fee: bool = False,
) -> PaymentOutcome:
    """The policy's status and effective date once a contribution is saved (§10.2, B_SAVE_Click;
    decisions 6 and 16).  `paid` is the total of the non-photo-fee contributions including this
    one (`paid_total`); `action` is the user's answer to `check_payment`'s choices.

    1. A photo fee, or an Expired policy: nothing changes.
    2. SUSPEND: status Suspended, dates kept.
    3. Paid in full (paid ≥ value): an Idle policy activates (Active, or Ready under option 3),
       effective = max(pay date, start date) — the start date when the value is 0.  A policy
       already Active, Ready or Suspended keeps its status and date; the members added since
       (no effective date) are covered from max(pay date, start date).
    4. ENFORCE on a partial payment: an Idle or Suspended policy activates; it keeps an effective
       date it already has, else max(pay date, start date).
    5. Otherwise (partial payment, WAIT or no answer): nothing changes — the policy stays Idle.
    Over-payment is accepted and flagged (`overpaid`, `surplus`); nothing is refunded.
    """
    unchanged = PaymentOutcome(status=status, effective_date=effective_date)
    if is_photo_fee or status == PolicyStatus.EXPIRED:
        return unchanged
    surplus = max(ZERO, paid - value)
    flags = {"overpaid": paid > value, "surplus": surplus}
    from_pay = max(pay_date, start_date)
    if action == Action.SUSPEND:
        return PaymentOutcome(status=PolicyStatus.SUSPENDED, effective_date=effective_date, **flags)
    if paid >= value:
        if status == PolicyStatus.IDLE:
            effective = start_date if value <= 0 else from_pay
            return PaymentOutcome(
                status=activated_status(activation_option),
                effective_date=effective,
                activated=True,
                **flags,
            )
        return PaymentOutcome(
            status=status, effective_date=effective_date, member_effective_date=from_pay, **flags
        )
    if action == Action.ENFORCE and status in (PolicyStatus.IDLE, PolicyStatus.SUSPENDED):
        return PaymentOutcome(
            status=activated_status(activation_option),
            effective_date=effective_date or from_pay,
            activated=True,
            **flags,
        )
    return unchanged


def new_member_effective_date(
    *,
    policy_effective_date: date | None,
    old_value: Decimal,
    new_value: Decimal,
    paid: Decimal,
    activate: bool = False,
) -> date | None:
    """The effective date of a member added to a family's policy (§9.6, uspAddInsureePolicy):
    when the member changes the value, the policy is not paid up to the new value and the user
    did not ask to activate him, he is not covered yet (None); otherwise he takes the policy's
    effective date."""
    if new_value != old_value and not activate and paid < new_value:
        return None
    return policy_effective_date


# --- expiry and the enquiry (§9.8, §11.1) -----------------------------------------------------

EXPIRABLE = frozenset(
    {PolicyStatus.IDLE, PolicyStatus.ACTIVE, PolicyStatus.SUSPENDED, PolicyStatus.READY}
)


def expire(status: int, expiry_date: date, today: date) -> int:
    """The status after the expiry job (§9.8; decision 11): Active, Ready, Idle and Suspended
    policies whose expiry date has passed (expiry < today) become Expired; others are kept."""
    if status in EXPIRABLE and expiry_date < today:
        return PolicyStatus.EXPIRED
    return status


def is_covered(effective_date: date | None, expiry_date: date, day: date) -> bool:
    """A member is covered on `day` by his InsureePolicy row when effective ≤ day ≤ expiry."""
    return effective_date is not None and effective_date <= day <= expiry_date


_LETTERS = {
    PolicyStatus.IDLE: "I",
    PolicyStatus.ACTIVE: "A",
    PolicyStatus.SUSPENDED: "S",
    PolicyStatus.READY: "R",
}


def member_status_letter(
    policy_status: int,
    member_effective_date: date | None,
    member_expiry_date: date,
    today: date,
) -> str:
    """The status letter the enquiry shows for this member on this policy (§11.1,
    uspPolicyInquiry), from his own InsureePolicy dates.

    1. `I` (idle) if his effective date is empty or after today.
    2. `E` (expired) if today is after his expiry date.
    3. Otherwise from the policy status: Idle `I`, Active `A`, Suspended `S`, Ready `R`,
       anything else (Expired) `E`.
    """
    if member_effective_date is None or member_effective_date > today:
        return "I"
    if not member_effective_date <= today <= member_expiry_date:
        return "E"
    return _LETTERS.get(policy_status, "E")
