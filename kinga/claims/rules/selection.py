"""Selection of claims for review or feedback (spec claims §3.2, Q14), over the claims of a search.

Only Idle claims (for the kind of selection) whose claimed amount reaches the minimum `value`
are candidates, whatever the rule (Q14: openIMIS's random rule ignored both filters); the
selected become Selected and every other Idle claim of the search Not selected (it has been
considered):

- `ALL`: every candidate;
- `RANDOM`: a share (%) of the candidates, rounded up, drawn with a seed so that the draw can be
  repeated and logged;
- `VARIANCE`: the candidates whose claimed amount reaches their main diagnosis's average by
  `variance` % (average over valuated claims of the last year, given by the caller); a
  diagnosis without history selects nothing.

A claim above a value alone is `ALL` with `value`.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any


class Rule(StrEnum):
    ALL = "all"
    RANDOM = "random"
    VARIANCE = "variance"


@dataclass(frozen=True)
class Candidate:
    ref: Any
    claimed: Decimal
    icd_ref: Any
    idle: bool = True


@dataclass(frozen=True)
class Selection:
    selected: tuple[Any, ...]
    not_selected: tuple[Any, ...]


def select(
    claims: Iterable[Candidate],
    rule: Rule,
    *,
    value: Decimal = Decimal(0),
    share: Decimal = Decimal(100),
    seed: int = 0,
    variance: Decimal = Decimal(0),
    averages: Mapping[Any, Decimal] | None = None,
) -> Selection:
    idle = sorted((c for c in claims if c.idle), key=lambda c: str(c.ref))
    candidates = [c for c in idle if c.claimed >= value]
    if rule == Rule.ALL:
        chosen = {c.ref for c in candidates}
    elif rule == Rule.RANDOM:
        count = min(len(candidates), math.ceil(len(candidates) * Decimal(share) / 100))
        chosen = {c.ref for c in random.Random(seed).sample(candidates, count)}
    elif rule == Rule.VARIANCE:
        averages = averages or {}
        factor = 1 + Decimal(variance) / 100
        chosen = {
            c.ref
            for c in candidates
            if c.icd_ref in averages and c.claimed >= averages[c.icd_ref] * factor
        }
    else:  # pragma: no cover - an enum
        raise ValueError(rule)
    return Selection(
        tuple(c.ref for c in idle if c.ref in chosen),
        tuple(c.ref for c in idle if c.ref not in chosen),
    )
