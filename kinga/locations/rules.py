"""The location hierarchy's rules, on plain values (spec registers §2.1-2.2).

Levels: R (region) > D (district) > W (municipality) > V (village); a region has no parent and
every other location's parent is exactly one level above it.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

from kinga.core import bounds

LEVELS: tuple[str, ...] = ("R", "D", "W", "V")
REGION, DISTRICT, MUNICIPALITY, VILLAGE = LEVELS
CODE_MAX_LENGTH = 8
NAME_MAX_LENGTH = 50
MAX_COUNT = bounds.COUNT_MAX  # the database's integer column


def level_of(type_code: str) -> int:
    return LEVELS.index(type_code)


def parent_type_of(type_code: str) -> str | None:
    """The level a location of `type_code` must hang from (None for a region)."""
    level = level_of(type_code)
    return LEVELS[level - 1] if level else None


def child_type_of(type_code: str | None) -> str | None:
    """The level of the children of a `type_code` location (a region for no parent; None below
    villages)."""
    if type_code is None:
        return REGION
    level = level_of(type_code)
    return LEVELS[level + 1] if level + 1 < len(LEVELS) else None


def parent_fits(type_code: str, parent_type: str | None) -> bool:
    """True if a `type_code` location may hang from a `parent_type` one (None = no parent)."""
    return parent_type_of(type_code) == parent_type


def is_district_or_above(type_code: str) -> bool:
    """Regions and districts need the special right 121906 (openIMIS)."""
    return type_code in (REGION, DISTRICT)


@dataclass(frozen=True)
class Placement:
    type: str
    parent: Hashable | None


def retype_subtree(
    *,
    node: Hashable,
    children: Mapping[Hashable, Sequence[Hashable]],
    new_parent: Hashable | None,
    new_parent_type: str | None = None,
    new_parent_parent: Hashable | None = None,
) -> dict[Hashable, Placement]:
    """Where `node` and each of its descendants land when `node` moves under `new_parent`
    (openIMIS `tree_reset_types`).

    1. No new parent: the node becomes a region.
    2. Otherwise each node takes the level just below its (new) parent, so a subtree moved to a
       parent that is not exactly one level above is re-typed level by level.
    3. A node that would fall below village level stays a village and is attached to its
       would-be parent's parent (the municipality above that village).

    `children` maps a node to its children (only the moved subtree is read); `new_parent_parent`
    is needed only when the new parent is a village.
    """
    result: dict[Hashable, Placement] = {}
    # (node, would-be parent, that parent's type, that parent's parent)
    stack: list[tuple[Hashable, Hashable | None, str | None, Hashable | None]] = [
        (node, new_parent, new_parent_type, new_parent_parent)
    ]
    while stack:
        current, parent, parent_type, grandparent = stack.pop()
        if parent is None:
            placement = Placement(REGION, None)
        elif parent_type == VILLAGE:
            placement = Placement(VILLAGE, grandparent)
        else:
            placement = Placement(child_type_of(parent_type), parent)
        result[current] = placement
        for child in children.get(current, ()):
            stack.append((child, current, placement.type, placement.parent))
    return result


def subtree_of(node: Hashable, children: Mapping[Hashable, Sequence[Hashable]]) -> set[Hashable]:
    """The node and all its descendants."""
    seen = {node}
    stack = [node]
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return seen


def parse_count(raw: str | int | None) -> int | None:
    """A population or family count from a file or a form: blank is None, else a whole number
    ≥ 0; raises ValueError otherwise."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise ValueError(raw)
    if isinstance(raw, int):
        value = raw
    else:
        text = str(raw).strip()
        if not text:
            return None
        if not text.isdigit():
            raise ValueError(raw)
        value = int(text)
    if value < 0 or value > MAX_COUNT:
        raise ValueError(raw)
    return value
