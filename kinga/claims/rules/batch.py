"""The batch run's pure rules (spec claims §5, Q21–Q23): period windows, the contribution
allocated to a period, the distribution share, the relative index and the capitation payment.

No ORM and no clock: the service reads the rows and passes plain values.

Kinga's decisions against openIMIS (§6):
* Q21 — a window is half-open, [start, next start): a claim processed on the first day of the next
  month belongs to the next run.  Day counts are exact: a contribution for a policy from 1 January
  to 31 December spreads over 365 days and January takes 31 of them (openIMIS: 32/364).
* Q23 — the distribution row is found by the period's own index (month 1..12, quarter 1..4, year 1)
  and a missing row counts as 100 %: the index is never NULL, so a claim is never closed with an
  unpaid line.

Worked example F with these rules: 12 000 paid on 1 January for a policy 1 January–31 December;
January takes 12 000 × 31 / 365 = 1 019.18; with 90 % for January, 917.26 for 1 200 of relative
lines: index 0.7644 (openIMIS: 0.7912), and a line valued 300 is paid 229.32.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

MONTH, QUARTER, YEAR = "M", "Q", "Y"
PERIODS_PER_YEAR = {MONTH: 12, QUARTER: 4, YEAR: 1}
INDEX_PLACES = Decimal("0.0001")
CENT = Decimal("0.01")
ONE = Decimal(1)
HUNDRED = Decimal(100)


def round_money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def round_index(value: Decimal) -> Decimal:
    return value.quantize(INDEX_PLACES, rounding=ROUND_HALF_UP)


def next_month(year: int, month: int) -> date:
    return date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)


@dataclass(frozen=True)
class Window:
    """A half-open period [start, end) and its place in the year (kind M/Q/Y, index 1..12/4/1)."""

    kind: str
    start: date
    end: date
    index: int

    @property
    def last_day(self) -> date:
        return date.fromordinal(self.end.toordinal() - 1)

    @property
    def periods(self) -> int:
        return PERIODS_PER_YEAR[self.kind]


def window(kind: str, year: int, month: int) -> Window | None:
    """The period of kind `kind` that the run of (year, month) closes, or None when that month
    closes no such period (a quarter closes in March, June, September, December; a year in
    December).  The end is the first day of the next month (half-open, Q21)."""
    if not 1 <= month <= 12:
        raise ValueError(f"month {month} is not 1..12")
    end = next_month(year, month)
    if kind == MONTH:
        return Window(MONTH, date(year, month, 1), end, month)
    if kind == QUARTER:
        if month % 3:
            return None
        return Window(QUARTER, date(year, month - 2, 1), end, month // 3)
    if kind == YEAR:
        if month != 12:
            return None
        return Window(YEAR, date(year, 1, 1), end, 1)
    raise ValueError(f"unknown period kind {kind!r}")


def run_kind(year: int, month: int) -> str:
    """What the run of a month closes at most: the year in December, a quarter at quarter-end."""
    return YEAR if month == 12 else QUARTER if month % 3 == 0 else MONTH


@dataclass(frozen=True)
class ProductPeriods:
    """A product's relative-pricing periodicities (general, in-patient, out-patient; '' = none)."""

    general: str = ""
    ip: str = ""
    op: str = ""


@dataclass(frozen=True)
class IndexPlan:
    """What a product's run computes: per care type (B, or I and O) the window, and whether the
    index is computed (True) or fixed at 1 (False: no periodicity on that side)."""

    windows: Mapping[str, Window]
    computed: Mapping[str, bool]


def index_plan(periods: ProductPeriods, year: int, month: int) -> IndexPlan | None:
    """§5.2 step 2: a general periodicity gives one index (care type B) for all claims; else an
    in-patient and/or out-patient index (a side without periodicity uses 1 over the other side's
    period); no periodicity at all gives a monthly index of 1.  None when this month closes no
    period of the product (a quarterly product in February)."""
    if periods.general:
        w = window(periods.general, year, month)
        return None if w is None else IndexPlan({"B": w}, {"B": True})
    if not periods.ip and not periods.op:
        return IndexPlan({"B": window(MONTH, year, month)}, {"B": False})
    kind = periods.ip or periods.op
    w_ip = window(periods.ip or kind, year, month)
    w_op = window(periods.op or kind, year, month)
    if w_ip is None or w_op is None:
        return None
    return IndexPlan({"I": w_ip, "O": w_op}, {"I": bool(periods.ip), "O": bool(periods.op)})


def capitation_window(periods: ProductPeriods, year: int, month: int) -> Window | None:
    """§5.5: the capitation period follows the general periodicity, else OP, else IP, else M."""
    kind = periods.general or periods.op or periods.ip or MONTH
    return window(kind, year, month)


@dataclass(frozen=True)
class Premium:
    """A contribution as the allocation needs it (policy status and dates, amount)."""

    amount: Decimal
    pay_date: date
    effective_date: date | None
    expiry_date: date
    idle: bool = False


def allocated_share(p: Premium, start: date, end: date) -> Decimal:
    """The part of one contribution that falls in [start, end): the contribution is spread evenly
    over the days of the policy it pays for, from max(payment, effective date) to the expiry date
    (both included), and the days of that span inside the window are taken (exact counts, Q21)."""
    if p.idle or p.effective_date is None:
        return Decimal(0)
    begin = max(p.pay_date, p.effective_date)
    if begin > p.expiry_date:
        return Decimal(0)
    covered_days = p.expiry_date.toordinal() - begin.toordinal() + 1
    first = max(begin, start)
    stop = min(p.expiry_date.toordinal() + 1, end.toordinal())  # exclusive
    days = stop - first.toordinal()
    if days <= 0:
        return Decimal(0)
    return p.amount * days / covered_days


def allocated_contribution(premiums: Iterable[Premium], start: date, end: date) -> Decimal:
    """Σ of the parts of the contributions that fall in [start, end) (not rounded)."""
    return sum((allocated_share(p, start, end) for p in premiums), Decimal(0))


def distribution_share(
    shares: Mapping[tuple[str, int, int], Decimal | None], care_type: str, w: Window
) -> Decimal:
    """The fraction of the period's contributions given to relative prices: the product's
    distribution row (care type, number of periods, period index) as a percentage, 100 % when
    the row is missing or empty (Q23)."""
    value = shares.get((care_type, w.periods, w.index))
    return ONE if value is None else Decimal(value) / HUNDRED


def relative_index(allocated: Decimal, share: Decimal, claims_value: Decimal) -> Decimal:
    """RelIndex = allocated × share / claims value, 4 decimals; 1 when there is nothing to share
    out (no relative line in the period)."""
    if claims_value <= 0:
        return ONE
    return round_index(allocated * share / claims_value)


def remunerated(price_valuated: Decimal, factor: Decimal) -> Decimal:
    """A line's payment: its valuated amount × the index (R lines) or × 1 (other origins)."""
    return round_money(price_valuated * factor)


# --- capitation (§5.5) ---------------------------------------------------------------------

INDICATORS = (
    "population",
    "families",
    "insured_population",
    "insured_families",
    "visits",
    "adjusted_amount",
)


@dataclass(frozen=True)
class CapitationResult:
    """Per facility: the payment, and per indicator the allocation and the unit price."""

    payments: dict[int, Decimal]
    totals: dict[str, Decimal]
    allocations: dict[str, Decimal]
    unit_prices: dict[str, Decimal]


def capitation(
    indicators: Mapping[int, Mapping[str, Decimal]],
    allocated: Decimal,
    share_percent: Decimal,
    weights_percent: Mapping[str, Decimal],
) -> CapitationResult:
    """Payment to facility h = Σ_k Indicator_k(h) × A × share × weight_k / Σ_h' Indicator_k(h');
    an indicator whose total is 0 gives nothing.  Payments rounded half-up to the franc cent."""
    share = Decimal(share_percent) / HUNDRED
    totals = {
        k: sum((Decimal(v.get(k, 0)) for v in indicators.values()), Decimal(0)) for k in INDICATORS
    }
    allocations = {
        k: allocated * share * Decimal(weights_percent.get(k, 0)) / HUNDRED for k in INDICATORS
    }
    unit_prices = {
        k: (allocations[k] / totals[k]) if totals[k] > 0 else Decimal(0) for k in INDICATORS
    }
    payments = {
        hf: round_money(
            sum((Decimal(values.get(k, 0)) * unit_prices[k] for k in INDICATORS), Decimal(0))
        )
        for hf, values in indicators.items()
    }
    return CapitationResult(
        payments=payments,
        totals=totals,
        allocations={k: round_money(v) for k, v in allocations.items()},
        unit_prices={k: round_index(v) for k, v in unit_prices.items()},
    )


def facility_matches(level: str, sub_level: str, pairs: Iterable[tuple[str, str]]) -> bool:
    """A facility is paid by capitation for a product when its level (and sub-level, when the
    product names one) is one of the product's Level_k/Sublevel_k pairs."""
    return any(lv and lv == level and (not sl or sl == sub_level) for lv, sl in pairs)
