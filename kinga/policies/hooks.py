"""What the policies app lets a higher app (claims) plug in, without importing it.

The layers go claims → policies: the enquiry shows the deductibles and ceilings *left* after
the claims valued so far, but the policies app never imports kinga.claims.  The claims app
registers, from its `AppConfig.ready()`, the **consumption reader** (`register_consumption`):
given policy ids and an insuree, what the current consumption ledger (tblClaimDedRem) holds,
summed per policy and for that insuree.  With none registered (the policies app alone) nothing
is consumed and the enquiry shows the product's amounts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal

# policy id → (sums over the policy, sums for the insuree), each {"ded_g": …, "rem_op": …}
Consumed = dict[int, tuple[dict[str, Decimal], dict[str, Decimal]]]
ConsumptionReader = Callable[[Iterable[int], int], Consumed]


def _nothing(policy_ids: Iterable[int], insuree_id: int) -> Consumed:
    return {}


_reader: ConsumptionReader = _nothing


def register_consumption(reader: ConsumptionReader) -> None:
    global _reader
    _reader = reader


def consumption() -> ConsumptionReader:
    return _reader
