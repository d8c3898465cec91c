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

import codecs
import csv
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar
from xml.etree import ElementTree as ET
from xml.parsers import expat

from django.conf import settings
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


# What an upload may hold (settings KINGA_IMPORT_*; see kinga/settings.py).  `UPLOAD` as a
# bound means "the setting"; None means no bound (the command line lifts the size and rows).
UPLOAD: Any = object()
# Levels of nesting of a JSON file: a register is a list of objects (2), the locations' file an
# object of lists of objects (3 or 4); deeper is a mistake or an attack (RecursionError).
MAX_JSON_DEPTH = 16
# How much a workbook may unpack to, in multiples of the upload bound: the sheet is streamed,
# but its shared strings are read whole.
XLSX_UNPACK_FACTOR = 5
FORMULA_START = ("=", "+", "-", "@")
# What a row may need, at most, of JSON objects and lists, and of XML elements (a facility of
# openIMIS's XML has 17 child elements): the bound of a file's structure before it is parsed.
JSON_CONTAINERS_PER_ROW = 4
XML_ELEMENTS_PER_ROW = 24
# Values a file may hold, per row of the row bound: the widest register (families) has 37
# columns; a file of the row bound and of the column bound would otherwise take 500 MB.
CELLS_PER_ROW = 40


@dataclass(frozen=True)
class Bounds:
    max_bytes: int | None
    max_rows: int | None
    max_columns: int
    max_cell_chars: int

    @classmethod
    def of(cls, max_bytes=UPLOAD, max_rows=UPLOAD) -> Bounds:
        return cls(
            max_bytes=settings.KINGA_IMPORT_MAX_BYTES if max_bytes is UPLOAD else max_bytes,
            max_rows=settings.KINGA_IMPORT_MAX_ROWS if max_rows is UPLOAD else max_rows,
            max_columns=settings.KINGA_IMPORT_MAX_COLUMNS,
            max_cell_chars=settings.KINGA_IMPORT_MAX_CELL_CHARS,
        )

    def check_size(self, size: int) -> None:
        if self.max_bytes is not None and size > self.max_bytes:
            raise Refused(
                _("The file is larger than %(n)d MB.") % {"n": self.max_bytes // 1024 // 1024},
                "file",
            )

    def check_count(self, rows: int) -> None:
        if self.max_rows is not None and rows > self.max_rows:
            raise Refused(
                _("The file holds more than %(n)s rows; split it into smaller files.")
                % {"n": self.max_rows},
                "file",
            )

    def check_cells(self, cells: int) -> None:
        if self.max_rows is not None and cells > self.max_rows * CELLS_PER_ROW:
            raise Refused(
                _("The file holds more than %(n)s values; split it into smaller files.")
                % {"n": self.max_rows * CELLS_PER_ROW},
                "file",
            )

    def check_structure(self, fmt: str, data: bytes) -> None:
        """A JSON or XML file holds at most as many objects or elements as its rows can
        need, counted before it is parsed: 20 MB of `{}` or `<a/>` would otherwise become
        5 million Python objects (over 400 MB).  A quick count of the brackets first; the
        exact one (without strings, comments...) only when that one is over."""
        if self.max_rows is None:
            return
        if fmt == "json":
            limit = self.max_rows * JSON_CONTAINERS_PER_ROW + 64
            if data.count(b"{") + data.count(b"[") > limit:
                outside_strings = re.sub(rb'"(?:[^"\\]|\\.)*"', b"", data)
                if outside_strings.count(b"{") + outside_strings.count(b"[") > limit:
                    self.check_count(self.max_rows + 1)
        else:
            limit = self.max_rows * XML_ELEMENTS_PER_ROW + 64
            if data.count(b"<") - data.count(b"</") > limit and _xml_elements(data, limit) > limit:
                self.check_count(self.max_rows + 1)

    def check_values(self, where: str, values: Iterable[str], *, width: int | None = None) -> None:
        """One line's values: how many, how long, and no NUL character (which no register
        accepts and PostgreSQL refuses in text)."""
        if width is not None and width > self.max_columns:
            raise Refused(
                _("%(where)s has more than %(n)s columns.")
                % {"where": where, "n": self.max_columns},
                "file",
            )
        values = list(values)
        # The common case at C speed: one call for the lengths, one for the NUL characters.
        if values and max(map(len, values)) > self.max_cell_chars:
            raise Refused(
                _("%(where)s: a value is longer than %(n)s characters.")
                % {"where": where, "n": self.max_cell_chars},
                "file",
            )
        if "\x00" in "".join(values):
            raise Refused(
                _(
                    "%(where)s holds a NUL character, which no register accepts: check "
                    "that the file is a text file, saved in UTF-8, UTF-16 or Windows-1252."
                )
                % {"where": where},
                "file",
            )

    def check_rows(self, rows: list[Row]) -> list[Row]:
        """Rows read by a kind's own reader (XML, the locations' JSON): the same bounds."""
        self.check_count(len(rows))
        self.check_cells(sum(len(row.data) for row in rows))
        for row in rows:
            values = [v for v in row.data.values() if isinstance(v, str)]
            self.check_values(row.where, values, width=len(row.data))
        return rows


class _TooMany(Exception):
    pass


def _xml_elements(data: bytes, limit: int) -> int:
    """How many elements an XML file has, counting up to just past `limit` (expat, nothing
    built); a file that is not XML counts the elements before its error (its parser will say
    what is wrong, but may have built them by then)."""
    parser = expat.ParserCreate()
    count = 0

    def start(_tag, _attrs):
        nonlocal count
        count += 1
        if count > limit:
            raise _TooMany

    def forbid(*_args):
        raise expat.ExpatError("DOCTYPE")

    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = forbid
    parser.EntityDeclHandler = forbid
    try:
        parser.Parse(data, True)
    except (_TooMany, expat.ExpatError):
        pass
    return count


def _megabytes(n: int) -> str:
    return f"{n / 1024 / 1024:.3g}"


def _unquote(value: str) -> str:
    """The value a formula-safe export wrote (`_spreadsheet_safe`): one leading `'` is taken
    off when what follows, past any further `'`, starts like a formula."""
    if value[:1] == "'" and value.lstrip("'")[:1] in FORMULA_START:
        return value[1:]
    return value


def _is_empty(values: Iterable[Any]) -> bool:
    return all(v is None or str(v).strip() == "" for v in values)


class _Table:
    """The rows of a CSV or a sheet, built one line at a time within the bounds: the header
    names the columns; empty lines are skipped; cells past the header's columns are dropped
    (unless past the column bound and not empty: refused).  `by_position`: a sheet's rows
    count by their number (the first row past the bound is refused, empty or not)."""

    def __init__(self, bounds: Bounds, *, by_position: bool = False):
        self.bounds = bounds
        self.by_position = by_position
        self.names: list[str] | None = None
        self.rows: list[Row] = []
        self.cells = 0

    def add(self, number: int, values: list[Any]) -> None:
        where = _("line %(n)s") % {"n": number}
        limit = self.bounds.max_columns
        if len(values) > limit:
            if not _is_empty(values[limit:]):
                self.bounds.check_values(where, (), width=len(values))
            values = values[:limit]
        cells = [
            "" if v is None else _unquote(v) if isinstance(v, str) else as_text(v) for v in values
        ]
        self.bounds.check_values(where, cells)
        if self.names is None:
            self.names = [c.strip().lower() for c in cells]
            return
        if _is_empty(cells):
            return
        self.bounds.check_count(number - 1 if self.by_position else len(self.rows) + 1)
        data = {name: v for name, v in zip(self.names, cells, strict=False) if name}
        self.cells += len(data)
        self.bounds.check_cells(self.cells)
        self.rows.append(Row(where, data))

    def result(self) -> list[Row]:
        if self.names is None:
            raise Refused(_("The file is empty."), "file")
        return self.rows


def _decode_csv(data: bytes) -> str:
    """The text of a CSV file: by its byte order mark (UTF-8, UTF-16 LE or BE), else UTF-8,
    else Windows-1252 (Excel's « CSV » in French and English); or a refusal naming these."""
    boms = [
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ]
    encodings = [enc for bom, enc in boms if data.startswith(bom)]
    if not encodings:
        # UTF-16 without a mark: its ASCII letters alternate with NUL bytes.
        head = data[:2]
        if len(head) == 2 and head[1] == 0 and head[0] != 0:
            encodings = ["utf-16-le"]
        elif len(head) == 2 and head[0] == 0 and head[1] != 0:
            encodings = ["utf-16-be"]
        encodings += ["utf-8", "cp1252"]
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Refused(
        _(
            "The characters of the file cannot be read: save it as CSV in UTF-8, UTF-16 or "
            "Windows-1252 (Western European)."
        ),
        "file",
    )


def _read_csv(data: bytes, bounds: Bounds) -> list[Row]:
    content = _decode_csv(data)
    # The delimiter is the one the header line uses most (Excel in French writes ";").
    header = re.match(r"[^\r\n]*", content).group()
    delimiter = max([",", ";", "\t"], key=header.count)
    # The csv module refuses fields past its limit (131,072 characters): the cell bound is
    # checked on each line, so that limit is only met past it.
    # newline="": a line ends at \n, \r\n or a lone \r (Excel for Mac), a quoted value keeps its own.
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter, strict=True)
    table = _Table(bounds)
    while True:
        start = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise Refused(
                    _("%(where)s: a value is longer than %(n)s characters.")
                    % {"where": _("line %(n)s") % {"n": start}, "n": bounds.max_cell_chars},
                    "file",
                ) from None
            raise Refused(
                _(
                    "The CSV file cannot be read from line %(n)s: a quoted value is not closed "
                    "or a quote is misplaced."
                )
                % {"n": start},
                "file",
            ) from None
        # The line of the report is where the record starts (a quoted value may span lines).
        table.add(start, values)
    return table.result()


def _read_xlsx(data: bytes, bounds: Bounds) -> list[Row]:
    """The first sheet, streamed (read-only mode), by its cells: the dimension it declares is
    not trusted (a sheet of 1.6 KB may declare every row and column of Excel)."""
    import openpyxl

    unreadable = Refused(_("The file is not a readable Excel (.xlsx) workbook."), "file")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise unreadable from None
    if bounds.max_bytes is not None and unpacked > bounds.max_bytes * XLSX_UNPACK_FACTOR:
        raise Refused(
            _("The workbook unpacks to more than %(n)s MB.")
            % {"n": _megabytes(bounds.max_bytes * XLSX_UNPACK_FACTOR)},
            "file",
        )
    # openpyxl meets a damaged or hostile workbook with whatever its parsers raise (XML
    # ParseError, KeyError, IndexError of a shared string, TypeError of an attribute...): any
    # of them is the same refusal; the bounds' refusals go through.
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except MemoryError:
        raise
    except Exception:
        raise unreadable from None
    try:
        if not book.worksheets:
            raise unreadable
        sheet = book.worksheets[0]
        sheet.reset_dimensions()
        table = _Table(bounds, by_position=True)
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            # Reading stops at the row bound, even at empty rows (a sheet may hold millions
            # of them, each a few bytes of XML).
            bounds.check_count(number - 1)
            if values:
                table.add(number, list(values))
        return table.result()
    except (Refused, MemoryError):
        raise
    except Exception:
        raise unreadable from None
    finally:
        book.close()


def load_json(data: bytes, *, unreadable: str = "") -> Any:
    """A JSON document, or a refusal: unreadable (`unreadable`, or a message naming the
    error), nested deeper than MAX_JSON_DEPTH, or holding a NUL character (PostgreSQL
    refuses it in text; no register has a use for it)."""
    too_deep = Refused(
        _("The JSON file is nested too deeply (more than %(n)s levels).") % {"n": MAX_JSON_DEPTH},
        "file",
    )
    try:
        payload = json.loads(data.decode("utf-8-sig"))
    except RecursionError:
        raise too_deep from None
    except (ValueError, UnicodeDecodeError) as exc:
        message = unreadable or _("The JSON file cannot be read: %(error)s") % {"error": exc}
        raise Refused(message, "file") from None
    stack = [(payload, 1)] if isinstance(payload, dict | list) else []
    while stack:
        node, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise too_deep
        children = [*node, *node.values()] if isinstance(node, dict) else node
        for child in children:
            if isinstance(child, dict | list):
                stack.append((child, depth + 1))
            elif isinstance(child, str) and "\x00" in child:
                raise Refused(
                    _("The JSON file holds a NUL character (\\u0000), which no register accepts."),
                    "file",
                )
    return payload


def _read_json(kind: RegisterKind, data: bytes, bounds: Bounds) -> list[Row]:
    payload = load_json(data)
    if isinstance(payload, dict) and isinstance(payload.get(kind.key), list):
        payload = payload[kind.key]
    if not isinstance(payload, list) or not all(isinstance(x, dict) for x in payload):
        raise Refused(_("The JSON file must hold a list of objects."), "file")
    bounds.check_count(len(payload))
    bounds.check_cells(sum(map(len, payload)))
    rows = []
    for i, obj in enumerate(payload, start=1):
        where = _("item %(n)s") % {"n": i}
        row = {str(k).lower(): ("" if v is None else as_text(v)) for k, v in obj.items()}
        bounds.check_values(where, [*row, *row.values()], width=len(row))
        rows.append(Row(where, row))
    return rows


def read_file(
    kind: RegisterKind,
    filename: str,
    data: bytes,
    *,
    max_bytes: int | None = UPLOAD,
    max_rows: int | None = UPLOAD,
) -> list[Row]:
    """The rows of an uploaded file, by its extension; Refused naming the problem otherwise.
    `max_bytes` and `max_rows` guard uploads (the settings); the command line (a file already
    on the server) has none.  Columns and the length of a value are always bounded."""
    fmt = format_of(filename)
    if fmt not in kind.formats():
        raise Refused(
            _("Unknown file type “%(name)s”: use %(formats)s.")
            % {"name": filename, "formats": ", ".join(kind.formats())},
            "file",
        )
    bounds = Bounds.of(max_bytes, max_rows)
    bounds.check_size(len(data))
    if fmt in ("json", "xml"):
        bounds.check_structure(fmt, data)
    own = kind.read_own(fmt, data)
    if own is not None:
        return bounds.check_rows(own)
    if fmt == "csv":
        return _read_csv(data, bounds)
    if fmt == "xlsx":
        return _read_xlsx(data, bounds)
    if fmt == "json":
        return _read_json(kind, data, bounds)
    return bounds.check_rows(kind.read_xml(_safe_xml(data)))


def read_upload(kind: RegisterKind, upload) -> list[Row]:
    """The rows of an uploaded file (Django's UploadedFile): its size is checked before a
    byte of it is read into memory."""
    Bounds.of().check_size(upload.size)
    return read_file(kind, upload.name, upload.read())


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
    """A cell that a spreadsheet would run as a formula is written as text, behind a `'`
    (which the import takes off again, `_unquote`); so is a value that already starts with
    `'` before such a character, so that it, too, comes back as it was."""
    if value[:1] == "'":
        return "'" + value if value.lstrip("'")[:1] in FORMULA_START else value
    return "'" + value if value[:1] in FORMULA_START and not _is_number(value) else value


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
