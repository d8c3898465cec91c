"""The batch run's pure rules (kinga.claims.rules.batch): the spec's worked examples F and G
under Kinga's rules Q21 and Q23, and invariants."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kinga.claims.rules import batch as rules

D = Decimal


def test_month_window_is_half_open():
    w = rules.window("M", 2026, 1)
    assert (w.start, w.end, w.index, w.last_day) == (
        date(2026, 1, 1),
        date(2026, 2, 1),
        1,
        date(2026, 1, 31),
    )
    assert rules.window("M", 2026, 12).end == date(2027, 1, 1)


def test_quarters_and_years_close_at_their_last_month_only():
    assert rules.window("Q", 2026, 2) is None
    q = rules.window("Q", 2026, 6)
    assert (q.start, q.end, q.index, q.periods) == (date(2026, 4, 1), date(2026, 7, 1), 2, 4)
    assert rules.window("Y", 2026, 11) is None
    y = rules.window("Y", 2026, 12)
    assert (y.start, y.end, y.index) == (date(2026, 1, 1), date(2027, 1, 1), 1)
    assert [rules.run_kind(2026, m) for m in (1, 3, 12)] == ["M", "Q", "Y"]


def test_index_plan_general_split_and_none():
    assert rules.index_plan(rules.ProductPeriods("M"), 2026, 1).windows.keys() == {"B"}
    assert rules.index_plan(rules.ProductPeriods("Q"), 2026, 2) is None
    split = rules.index_plan(rules.ProductPeriods(ip="M"), 2026, 1)
    assert split.computed == {"I": True, "O": False}
    none = rules.index_plan(rules.ProductPeriods(), 2026, 5)
    assert none.computed == {"B": False} and none.windows["B"].kind == "M"


JAN = rules.window("M", 2026, 1)


def test_worked_example_f_with_exact_days():
    """Spec §5.3 F under Q21: 12 000 over 365 days, January takes 31 (openIMIS: 32/364)."""
    premium = rules.Premium(D(12000), date(2026, 1, 1), date(2026, 1, 1), date(2026, 12, 31))
    allocated = rules.allocated_contribution([premium], JAN.start, JAN.end)
    assert rules.round_money(allocated) == D("1019.18")
    share = rules.distribution_share({("B", 12, 1): D("90.00")}, "B", JAN)
    assert share == D("0.9")
    index = rules.relative_index(allocated, share, D(1200))
    assert index == D("0.7644")
    assert rules.remunerated(D(300), index) == D("229.32")


def test_missing_distribution_row_counts_as_everything_q23():
    q2 = rules.window("Q", 2026, 6)
    # A row for the quarter is found by the quarter's index (2), not the month number (6).
    assert rules.distribution_share({("B", 4, 2): D(25)}, "B", q2) == D("0.25")
    assert rules.distribution_share({("B", 4, 6): D(25)}, "B", q2) == D(1)
    assert rules.distribution_share({}, "I", JAN) == D(1)


def test_no_relative_claims_gives_index_one():
    assert rules.relative_index(D(5000), D(1), D(0)) == D(1)


def test_allocation_ignores_idle_and_not_yet_effective_policies():
    idle = rules.Premium(D(1000), date(2026, 1, 1), date(2026, 1, 1), date(2026, 12, 31), True)
    no_effective = rules.Premium(D(1000), date(2026, 1, 1), None, date(2026, 12, 31))
    later = rules.Premium(D(1000), date(2026, 3, 1), date(2026, 3, 1), date(2027, 2, 28))
    assert rules.allocated_contribution([idle, no_effective, later], JAN.start, JAN.end) == 0


def test_worked_example_g_capitation():
    """Spec §5.5 G: HF1 34 500, HF2 25 500, total 60 % of A."""
    result = rules.capitation(
        {
            1: {"insured_population": D(300), "visits": D(40)},
            2: {"insured_population": D(100), "visits": D(60)},
        },
        D(100000),
        D(60),
        {"insured_population": D(50), "visits": D(50)},
    )
    assert result.payments == {1: D("34500.00"), 2: D("25500.00")}
    assert result.allocations["visits"] == D("30000.00")
    assert result.unit_prices["insured_population"] == D(75)
    assert result.unit_prices["population"] == 0


def test_capitation_facility_match():
    pairs = [("C", ""), ("H", "R"), ("", ""), ("", "")]
    assert rules.facility_matches("C", "I", pairs)
    assert rules.facility_matches("H", "R", pairs)
    assert not rules.facility_matches("H", "N", pairs)
    assert not rules.facility_matches("D", "", pairs)


# --- invariants ----------------------------------------------------------------------------

amounts = st.decimals(min_value=D(1), max_value=D(10**7), places=2)
counts = st.integers(min_value=0, max_value=10_000).map(D)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.fixed_dictionaries({k: counts for k in rules.INDICATORS}), min_size=1, max_size=8),
    amounts,
    st.integers(min_value=1, max_value=100).map(D),
    st.lists(st.integers(min_value=0, max_value=100), min_size=6, max_size=6),
)
def test_capitation_pays_out_a_times_share(rows, allocated, share, weights):
    """When every indicator has a total above 0, the payments add up to A × share × Σ weights
    (up to the cent rounding of each facility)."""
    for k in rules.INDICATORS:
        if sum(r[k] for r in rows) == 0:
            rows[0][k] = D(1)
    w = dict(zip(rules.INDICATORS, map(D, weights), strict=True))
    result = rules.capitation(dict(enumerate(rows)), allocated, share, w)
    expected = allocated * share / 100 * sum(w.values()) / 100
    assert abs(sum(result.payments.values()) - expected) <= D("0.005") * len(rows) + D("1e-6")
    assert all(p >= 0 for p in result.payments.values())


@settings(max_examples=200, deadline=None)
@given(amounts, st.integers(min_value=0, max_value=100).map(D), amounts)
def test_index_times_claims_value_is_allocated_times_share(allocated, share, claims_value):
    fraction = share / 100
    index = rules.relative_index(allocated, fraction, claims_value)
    # The index keeps 4 decimals: at most half a ten-thousandth of the claims value off.
    assert abs(index * claims_value - allocated * fraction) <= claims_value * D("0.00005")


@settings(max_examples=200, deadline=None)
@given(
    amounts,
    st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)),
    st.integers(min_value=0, max_value=800),
)
def test_a_contribution_is_allocated_exactly_once_over_the_months(amount, begin, length):
    """Spread over consecutive months, the parts add up to the whole contribution."""
    premium = rules.Premium(amount, begin, begin, begin + timedelta(days=length))
    total = D(0)
    year, month = begin.year, begin.month
    while date(year, month, 1) <= premium.expiry_date:
        w = rules.window("M", year, month)
        total += rules.allocated_share(premium, w.start, w.end)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    assert abs(total - amount) < D("1e-10")


def test_window_rejects_a_bad_month():
    with pytest.raises(ValueError):
        rules.window("M", 2026, 13)
