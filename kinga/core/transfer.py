"""Import and export of registers: CSV, Excel (.xlsx), JSON and, where openIMIS has one, its XML
upload format.

A register plugs in with a `RegisterKind` (what its rows look like and how one row becomes model
values); `run_import` does the rest the same way for every register:

1. Read the file into `Row`s (or refuse the whole file with a clear message).
2. Check every row: duplicates in the file, the kind's own checks (`clean`), the strategy
   (insert / update / insert_update) against the current records, the actor's scope.
3. All or nothing: if one row is rejected, nothing is written and the report names each
   rejected row, its line and why.  A dry run writes nothing and reports what would happen.
4. Write in bulk, with a history row per record naming the actor.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar
from xml.etree import ElementTree as ET
from xml.parsers import expat

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import Http404
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from . import access, bounds
from .errors import Refused

STRATEGIES = ("insert", "update", "insert_update")
STRATEGY_LABELS = {
    "insert": gettext_lazy("Create new records only"),
    "update": gettext_lazy("Update existing records only"),
    "insert_update": gettext_lazy("Create and update"),
}
MAX_FILE_BYTES = 20 * 1024 * 1024
BATCH = 1000
# bulk_update writes one CASE per field with a branch per row: small batches keep it linear.
UPDATE_BATCH = 200

CREATED, UPDATED, UNCHANGED, REJECTED = "created", "updated", "unchanged", "rejected"
SHOWN_LINES = 500  # lines of a report listed on the page (the command line prints them all)
OUTCOME_LABELS = {
    CREATED: gettext_lazy("created"),
    UPDATED: gettext_lazy("updated"),
    UNCHANGED: gettext_lazy("unchanged"),
    REJECTED: gettext_lazy("rejected"),
}

# --- report ----------------------------------------------------------------------------------


@dataclass
class ImportLine:
    where: str  # "line 12", "item 3", "Villages #2"
    key: str
    outcome: str
    reason: str = ""

    @property
    def outcome_label(self) -> str:
        return str(OUTCOME_LABELS.get(self.outcome, self.outcome))


@dataclass
class ImportReport:
    lines: list[ImportLine] = field(default_factory=list)
    dry_run: bool = False
    written: bool = False
    error: str = ""  # the file as a whole could not be read

    def count(self, outcome: str) -> int:
        return sum(1 for line in self.lines if line.outcome == outcome)

    @property
    def sent(self) -> int:
        return len(self.lines)

    @property
    def created(self) -> int:
        return self.count(CREATED)

    @property
    def updated(self) -> int:
        return self.count(UPDATED)

    @property
    def unchanged(self) -> int:
        return self.count(UNCHANGED)

    @property
    def rejected(self) -> int:
        return self.count(REJECTED)

    @property
    def rejected_lines(self) -> list[ImportLine]:
        return [line for line in self.lines if line.outcome == REJECTED]

    @property
    def success(self) -> bool:
        return not self.error and not self.rejected

    @property
    def shown_lines(self) -> list[ImportLine]:
        """The lines the page lists: every line of a small file; of a large one, the rejected
        lines when there are any (what the user must correct), else the first ones — at most
        SHOWN_LINES, so that a file of 100,000 rows does not make a page of 100,000 rows on a
        slow connection."""
        return self._listed[:SHOWN_LINES]

    @property
    def hidden_lines(self) -> int:
        return len(self._listed) - len(self.shown_lines)

    @property
    def _listed(self) -> list[ImportLine]:
        if len(self.lines) <= SHOWN_LINES:
            return self.lines
        return self.rejected_lines or self.lines


# --- rows and values -------------------------------------------------------------------------


@dataclass
class Row:
    """One record of a file: its place for the report and its values as text."""

    where: str
    data: dict[str, str]

    def get(self, column: str) -> str:
        value = self.data.get(column)
        return "" if value is None else str(value).strip()


def text(
    row: Row, column: str, *, label: str, required: bool = False, max_length: int | None = None
) -> str:
    value = row.get(column)
    if required and not value:
        raise Refused(_("%(field)s is missing.") % {"field": capfirst(label)}, column)
    if max_length is not None and len(value) > max_length:
        raise Refused(
            _("%(field)s may have at most %(n)d characters.")
            % {"field": capfirst(label), "n": max_length},
            column,
        )
    return value


def decimal_value(
    row: Row,
    column: str,
    *,
    label: str,
    required: bool = False,
    maximum: Decimal = bounds.MONEY_MAX,
) -> Decimal | None:
    raw = row.get(column)
    if not raw:
        if required:
            raise Refused(_("%(field)s is missing.") % {"field": capfirst(label)}, column)
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise Refused(
            _(
                "%(field)s: “%(value)s” is not a number; use “.” as decimal separator, without currency."
            )
            % {"field": capfirst(label), "value": raw},
            column,
        ) from None
    if not value.is_finite() or value < 0:
        raise Refused(_("%(field)s must be 0 or more.") % {"field": capfirst(label)}, column)
    if value > maximum:
        raise Refused(bounds.out_of_range(label, 0, maximum), column)
    return value


def integer_value(
    row: Row,
    column: str,
    *,
    label: str,
    default: int | None = None,
    minimum: int = 0,
    maximum: int = bounds.INT_MAX,
) -> int | None:
    raw = row.get(column)
    if not raw:
        return default
    try:
        number = Decimal(raw)
        # A finite number of a sane size (int() of "1e999999999" would build a billion digits).
        if not number.is_finite() or number.adjusted() > 30:
            raise ValueError
        value = int(number)
        if number != value:
            raise ValueError
    except (InvalidOperation, ValueError):
        raise Refused(
            _("%(field)s: “%(value)s” is not a whole number.")
            % {"field": capfirst(label), "value": raw},
            column,
        ) from None
    if value < minimum or (maximum is not None and value > maximum):
        raise Refused(
            _("%(field)s must be between %(min)s and %(max)s.")
            % {
                "field": capfirst(label),
                "min": minimum,
                "max": maximum if maximum is not None else "∞",
            },
            column,
        )
    return value


def choice_value(
    row: Row, column: str, *, label: str, choices, required: bool = True, default: str = ""
) -> str:
    raw = row.get(column)
    if not raw:
        if required and not default:
            raise Refused(_("%(field)s is missing.") % {"field": capfirst(label)}, column)
        return default
    valid = {str(v) for v, _l in choices}
    if raw not in valid:
        raise Refused(
            _("%(field)s: “%(value)s” is not one of %(valid)s.")
            % {"field": capfirst(label), "value": raw, "valid": ", ".join(sorted(valid))},
            column,
        )
    return raw


def date_value(row: Row, column: str, *, label: str) -> date | None:
    raw = row.get(column)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        raise Refused(
            _("%(field)s: “%(value)s” is not a date (YYYY-MM-DD).")
            % {"field": capfirst(label), "value": raw},
            column,
        ) from None


def as_text(value: Any) -> str:
    """A value as it is written in files: ISO dates, plain decimals, empty for None."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, Decimal):
        return (
            format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
        )
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


# --- kinds -----------------------------------------------------------------------------------


class RegisterKind:
    """How one register is imported and exported.  Subclasses set the class attributes and
    implement `clean` and `export_row`; the rest has sensible defaults."""

    key: ClassVar[str]  # "items": URLs and `kinga import items FILE`
    label: ClassVar[Any]  # lazy translated name
    model: ClassVar[type[models.Model]]
    key_field: ClassVar[str] = "code"  # natural key among current records
    key_column: ClassVar[str] = "code"
    columns: ClassVar[list[str]]  # CSV / XLSX / JSON columns, in order
    optional_columns: ClassVar[list[str]] = []  # read on import, not written on export
    update_fields: ClassVar[list[str]]  # what an update may change
    upload_rights: ClassVar[tuple[int, ...]]
    download_rights: ClassVar[tuple[int, ...]]
    has_xml: ClassVar[bool] = False

    # -- rights and scope
    def may_upload(self, actor) -> bool:
        return access.has_right(actor, *self.upload_rights)

    def may_download(self, actor) -> bool:
        return access.has_right(actor, *self.download_rights)

    def queryset(self, actor) -> models.QuerySet:
        """The current records the actor may see (export, and matching of updates)."""
        return self.model.objects.filter(retired_at__isnull=True)

    def may_change(self, actor, obj) -> bool:
        return True

    # -- rows
    def prepare(self, actor, rows: list[Row]) -> Any:
        """Load in bulk what `clean` needs (e.g. districts by code).  Returns a context."""
        return None

    def clean(self, actor, row: Row, ctx: Any) -> dict[str, Any]:
        """The model values of one row, or Refused(message, column)."""
        raise NotImplementedError

    def export_row(self, obj) -> dict[str, Any]:
        raise NotImplementedError

    def export_queryset(self, actor) -> models.QuerySet:
        return self.queryset(actor).order_by(self.key_field)

    def after_write(
        self, actor, created: list, updated: list, rows_by_key: dict[str, dict], ctx: Any
    ) -> None:
        """Write what bulk_create cannot (many-to-many, children)."""

    # -- records that span several rows (a header and its members: price lists)
    def import_rows(
        self,
        actor,
        rows: list[Row],
        *,
        strategy: str,
        dry_run: bool,
        progress: Callable[[int, int], None] | None,
    ) -> ImportReport | None:
        """A kind whose record spans several rows checks and writes them itself (same report,
        same all-or-nothing rule, same strategies) and returns the report; None: the generic
        one row, one record import of `run_import`."""
        return None

    def export_rows(self, actor) -> Iterable[dict[str, Any]]:
        """The rows of an export: one per record, unless a record spans several rows."""
        for obj in self.export_queryset(actor).iterator(chunk_size=2000):
            yield self.export_row(obj)

    # -- openIMIS XML (optional)
    def read_xml(self, root: ET.Element) -> list[Row]:
        raise Refused(_("This register has no XML format."))

    def write_xml(self, rows: list[dict[str, Any]]) -> bytes:
        raise Refused(_("This register has no XML format."))

    # -- a file shape of the kind's own (optional): JSON that is not a list of objects (the
    # locations' Regions/Districts/... lists), XML read with its line numbers
    def read_own(self, fmt: str, data: bytes) -> list[Row] | None:
        """The rows of a `fmt` file the kind reads itself, or None: the shared reader."""
        return None

    def write_own(self, fmt: str, rows: list[dict[str, Any]]) -> bytes | None:
        """The content of a `fmt` file the kind writes itself, or None: the shared writer."""
        return None

    def formats(self) -> list[str]:
        return ["csv", "xlsx", "json", *(["xml"] if self.has_xml else [])]


KINDS: dict[str, RegisterKind] = {}


def register(kind: RegisterKind) -> RegisterKind:
    KINDS[kind.key] = kind
    return kind


def kinds_for(user) -> list[RegisterKind]:
    return [k for k in KINDS.values() if k.may_upload(user) or k.may_download(user)]


def may_kind(user, kind: RegisterKind, action: str) -> bool:
    """`action`: "upload" (import), "download" (export) or "view" (either: the kind's row on
    the Outils page)."""
    if action == "upload":
        return kind.may_upload(user)
    if action == "download":
        return kind.may_download(user)
    if action == "view":
        return kind.may_upload(user) or kind.may_download(user)
    raise ValueError(f"unknown action {action!r}: upload, download or view")


def get_kind_for_user(user, key, action: str = "view") -> RegisterKind:
    """The kind named `key`, authorised for `action` (as `kinga.core.loaders` does for
    records): 404 if there is no such kind, 403 without its right.  The kind must be known
    before its rights are, so the 404 comes first; the names of the kinds are no secret."""
    kind = KINDS.get(str(key))
    if kind is None:
        raise Http404
    if not may_kind(user, kind, action):
        raise PermissionDenied
    return kind


def require_some_kind(user) -> list[RegisterKind]:
    """The kinds `user` may import or export (the Outils page); 403 when there is none."""
    kinds = kinds_for(user)
    if not kinds:
        raise PermissionDenied
    return kinds


# --- reading files ---------------------------------------------------------------------------


def format_of(filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return {"xls": "xlsx"}.get(ext, ext)


def _safe_xml(data: bytes) -> ET.Element:
    """Parse XML refusing DOCTYPE and entity declarations (no entity expansion attacks)."""
    parser = expat.ParserCreate()

    def refuse(*_args):
        raise Refused(_("The XML file may not declare a DOCTYPE or entities."))

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    try:
        parser.Parse(data, True)
        return ET.fromstring(data)
    except (expat.ExpatError, ET.ParseError) as exc:
        raise Refused(_("The XML file is not well formed: %(error)s") % {"error": exc}) from None


def _table_rows(header: list[str], body: Iterable[tuple[int, list[Any]]]) -> list[Row]:
    names = [str(h or "").strip().lower() for h in header]
    rows = []
    for number, values in body:
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        data = {
            name: ("" if v is None else as_text(v))
            for name, v in zip(names, values, strict=False)
            if name
        }
        rows.append(Row(_("line %(n)s") % {"n": number}, data))
    return rows


def read_file(
    kind: RegisterKind, filename: str, data: bytes, *, max_bytes: int | None = MAX_FILE_BYTES
) -> list[Row]:
    """The rows of an uploaded file, by its extension; Refused naming the problem otherwise.
    `max_bytes` guards uploads; the command line (a file already on the server) has none."""
    fmt = format_of(filename)
    if fmt not in kind.formats():
        raise Refused(
            _("Unknown file type “%(name)s”: use %(formats)s.")
            % {"name": filename, "formats": ", ".join(kind.formats())},
            "file",
        )
    if max_bytes is not None and len(data) > max_bytes:
        raise Refused(
            _("The file is larger than %(n)d MB.") % {"n": max_bytes // 1024 // 1024}, "file"
        )
    own = kind.read_own(fmt, data)
    if own is not None:
        return own
    if fmt == "csv":
        try:
            content = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            content = data.decode("cp1252", errors="replace")
        # The delimiter is the one the header line uses most (Excel in French writes ";").
        header = content.split("\n", 1)[0]
        delimiter = max([",", ";", "\t"], key=header.count)
        lines = list(csv.reader(io.StringIO(content), delimiter=delimiter))
        if not lines:
            raise Refused(_("The file is empty."), "file")
        return _table_rows(lines[0], ((i, row) for i, row in enumerate(lines[1:], start=2)))
    if fmt == "xlsx":
        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException

        try:
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError):
            raise Refused(_("The file is not a readable Excel (.xlsx) workbook."), "file") from None
        sheet = book.worksheets[0]
        values = [list(r) for r in sheet.iter_rows(values_only=True)]
        book.close()
        if not values:
            raise Refused(_("The file is empty."), "file")
        return _table_rows(values[0], ((i, row) for i, row in enumerate(values[1:], start=2)))
    if fmt == "json":
        try:
            payload = json.loads(data.decode("utf-8-sig"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise Refused(
                _("The JSON file cannot be read: %(error)s") % {"error": exc}, "file"
            ) from None
        if isinstance(payload, dict) and isinstance(payload.get(kind.key), list):
            payload = payload[kind.key]
        if not isinstance(payload, list) or not all(isinstance(x, dict) for x in payload):
            raise Refused(_("The JSON file must hold a list of objects."), "file")
        return [
            Row(
                _("item %(n)s") % {"n": i},
                {str(k).lower(): ("" if v is None else as_text(v)) for k, v in obj.items()},
            )
            for i, obj in enumerate(payload, start=1)
        ]
    return kind.read_xml(_safe_xml(data))


# --- import ----------------------------------------------------------------------------------


@transaction.atomic
def run_import(
    *,
    actor,
    kind: RegisterKind,
    rows: list[Row],
    strategy: str = "insert_update",
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    if not kind.may_upload(actor):
        raise PermissionDenied
    if strategy not in STRATEGIES:
        raise Refused(_("Choose a valid strategy."), "strategy")
    own = kind.import_rows(actor, rows, strategy=strategy, dry_run=dry_run, progress=progress)
    if own is not None:
        return own
    report = ImportReport(dry_run=dry_run)
    keys = [row.get(kind.key_column) for row in rows]
    existing = {
        getattr(obj, kind.key_field): obj
        for obj in kind.model.objects.filter(
            retired_at__isnull=True, **{f"{kind.key_field}__in": set(keys) - {""}}
        )
    }
    visible = set(
        kind.queryset(actor)
        .filter(pk__in=[o.pk for o in existing.values()])
        .values_list("pk", flat=True)
    )
    ctx = kind.prepare(actor, rows)
    seen: dict[str, str] = {}
    to_create: list[tuple[str, dict]] = []
    to_update: list[tuple[Any, dict]] = []
    concrete = {f.name for f in kind.model._meta.concrete_fields}
    for i, (row, key) in enumerate(zip(rows, keys, strict=True)):
        line = ImportLine(row.where, key, REJECTED)
        report.lines.append(line)
        if progress and i % 500 == 0:
            progress(i, len(rows))
        try:
            if key in seen:
                raise Refused(
                    _("%(key)s appears twice in the file (first at %(where)s).")
                    % {"key": key, "where": seen[key]}
                )
            if key:
                seen[key] = row.where
            values = kind.clean(actor, row, ctx)
            key = values.get(kind.key_field, key)
            line.key = str(key)
            current = existing.get(key)
            if current is None:
                if strategy == "update":
                    raise Refused(_("%(key)s does not exist.") % {"key": key})
                line.outcome = CREATED
                to_create.append((key, values))
            else:
                if strategy == "insert":
                    raise Refused(_("%(key)s already exists.") % {"key": key})
                if current.pk not in visible or not kind.may_change(actor, current):
                    raise Refused(
                        _("%(key)s is outside the locations you may change.") % {"key": key}
                    )
                real_change = any(
                    k in concrete and _differs(current, k, v) for k, v in values.items()
                ) or kind_has_relation_change(kind, current, values)
                line.outcome = UPDATED if real_change else UNCHANGED
                if real_change:
                    to_update.append((current, values))
        except Refused as refused:
            line.outcome = REJECTED
            line.reason = refused.message
    if progress:
        progress(len(rows), len(rows))
    if report.rejected or dry_run:
        return report

    reason = _("Imported")
    created = bulk_create_with_history(
        [
            kind.model(**{k: v for k, v in values.items() if k in concrete})
            for _key, values in to_create
        ],
        kind.model,
        batch_size=BATCH,
        default_user=actor,
        default_change_reason=reason,
    )
    updated = []
    fields: set[str] = set()
    for obj, values in to_update:
        for k, v in values.items():
            # Only the columns that really change: bulk_update's CASE grows with each field.
            if k in concrete and k in kind.update_fields and _differs(obj, k, v):
                setattr(obj, k, v)
                fields.add(k)
        updated.append(obj)
    if updated and fields:
        bulk_update_with_history(
            updated,
            kind.model,
            sorted(fields),
            batch_size=UPDATE_BATCH,
            default_user=actor,
            default_change_reason=reason,
        )
    rows_by_key = {str(k): v for k, v in to_create} | {
        str(getattr(o, kind.key_field)): v for o, v in to_update
    }
    kind.after_write(actor, list(created), updated, rows_by_key, ctx)
    report.written = True
    return report


def _differs(obj, name: str, value) -> bool:
    """Whether a field would change, comparing foreign keys by id (no query per row)."""
    f = obj._meta.get_field(name)
    if f.is_relation:
        return getattr(obj, f.attname) != (value.pk if isinstance(value, models.Model) else value)
    return getattr(obj, name) != value


def kind_has_relation_change(kind: RegisterKind, obj, values: dict) -> bool:
    """Hook for kinds whose rows carry more than the model's own columns (many-to-many)."""
    check = getattr(kind, "relation_changed", None)
    return bool(check and check(obj, values))


# --- export ----------------------------------------------------------------------------------

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "xml": "application/xml",
}


def _spreadsheet_safe(value: str) -> str:
    """A cell that a spreadsheet would run as a formula is written as text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") and not _is_number(value) else value


def _is_number(value: str) -> bool:
    try:
        Decimal(value)
        return True
    except InvalidOperation:
        return False


def export(*, actor, kind: RegisterKind, fmt: str) -> tuple[bytes, str, str]:
    """(content, content type, file name) of the records the actor may see."""
    if not kind.may_download(actor):
        raise PermissionDenied
    if fmt not in kind.formats():
        raise Refused(_("Unknown format."), "format")
    return write_rows(kind, fmt, kind.export_rows(actor))


def write_rows(
    kind: RegisterKind, fmt: str, rows: Iterable[dict[str, Any]], *, filename: str = ""
) -> tuple[bytes, str, str]:
    """(content, content type, file name) of `rows` in the kind's columns."""
    if fmt not in kind.formats():
        raise Refused(_("Unknown format."), "format")
    records = list(rows)
    filename = f"{filename or kind.key}.{fmt}"
    own = kind.write_own(fmt, records)
    if own is not None:
        return own, CONTENT_TYPES[fmt], filename
    if fmt == "xml":
        return kind.write_xml(records), CONTENT_TYPES[fmt], filename
    if fmt == "json":
        data = [{c: as_text(r.get(c)) for c in kind.columns} for r in records]
        return json.dumps(data, ensure_ascii=False, indent=1).encode(), CONTENT_TYPES[fmt], filename
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(kind.columns)
        for r in records:
            writer.writerow([_spreadsheet_safe(as_text(r.get(c))) for c in kind.columns])
        return out.getvalue().encode("utf-8-sig"), CONTENT_TYPES[fmt], filename
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(kind.key)
    sheet.append(kind.columns)
    for r in records:
        sheet.append([_spreadsheet_safe(as_text(r.get(c))) for c in kind.columns])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), CONTENT_TYPES[fmt], filename
