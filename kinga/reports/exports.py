"""The audit page's rows as a CSV or Excel (.xlsx) file: the rows the page's filters select, all
of them up to queries.EXPORT_CAP, in the reader's language."""

from __future__ import annotations

import csv
import io

from django.utils import formats, timezone

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> object:
    """A cell's value: numbers as numbers; a text a spreadsheet would run as a formula behind
    a `'`."""
    if value is None:
        return ""
    if isinstance(value, int | float):
        return value
    text = str(value)
    return "'" + text if text[:1] in _FORMULA else text


def when(value) -> str:
    return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT") if value else ""


def day(value) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else ""


def write(fmt: str, title: str, header: list[str], rows) -> tuple[bytes, str]:
    """(content, content type) of `rows` under `header`."""
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        for row in rows:
            writer.writerow([_cell(v) for v in row])
        return out.getvalue().encode("utf-8-sig"), CONTENT_TYPES[fmt]
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.append(header)
    for row in rows:
        sheet.append([_cell(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), CONTENT_TYPES[fmt]
