"""The payment statement's lines summed by service and item (kinga.claims.rules.statements)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from kinga.claims.rules.statements import LineFact, group_lines, totals

facts = st.builds(
    LineFact,
    kind=st.sampled_from(["S", "I"]),
    medical_id=st.integers(1, 4),
    code=st.just("X"),
    name=st.just("x"),
    quantity=st.integers(1, 20),
    passed=st.booleans(),
    product_id=st.sampled_from([1, 2]),
    qty_approved=st.none() | st.integers(0, 1),
    price_asked=st.sampled_from([Decimal(100), Decimal(2500)]),
    price_approved=st.none() | st.sampled_from([Decimal(100), Decimal(2000)]),
    remunerated=st.none() | st.decimals(0, 50000, places=2),
)


def fact(**kw) -> LineFact:
    values = {"kind": "S", "medical_id": 1, "code": "CONS", "name": "Consultation"}
    values.update(kw)
    values.setdefault("quantity", 1)
    values.setdefault("passed", True)
    return LineFact(**values)


def test_the_reviewer_price_and_quantity_win():
    line = fact(quantity=4, qty_approved=2, price_asked=Decimal(2500), price_approved=Decimal(2000))
    (grouped,) = group_lines([line])
    assert (grouped.qty_declared, grouped.qty_validated) == (4, 2)
    assert grouped.unit_price == Decimal(2000)
    assert grouped.amount_validated == grouped.amount == Decimal(4000)


def test_what_the_valuation_remunerates_is_what_is_paid():
    (grouped,) = group_lines([fact(price_asked=Decimal(2000), remunerated=Decimal(1600))])
    assert grouped.amount_validated == Decimal(2000)
    assert grouped.amount == Decimal(1600)


def test_a_rejected_line_joins_its_service_and_pays_nothing():
    lines = group_lines(
        [fact(price_asked=Decimal(2000)), fact(price_asked=Decimal(2000), passed=False)]
    )
    assert len(lines) == 1
    assert (lines[0].qty_declared, lines[0].qty_validated, lines[0].amount) == (2, 1, 2000)


def test_services_come_before_items():
    lines = group_lines([fact(kind="I", code="A", medical_id=2), fact(kind="S", code="Z")])
    assert [line.kind for line in lines] == ["S", "I"]


@given(st.lists(facts, max_size=30))
def test_nothing_is_lost_or_counted_twice(items):
    lines = group_lines(items)
    assert sum(line.qty_declared for line in lines) == sum(f.quantity for f in items)
    assert sum(line.qty_validated for line in lines) == sum(f.qty_validated for f in items)
    validated, amount = totals(lines)
    assert amount == sum((f.amount for f in items), Decimal(0))
    assert validated == sum((f.amount_validated for f in items), Decimal(0))
    assert all(line.amount >= 0 for line in lines)


@given(st.lists(facts, max_size=20), st.randoms())
def test_the_order_of_the_claim_lines_does_not_matter(items, rnd):
    shuffled = list(items)
    rnd.shuffle(shuffled)
    key = [
        (x.kind, x.medical_id, x.unit_price, x.product_id, x.qty_declared, x.amount)
        for x in group_lines(items)
    ]
    again = [
        (x.kind, x.medical_id, x.unit_price, x.product_id, x.qty_declared, x.amount)
        for x in group_lines(shuffled)
    ]
    assert sorted(key) == sorted(again)
