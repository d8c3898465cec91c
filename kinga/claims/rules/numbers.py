"""The proposed claim number `<FOSA code>.<year>.<programme>.<n>` (issue 12, 3.2.1): the next n
of that facility, year and programme; editable by the clerk, unique per facility (a database
constraint)."""

from __future__ import annotations

from collections.abc import Iterable

SEPARATOR = "."


def prefix(facility_code: str, year: int, programme_code: str | None) -> str:
    parts = [facility_code, str(year)]
    if programme_code:
        parts.append(programme_code)
    return SEPARATOR.join(parts) + SEPARATOR


def serial(code: str, head: str) -> int | None:
    """The n of `code` when it reads `<head><n>`, else None."""
    if not code.startswith(head):
        return None
    tail = code[len(head) :]
    return int(tail) if tail.isdigit() else None


def next_code(
    facility_code: str, year: int, programme_code: str | None, existing: Iterable[str]
) -> str:
    """The number after the highest n among `existing` codes of the same prefix (1 for the
    first)."""
    head = prefix(facility_code, year, programme_code)
    numbers = [n for n in (serial(code, head) for code in existing) if n is not None]
    return f"{head}{max(numbers, default=0) + 1}"
