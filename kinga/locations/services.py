"""Every change to locations: create, update, move, retire, import (spec registers §2.2).

Who may do what is decided in `queries` (the `LOCATION` loader and the rules it is built on)
and nowhere else: views ask it which buttons to show and load their location through it, and
the services refuse with PermissionDenied when it says no.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from kinga.core import access, transfer
from kinga.core.errors import Refused
from kinga.core.history import set_actor
from kinga.core.rights import Right

from . import rules
from .models import Location, level_name
from .queries import LOCATION, has_level_right, may_create_under, require_create

# --- who may do what: kinga.locations.queries --------------------------------------------


def _require(allowed: bool) -> None:
    """For the rules that are not about one loaded location (a move's destination, an import);
    a loaded location is checked with `LOCATION.require`."""
    if not allowed:
        raise PermissionDenied


# --- validation ---------------------------------------------------------------------------


def _clean_code(code: str, *, exclude_pk: int | None = None) -> str:
    code = (code or "").strip()
    if not code:
        raise Refused(_("Enter a code."), "code")
    if len(code) > rules.CODE_MAX_LENGTH:
        raise Refused(
            _("The code may have at most %(n)d characters.") % {"n": rules.CODE_MAX_LENGTH},
            "code",
        )
    clash = Location.objects.current().filter(code=code).exclude(pk=exclude_pk).first()
    if clash is not None:
        raise Refused(
            _("The code %(code)s is already used by %(name)s (%(level)s).")
            % {"code": code, "level": level_name(clash.type), "name": clash.name},
            "code",
        )
    return code


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise Refused(_("Enter a name."), "name")
    if len(name) > rules.NAME_MAX_LENGTH:
        raise Refused(
            _("The name may have at most %(n)d characters.") % {"n": rules.NAME_MAX_LENGTH},
            "name",
        )
    return name


def _check_parent(type_code: str, parent: Location | None) -> None:
    if type_code not in rules.LEVELS:
        raise Refused(_("Choose a level."), "type")
    if parent is not None and parent.is_retired:
        raise Refused(_("The parent location is retired."), "parent")
    if not rules.parent_fits(type_code, parent.type if parent else None):
        expected = rules.parent_type_of(type_code)
        if expected is None:
            message = _("A location of level %(level)s has no parent.") % {
                "level": level_name(type_code)
            }
        else:
            message = _(
                "The parent of a location of level %(level)s must be of level %(parent_level)s."
            ) % {
                "level": level_name(type_code),
                "parent_level": level_name(expected),
            }
        raise Refused(message, "parent")


_COUNT_FIELDS = ("male_population", "female_population", "other_population", "families")


def _counts(type_code: str, values: dict) -> dict:
    """Populations and families are kept for villages only (cleared for the other levels)."""
    if type_code != rules.VILLAGE:
        return dict.fromkeys(_COUNT_FIELDS)
    cleaned = {}
    for name in _COUNT_FIELDS:
        try:
            cleaned[name] = rules.parse_count(values.get(name))
        except ValueError:
            raise Refused(_("Enter a whole number, 0 or more."), name) from None
    return cleaned


def _save(location: Location) -> None:
    """Save, turning a code clash with a concurrent writer into a refusal."""
    try:
        with transaction.atomic():
            location.save()
    except IntegrityError:
        raise Refused(
            _("The code %(code)s is already used.") % {"code": location.code}, "code"
        ) from None


def _give_district(actor, district: Location) -> None:
    """A scoped user who creates a district gets it (openIMIS _ensure_user_belongs_to_district)."""
    if district.type == rules.DISTRICT and not access.scope_of(actor).everything:
        actor.districts.add(district)
        access.forget(actor)


# --- create, update -----------------------------------------------------------------------


@transaction.atomic
def location_create(
    *,
    actor,
    type: str,
    code: str,
    name: str,
    parent: Location | None = None,
    male_population: int | str | None = None,
    female_population: int | str | None = None,
    other_population: int | str | None = None,
    families: int | str | None = None,
) -> Location:
    _check_parent(type, parent)
    require_create(actor, type, parent)
    location = Location(
        type=type,
        parent=parent,
        code=_clean_code(code),
        name=_clean_name(name),
        **_counts(
            type,
            {
                "male_population": male_population,
                "female_population": female_population,
                "other_population": other_population,
                "families": families,
            },
        ),
    )
    set_actor(location, actor)
    _save(location)
    _give_district(actor, location)
    return location


@transaction.atomic
def location_update(
    *,
    actor,
    location: Location,
    code: str,
    name: str,
    male_population: int | str | None = None,
    female_population: int | str | None = None,
    other_population: int | str | None = None,
    families: int | str | None = None,
) -> Location:
    """Change code, name and (villages) populations.  The update is complete, as in openIMIS:
    an absent count becomes empty.  The parent changes only by `location_move`."""
    location = Location.objects.select_for_update().get(pk=location.pk)
    LOCATION.require(actor, location, "edit")
    location.code = _clean_code(code, exclude_pk=location.pk)
    location.name = _clean_name(name)
    for key, value in _counts(
        location.type,
        {
            "male_population": male_population,
            "female_population": female_population,
            "other_population": other_population,
            "families": families,
        },
    ).items():
        setattr(location, key, value)
    set_actor(location, actor)
    _save(location)
    return location


# --- move ---------------------------------------------------------------------------------


@dataclass
class MovePlan:
    """What a move will do: each location whose level or parent changes."""

    location: Location
    new_parent: Location | None
    changes: list[tuple[Location, str, str, Location | None]]  # (loc, old type, new type, parent)

    @property
    def retyped(self) -> list[tuple[Location, str, str, Location | None]]:
        return [c for c in self.changes if c[1] != c[2]]


def _subtree(location: Location) -> tuple[dict[int, Location], dict[int, list[int]]]:
    """Every location below `location` (retired ones too: they keep following their parent),
    one query per level."""
    nodes = {location.pk: location}
    children: dict[int, list[int]] = defaultdict(list)
    frontier = [location.pk]
    while frontier:
        batch = list(Location.objects.filter(parent_id__in=frontier).order_by("code"))
        frontier = []
        for child in batch:
            nodes[child.pk] = child
            children[child.parent_id].append(child.pk)
            frontier.append(child.pk)
    return nodes, children


def plan_move(*, actor, location: Location, new_parent: Location | None) -> MovePlan:
    """Check a move and say what it will change, without writing anything."""
    LOCATION.require(actor, location, "move")
    if new_parent is not None and new_parent.is_retired:
        raise Refused(_("The parent location is retired."), "parent")
    nodes, children = _subtree(location)
    if new_parent is not None and new_parent.pk in nodes:
        raise Refused(
            _("A location cannot be moved under itself or one of its sub-locations."), "parent"
        )
    if new_parent is not None and new_parent.pk == location.parent_id:
        raise Refused(_("The location is already there."), "parent")
    if new_parent is None and location.parent_id is None:
        raise Refused(_("The location is already there."), "parent")
    grandparent = new_parent.parent if new_parent is not None else None
    placements = rules.retype_subtree(
        node=location.pk,
        children=children,
        new_parent=new_parent.pk if new_parent else None,
        new_parent_type=new_parent.type if new_parent else None,
        new_parent_parent=grandparent.pk if grandparent else None,
    )
    # The node lands under the new parent, or under its parent when that is a village.
    landing = grandparent if new_parent is not None and new_parent.type == rules.VILLAGE else None
    _require(may_create_under(actor, landing or new_parent))
    new_type = placements[location.pk].type
    _require(has_level_right(actor, "move", new_type))
    objects = {**nodes}
    if new_parent is not None:
        objects[new_parent.pk] = new_parent
    if grandparent is not None:
        objects[grandparent.pk] = grandparent
    changes = []
    for pk, placement in placements.items():
        node = nodes[pk]
        if node.type != placement.type or node.parent_id != placement.parent:
            parent_obj = objects.get(placement.parent) if placement.parent is not None else None
            changes.append((node, node.type, placement.type, parent_obj))
    return MovePlan(location=location, new_parent=new_parent, changes=changes)


@transaction.atomic
def location_move(*, actor, location: Location, new_parent: Location | None) -> MovePlan:
    """Re-parent `location`; its subtree is re-typed when the new parent is not exactly one
    level above (spec §2.2, openIMIS `tree_reset_types`)."""
    # Lock the node: two moves of the same subtree must not interleave.
    location = Location.objects.select_for_update().get(pk=location.pk)
    plan = plan_move(actor=actor, location=location, new_parent=new_parent)
    changed = []
    for node, _old, new_type, parent in plan.changes:
        node.type = new_type
        node.parent = parent
        if new_type != rules.VILLAGE:
            for name in _COUNT_FIELDS:
                setattr(node, name, None)
        changed.append(node)
    bulk_update_with_history(
        changed,
        Location,
        ["type", "parent", *_COUNT_FIELDS],
        default_user=actor,
        default_change_reason=_("Moved"),
    )
    if location.type == rules.DISTRICT:
        _give_district(actor, location)
    return plan


# --- retire -------------------------------------------------------------------------------

RetireCheck = Callable[[Location], str | None]
RETIRE_CHECKS: list[RetireCheck] = []


def retire_check(check: RetireCheck) -> RetireCheck:
    """Register a check run before a location is retired: it returns why not, or None.  Other
    apps (facilities, families...) register theirs from their AppConfig.ready(); registering the
    same check twice keeps one."""
    if check not in RETIRE_CHECKS:
        RETIRE_CHECKS.append(check)
    return check


@retire_check
def _no_current_children(location: Location) -> str | None:
    n = Location.objects.current().filter(parent=location).count()
    if n:
        return ngettext(
            "It still has %(n)d current sub-location; retire or move it first.",
            "It still has %(n)d current sub-locations; retire or move them first.",
            n,
        ) % {"n": n}
    return None


def retire_refusal(location: Location) -> str | None:
    """Why this location cannot be retired now (all the reasons), or None."""
    reasons = [r for r in (check(location) for check in RETIRE_CHECKS) if r]
    if not reasons:
        return None
    return " ".join([_("%(location)s cannot be retired.") % {"location": str(location)}, *reasons])


@transaction.atomic
def location_retire(*, actor, location: Location, today=None) -> Location:
    location = Location.objects.select_for_update().get(pk=location.pk)
    LOCATION.require(actor, location, "retire")
    refusal = retire_refusal(location)
    if refusal:
        raise Refused(refusal)
    location.retired_at = today or timezone.now()
    set_actor(location, actor, _("Retired"))
    location.save()
    return location


# --- import -------------------------------------------------------------------------------

# The columns of a locations file, whatever its format (the XML and JSON readers of
# `transfer.LOCATIONS` give their rows the same names).
IMPORT_COLUMNS = ["level", "code", "name", "parent_code", *_COUNT_FIELDS]


@dataclass
class ImportLine(transfer.ImportLine):
    """A report line that also names the level of the location."""

    type: str = ""

    @property
    def code(self) -> str:
        return self.key

    @property
    def level_label(self) -> str:
        return level_name(self.type) if self.type in rules.LEVELS else self.type


def _level(row: transfer.Row) -> str:
    """The level code of a row (CSV files may write it in lower case)."""
    raw = row.get("level")
    return raw.upper() if raw.upper() in rules.LEVELS else raw


def _line(row: transfer.Row) -> str:
    """How the report's Line column names a row: its line number ("12") when the row has one
    (CSV, Excel, XML: the reader names it "line 12"), else its place ("Villages #3" in JSON)."""
    digits = re.search(r"\d+", row.where)
    if digits and row.where == _("line %(n)s") % {"n": digits.group()}:
        return digits.group()
    return row.where


def _parent_label(type_code: str) -> str:
    parent = rules.parent_type_of(type_code)
    return level_name(parent) if parent else ""


@transaction.atomic
def location_import(
    *,
    actor,
    rows: list[transfer.Row],
    strategy: str = "insert_update",
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> transfer.ImportReport:
    """Import locations (the rows of a file read by `transfer.read_file`, in
    `IMPORT_COLUMNS`), all or nothing: every row is checked first; if one is rejected nothing
    is written.  A dry run reports what would happen and writes nothing.

    1. Check each row alone (code, name, level, counts).
    2. Find duplicates in the file and the existing current locations with the file's codes.
    3. Resolve each parent, in the file or in the database, and check its level and scope.
    4. Decide create / update / unchanged per the strategy, check rights and scope.
    5. If nothing is rejected and not a dry run: bulk create level by level (parents before
       children, whatever the order of the file), then bulk update.
    """
    _require(access.has_right(actor, Right.LOCATIONS_UPLOAD))
    if strategy not in transfer.STRATEGIES:
        raise Refused(_("Choose a valid strategy."), "strategy")
    report = transfer.ImportReport(dry_run=dry_run)
    codes = {row.get("code") for row in rows} - {""}
    parent_codes = {row.get("parent_code") for row in rows} - {""}
    existing = {
        loc.code: loc
        for loc in Location.objects.current()
        .filter(code__in=codes | parent_codes)
        .select_related("parent", "parent__parent")
    }
    file_rows: dict[str, transfer.Row] = {}  # the first row of each code
    for row in rows:
        code = row.get("code")
        if code and code not in file_rows:
            file_rows[code] = row

    plans: list[tuple[str, ImportLine, dict]] = []
    for i, row in enumerate(rows):
        if progress and i % 500 == 0:
            progress(i, len(rows))
        code = row.get("code")
        type_code = _level(row)
        line = ImportLine(where=_line(row), key=code, type=type_code, outcome=transfer.REJECTED)
        report.lines.append(line)
        try:
            values = _check_import_row(actor, row, type_code, code, strategy, existing, file_rows)
        except Refused as refused:
            line.reason = refused.message
            continue
        line.outcome = values.pop("_outcome")
        plans.append((type_code, line, values))
    if progress:
        progress(len(rows), len(rows))

    if report.rejected or dry_run:
        return report

    # Create, parents first: a row's parent in the file is created by an earlier level.
    created_by_code: dict[str, Location] = {}
    for level in rules.LEVELS:
        batch = []
        for type_code, line, values in plans:
            if line.outcome != transfer.CREATED or type_code != level:
                continue
            parent_code = values.pop("_parent_code")
            parent = created_by_code.get(parent_code) or existing.get(parent_code)
            batch.append(Location(type=level, parent=parent, **values))
        if batch:
            for loc in bulk_create_with_history(
                batch, Location, default_user=actor, default_change_reason=_("Imported")
            ):
                created_by_code[loc.code] = loc
    to_update = []
    for _type, line, values in plans:
        if line.outcome != transfer.UPDATED:
            continue
        loc = existing[line.code]
        parent_code = values.pop("_parent_code")
        if parent_code is not None:
            loc.parent = created_by_code.get(parent_code) or existing.get(parent_code)
        for key, value in values.items():
            setattr(loc, key, value)
        to_update.append(loc)
    if to_update:
        bulk_update_with_history(
            to_update,
            Location,
            ["name", "parent", *_COUNT_FIELDS],
            default_user=actor,
            default_change_reason=_("Imported"),
        )
    for loc in created_by_code.values():
        _give_district(actor, loc)
    report.written = True
    return report


def _check_import_row(
    actor,
    row: transfer.Row,
    type_code: str,
    code: str,
    strategy: str,
    existing: dict[str, Location],
    file_rows: dict[str, transfer.Row],
) -> dict:
    """The values to write for one row, with `_outcome` and `_parent_code`; Refused if the row
    is rejected."""
    if type_code not in rules.LEVELS:
        raise Refused(_("Unknown level %(level)s.") % {"level": type_code or "—"})
    if not code:
        raise Refused(_("The code is missing."))
    if len(code) > rules.CODE_MAX_LENGTH:
        raise Refused(
            _("The code may have at most %(n)d characters.") % {"n": rules.CODE_MAX_LENGTH}
        )
    first = file_rows[code]
    if first is not row:
        raise Refused(
            _("The code %(code)s appears twice in the file (first at %(where)s).")
            % {"code": code, "where": first.where}
        )
    name = row.get("name")
    if not name:
        raise Refused(_("The name is missing."))
    if len(name) > rules.NAME_MAX_LENGTH:
        raise Refused(
            _("The name may have at most %(n)d characters.") % {"n": rules.NAME_MAX_LENGTH}
        )
    values: dict = {"code": code, "name": name}
    for key in _COUNT_FIELDS:
        raw = row.get(key)
        try:
            values[key] = rules.parse_count(raw) if type_code == rules.VILLAGE else None
        except ValueError:
            raise Refused(
                _("%(field)s: “%(value)s” is not a whole number, 0 or more.")
                % {"field": Location._meta.get_field(key).verbose_name, "value": raw}
            ) from None

    # The parent, in the file or among the current locations.
    parent_code = row.get("parent_code")
    parent: Location | None = None
    if type_code == rules.REGION:
        if parent_code:
            raise Refused(_("A region has no parent location."))
    else:
        if not parent_code:
            raise Refused(
                _("The parent code (level %(parent_level)s) is missing.")
                % {"parent_level": _parent_label(type_code)}
            )
        in_file = file_rows.get(parent_code)
        parent = existing.get(parent_code)
        parent_type = _level(in_file) if in_file is not None else parent.type if parent else None
        if parent_type is None:
            raise Refused(
                _("Unknown parent %(code)s (level %(parent_level)s).")
                % {"parent_level": _parent_label(type_code), "code": parent_code}
            )
        if not rules.parent_fits(type_code, parent_type):
            raise Refused(
                _(
                    "The parent %(code)s is of level %(level)s; a location of level %(child)s "
                    "needs a parent of level %(parent_level)s."
                )
                % {
                    "code": parent_code,
                    "level": level_name(parent_type),
                    "child": level_name(type_code),
                    "parent_level": _parent_label(type_code),
                }
            )

    current = existing.get(code)
    if current is None:
        if strategy == "update":
            raise Refused(_("No current location has the code %(code)s.") % {"code": code})
        if not has_level_right(actor, "add", type_code):
            raise Refused(_("You do not have the right to add this level of location."))
        # A parent new in this file has its scope checked on its own row.
        if parent is not None and not may_create_under(actor, parent):
            raise Refused(_("This location is outside your districts."))
        if parent is None and type_code == rules.REGION and not may_create_under(actor, None):
            raise Refused(_("This location is outside your districts."))
        values["_outcome"] = "created"
        values["_parent_code"] = parent_code or None
        return values

    if strategy == "insert":
        raise Refused(_("The code %(code)s already exists.") % {"code": code})
    if current.type != type_code:
        raise Refused(
            _("The code %(code)s is already used at level %(level)s.")
            % {"code": code, "level": level_name(current.type)}
        )
    current_parent_code = current.parent.code if current.parent else ""
    moved = parent_code != current_parent_code
    del values["code"]
    if not moved and all(getattr(current, k) == v for k, v in values.items()):
        if not access.can_see_location(actor, current):
            raise Refused(_("This location is outside your districts."))
        values["_outcome"] = "unchanged"
        values["_parent_code"] = None
        return values
    if not has_level_right(actor, "edit", type_code):
        raise Refused(_("You do not have the right to change this level of location."))
    if not access.can_change_location(actor, current):
        raise Refused(_("This location is outside your districts."))
    if moved:
        if not has_level_right(actor, "move", type_code):
            raise Refused(_("You do not have the right to move this location."))
        if parent is not None and not may_create_under(actor, parent):
            raise Refused(_("The new parent is outside your districts."))
    values["_outcome"] = "updated"
    values["_parent_code"] = parent_code if moved else None
    return values
