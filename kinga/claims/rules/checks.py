"""The submission checks (spec claims §2.3, with Kinga's decisions and §6): pure functions on
plain facts — no ORM, no clock.  `kinga.claims.queries.facts` loads the facts of many claims in
a few queries; `kinga.claims.services.submission` writes what `check_claims` returns.

The order (legacy `uspSubmitSingleClaim`), each line keeping its **first** reason:

1. the claim's category (§2.4: S, D, A, then H for a stay of a night or more, C, else V);
2. the insuree or his family is not current → 7 on every line;
3. the dates are not valid (no date of care, care ending before it starts, claimed before the
   care) → 9 on every line;
4. per line: 1 the service or item is not in the register on the date of care; 2 it is not in
   the facility's price list then, or the date lies outside the facility's contract;
5. services, in line order: 10 care type against the facility and the stay; 4 patient category
   (sex and age; 0 and 15 mean everyone, Q30); then the covering policies, the one whose
   waiting period ends first tried first: 17 waiting period, 16 maximum number of provisions
   (trimmed to what remains, rejected only when nothing remains, Q26), then the category's
   claim count (11–15, 19), which rejects the **whole claim**; the first candidate that survives
   covers the line; none at all → 3 (a person with no policy on the date of care: 3 on every
   line, decision 6); all failing → the first failure's code;
6. items, in line order: 10, 4, then the covering policies with 17 and 16 only;
7. frequency (items, then services): 5 when another submitted claim of the insuree has a passed
   line of the same service or item within `frequency` days before **or after** (Q5: the claim
   itself never counts);
8. the claim is Checked when at least one line passes, Rejected otherwise (Q1); approved =
   Σ over passed lines of approved quantity × price asked (Q3, Q4).

Several claims of one insuree in one submission are checked in the order given, each seeing
the lines the earlier ones passed (`check_claims`), as if they had been submitted one by one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

from kinga.insurees.rules import is_adult
from kinga.policies.rules import add_months

from ..codes import (
    CATEGORY_LIMITS,
    ClaimCategory,
    ClaimStatus,
    LineKind,
    Rejection,
)

OUT, IN, BOTH = "O", "I", "B"
ALL_PATIENTS = 15
NEW_POLICY = "N"


# --- facts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """A claim line as the checks see it.  `in_register`: the service or item is current on the
    date of care; `in_price_list`: it is in the facility's price list then."""

    ref: Any
    kind: str  # LineKind
    medical_id: int  # the service's or the item's id
    quantity: int
    price: Decimal
    in_register: bool = True
    in_price_list: bool = True
    care_type: str = BOTH
    patient_category: int = ALL_PATIENTS
    frequency: int = 0
    service_category: str = ""  # a service's category (S, D, A, H, C, V, O); "" for items


@dataclass(frozen=True)
class Covered:
    """How a product covers one service or item (ProductService / ProductItem)."""

    price_origin: str = "P"
    waiting_adult: int | None = None
    waiting_child: int | None = None
    limit_no_adult: int | None = None
    limit_no_child: int | None = None


@dataclass(frozen=True)
class Cover:
    """One of the insuree's own covering policies on the date of care (an Active or Expired
    policy and his InsureePolicy row both in force then) with what its product covers."""

    policy_ref: Any
    product_ref: Any
    programme_ref: Any
    stage: str  # N new, R renewal
    policy_effective: date
    insuree_effective: date
    insuree_expiry: date
    services: dict[int, Covered] = field(default_factory=dict)
    items: dict[int, Covered] = field(default_factory=dict)
    # max_no_consultation, ... of the product (CATEGORY_LIMITS' fields), None = no limit.
    category_max: dict[str, int | None] = field(default_factory=dict)

    def covered(self, kind: str, medical_id: int) -> Covered | None:
        return (self.services if kind == LineKind.SERVICE else self.items).get(medical_id)

    def waiting_ends(self, kind: str, medical_id: int, adult: bool) -> date:
        """The day the waiting period for this service or item ends (candidates are tried in
        this order); the insuree's effective date when there is none."""
        covered = self.covered(kind, medical_id)
        months = (covered.waiting_adult if adult else covered.waiting_child) if covered else None
        return add_months(self.insuree_effective, months or 0)


@dataclass(frozen=True)
class Provision:
    """A passed line of another submitted claim of the insuree (frequency, limits)."""

    claim_ref: Any
    target: date
    kind: str
    medical_id: int
    quantity: int


@dataclass(frozen=True)
class PastClaim:
    """Another submitted claim of the insuree (claim-count limits by category)."""

    claim_ref: Any
    target: date
    category: str


@dataclass(frozen=True)
class History:
    """What the insuree received before: the earlier submitted claims and their passed lines."""

    provisions: tuple[Provision, ...] = ()
    claims: tuple[PastClaim, ...] = ()

    def without(self, claim_ref) -> History:
        return History(
            tuple(p for p in self.provisions if p.claim_ref != claim_ref),
            tuple(c for c in self.claims if c.claim_ref != claim_ref),
        )


@dataclass(frozen=True)
class ClaimFacts:
    ref: Any
    insuree_ref: Any
    status: int
    insuree_valid: bool  # the insuree and his family are current
    dob: date | None
    gender: str  # M, F, O
    date_from: date | None
    date_to: date | None
    date_claimed: date | None
    facility_care_type: str | None  # None = both
    contract_from: date | None = None
    contract_to: date | None = None
    lines: tuple[Line, ...] = ()
    covers: tuple[Cover, ...] = ()
    majority: int = 18

    @property
    def target(self) -> date | None:
        return self.date_to or self.date_from

    @property
    def multi_day(self) -> bool:
        """A stay of at least one night (openIMIS's hospitalisation)."""
        return (
            self.date_to is not None
            and self.date_from is not None
            and (self.date_to != self.date_from)
        )


# --- results --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineResult:
    ref: Any
    rejection: int  # Rejection; 0 = passed
    quantity: int  # claimed
    price: Decimal
    qty_approved: int | None = None  # set when passed with a trimmed quantity (Q26), 0 if rejected
    policy_ref: Any = None
    product_ref: Any = None
    programme_ref: Any = None
    price_origin: str = ""

    @property
    def passed(self) -> bool:
        return self.rejection == Rejection.NONE

    @property
    def approved_quantity(self) -> int:
        if not self.passed:
            return 0
        return self.quantity if self.qty_approved is None else self.qty_approved


@dataclass(frozen=True)
class ClaimResult:
    ref: Any
    status: int  # ClaimStatus.CHECKED or REJECTED
    category: str
    rejection: int  # the claim-level code, 0 if none
    lines: tuple[LineResult, ...]
    programme_ref: Any = None

    @property
    def claimed(self) -> Decimal:
        return sum((line.quantity * line.price for line in self.lines), Decimal(0))

    @property
    def approved(self) -> Decimal:
        return sum(
            (line.approved_quantity * line.price for line in self.lines if line.passed),
            Decimal(0),
        )

    @property
    def passed(self) -> int:
        return sum(1 for line in self.lines if line.passed)


# --- the steps ------------------------------------------------------------------------------


def claim_category(lines: Iterable[Line], multi_day: bool) -> str:
    """§2.4: surgery, delivery, antenatal, then hospitalisation for a stay, consultation, else
    visit (never "other", Q13)."""
    present = {line.service_category for line in lines if line.kind == LineKind.SERVICE}
    for category in (ClaimCategory.SURGERY, ClaimCategory.DELIVERY, ClaimCategory.ANTENATAL):
        if category in present:
            return category
    if multi_day:
        return ClaimCategory.HOSPITALISATION
    if ClaimCategory.CONSULTATION in present:
        return ClaimCategory.CONSULTATION
    return ClaimCategory.VISIT


def patient_mask(gender: str, adult: bool) -> int:
    """openIMIS's mask: 1 man (or other), 2 woman; 4 adult, 8 child."""
    return (2 if gender == "F" else 1) + (4 if adult else 8)


def dates_invalid(facts: ClaimFacts) -> bool:
    if facts.date_from is None:
        return True
    if facts.date_to is not None and facts.date_to < facts.date_from:
        return True
    return facts.date_claimed is not None and facts.date_claimed < facts.date_from


def outside_contract(facts: ClaimFacts) -> bool:
    """Care given outside the facility's contract is paid by no price list (code 2)."""
    target = facts.target
    if target is None or facts.contract_from is None:
        return False
    return not (facts.contract_from <= target <= (facts.contract_to or target))


def care_type_wrong(line_care_type: str, facility_care_type: str | None, multi_day: bool) -> bool:
    """Code 10 (legacy, Q25): an in-patient service needs an in-patient facility and a stay; an
    out-patient one an out-patient facility and a single day."""
    facility = facility_care_type or BOTH
    if line_care_type == IN:
        return facility == OUT or not multi_day
    if line_care_type == OUT:
        return facility == IN or multi_day
    return False


def category_refused(patient_category: int, mask: int) -> bool:
    """Code 4; 0 and 15 mean everyone (Q30)."""
    if patient_category in (0, ALL_PATIENTS):
        return False
    return (patient_category & mask) != mask


def waiting_refused(cover: Cover, covered: Covered, target: date, adult: bool) -> bool:
    """Code 17: only for a new policy, or a member who joined after it started; renewals of
    existing members wait for nothing."""
    if not (cover.stage == NEW_POLICY or cover.policy_effective < cover.insuree_effective):
        return False
    months = covered.waiting_adult if adult else covered.waiting_child
    if not months:
        return False
    return target < add_months(cover.insuree_effective, months)


def used_quantity(history: History, cover: Cover, kind: str, medical_id: int) -> int:
    """The quantity of this service or item the insuree received within his coverage period."""
    return sum(
        p.quantity
        for p in history.provisions
        if p.kind == kind
        and p.medical_id == medical_id
        and cover.insuree_effective <= p.target <= cover.insuree_expiry
    )


def category_count(history: History, cover: Cover, category: str) -> int:
    return sum(
        1
        for c in history.claims
        if (c.category or ClaimCategory.VISIT) == category
        and cover.insuree_effective <= c.target <= cover.insuree_expiry
    )


def too_frequent(history: History, line: Line, target: date) -> bool:
    """Code 5 (Q5): a passed provision of the same service or item less than `frequency` days
    before or after the date of care."""
    if line.frequency <= 0:
        return False
    return any(
        p.kind == line.kind
        and p.medical_id == line.medical_id
        and abs((p.target - target).days) < line.frequency
        for p in history.provisions
    )


@dataclass
class _Outcome:
    rejection: int = Rejection.NONE
    qty_approved: int | None = None
    cover: Cover | None = None
    covered: Covered | None = None


def _cover_line(
    line: Line,
    facts: ClaimFacts,
    history: History,
    adult: bool,
    category: str,
) -> tuple[_Outcome, int]:
    """The product loop of one line: (its outcome, a claim-level code or 0)."""
    target = facts.target
    assert target is not None
    candidates = [c for c in facts.covers if c.covered(line.kind, line.medical_id) is not None]
    if not candidates:
        return _Outcome(Rejection.NOT_COVERED), 0
    if len(candidates) > 1:
        candidates.sort(
            key=lambda c: (
                c.waiting_ends(line.kind, line.medical_id, adult),
                c.insuree_expiry,
                str(c.policy_ref),
            )
        )
    first_failure = 0
    for cover in candidates:
        covered = cover.covered(line.kind, line.medical_id)
        assert covered is not None
        if waiting_refused(cover, covered, target, adult):
            first_failure = first_failure or Rejection.WAITING_PERIOD
            continue
        limit = covered.limit_no_adult if adult else covered.limit_no_child
        qty_approved = None
        if limit is not None:
            remaining = limit - used_quantity(history, cover, line.kind, line.medical_id)
            if remaining <= 0:
                first_failure = first_failure or Rejection.MAX_PROVISIONS
                continue
            if line.quantity > remaining:
                qty_approved = remaining
        if line.kind == LineKind.SERVICE:
            limit_field, code = CATEGORY_LIMITS[category]
            maximum = cover.category_max.get(limit_field)
            if maximum is not None and category_count(history, cover, category) >= maximum:
                return _Outcome(code), code
        return _Outcome(Rejection.NONE, qty_approved, cover, covered), 0
    return _Outcome(first_failure), 0


def check_claim(facts: ClaimFacts, history: History = History()) -> ClaimResult:
    """The checks of one Entered claim against the insuree's earlier `history` (which must not
    hold the claim itself; it is removed if it does)."""
    history = history.without(facts.ref)
    category = claim_category(facts.lines, facts.multi_day)
    outcomes = {line.ref: _Outcome() for line in facts.lines}

    def finish(claim_code: int = 0) -> ClaimResult:
        results = []
        for line in facts.lines:
            out = outcomes[line.ref]
            code = claim_code or out.rejection
            passed = code == Rejection.NONE
            results.append(
                LineResult(
                    ref=line.ref,
                    rejection=code,
                    quantity=line.quantity,
                    price=line.price,
                    qty_approved=out.qty_approved if passed else 0,
                    policy_ref=out.cover.policy_ref if passed and out.cover else None,
                    product_ref=out.cover.product_ref if passed and out.cover else None,
                    programme_ref=out.cover.programme_ref if passed and out.cover else None,
                    price_origin=out.covered.price_origin if passed and out.covered else "",
                )
            )
        any_passed = any(r.passed for r in results)
        programmes = [r.programme_ref for r in results if r.passed and r.programme_ref]
        return ClaimResult(
            ref=facts.ref,
            status=ClaimStatus.CHECKED if any_passed else ClaimStatus.REJECTED,
            category=category,
            rejection=claim_code,
            lines=tuple(results),
            programme_ref=programmes[0] if programmes else None,
        )

    if not facts.insuree_valid:
        return finish(Rejection.INSUREE_INVALID)
    if dates_invalid(facts):
        return finish(Rejection.DATE_INVALID)
    target = facts.target
    assert target is not None
    adult = facts.dob is not None and is_adult(facts.dob, target, facts.majority)
    mask = patient_mask(facts.gender, adult)
    contract_broken = outside_contract(facts)

    def reject(line: Line, code: int) -> None:
        if outcomes[line.ref].rejection == Rejection.NONE:
            outcomes[line.ref] = _Outcome(code)

    for line in facts.lines:
        if not line.in_register:
            reject(line, Rejection.NOT_IN_REGISTER)
        elif not line.in_price_list or contract_broken:
            reject(line, Rejection.NOT_IN_PRICE_LIST)

    for kind in (LineKind.SERVICE, LineKind.ITEM):
        for line in facts.lines:
            if line.kind != kind or outcomes[line.ref].rejection:
                continue
            if care_type_wrong(line.care_type, facts.facility_care_type, facts.multi_day):
                reject(line, Rejection.CARE_TYPE)
                continue
            if category_refused(line.patient_category, mask):
                reject(line, Rejection.PATIENT_CATEGORY)
                continue
            outcome, claim_code = _cover_line(line, facts, history, adult, category)
            if claim_code:
                return finish(claim_code)
            outcomes[line.ref] = outcome

    for kind in (LineKind.ITEM, LineKind.SERVICE):
        for line in facts.lines:
            if line.kind == kind and not outcomes[line.ref].rejection:
                if too_frequent(history, line, target):
                    reject(line, Rejection.FREQUENCY)
    return finish()


def with_result(history: History, facts: ClaimFacts, result: ClaimResult) -> History:
    """The insuree's history once `result` is recorded: a Checked claim and its passed lines
    count for the claims after it."""
    if result.status != ClaimStatus.CHECKED or facts.target is None:
        return history
    lines = {line.ref: line for line in facts.lines}
    provisions = tuple(
        Provision(
            facts.ref,
            facts.target,
            lines[r.ref].kind,
            lines[r.ref].medical_id,
            r.approved_quantity,
        )
        for r in result.lines
        if r.passed
    )
    return History(
        history.provisions + provisions,
        history.claims + (PastClaim(facts.ref, facts.target, result.category),),
    )


def check_claims(
    claims: Sequence[ClaimFacts], histories: dict[Any, History]
) -> list[ClaimResult | None]:
    """The checks of many claims at once, in the order given; `histories` by insuree ref.  A
    claim that is not Entered is left as it is (None): submitting it again changes nothing."""
    running: dict[Any, History] = defaultdict(History, histories)
    results: list[ClaimResult | None] = []
    for facts in claims:
        if facts.status != ClaimStatus.ENTERED:
            results.append(None)
            continue
        result = check_claim(facts, running[facts.insuree_ref])
        running[facts.insuree_ref] = with_result(running[facts.insuree_ref], facts, result)
        results.append(result)
    return results


def as_submitted(facts: ClaimFacts, result: ClaimResult) -> ClaimFacts:
    """The claim's facts once its result is written (its new status): what a second submission
    sees."""
    return replace(facts, status=result.status)
