"""The lines of a payment statement (« état de paiement », first seed 3.2.7): the claim lines of
its claims summed by service or item and unit price.  Pure: plain facts in, lines out.

For each claim line:

1. its unit price is the price the valuation used (`price_adjusted`), else the approved price,
   else the asked price (Q2, Q3: the reviewer's price wins);
2. its declared quantity is the quantity claimed; its validated quantity is the approved
   quantity (else the claimed one) of a passed line, 0 for a rejected line (Q4);
3. its validated amount is validated quantity × unit price; its amount to pay is what the
   valuation remunerates (`remunerated_amount`, else `price_valuated`, else the validated
   amount), 0 for a rejected line;
4. lines of the same kind, service or item, unit price and paying product are summed; a rejected
   line joins the line of the same service or item and price when there is one, so that its
   declared quantity shows beside the validated one.

Lines come out services first (« Soins »), then items (« Produits médicaux »), by code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from ..codes import LineKind

ZERO = Decimal(0)


@dataclass(frozen=True)
class LineFact:
    kind: str  # LineKind
    medical_id: int
    code: str
    name: str
    quantity: int
    passed: bool
    product_id: int | None = None
    qty_approved: int | None = None
    price_asked: Decimal = ZERO
    price_approved: Decimal | None = None
    price_adjusted: Decimal | None = None
    price_valuated: Decimal | None = None
    remunerated: Decimal | None = None

    @property
    def unit_price(self) -> Decimal:
        for price in (self.price_adjusted, self.price_approved):
            if price is not None:
                return price
        return self.price_asked

    @property
    def qty_validated(self) -> int:
        if not self.passed:
            return 0
        return self.quantity if self.qty_approved is None else self.qty_approved

    @property
    def amount_validated(self) -> Decimal:
        return self.qty_validated * self.unit_price

    @property
    def amount(self) -> Decimal:
        if not self.passed:
            return ZERO
        for value in (self.remunerated, self.price_valuated):
            if value is not None:
                return value
        return self.amount_validated


@dataclass
class StatementLine:
    kind: str
    medical_id: int
    code: str
    name: str
    unit_price: Decimal
    product_id: int | None = None
    qty_declared: int = 0
    qty_validated: int = 0
    amount_validated: Decimal = ZERO
    amount: Decimal = ZERO
    sources: int = field(default=0, repr=False)

    def add(self, fact: LineFact) -> None:
        self.qty_declared += fact.quantity
        self.qty_validated += fact.qty_validated
        self.amount_validated += fact.amount_validated
        self.amount += fact.amount
        self.sources += 1


KIND_ORDER = {LineKind.SERVICE: 0, LineKind.ITEM: 1}


def group_lines(facts: Iterable[LineFact]) -> list[StatementLine]:
    """The statement's lines (steps 1–4 of the module docstring)."""
    passed: dict[tuple, StatementLine] = {}
    rejected: dict[tuple, StatementLine] = {}
    for fact in facts:
        base = (fact.kind, fact.medical_id, fact.unit_price)
        if fact.passed:
            key = (*base, fact.product_id)
            line = passed.get(key)
            if line is None:
                line = passed[key] = StatementLine(
                    fact.kind,
                    fact.medical_id,
                    fact.code,
                    fact.name,
                    fact.unit_price,
                    fact.product_id,
                )
        else:
            line = rejected.get(base)
            if line is None:
                line = rejected[base] = StatementLine(
                    fact.kind, fact.medical_id, fact.code, fact.name, fact.unit_price
                )
        line.add(fact)
    by_base: dict[tuple, StatementLine] = {}
    # The host of a rejected line: the passed line of the lowest product (whatever the order).
    for (kind, medical_id, price, _product), line in sorted(
        passed.items(), key=lambda kv: kv[0][3] or 0
    ):
        by_base.setdefault((kind, medical_id, price), line)
    out = list(passed.values())
    for base, line in rejected.items():
        host = by_base.get(base)
        if host is None:
            out.append(line)
        else:
            host.qty_declared += line.qty_declared
    out.sort(key=lambda x: (KIND_ORDER.get(x.kind, 9), x.code, x.unit_price, x.product_id or 0))
    return out


def totals(lines: Iterable[StatementLine]) -> tuple[Decimal, Decimal]:
    """(validated amount, amount to pay) of `lines`."""
    validated = amount = ZERO
    for line in lines:
        validated += line.amount_validated
        amount += line.amount
    return validated, amount
