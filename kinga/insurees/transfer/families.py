"""Import and export of families with their members (CSV, Excel, JSON); with the policies app,
optionally a policy and its contributions (its extension, kinga.insurees.hooks).

One row per insuree.  A family is the rows sharing a `head_insuree_number`; the head's own row
(`insurance_number` = `head_insuree_number`) carries the family's fields and its village.
Columns (names are case-insensitive; openIMIS's im_export names `insuree_number` and `sex` are
understood, so its `insurees_im_export.csv` imports as it is):

- family (head's row): village (code), poverty, family_type, address, confirmation_type,
  confirmation_no; municipality / district / region codes, when given, must be the village's;
- insuree: insurance_number, last_name, other_names, dob, gender (M/F/O), relationship (code
  1–8, required for members), marital, type_of_id, id_number, phone, email, current_address,
  profession, education, first_service_point (facility code), card_issued, status (AC/IN/DE),
  status_date, status_reason;
- the optional columns of the registered extensions (kinga.policies.transfer.families: a
  policy and its contributions).

The rules are the pages' (kinga.insurees.services.families and the pure rules), checked for
every row before anything is written: the village in one of the importer's districts, the
number's check and uniqueness (in the file and among current insurees); then each extension
checks the family's other columns.  All or nothing, with a dry run, as every register.

Dates are YYYY-MM-DD, or day/month/year or month/day/year: a file's slashed dates are read one
way for the whole file, the way its values allow (openIMIS exports month/day/year); a file whose
slashed dates fit both ways is refused — write them YYYY-MM-DD.

New families are written in bulk (a handful of statements per thousand families, a history row
for each record naming the importer), then the extensions write theirs with the new ids; with
the strategy "update" or "insert_update" a family whose head already exists gets its members'
fields updated — a member whose status changes has his coverage follow as on his page (the
coverage hooks) — and new members added through the page's service.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_update_with_history

from kinga.core import access, audit, bulk, locks, transfer
from kinga.core.errors import Refused
from kinga.core.rights import Right
from kinga.core.transfer import CREATED, REJECTED, UNCHANGED, UPDATED, ImportLine, ImportReport
from kinga.facilities.models import HealthFacility
from kinga.locations.models import Location

from .. import hooks
from .. import rules as insuree_rules
from ..models import (
    ConfirmationType,
    Education,
    Family,
    FamilyType,
    Gender,
    IdType,
    Insuree,
    InsureeStatus,
    MaritalStatus,
    Profession,
    Relationship,
)
from ..queries import confidential
from ..queries.families import FUNDING_NUMBER, visible_insurees
from ..services import families as services

FAMILY_COLUMNS = [
    "head_insuree_number",
    "village",
    "poverty",
    "family_type",
    "address",
    "confirmation_type",
    "confirmation_no",
]
INSUREE_COLUMNS = [
    "insurance_number",
    "last_name",
    "other_names",
    "dob",
    "gender",
    "relationship",
    "marital",
    "type_of_id",
    "id_number",
    "phone",
    "email",
    "current_address",
    "profession",
    "education",
    "first_service_point",
    "card_issued",
    "status",
    "status_date",
    "status_reason",
]
ALIASES = {"insuree_number": "insurance_number", "sex": "gender", "village_code": "village"}
PERSONAL_FIELDS = [c for c in INSUREE_COLUMNS if c != "insurance_number"]
DATE_COLUMNS = ("dob", "status_date")  # and the extensions' date columns
SLASHED = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
TRUE_WORDS = {"1", "true", "yes", "oui", "y", "o", "x"}
FALSE_WORDS = {"", "0", "false", "no", "non", "n"}


# --- reading one row ---------------------------------------------------------------------------


def _normalise(rows: list[transfer.Row]) -> None:
    for row in rows:
        for old, new in ALIASES.items():
            if old in row.data and not row.data.get(new):
                row.data[new] = row.data.pop(old)


def _date_columns() -> list[str]:
    extra = [c for ext in hooks.family_import_extensions() for c in ext.date_columns]
    return [*DATE_COLUMNS, *extra]


def _slash_order(rows: list[transfer.Row]) -> str:
    """ "dmy", "mdy" or "" (no slashed date) for the whole file; Refused when the file's slashed
    dates fit both readings or neither."""
    day_first = month_first = False  # some date can only be read that way
    found = False
    columns = _date_columns()
    for row in rows:
        for column in columns:
            match = SLASHED.match(row.get(column))
            if not match:
                continue
            found = True
            a, b = int(match[1]), int(match[2])
            day_first |= a > 12
            month_first |= b > 12
    if not found:
        return ""
    if day_first and month_first:
        raise Refused(
            _("The file mixes day/month/year and month/day/year dates: write them YYYY-MM-DD."),
            "file",
        )
    if not day_first and not month_first:
        raise Refused(
            _(
                "The file's dates (e.g. 03/04/2020) can be read as day/month or month/day: "
                "write them YYYY-MM-DD."
            ),
            "file",
        )
    return "dmy" if day_first else "mdy"


def _date(row: transfer.Row, column: str, order: str, *, label: str) -> date | None:
    raw = row.get(column)
    match = SLASHED.match(raw)
    if match and order:
        a, b, year = int(match[1]), int(match[2]), int(match[3])
        day, month = (a, b) if order == "dmy" else (b, a)
        try:
            return date(year, month, day)
        except ValueError:
            raise Refused(
                _("%(field)s: “%(value)s” is not a date.") % {"field": label, "value": raw},
                column,
            ) from None
    return transfer.date_value(row, column, label=label)


def _flag(row: transfer.Row, column: str, *, label: str) -> bool:
    raw = row.get(column).lower()
    if raw in TRUE_WORDS:
        return True
    if raw in FALSE_WORDS:
        return False
    raise Refused(
        _("%(field)s: “%(value)s” is not yes (1) or no (0).") % {"field": label, "value": raw},
        column,
    )


@functools.cache
def _values_of(choices) -> dict[str, Any]:
    return {str(c.value): c.value for c in choices}


def _choice(row: transfer.Row, column: str, choices, *, label: str, required: bool = False):
    raw = row.get(column)
    valid = _values_of(choices)
    if raw in valid:
        return valid[raw]
    if not raw and not required:
        return None if issubclass(choices, int) else ""
    value = transfer.choice_value(
        row, column, label=label, choices=choices.choices, required=required
    )  # empty or refused, with the register's message
    return value if value else (None if issubclass(choices, int) else "")


# --- what `prepare` loads in bulk --------------------------------------------------------------


@dataclass
class Context:
    today: date
    order: str
    scheme: insuree_rules.NumberScheme
    villages: dict[str, Location] = field(default_factory=dict)
    facilities: dict[str, HealthFacility] = field(default_factory=dict)
    existing: dict[str, Insuree] = field(default_factory=dict)  # current insurees by number
    labels: dict[str, str] = field(default_factory=dict)  # column -> its name in messages
    family_labels: dict[str, str] = field(default_factory=dict)
    # The registered extensions with what each prepared for the file.
    extensions: list[tuple[hooks.FamilyImportExtension, Any]] = field(default_factory=list)


def _in_chunks(values: Iterable, size: int = 5000):
    values = list(values)
    for i in range(0, len(values), size):
        yield values[i : i + size]


def _prepare(actor, rows: list[transfer.Row], today: date) -> Context:
    ctx = Context(today=today, order=_slash_order(rows), scheme=services.number_scheme())
    # The columns' names, translated once (not once per row).
    ctx.labels = {f.name: capfirst(str(f.verbose_name)) for f in Insuree._meta.fields}
    ctx.family_labels = {f.name: capfirst(str(f.verbose_name)) for f in Family._meta.fields}
    codes = {row.get("village") for row in rows} - {""}
    ctx.villages = {
        v.code: v
        for v in Location.objects.filter(code__in=codes, retired_at__isnull=True).select_related(
            "parent__parent__parent"
        )
    }
    codes = {row.get("first_service_point") for row in rows} - {""}
    ctx.facilities = {
        f.code: f for f in HealthFacility.objects.filter(code__in=codes, retired_at__isnull=True)
    }
    numbers = {row.get("insurance_number") for row in rows} | {
        row.get("head_insuree_number") for row in rows
    }
    for chunk in _in_chunks(numbers - {""}):
        found = Insuree.objects.filter(
            insurance_number__in=chunk, retired_at__isnull=True
        ).select_related("family__head", "family__village__parent__parent")
        # Those a confidential programme the actor may not see covers: masked (issue 15).
        found = confidential.masked(confidential.masked(found, actor), actor, "family__head")
        for insuree in found:
            ctx.existing[insuree.insurance_number] = insuree
    file = hooks.ImportFile(
        today=today,
        read_date=lambda row, column, label: _date(row, column, ctx.order, label=label),
        read_flag=lambda row, column, label: _flag(row, column, label=label),
    )
    ctx.extensions = [
        (ext, ext.prepare(actor, rows, file)) for ext in hooks.family_import_extensions()
    ]
    return ctx


# --- one family's rows, checked ---------------------------------------------------------------


@dataclass
class Person:
    row: transfer.Row
    line: ImportLine
    values: dict[str, Any]
    existing: Insuree | None = None
    pk: int | None = None


@dataclass
class FamilyPlan:
    head_number: str
    people: list[Person]
    values: dict[str, Any] = field(default_factory=dict)
    village: Location | None = None
    existing: Family | None = None
    planned: list[hooks.Planned] = field(default_factory=list)  # one per extension


def _clean_person(
    actor, row: transfer.Row, ctx: Context, *, is_head: bool, existing: Insuree | None = None
) -> dict[str, Any]:
    label = ctx.labels.__getitem__
    data: dict[str, Any] = {}
    data["last_name"] = transfer.text(
        row, "last_name", label=label("last_name"), required=True, max_length=100
    )
    data["other_names"] = transfer.text(
        row, "other_names", label=label("other_names"), required=True, max_length=100
    )
    dob = _date(row, "dob", ctx.order, label=label("dob"))
    if dob is None:
        raise Refused(_("Enter the date of birth."), "dob")
    if dob > ctx.today:
        raise Refused(_("The date of birth cannot be in the future."), "dob")
    data["dob"] = dob
    data["gender"] = _choice(row, "gender", Gender, label=label("gender"), required=True)
    data["marital"] = _choice(row, "marital", MaritalStatus, label=label("marital"))
    if is_head:
        data["relationship"] = None
    elif "relationship" in row.data and (existing is None or row.get("relationship")):
        data["relationship"] = _choice(
            row, "relationship", Relationship, label=label("relationship"), required=True
        )
    else:
        # openIMIS's im_export format has no relationship: left unknown, as openIMIS does (and
        # an existing member's unknown relationship may stay unknown).
        data["relationship"] = existing.relationship if existing is not None else None
    data["type_of_id"] = _choice(row, "type_of_id", IdType, label=label("type_of_id"))
    data["id_number"] = transfer.text(row, "id_number", label=label("id_number"), max_length=25)
    if data["id_number"] and not data["type_of_id"]:
        raise Refused(_("Choose the type of identification of this number."), "type_of_id")
    data["phone"] = transfer.text(row, "phone", label=label("phone"), max_length=50)
    data["email"] = transfer.text(row, "email", label=label("email"), max_length=100)
    if data["email"]:
        try:
            validate_email(data["email"])
        except ValidationError:
            raise Refused(_("Enter a valid e-mail address."), "email") from None
    data["current_address"] = transfer.text(
        row, "current_address", label=label("current_address"), max_length=200
    )
    data["profession"] = _choice(row, "profession", Profession, label=label("profession"))
    data["education"] = _choice(row, "education", Education, label=label("education"))
    code = row.get("first_service_point")
    data["first_service_point"] = None
    if code:
        facility = ctx.facilities.get(code)
        if facility is None:
            raise Refused(
                _("No current health facility has the code %(code)s.") % {"code": code},
                "first_service_point",
            )
        data["first_service_point"] = facility
    data["card_issued"] = _flag(row, "card_issued", label=label("card_issued"))
    status = _choice(row, "status", InsureeStatus, label=label("status")) or InsureeStatus.ACTIVE
    data["status"] = status
    data["status_date"] = _date(row, "status_date", ctx.order, label=label("status_date"))
    data["status_reason"] = transfer.text(
        row, "status_reason", label=label("status_reason"), max_length=200
    )
    if status != InsureeStatus.ACTIVE:
        if data["status_date"] is None:
            raise Refused(_("Enter the date of the status."), "status_date")
        if not data["status_reason"]:
            raise Refused(_("Enter the reason of the status."), "status_reason")
    if data["status_date"] is not None:
        if data["status_date"] > ctx.today:
            raise Refused(_("The status date cannot be in the future."), "status_date")
        if data["status_date"] < dob:
            raise Refused(_("The status date cannot be before the date of birth."), "status_date")
    return data


def _clean_family(actor, head: transfer.Row, ctx: Context) -> tuple[Location, dict]:
    code = head.get("village")
    if not code:
        raise Refused(_("Village is missing."), "village")
    village = ctx.villages.get(code)
    if village is None or village.type != "V":
        raise Refused(_("No current village has the code %(code)s.") % {"code": code}, "village")
    municipality = village.parent
    district = municipality.parent if municipality else None
    region = district.parent if district else None
    for column, place in (
        ("municipality", municipality),
        ("district", district),
        ("region", region),
    ):
        given = head.get(column)
        if given and (place is None or place.code != given):
            raise Refused(
                _("The village %(village)s is not in %(place)s.")
                % {"village": village.code, "place": given},
                column,
            )
    if district is None or not access.scope_of(actor).covers_district(district.pk):
        raise Refused(
            _("You cannot choose the village %(village)s: it is not in one of your districts.")
            % {"village": village.name},
            "village",
        )
    label = ctx.family_labels.__getitem__
    data = {
        "poverty": _flag(head, "poverty", label=label("poverty")),
        "family_type": _choice(head, "family_type", FamilyType, label=label("family_type")),
        "address": transfer.text(head, "address", label=label("address"), max_length=200),
        "ethnicity": "",
        "confirmation_type": _choice(
            head, "confirmation_type", ConfirmationType, label=label("confirmation_type")
        ),
        "confirmation_no": transfer.text(
            head, "confirmation_no", label=label("confirmation_no"), max_length=12
        ),
    }
    if data["confirmation_no"] and not data["confirmation_type"]:
        raise Refused(_("Choose the type of confirmation of this number."), "confirmation_type")
    return village, data


# --- the kind ----------------------------------------------------------------------------------


class FamilyKind(transfer.RegisterKind):
    key = "families"
    label = gettext_lazy("Families and insurees")
    model = Insuree
    key_field = "insurance_number"
    key_column = "insurance_number"
    columns = FAMILY_COLUMNS[:1] + INSUREE_COLUMNS + FAMILY_COLUMNS[1:]
    update_fields = PERSONAL_FIELDS
    upload_rights = (Right.FAMILY_ADD,)
    download_rights = (Right.FAMILY_SEARCH, Right.INSUREE_SEARCH)

    @property
    def optional_columns(self) -> list[str]:  # type: ignore[override]
        """Read on import, never exported: the registered extensions' columns."""
        return [c for ext in hooks.family_import_extensions() for c in ext.columns]

    def queryset(self, actor):
        return visible_insurees(actor).filter(family__isnull=False)

    # -- export
    def export_queryset(self, actor):
        return self.queryset(actor).order_by("family_id", "-is_head", "id")

    def export_rows(self, actor, queryset=None):
        if queryset is None:
            # Masked without names (issue 15): a file read back renames nobody.
            queryset = confidential.masked(self.export_queryset(actor), actor, label="")
        qs = queryset.filter(family__isnull=False)
        qs = qs.select_related("family__head", "family__village", "first_service_point").order_by(
            "family_id", "-is_head", "id"
        )
        # The family's address, type and confirmation withheld with its names (issue 15).
        qs = confidential.masked_family_fields(qs, actor, "family")
        # The read audit: one entry per export, naming its insurees (kinga.core.audit).
        for insuree in audit.exporting(actor, "insurees.export", qs.iterator(chunk_size=2000)):
            yield self.export_row(insuree)

    def export_row(self, insuree: Insuree) -> dict[str, Any]:
        family = insuree.family
        row = {name: getattr(insuree, name) for name in INSUREE_COLUMNS}
        row["first_service_point"] = (
            insuree.first_service_point.code if insuree.first_service_point_id else ""
        )
        row["head_insuree_number"] = family.head.insurance_number if family.head_id else ""
        row["village"] = family.village.code
        confidential.show_family_fields(family, insuree, "family")
        for name in FAMILY_COLUMNS[2:]:
            row[name] = getattr(family, name)
        return row

    # -- import
    def import_rows(
        self,
        actor,
        rows: list[transfer.Row],
        *,
        strategy: str,
        dry_run: bool,
        progress: Callable[[int, int], None] | None,
    ) -> ImportReport:
        report = ImportReport(dry_run=dry_run)
        _normalise(rows)
        today = timezone.localdate()
        try:
            ctx = _prepare(actor, rows, today)
        except Refused as refused:
            report.error = refused.message
            return report
        families = self._group(actor, rows, report, ctx)
        for i, plan in enumerate(families.values()):
            if progress and i % 500 == 0:
                progress(i, len(families))
            self._check_family(actor, plan, ctx, strategy)
        if progress:
            progress(len(families), len(families))
        if report.rejected or dry_run:
            return report
        new = [plan for plan in families.values() if plan.existing is None]
        old = [plan for plan in families.values() if plan.existing is not None]
        try:
            with transaction.atomic():  # a savepoint: a refusal below leaves nothing written
                if new:
                    _write_new(actor, new, ctx)
                if old:
                    _write_existing(actor, old, ctx)
        except hooks.RowsRefused as refused:
            # Rows another user made invalid since they were checked (a receipt saved meanwhile).
            by_place = {line.where: line for line in report.lines}
            for where, message in refused.lines.items():
                if where in by_place:
                    by_place[where].outcome, by_place[where].reason = REJECTED, message
            return report
        except IntegrityError:
            report.error = _(
                "Another user saved some of these records while the file was imported; nothing "
                "was written: import the file again."
            )
            return report
        report.written = True
        return report

    def _group(self, actor, rows, report, ctx) -> dict[str, FamilyPlan]:
        families: dict[str, FamilyPlan] = {}
        seen: dict[str, str] = {}
        for row in rows:
            number = row.get("insurance_number")
            line = ImportLine(row.where, number, CREATED)
            report.lines.append(line)
            try:
                if not number:
                    raise Refused(_("Enter the insurance number."), "insurance_number")
                if number in seen:
                    raise Refused(
                        _("%(key)s appears twice in the file (first at %(where)s).")
                        % {"key": number, "where": seen[number]}
                    )
                seen[number] = row.where
                head_number = row.get("head_insuree_number")
                if not head_number:
                    raise Refused(
                        _("Give the insurance number of the head of family."),
                        "head_insuree_number",
                    )
            except Refused as refused:
                line.outcome, line.reason = REJECTED, refused.message
                continue
            plan = families.setdefault(head_number, FamilyPlan(head_number, []))
            person = Person(row, line, {})
            if number == head_number:
                plan.people.insert(0, person)
            else:
                plan.people.append(person)
        return families

    def _check_family(self, actor, plan: FamilyPlan, ctx: Context, strategy: str):
        people = plan.people
        if not people or people[0].row.get("insurance_number") != plan.head_number:
            for p in people:
                _reject(
                    p,
                    _("The row of the head of family %(n)s is missing.") % {"n": plan.head_number},
                )
            return
        head = people[0]
        existing_head = ctx.existing.get(plan.head_number)
        if existing_head is not None:
            if strategy == "insert":
                return _reject_all(
                    plan, _("The family of %(n)s already exists.") % {"n": plan.head_number}
                )
            if not existing_head.is_head or existing_head.family is None:
                return _reject_all(
                    plan,
                    _("%(n)s is not the head of a family.") % {"n": plan.head_number},
                )
            plan.existing = existing_head.family
            if getattr(existing_head, "confidential", False):
                return _reject_all(plan, str(confidential.MANAGED))
            if not access.scope_of(actor).covers_district(
                plan.existing.village.parent.parent_id
            ) or not access.has_right(actor, Right.FAMILY_EDIT, Right.INSUREE_EDIT):
                return _reject_all(
                    plan,
                    _("%(key)s is outside the locations you may change.")
                    % {"key": plan.head_number},
                )
        elif strategy == "update":
            return _reject_all(plan, _("%(key)s does not exist.") % {"key": plan.head_number})
        try:
            if plan.existing is None:
                plan.village, plan.values = _clean_family(actor, head.row, ctx)
            else:
                plan.village = plan.existing.village
        except Refused as refused:
            return _reject_all(plan, refused.message)
        for i, person in enumerate(people):
            try:
                number = person.row.get("insurance_number")
                person.existing = ctx.existing.get(number)
                if getattr(person.existing, "confidential", False):
                    raise Refused(str(confidential.MANAGED), "insurance_number")
                if person.existing is not None:
                    if plan.existing is None or person.existing.family_id != plan.existing.pk:
                        raise Refused(
                            _("The insurance number %(number)s is already given to %(insuree)s.")
                            % {"number": number, "insuree": person.existing.full_name},
                            "insurance_number",
                        )
                else:
                    problem = insuree_rules.number_problem(number, ctx.scheme)
                    if problem:
                        raise Refused(problem, "insurance_number")
                person.values = _clean_person(
                    actor, person.row, ctx, is_head=i == 0, existing=person.existing
                )
                if person.existing is not None:
                    changed = any(
                        transfer._differs(person.existing, k, v) for k, v in person.values.items()
                    )
                    person.line.outcome = UPDATED if changed else UNCHANGED
                elif plan.existing is not None:
                    person.line.outcome = CREATED
            except Refused as refused:
                _reject(person, refused.message)
        if any(p.line.outcome == REJECTED for p in people):
            return
        for ext, state in ctx.extensions:
            planned = ext.plan(actor, plan, state)
            plan.planned.append(planned)
            for index, message in planned.refusals.items():
                _reject(people[index], message)
            for index, message in planned.notes.items():
                if people[index].line.outcome != REJECTED:
                    people[index].line.reason = message


def _reject(person: Person, message: str) -> None:
    person.line.outcome, person.line.reason = REJECTED, message


def _reject_all(plan: FamilyPlan, message: str) -> None:
    for person in plan.people:
        _reject(person, message)


# --- writing -----------------------------------------------------------------------------------


def _write_new(actor, plans: list[FamilyPlan], ctx: Context) -> None:
    """New families and members in bulk, with history; then what the extensions planned for
    them (policies, coverage, contributions), with the new ids."""
    reason = _("Imported")
    copy = bulk.uses_copy()
    family_ids = bulk.take_ids(Family, len(plans)) if copy else [None] * len(plans)
    insuree_ids = iter(bulk.take_ids(Insuree, sum(len(p.people) for p in plans)) or [])
    families, insurees = [], []
    for plan, family_id in zip(plans, family_ids, strict=True):
        for i, person in enumerate(plan.people):
            person.pk = next(insuree_ids, None)
            insurees.append(
                {
                    "family_id": family_id,
                    "is_head": i == 0,
                    "insurance_number": person.row.get("insurance_number"),
                    **_attnames(person.values),
                }
                | ({"id": person.pk} if copy else {})
            )
        families.append(
            {"head_id": plan.people[0].pk, "village_id": plan.village.pk, **plan.values}
            | ({"id": family_id} if copy else {})
        )
    if copy:
        # The ids are known before writing: each family is written once with its head (the
        # family → head key is checked at commit).
        bulk.create_rows(Family, families, user=actor, reason=reason)
        bulk.create_rows(Insuree, insurees, user=actor, reason=reason)
    else:
        family_ids = _write_families_then_heads(actor, plans, families, insurees, reason)
    for n, (ext, state) in enumerate(ctx.extensions):
        written = [
            (plan, family_id, plan.planned[n].plan)
            for plan, family_id in zip(plans, family_ids, strict=True)
            if plan.planned[n].plan is not None
        ]
        if written:
            ext.write(actor, written, state)


def _attnames(values: dict[str, Any]) -> dict[str, Any]:
    """Model values with foreign keys as ids (first_service_point → first_service_point_id)."""
    out = dict(values)
    fsp = out.pop("first_service_point", None)
    out["first_service_point_id"] = fsp.pk if fsp is not None else None
    return out


def _write_families_then_heads(actor, plans, families, insurees, reason) -> list[int]:
    """Without COPY (SQLite): the families first without their heads, the members, then the
    heads, then the families' history (with their heads)."""
    objs = Family.objects.bulk_create([Family(**f) for f in families], batch_size=transfer.BATCH)
    position = 0
    for plan, family in zip(plans, objs, strict=True):
        for row in insurees[position : position + len(plan.people)]:
            row["family_id"] = family.pk
        position += len(plan.people)
    ids = iter(bulk.create_rows(Insuree, insurees, user=actor, reason=reason))
    for plan, family in zip(plans, objs, strict=True):
        for person in plan.people:
            person.pk = next(ids)
        family.head_id = plan.people[0].pk
    for chunk in _in_chunks(objs, 5000):
        Family.objects.filter(pk__in=[f.pk for f in chunk]).update(
            head=Subquery(
                Insuree.objects.filter(family=OuterRef("pk"), is_head=True).values("pk")[:1]
            )
        )
    Family.history.bulk_history_create(
        objs, batch_size=transfer.BATCH, default_user=actor, default_change_reason=reason
    )
    return [f.pk for f in objs]


def _write_existing(actor, plans: list[FamilyPlan], ctx: Context) -> None:
    """Members' fields updated in bulk and new members added through the page's service; a
    member whose status changed has his coverage follow, as `insuree_update` does (the
    coverage hooks, in bulk)."""
    # The families first (kinga.core.locks), as the member services lock them.
    locks.lock_all(Family.objects.filter(pk__in=[plan.existing.pk for plan in plans]))
    changed, new_status = [], []
    for plan in plans:
        for person in plan.people:
            if person.existing is None:
                services.insuree_add(
                    actor=actor,
                    family=plan.existing,
                    today=ctx.today,
                    insurance_number=person.row.get("insurance_number"),
                    **person.values,
                )
            elif person.line.outcome == UPDATED:
                old_status = person.existing.status
                for k, v in person.values.items():
                    setattr(person.existing, k, v)
                changed.append(person.existing)
                if person.existing.status != old_status:
                    new_status.append(person.existing)
    if changed:
        bulk_update_with_history(
            changed,
            Insuree,
            PERSONAL_FIELDS,
            batch_size=transfer.UPDATE_BATCH,
            default_user=actor,
            default_change_reason=_("Imported"),
        )
    if new_status:
        hooks.coverage().statuses_changed(actor=actor, insurees=new_status, today=ctx.today)


FAMILIES = FamilyKind()


def export_search(actor, insurees, fmt: str) -> tuple[bytes, str, str]:
    """The rows of a search result (the insurees found, with their family's fields), in the
    import's columns."""
    rows = FAMILIES.export_rows(actor, insurees.exclude(insurance_number=FUNDING_NUMBER))
    return transfer.write_rows(FAMILIES, fmt, rows, filename="insurees")
