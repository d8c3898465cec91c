"""The medical officer's review of a Checked claim (spec claims §3.4, Q2, Q3, Q4, Q15), pure.

Per line the reviewer passes it with an approved quantity and unit price (each defaulting to
the claimed ones, never above them: the scheme never pays more than the facility asked), or
rejects it with a justification (reason −1).  A line the system rejected
(reason > 0) cannot be passed again (Q15).  The approved amount is Σ over passed lines of
(approved quantity ?? quantity) × (approved price ?? price asked) (Q3, Q4); the claim becomes
Rejected when every line is rejected, else stays Checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..codes import ClaimStatus, Rejection


@dataclass(frozen=True)
class LineState:
    ref: Any
    quantity: int
    price: Decimal
    rejection: int  # the line's current reason: 0 passed, > 0 system, −1 reviewer


@dataclass(frozen=True)
class Decision:
    ref: Any
    passed: bool
    qty_approved: int | None = None
    price_approved: Decimal | None = None
    justification: str = ""


@dataclass(frozen=True)
class Reviewed:
    ref: Any
    rejection: int
    qty_approved: int | None
    price_approved: Decimal | None
    justification: str

    @property
    def passed(self) -> bool:
        return self.rejection == Rejection.NONE


class ReviewError(ValueError):
    """A decision the rules refuse: `code` names why, `ref` the line."""

    def __init__(self, code: str, ref: Any):
        super().__init__(code)
        self.code = code
        self.ref = ref


def review_line(state: LineState, decision: Decision) -> Reviewed:
    if decision.passed:
        if state.rejection > 0:
            raise ReviewError("system_rejected", state.ref)
        qty = decision.qty_approved
        if qty is not None and not 0 <= qty <= state.quantity:
            raise ReviewError("quantity", state.ref)
        price = decision.price_approved
        if price is not None and not 0 <= price <= state.price:
            raise ReviewError("price", state.ref)
        return Reviewed(state.ref, Rejection.NONE, qty, price, decision.justification)
    if state.rejection > 0:  # stays the system's rejection
        return Reviewed(state.ref, state.rejection, 0, None, decision.justification)
    if not decision.justification.strip():
        raise ReviewError("justification", state.ref)
    return Reviewed(state.ref, Rejection.REVIEW, 0, None, decision.justification)


def approved_amount(states: Sequence[LineState], reviewed: Sequence[Reviewed]) -> Decimal:
    by_ref = {s.ref: s for s in states}
    total = Decimal(0)
    for r in reviewed:
        if r.passed:
            state = by_ref[r.ref]
            qty = state.quantity if r.qty_approved is None else r.qty_approved
            price = state.price if r.price_approved is None else r.price_approved
            total += qty * price
    return total


def claim_status_after(reviewed: Sequence[Reviewed]) -> int:
    return ClaimStatus.CHECKED if any(r.passed for r in reviewed) else ClaimStatus.REJECTED
