"""Valuation of Checked claims (spec claims §4.1–§4.7 with Kinga's decisions and §6): pure
functions on plain facts — no ORM, no clock.  `kinga.claims.queries.valuation` loads the facts
of many claims in a few queries; `kinga.claims.services.valuation` writes what `value_claims`
returns.

Per passed line (named steps below, in this order):

1. **choose the product line** (§4.1 steps 2–5, worked example A): among the product lines
   covering the service or item under the insuree's *own* covering policies at the target date
   (Q9), the best co-insurance line (highest %) and the best fixed line (0 = unlimited first,
   then highest amount); both → F when unlimited or above the claimed price, else the one that
   leaves the insuree the smaller part (C on a tie).  Ties between policies: earliest expiry,
   then the smallest policy id — deterministic;
2. **unit price** by price origin: O → the reviewer's price, else the price asked; P and R →
   the reviewer's price, else the price-list price (Q2: the reviewer's price wins);
3. **work** = quantity (approved, else claimed) × unit price;
4. **fixed limit** (F): work capped at quantity × limit; 0 means no cap (Q17);
5. **deductible** of the policy (general, else in-patient/out-patient): what remains of it
   absorbs the line; a line absorbed whole pays 0 and stops there (Q5b);
6. **co-insurance** (C): the scheme pays limit % of the rest (« ticket modérateur »);
7. **category ceiling** (claim category S, D, A, H or C, never V), per insuree per policy
   period: earlier consumption is read from the ledger (Q24) and the excess kept (Q8);
8. **ceiling exclusion** (B, or H in hospital context, N outside it; adult/child column at the
   target date, Q18): the line is paid and counts toward no ceiling;
9. **general/IP/OP ceiling** of the policy, with the extra members above the threshold and
   the absolute cap (worked example E, Q10: members counted at the target date, Q29: no
   threshold = 0).

Every amount is a `Decimal` rounded half-up to the currency's unit (Q6) at each step, and the
parts add up exactly: work asked = above the fixed limit + deductible + co-insurance + above the
category ceiling + above the ceiling + valuated.

**Order.**  The deductible and the ceilings are shared by the lines of a claim, so which line
absorbs them depends on the order the lines are taken in.  Lines are taken in a canonical order
that depends on *what* they are — items then services (as openIMIS), then service or item, unit
price, quantity — never on the order they were entered: a claim's totals do not depend on the
order of its lines (two lines identical in all of these may swap their amounts, not the
totals).  Claims are valued in the order given (the service gives them in target date then id
order), each seeing the consumption of the earlier ones (`value_claims`).

Deductibles and ceilings by treatment (T) count only the claim itself; by insuree (I), the
ledger's rows of the same policy and insuree; by policy (P), all rows of the policy (§4.2 b).
A claim is Processed when a valued line has a relative price (R: remunerated left to the batch
run), else Valuated (§4.2 g); a line no product covers any more is rejected (3), one no longer
in the price list (P/R) too (2); a claim with no line left is Rejected.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from kinga.insurees.rules import is_adult

from ..codes import ClaimStatus, LineKind, Rejection

ZERO = Decimal(0)
HUNDRED = Decimal(100)
CO_INSURANCE, FIXED = "C", "F"
RELATIVE, PROVIDER = "R", "O"
IN_PATIENT, OUT_PATIENT = "IP", "OP"
BY_TREATMENT, BY_INSUREE, BY_POLICY = "T", "I", "P"
# Claim category → its amount ceiling's name (product field max_amount_<name>, ledger
# rem_<name>).
CATEGORIES = {
    "C": "consultation",
    "S": "surgery",
    "D": "delivery",
    "H": "hospitalisation",
    "A": "antenatal",
}


def unit_of(decimals: int) -> Decimal:
    """The currency's unit as a quantum: 2 → 0.01, 0 → 1."""
    return Decimal(1).scaleb(-decimals)


def rounded(amount: Decimal, unit: Decimal) -> Decimal:
    return amount.quantize(unit, rounding=ROUND_HALF_UP)


# --- facts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    """A product line (tblProductServices / tblProductItems) as the valuation reads it."""

    price_origin: str = "P"
    limitation_type: str = CO_INSURANCE
    limit_adult: Decimal = HUNDRED
    limit_child: Decimal = HUNDRED
    limitation_type_r: str = CO_INSURANCE
    limit_adult_r: Decimal = HUNDRED
    limit_child_r: Decimal = HUNDRED
    limitation_type_e: str = CO_INSURANCE
    limit_adult_e: Decimal = HUNDRED
    limit_child_e: Decimal = HUNDRED
    ceiling_exclusion_adult: str = ""
    ceiling_exclusion_child: str = ""


@dataclass(frozen=True)
class Terms:
    """A product's deductibles and ceilings (one family, `ceiling_type`, kinga.products)."""

    ceiling_type: str = BY_INSUREE
    interpretation: str = "I"
    deductible: Decimal | None = None
    deductible_ip: Decimal | None = None
    deductible_op: Decimal | None = None
    ceiling: Decimal | None = None
    ceiling_ip: Decimal | None = None
    ceiling_op: Decimal | None = None
    extra_member_ceiling: Decimal | None = None
    extra_member_ceiling_ip: Decimal | None = None
    extra_member_ceiling_op: Decimal | None = None
    ceiling_cap: Decimal | None = None
    ceiling_cap_ip: Decimal | None = None
    ceiling_cap_op: Decimal | None = None
    threshold: int | None = 0
    # category name (CATEGORIES) → max amount
    category_max: Mapping[str, Decimal | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Cover:
    """One of the insuree's own covering policies at the target date (InsureePolicy and policy
    both in force, status Active or Expired), with its product."""

    policy_ref: int
    product_ref: int
    expiry: date
    terms: Terms
    members: int = 1  # the policy's members covered at the target date (Q10)
    services: Mapping[int, Coverage] = field(default_factory=dict)
    items: Mapping[int, Coverage] = field(default_factory=dict)


@dataclass(frozen=True)
class Line:
    ref: int
    kind: str  # LineKind
    medical_ref: int
    quantity: int  # approved, else claimed
    price_asked: Decimal
    price_approved: Decimal | None = None
    list_price: Decimal | None = None  # the facility's price-list price; None: not listed
    passed: bool = True


@dataclass(frozen=True)
class ClaimFacts:
    ref: int
    insuree_ref: int
    target: date
    lines: tuple[Line, ...]
    covers: tuple[Cover, ...] = ()
    dob: date | None = None
    hospital: bool = False  # a stay of a night or more (date_to ≠ date_from)
    facility_level: str = "C"
    visit_type: str = "O"
    category: str = "V"
    majority: int = 18


# --- the ledger (tblClaimDedRem) --------------------------------------------------------------

AMOUNTS = (
    "ded_g",
    "ded_ip",
    "ded_op",
    "rem_g",
    "rem_ip",
    "rem_op",
    *(f"rem_{name}" for name in CATEGORIES.values()),
)


@dataclass(frozen=True)
class Usage:
    """Sums of ledger rows: what was consumed of deductibles and ceilings."""

    ded_g: Decimal = ZERO
    ded_ip: Decimal = ZERO
    ded_op: Decimal = ZERO
    rem_g: Decimal = ZERO
    rem_ip: Decimal = ZERO
    rem_op: Decimal = ZERO
    rem_consultation: Decimal = ZERO
    rem_surgery: Decimal = ZERO
    rem_delivery: Decimal = ZERO
    rem_hospitalisation: Decimal = ZERO
    rem_antenatal: Decimal = ZERO

    def plus(self, other: Usage, sign: int = 1) -> Usage:
        return Usage(**{n: getattr(self, n) + sign * getattr(other, n) for n in AMOUNTS})


assert tuple(Usage.__dataclass_fields__) == AMOUNTS  # Ledger builds Usage(*sums)


@dataclass(frozen=True)
class LedgerRow:
    """One consumption row: what one claim consumed under one policy (Q19)."""

    claim_ref: int
    policy_ref: int
    insuree_ref: int
    usage: Usage


class Ledger:
    """Consumption so far by policy and by (policy, insuree): the sums of the current ledger
    rows of other claims; `add` books a claim's rows so later claims see them.  (Sums kept as
    lists of the AMOUNTS: thousands of rows are added per batch.)"""

    def __init__(self, rows: Iterable[LedgerRow] = ()) -> None:
        self.by_policy_sums: dict[int, list[Decimal]] = {}
        self.by_member_sums: dict[tuple[int, int], list[Decimal]] = {}
        for row in rows:
            self.add(row)

    def add(self, row: LedgerRow, sign: int = 1) -> None:
        usage = row.usage
        values = [getattr(usage, name) for name in AMOUNTS]
        if sign != 1:
            values = [sign * v for v in values]
        for table, key in (
            (self.by_policy_sums, row.policy_ref),
            (self.by_member_sums, (row.policy_ref, row.insuree_ref)),
        ):
            sums = table.get(key)
            if sums is None:
                table[key] = values
            else:
                table[key] = [a + b for a, b in zip(sums, values, strict=True)]

    def remove(self, row: LedgerRow) -> None:
        self.add(row, -1)

    @property
    def by_policy(self) -> dict[int, Usage]:
        return {k: Usage(*v) for k, v in self.by_policy_sums.items()}

    @property
    def by_member(self) -> dict[tuple[int, int], Usage]:
        return {k: Usage(*v) for k, v in self.by_member_sums.items()}

    def used(self, scope: str, policy_ref: int, insuree_ref: int) -> Usage:
        if scope == BY_POLICY:
            sums = self.by_policy_sums.get(policy_ref)
        elif scope == BY_INSUREE:
            sums = self.by_member_sums.get((policy_ref, insuree_ref))
        else:
            sums = None  # by treatment: the claim alone
        return Usage() if sums is None else Usage(*sums)


# --- results --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineValue:
    ref: int
    rejection: int = 0  # 0, or the code of a line valuation rejects (2, 3)
    policy_ref: int | None = None
    product_ref: int | None = None
    price_origin: str = ""
    limitation: str = ""
    limitation_value: Decimal | None = None
    price_adjusted: Decimal | None = None  # unit price used
    asked: Decimal = ZERO  # quantity × unit price, before any rule
    fixed_limit_excess: Decimal = ZERO
    deductible: Decimal = ZERO
    coinsurance: Decimal = ZERO
    exceed_category: Decimal = ZERO
    exceed_ceiling: Decimal = ZERO
    valuated: Decimal = ZERO
    remunerated: Decimal | None = ZERO  # None for R lines (the batch run sets it)
    excluded: bool = False  # paid outside the ceilings


@dataclass(frozen=True)
class ClaimValue:
    ref: int
    status: int
    lines: tuple[LineValue, ...]
    rows: tuple[LedgerRow, ...]
    asked: Decimal = ZERO
    fixed_limit_excess: Decimal = ZERO
    deductible: Decimal = ZERO
    coinsurance: Decimal = ZERO
    exceed_category: Decimal = ZERO
    exceed_ceiling: Decimal = ZERO
    valuated: Decimal = ZERO
    remunerated: Decimal | None = ZERO


# --- step 1: the product line --------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    cover: Cover
    coverage: Coverage
    limitation: str
    limit: Decimal


def limitation_for(coverage: Coverage, visit_type: str, adult: bool) -> tuple[str, Decimal]:
    """The product line's limitation for the visit type (O, E, R; none = O) and age (§4.1.2)."""
    suffix = {"E": "_e", "R": "_r"}.get(visit_type or "O", "")
    who = "adult" if adult else "child"
    kind = getattr(coverage, f"limitation_type{suffix}") or CO_INSURANCE
    return kind, Decimal(getattr(coverage, f"limit_{who}{suffix}") or 0)


def options_for(claim: ClaimFacts, line: Line, adult: bool) -> list[Option]:
    out = []
    for cover in claim.covers:
        table = cover.items if line.kind == LineKind.ITEM else cover.services
        coverage = table.get(line.medical_ref)
        if coverage is not None:
            kind, limit = limitation_for(coverage, claim.visit_type, adult)
            out.append(Option(cover, coverage, kind, limit))
    return out


def choose_option(options: Sequence[Option], claim_price: Decimal) -> Option | None:
    """§4.1 step 4 (worked example A): the best C and the best F, then the one leaving the
    insuree the smaller part."""

    if len(options) <= 1:
        return options[0] if options else None

    def tie(o: Option):
        return (o.cover.expiry, o.cover.policy_ref)

    cs = sorted(
        (o for o in options if o.limitation == CO_INSURANCE), key=lambda o: (-o.limit, *tie(o))
    )
    fs = sorted(
        (o for o in options if o.limitation == FIXED),
        key=lambda o: (o.limit != 0, -o.limit, *tie(o)),
    )
    best_c = cs[0] if cs else None
    best_f = fs[0] if fs else None
    if best_c is None or best_f is None:
        return best_c or best_f
    if best_f.limit == 0 or best_f.limit > claim_price:
        return best_f
    if best_c.limit >= HUNDRED:
        return best_c
    own_f = claim_price - best_f.limit
    own_c = (HUNDRED - best_c.limit) / HUNDRED * claim_price
    return best_f if own_c > own_f else best_c


# --- steps 2–4: price, work, fixed limit ----------------------------------------------------


def unit_price(origin: str, line: Line) -> Decimal | None:
    """The unit price by price origin (§4.2 e.2, Q2); None: a P/R line out of the price list."""
    if line.price_approved is not None:
        return line.price_approved
    if origin == PROVIDER:
        return line.price_asked
    return line.list_price


def fixed_limit(work: Decimal, quantity: int, limitation: str, limit: Decimal, unit: Decimal):
    """(work, above the fixed limit): F caps the line at quantity × limit; 0 = no cap (Q17)."""
    if limitation != FIXED or limit <= 0:
        return work, ZERO
    cap = rounded(quantity * limit, unit)
    return (cap, work - cap) if cap < work else (work, ZERO)


# --- steps 5–6: deductible and co-insurance --------------------------------------------------


def deduct(work: Decimal, remaining: Decimal) -> tuple[Decimal, Decimal]:
    """(work left, deducted): what remains of the deductible absorbs the line."""
    if remaining <= 0:
        return work, ZERO
    taken = min(work, remaining)
    return work - taken, taken


def co_insure(work: Decimal, limitation: str, limit: Decimal, unit: Decimal):
    """(scheme's part, insuree's co-insurance part) of a C line: the scheme pays limit %."""
    if limitation != CO_INSURANCE or limit >= HUNDRED:
        return work, ZERO
    paid = rounded(work * limit / HUNDRED, unit)
    return paid, work - paid


# --- steps 7–9: ceilings --------------------------------------------------------------------


def cap(work: Decimal, ceiling: Decimal | None, used: Decimal) -> tuple[Decimal, Decimal]:
    """(paid, above the ceiling): a ceiling (None or 0: none) of which `used` is consumed."""
    if not ceiling:
        return work, ZERO
    remaining = max(ceiling - used, ZERO)
    paid = min(work, remaining)
    return paid, work - paid


def excluded_from_ceiling(code: str, ip: bool) -> bool:
    """Ceiling exclusion of the product line: B always, H in hospital context, N outside."""
    return code == "B" or (code == "H" and ip) or (code == "N" and not ip)


def policy_ceiling(
    base: Decimal | None,
    extra: Decimal | None,
    absolute: Decimal | None,
    members: int,
    threshold: int | None,
) -> Decimal | None:
    """A policy ceiling with its extra members above the threshold, then the absolute cap
    (worked example E; Q29: no threshold = 0)."""
    if not base:
        return base
    above = members - (threshold or 0)
    ceiling = base + above * extra if extra and above > 0 else base
    if absolute and ceiling > absolute:
        ceiling = absolute
    return ceiling


@dataclass(frozen=True)
class Limits:
    """The deductible and ceiling a claim's lines meet under one policy, where they are
    booked, and what earlier claims consumed of them."""

    context: str  # IP or OP
    deductible: Decimal | None
    ded_column: str  # ded_g, ded_ip or ded_op
    ceiling: Decimal | None
    rem_column: str
    prev_deducted: Decimal
    prev_remunerated: Decimal


def hospital_context(terms: Terms, claim: ClaimFacts) -> bool:
    """§4.2 c: in-patient claims (interpretation I) or care in hospitals (H)."""
    if terms.interpretation == "H":
        return claim.facility_level == "H"
    return claim.hospital


def limits_for(cover: Cover, claim: ClaimFacts, used: Usage) -> Limits:
    terms = cover.terms
    ip = hospital_context(terms, claim)
    side = "ip" if ip else "op"
    policy = terms.ceiling_type == BY_POLICY
    if terms.deductible:
        deductible, ded_column = terms.deductible, "ded_g"
    else:
        deductible, ded_column = getattr(terms, f"deductible_{side}"), f"ded_{side}"
    if terms.ceiling:
        ceiling, rem_column = terms.ceiling, "rem_g"
        extra, absolute = terms.extra_member_ceiling, terms.ceiling_cap
    else:
        ceiling, rem_column = getattr(terms, f"ceiling_{side}"), f"rem_{side}"
        extra = getattr(terms, f"extra_member_ceiling_{side}")
        absolute = getattr(terms, f"ceiling_cap_{side}")
    if policy:
        ceiling = policy_ceiling(ceiling, extra, absolute, cover.members, terms.threshold)
    return Limits(
        context=IN_PATIENT if ip else OUT_PATIENT,
        deductible=deductible or None,
        ded_column=ded_column,
        ceiling=ceiling or None,
        rem_column=rem_column,
        prev_deducted=getattr(used, ded_column),
        prev_remunerated=getattr(used, rem_column),
    )


# --- a claim --------------------------------------------------------------------------------


@dataclass
class _Pair:
    """What the claim's lines under one policy have consumed so far."""

    cover: Cover
    limits: Limits
    category_used: Decimal
    deducted: Decimal = ZERO
    remunerated: Decimal = ZERO
    category: Decimal = ZERO
    paid_all: Decimal = ZERO


def canonical_order(lines: Iterable[Line]) -> list[Line]:
    """Items then services, then by what the line is — not by the order of entry."""

    def key(line: Line):
        return (
            line.kind != LineKind.ITEM,
            line.medical_ref,
            line.price_approved if line.price_approved is not None else Decimal(-1),
            line.list_price if line.list_price is not None else Decimal(-1),
            line.price_asked,
            line.quantity,
            line.ref,
        )

    return sorted(lines, key=key)


def _value_line(
    claim: ClaimFacts,
    line: Line,
    adult: bool,
    pairs: dict[int, _Pair],
    ledger: Ledger,
    unit: Decimal,
) -> LineValue:
    claim_price = max(line.price_asked, line.price_approved or ZERO)
    option = choose_option(options_for(claim, line, adult), claim_price)
    if option is None:
        return LineValue(line.ref, rejection=int(Rejection.NOT_COVERED))
    cover, coverage = option.cover, option.coverage
    price = unit_price(coverage.price_origin, line)
    if price is None:
        return LineValue(line.ref, rejection=int(Rejection.NOT_IN_PRICE_LIST))
    pair = pairs.get(cover.policy_ref)
    if pair is None:
        scope = cover.terms.ceiling_type
        member_used = ledger.used(BY_INSUREE, cover.policy_ref, claim.insuree_ref)
        cat = CATEGORIES.get(claim.category)
        pair = _Pair(
            cover,
            limits_for(cover, claim, ledger.used(scope, cover.policy_ref, claim.insuree_ref)),
            getattr(member_used, f"rem_{cat}") if cat else ZERO,
        )
        pairs[cover.policy_ref] = pair
    limits = pair.limits
    base = dict(
        ref=line.ref,
        policy_ref=cover.policy_ref,
        product_ref=cover.product_ref,
        price_origin=coverage.price_origin,
        limitation=option.limitation,
        limitation_value=option.limit,
        price_adjusted=price,
    )
    asked = rounded(line.quantity * price, unit)
    work, above_fixed = fixed_limit(asked, line.quantity, option.limitation, option.limit, unit)
    remaining = (limits.deductible or ZERO) - limits.prev_deducted - pair.deducted
    work, deducted = deduct(work, remaining)
    pair.deducted += deducted
    work, coinsurance = co_insure(work, option.limitation, option.limit, unit)
    exceed_category = ZERO
    cat = CATEGORIES.get(claim.category)
    cat_max = cover.terms.category_max.get(cat) if cat else None
    if cat_max:
        work, exceed_category = cap(work, cat_max, pair.category_used + pair.category)
    if cat:
        pair.category += work
    exclusion = coverage.ceiling_exclusion_adult if adult else coverage.ceiling_exclusion_child
    excluded = excluded_from_ceiling(exclusion, limits.context == IN_PATIENT)
    exceed_ceiling = ZERO
    if not excluded:
        work, exceed_ceiling = cap(work, limits.ceiling, limits.prev_remunerated + pair.remunerated)
        pair.remunerated += work
    pair.paid_all += work
    return LineValue(
        **base,
        asked=asked,
        fixed_limit_excess=above_fixed,
        deductible=deducted,
        coinsurance=coinsurance,
        exceed_category=exceed_category,
        exceed_ceiling=exceed_ceiling,
        valuated=work,
        remunerated=None if coverage.price_origin == RELATIVE else work,
        excluded=excluded,
    )


def _ledger_row(claim: ClaimFacts, pair: _Pair) -> LedgerRow:
    """§4.2 f, Q19: one row per (claim, policy); the deductible and the remunerated amount go
    to the general column and to the IP or OP column of the claim's context."""
    side = "ip" if pair.limits.context == IN_PATIENT else "op"
    amounts = {
        "ded_g": pair.deducted,
        f"ded_{side}": pair.deducted,
        "rem_g": pair.remunerated,
        f"rem_{side}": pair.remunerated,
    }
    cat = CATEGORIES.get(claim.category)
    if cat:
        amounts[f"rem_{cat}"] = pair.category
    return LedgerRow(claim.ref, pair.cover.policy_ref, claim.insuree_ref, Usage(**amounts))


def _total(values: Sequence[LineValue], name: str) -> Decimal:
    return sum((getattr(v, name) for v in values), ZERO)


def value_claim(claim: ClaimFacts, ledger: Ledger, unit: Decimal = Decimal("0.01")) -> ClaimValue:
    """The claim's lines valued under `ledger` (consumption of the *other* claims); the ledger
    is not changed (see `value_claims`)."""
    adult = claim.dob is not None and is_adult(claim.dob, claim.target, claim.majority)
    pairs: dict[int, _Pair] = {}
    by_ref: dict[int, LineValue] = {}
    for line in canonical_order(line for line in claim.lines if line.passed):
        by_ref[line.ref] = _value_line(claim, line, adult, pairs, ledger, unit)
    values = tuple(by_ref[line.ref] for line in claim.lines if line.ref in by_ref)
    valued = [v for v in values if not v.rejection]
    if not valued:
        status = ClaimStatus.REJECTED
    elif any(v.remunerated is None for v in valued):
        status = ClaimStatus.PROCESSED
    else:
        status = ClaimStatus.VALUATED
    return ClaimValue(
        ref=claim.ref,
        status=int(status),
        lines=values,
        rows=tuple(_ledger_row(claim, pair) for pair in pairs.values()),
        asked=_total(valued, "asked"),
        fixed_limit_excess=_total(valued, "fixed_limit_excess"),
        deductible=_total(valued, "deductible"),
        coinsurance=_total(valued, "coinsurance"),
        exceed_category=_total(valued, "exceed_category"),
        exceed_ceiling=_total(valued, "exceed_ceiling"),
        valuated=_total(valued, "valuated"),
        remunerated=None
        if status == ClaimStatus.PROCESSED
        else sum((v.remunerated or ZERO for v in valued), ZERO),
    )


def value_claims(
    claims: Iterable[ClaimFacts], ledger: Ledger, unit: Decimal = Decimal("0.01")
) -> list[ClaimValue]:
    """Value `claims` in the order given, each seeing what the earlier ones consumed: their
    ledger rows are added to `ledger` as they are valued."""
    out = []
    for claim in claims:
        value = value_claim(claim, ledger, unit)
        for row in value.rows:
            ledger.add(row)
        out.append(value)
    return out
