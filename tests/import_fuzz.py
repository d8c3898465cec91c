"""Generated import files (hypothesis strategies) for the fuzz test of every import
(tests/core/test_transfer_fuzz.py) and its long run, bench/fuzz_imports.py (issue 11, item 4).

The files look like the registers' files, with the values a careless or hostile user sends:
NUL characters, formulas, numbers out of every range, impossible dates, very long or deeply
nested values, wrong types, broken CSV quoting, several encodings, and plain garbage.
"""

from __future__ import annotations

import csv
import io
import json

from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import strategies as st

from kinga.core import transfer

# Values found in the security test, and their neighbours.
NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "=1+1",
    '=HYPERLINK("http://x")',
    "'+237 699",
    "+237 699 00 00 00",
    "@SUM(A1)",
    "-",
    "-1",
    "0",
    "1.005",
    "1e999999",
    "-1e40",
    "9" * 30,
    "2147483648",
    "-2147483649",
    "9223372036854775808",
    "99999999999999999.99",
    "40000",
    "32768",
    "NaN",
    "Infinity",
    "1,5",
    "²",
    "١٢٣",
    "2026-02-30",
    "0000-00-00",
    "9999-12-31",
    "31/12/2026",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "x" * 300,
    "é" * 60,
    "\ufeff",
    "\u202eevil",
    "MFO",
    "CE",
    "NLK",
    "YDE1",
    "HCY",
    "M",
    "F",
    "G",
    "D",
    "V",
    "1",
    "MFC",
]

texts = st.one_of(st.sampled_from(NASTY), st.text(max_size=30))
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    texts,
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=6,
)


# A valid row of each register in the tests' world (tests/factories.py `world` and `hcy`): the
# near-valid rows below change one or two of its values, so that the files reach the checks
# and the writes, not only the readers.
TEMPLATES: dict[str, dict[str, str]] = {
    "payers": {"type": "G", "name": "Payer", "location_code": "MFO"},
    "diagnoses": {"code": "Z99", "name": "Test diagnosis"},
    "items": {
        "code": "PARA5",
        "name": "Paracétamol 500 mg",
        "type": "D",
        "price": "250",
        "care_type": "O",
        "frequency": "0",
    },
    "services": {
        "code": "CPN1",
        "name": "Consultation prénatale",
        "type": "P",
        "level": "V",
        "category": "A",
        "price": "2000",
        "care_type": "O",
        "frequency": "0",
    },
    "health_facilities": {
        "code": "HDO",
        "name": "Hôpital de District d'Obala",
        "legal_form": "G",
        "level": "H",
        "district_code": "LEK",
        "care_type": "B",
    },
    "officers": {
        "code": "EO001",
        "last_name": "Ateba",
        "other_names": "Paul",
        "dob": "1985-04-12",
        "district_code": "MFO",
        "village_codes": "NLK",
    },
    "claim_admins": {
        "code": "CA001",
        "last_name": "Ateba",
        "other_names": "Paul",
        "health_facility_code": "HCY",
    },
    "locations": {
        "level": "V",
        "code": "NEWV",
        "name": "Nouveau village",
        "parent_code": "YDE1",
        "male_population": "10",
        "female_population": "12",
        "other_population": "0",
        "families": "3",
    },
    "items_price_lists": {"name": "Tarifs 2026", "date": "2026-01-15", "location_code": "MFO"},
    "services_price_lists": {"name": "Tarifs 2026", "date": "2026-01-15", "location_code": "MFO"},
    "families": {
        "insurance_number": "123456789",
        "last_name": "Ateba",
        "other_names": "Paul",
        "dob": "1985-04-12",
        "gender": "M",
        "village": "NLK",
    },
}


def near_valid_rows(kind: transfer.RegisterKind) -> st.SearchStrategy[list[dict[str, str]]]:
    """One to three rows of `kind`'s valid template (each its own key), none, one or two of
    their values replaced: by a nasty value, a number of any size or a plain word."""
    template = TEMPLATES.get(kind.key, {})
    columns = [*kind.columns, *kind.optional_columns]
    values = st.one_of(
        texts,
        st.integers(min_value=-(10**20), max_value=10**20).map(str),
        st.text(alphabet="abcXYZ 0123-.", max_size=12),
    )
    changes = st.dictionaries(st.sampled_from(columns), values, max_size=2)

    def numbered(all_changes: list[dict[str, str]]) -> list[dict[str, str]]:
        rows = []
        for i, change in enumerate(all_changes):
            row = dict(template)
            if i and kind.key_column in row:
                row[kind.key_column] = f"{row[kind.key_column][:4]}{i}"
            rows.append({**row, **change})
        return rows

    return st.lists(changes, min_size=1, max_size=3).map(numbered)


def _keys(kind: transfer.RegisterKind) -> st.SearchStrategy[str]:
    columns = [*kind.columns, *kind.optional_columns]
    return st.one_of(st.sampled_from(columns), st.sampled_from(columns).map(str.upper), texts)


def json_document(kind: transfer.RegisterKind) -> st.SearchStrategy[bytes]:
    """A JSON file for `kind`: mostly a list of objects with its columns, else anything."""
    row = st.dictionaries(_keys(kind), st.one_of(scalars, json_values), max_size=8)
    rows = st.lists(row, max_size=4)
    near = near_valid_rows(kind)
    document = st.one_of(
        near,
        near,
        rows,
        rows.map(lambda r: {kind.key: r}),
        st.dictionaries(
            st.sampled_from(["Regions", "Districts", "Municipalities", "Villages", "Locations"]),
            rows,
            max_size=3,
        ),
        json_values,
    )
    dumped = document.map(lambda doc: json.dumps(doc, ensure_ascii=False).encode())
    deep = st.integers(min_value=10, max_value=5000).map(lambda n: b"[" * n + b"]" * n)
    return st.one_of(dumped, dumped, dumped, deep, st.binary(max_size=200))


ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252"]


def _csv_bytes(header, lines, delimiter, encoding, quoting) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, quoting=quoting)
    writer.writerow(header)
    writer.writerows(lines)
    text = out.getvalue()
    try:
        return text.encode(encoding)
    except UnicodeEncodeError:
        return text.encode("utf-8", errors="surrogatepass")


def csv_document(kind: transfer.RegisterKind) -> st.SearchStrategy[bytes]:
    """A CSV file for `kind`: its header (or a shuffled, partial, junk one) and rows of nasty
    values, in one of the accepted encodings (or not), with broken quoting now and then."""
    columns = [*kind.columns, *kind.optional_columns]
    header = st.one_of(st.just(columns), st.lists(_keys(kind), max_size=len(columns) + 2))
    line = st.lists(texts, max_size=len(columns) + 2)
    good = st.builds(
        _csv_bytes,
        header,
        st.lists(line, max_size=4),
        st.sampled_from([",", ";", "\t"]),
        st.sampled_from(ENCODINGS),
        st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
    )
    broken = st.tuples(good, st.sampled_from([b'"', b'x"y"z', b"\x00", b"\xff\xfe", b"\r"])).map(
        lambda parts: parts[0] + parts[1]
    )
    near = st.builds(
        lambda rows, encoding: _csv_bytes(
            columns, [[r.get(c, "") for c in columns] for r in rows], ",", encoding, 0
        ),
        near_valid_rows(kind),
        st.sampled_from(ENCODINGS),
    )
    return st.one_of(near, near, near, good, good, broken, st.binary(max_size=200))


def post_import(client, kind: transfer.RegisterKind, fmt: str, body: bytes, strategy, dry_run):
    data = {"file": SimpleUploadedFile(f"fuzz.{fmt}", body), "strategy": strategy}
    if dry_run:
        data["dry_run"] = "on"
    return client.post(reverse("transfer_import", args=[kind.key]), data)


def is_refusal(response) -> bool:
    """The page refused the file (a message on the form) or a row (the report's 422)."""
    return response.status_code == 422 or 'class="errorlist' in response.content.decode()


def record_counts() -> dict[str, int]:
    """How many rows each of Kinga's tables holds (records and their history)."""
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models()
        if model._meta.label.startswith("kinga_") or model.__module__.startswith("kinga.")
    }


# --- spreadsheets: the sheet's XML written by hand, cell by cell ------------------------------

_COLUMNS = ["A", "B", "C", "D", "G", "Z", "AA", "XFD", "XFE", "ZZZZ", "", "1A", "a"]
_TYPES = ["n", "s", "str", "b", "e", "inlineStr", "d", "x", ""]


def _xml_text(value: str) -> str:
    from xml.sax.saxutils import escape

    # XML 1.0 cannot hold most control characters: written as Excel's _xHHHH_ escapes.
    return escape("".join(c if c >= " " or c in "\t\n" else f"_x{ord(c):04X}_" for c in value))


def _cell(ref: str, kind: str, value: str, style: str) -> str:
    t = f' t="{kind}"' if kind else ""
    s = f' s="{style}"' if style else ""
    if kind == "inlineStr":
        return f'<c r="{ref}"{t}{s}><is><t>{_xml_text(value)}</t></is></c>'
    return f'<c r="{ref}"{t}{s}><v>{_xml_text(value)}</v></c>'


def xlsx_document(kind: transfer.RegisterKind) -> st.SearchStrategy[bytes]:
    """A workbook for `kind`: its header in row 1 (or not), then rows of cells of every type
    (numbers that are not, shared strings that do not exist, dates out of range, columns past
    XFD, rows past 1,048,576), under any dimension; or a sheet that is not XML at all."""
    from tests.hostile_files import raw_xlsx

    header = "".join(
        _cell(f"{chr(65 + i)}1", "inlineStr", name, "") for i, name in enumerate(kind.columns[:26])
    )
    cell = st.builds(
        lambda col, row, t, value, style: _cell(f"{col}{row}", t, value, style),
        st.sampled_from(_COLUMNS),
        st.integers(min_value=0, max_value=1_100_000),
        st.sampled_from(_TYPES),
        st.one_of(texts, st.integers(min_value=-(10**20), max_value=10**20).map(str)),
        st.sampled_from(["", "0", "1", "99", "-1", "x"]),
    )
    row = st.builds(
        lambda number, cells: f'<row r="{number}">{"".join(cells)}</row>',
        st.one_of(st.integers(min_value=0, max_value=1_100_000).map(str), st.just("x")),
        st.lists(cell, max_size=4),
    )
    body = st.builds(
        lambda dimension, with_header, rows: (
            f'<dimension ref="{dimension}"/><sheetData>'
            + (f'<row r="1">{header}</row>' if with_header else "")
            + "".join(rows)
            + "</sheetData>"
        ),
        st.sampled_from(["A1:XFD1048576", "A1:B2", "", "ZZZ0:A", "A1"]),
        st.booleans(),
        st.lists(row, max_size=4),
    )
    broken = st.sampled_from(["<sheetData><row>", "<sheetData>&bogus;</sheetData>", "x"])
    shared = st.one_of(
        st.none(),
        st.lists(texts, max_size=3).map(
            lambda strings: (
                '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.'
                'openxmlformats.org/spreadsheetml/2006/main">'
                + "".join(f"<si><t>{_xml_text(s)}</t></si>" for s in strings)
                + "</sst>"
            )
        ),
    )
    return st.builds(
        lambda sheet, strings: raw_xlsx(
            sheet, parts={"xl/sharedStrings.xml": strings} if strings else None
        ),
        st.one_of(body, body, body, broken),
        shared,
    )
