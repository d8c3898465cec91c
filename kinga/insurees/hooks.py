"""What the insurees app lets a higher app (policies) plug in, without importing it.

The layers go policies → insurees: a family's policies follow its members, but the insurees
app never imports kinga.policies.  Instead the policies app registers, from its
`AppConfig.ready()`:

- the **coverage hooks** (`register_coverage`): called by the member services after a member
  joined a family, left it (moved, detached, retired) or changed status, and by the families
  import in bulk; and the "family has policies" refusal of `family_retire`.  With none
  registered (the insurees app alone) members have no coverage to follow and a family has no
  policies.
- **families import extensions** (`register_family_import`): extra optional columns of the
  families file (a policy and its contributions) that the extension checks per family and
  writes in bulk once the families and their members are written, with their ids.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

from kinga.core.errors import Refused

if TYPE_CHECKING:
    from kinga.core.transfer import Row
    from kinga.locations.models import Location

    from .models import Family, Insuree


# --- coverage ---------------------------------------------------------------------------------


class MemberHook(Protocol):
    def __call__(self, *, actor, insuree: Insuree, family: Family, today: date) -> None: ...


class StatusHook(Protocol):
    def __call__(self, *, actor, insuree: Insuree, today: date) -> None: ...


class StatusesHook(Protocol):
    def __call__(self, *, actor, insurees: Sequence[Insuree], today: date) -> None: ...


def _no_member_change(*, actor, insuree, family, today) -> None:
    return None


def _no_status_change(*, actor, insuree, today) -> None:
    return None


def _no_statuses_change(*, actor, insurees, today) -> None:
    return None


def _no_policies(family) -> bool:
    return False


@dataclass(frozen=True)
class CoverageHooks:
    """What happens to coverage when members change.  Each is called inside the member
    service's transaction, after the member is saved and with his family locked."""

    member_joined: MemberHook = _no_member_change  # added to a family (new, moved in)
    member_left: MemberHook = _no_member_change  # moved out, detached or retired
    status_changed: StatusHook = _no_status_change  # active / inactive / dead
    statuses_changed: StatusesHook = _no_statuses_change  # the same for many (the import)
    family_has_policies: Callable[[Family], bool] = _no_policies  # refuses family_retire


NO_COVERAGE = CoverageHooks()
_coverage: CoverageHooks = NO_COVERAGE


def register_coverage(hooks: CoverageHooks) -> None:
    """Set the coverage hooks (idempotent: the last registration wins)."""
    global _coverage
    _coverage = hooks


def coverage() -> CoverageHooks:
    return _coverage


# --- the families import's extensions ---------------------------------------------------------


class ImportedPerson(Protocol):
    """One insuree's row of a families file, once checked."""

    row: Row
    values: dict[str, Any]  # the insuree's values (dob, relationship, status…)
    pk: int | None  # set once written


class ImportedFamily(Protocol):
    """The rows of one family of the file, once checked: the head first."""

    head_number: str
    people: list[ImportedPerson]
    village: Location  # with its municipality, district and region loaded
    existing: Family | None  # the family already registered (strategy update)


@dataclass(frozen=True)
class ImportFile:
    """How the file reads values (its slashed dates are read one way for the whole file)."""

    today: date
    read_date: Callable[[Row, str, str], date | None]  # (row, column, label)
    read_flag: Callable[[Row, str, str], bool]


@dataclass
class Planned:
    """What an extension makes of one family: its plan (None: nothing to write), the lines it
    rejects (person index → why) and the warnings on accepted lines (person index → note)."""

    plan: Any = None
    refusals: dict[int, str] = field(default_factory=dict)
    notes: dict[int, str] = field(default_factory=dict)


class RowsRefused(Refused):
    """Raised by an extension's `write` when the database refuses rows a concurrent writer made
    invalid meanwhile (a receipt saved by another user): `lines` maps a row's place ("line 3")
    to why; nothing of the import is written."""

    def __init__(self, lines: dict[str, str]):
        super().__init__(next(iter(lines.values()), ""))
        self.lines = lines


class FamilyImportExtension(Protocol):
    key: str
    columns: Sequence[str]  # optional columns it reads
    date_columns: Sequence[str]  # those of them that hold dates (read the file's way)

    def prepare(self, actor, rows: list[Row], file: ImportFile) -> Any:
        """Load in bulk what `plan` needs for the whole file; returns its state."""

    def plan(self, actor, family: ImportedFamily, state: Any) -> Planned:
        """Check one family's rows (no query per family)."""

    def write(self, actor, families: list[tuple[ImportedFamily, int, Any]], state: Any) -> None:
        """Write in bulk the plans of the families written: (family, its id, its plan); each
        person's `pk` is set.  May raise RowsRefused."""


_extensions: dict[str, FamilyImportExtension] = {}


def register_family_import(extension: FamilyImportExtension) -> None:
    """Add an extension to the families import (idempotent, by its key)."""
    _extensions[extension.key] = extension


def family_import_extensions() -> list[FamilyImportExtension]:
    return list(_extensions.values())


# --- confidential programmes ------------------------------------------------------------------


def _nobody_confidential(user, prefix: str = ""):
    from django.db.models import Q

    return Q(pk__in=[])


_confidential: Callable[..., Any] = _nobody_confidential


def register_confidential(fn: Callable[..., Any]) -> None:
    """Set the predicate `fn(user, prefix="") -> Q` over Insuree (through `prefix`) true for the
    insurees whose cover by a confidential programme the user may not see (the policies app
    registers it; with none registered nobody is confidential)."""
    global _confidential
    _confidential = fn


def confidential_insuree_q(user, prefix: str = ""):
    return _confidential(user, prefix)


def _nobody_works_for(user) -> bool:
    return False


_works_for: Callable[[Any], bool] = _nobody_works_for


def register_programme_user(fn: Callable[[Any], bool]) -> None:
    """Set `fn(user) -> bool`: the user works for a confidential programme (the minimal
    beneficiary form is his); the policies app registers it."""
    global _works_for
    _works_for = fn


def is_programme_user(user) -> bool:
    return _works_for(user)
