"""Hostile import files written by hand, byte by byte (issue 11, items 1 and 4), for the tests
and for bench/bench_hostile_import.py.

`hostile_xlsx` is the spreadsheet of the security test: a workbook of about 1.6 KB whose sheet
declares `<dimension ref="A1:XFD1048576"/>` (every column, every row of Excel) and holds cells
only in its first and last rows.  A reader that trusts the dimension pads every row to 16,384
columns: 4,000 rows took 644 MB, the whole sheet about 130 GB.
"""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)

PAYER_HEADER = ["type", "name", "address", "location_code", "phone", "fax", "email"]


def _column(n: int) -> str:
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell(ref: str, value: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'


def _cells(row: int, values: dict[int, str]) -> str:
    cells = "".join(_cell(f"{_column(col)}{row}", value) for col, value in sorted(values.items()))
    return f'<row r="{row}">{cells}</row>'


def sheet_xlsx(
    rows: dict[int, dict[int, str]],
    *,
    dimension: str = "A1:XFD1048576",
) -> bytes:
    """A workbook of one sheet holding `rows` ({row number: {column number: text}}) and
    declaring `dimension`, whatever its cells really span."""
    body = "".join(_cells(r, values) for r, values in sorted(rows.items()))
    return raw_xlsx(f'<dimension ref="{dimension}"/><sheetData>{body}</sheetData>')


def raw_xlsx(sheet_body: str, *, parts: dict[str, str | bytes] | None = None) -> bytes:
    """A workbook whose one sheet holds `sheet_body` as it is (well formed or not), with
    `parts` added to (or replacing) the package's files."""
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{sheet_body}</worksheet>"
    )
    files: dict[str, str | bytes] = {
        "[Content_Types].xml": _CONTENT_TYPES,
        "_rels/.rels": _RELS,
        "xl/workbook.xml": _WORKBOOK,
        "xl/_rels/workbook.xml.rels": _WORKBOOK_RELS,
        "xl/worksheets/sheet1.xml": sheet,
        **(parts or {}),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as book:
        for name, content in files.items():
            book.writestr(name, content)
    return buffer.getvalue()


def hostile_xlsx(last_row: int = 1_048_576, *, last_column: int = 1) -> bytes:
    """The security test's workbook: a payers header in row 1 and one payer in `last_row`
    (column `last_column` holds its name), under a dimension of every row and column."""
    header = dict(enumerate(PAYER_HEADER, start=1))
    last = {1: "G", last_column if last_column > 1 else 2: "Hostile payer"}
    return sheet_xlsx({1: header, last_row: last})
