"""Hostile and careless import files (issue 11, items 1, 4 and 6) through the real upload page
of Outils › Import (`transfer_import`), shared by every register: each is refused with a clear
message on the file field, never a 500, and nothing is written; or, for the files a person
really sends (UTF-16 or UTF-8 with BOM, a formula-safe export), imported as meant.

Every test holds on SQLite and on PostgreSQL (which refuses NUL characters in text)."""

from __future__ import annotations

import codecs
import io
import json
import tracemalloc
from unittest import mock

import openpyxl
import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import InMemoryUploadedFile, SimpleUploadedFile
from django.test.client import BOUNDARY, encode_multipart
from django.urls import reverse

from kinga.core import transfer
from kinga.core.errors import Refused
from kinga.medical.models import Diagnosis
from kinga.medical.transfer.diagnoses import DIAGNOSES
from kinga.policies.models import Payer
from kinga.policies.transfer.payers import PAYERS

from ..conftest import login
from ..hostile_files import PAYER_HEADER, hostile_xlsx, raw_xlsx, sheet_xlsx

pytestmark = pytest.mark.usefixtures("english")

HEADER = ",".join(PAYER_HEADER)


def upload(client, name: str, data: bytes, *, key: str = "payers", strategy: str = "insert"):
    return client.post(
        reverse("transfer_import", args=[key]),
        {"file": SimpleUploadedFile(name, data), "strategy": strategy},
    )


def refused(response, message: str) -> None:
    """The page came back with `message` on the form and wrote nothing."""
    assert response.status_code == 200, response.status_code
    assert message in response.text, response.text[-3000:]
    assert Payer.objects.count() == 0 and Payer.history.count() == 0


@pytest.fixture
def admin(client, world, imis_admin):
    login(client, imis_admin)
    return imis_admin


def payers_csv(*lines: str) -> bytes:
    return ("\n".join([HEADER, *lines]) + "\n").encode()


# --- item 1: a 1.6 KB spreadsheet must not take the server down --------------------------------


def test_the_hostile_spreadsheet_is_small_and_declares_every_row_and_column():
    data = hostile_xlsx()
    assert len(data) < 2000
    assert b'<dimension ref="A1:XFD1048576"/>' in _sheet_xml(data)


def _sheet_xml(data: bytes) -> bytes:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return book.read("xl/worksheets/sheet1.xml")


def test_the_hostile_spreadsheet_is_refused_for_its_rows(client, admin):
    """Its memory: the next test, and bench/bench_hostile_import.py (tracemalloc makes each of
    the million rows it skips slow to trace)."""
    response = upload(client, "hostile.xlsx", hostile_xlsx())
    refused(response, "The file holds more than 100000 rows; split it into smaller files.")


def test_a_sheet_declaring_every_column_is_read_by_its_cells_not_its_dimension(client, admin):
    """The 4,000-row version of the security test (644 MB with the old reader): its one payer
    is read and imported, in a few megabytes."""
    tracemalloc.start()
    try:
        response = upload(client, "padded.xlsx", hostile_xlsx(4000))
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 200
    assert "1 rows: 1 created" in response.text
    assert Payer.objects.get().name == "Hostile payer"
    assert peak < 30 * 1024 * 1024, f"{peak / 1024 / 1024:.0f} MB"


def test_a_cell_beyond_the_column_bound_refuses_the_file(client, admin):
    response = upload(client, "wide.xlsx", hostile_xlsx(3, last_column=16_384))
    refused(response, "line 3 has more than 100 columns.")


def test_a_spreadsheet_whose_parts_unpack_to_too_much_is_refused(client, admin, settings):
    settings.KINGA_IMPORT_MAX_BYTES = 4000
    data = sheet_xlsx({1: {1: "type", 2: "name"}, 2: {1: "G", 2: "x" * 30_000}}, dimension="A1:B2")
    assert len(data) < 4000
    refused(upload(client, "bomb.xlsx", data), "The workbook unpacks to more than")


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_a_file_past_the_row_bound_is_refused(client, admin, settings, fmt):
    settings.KINGA_IMPORT_MAX_ROWS = 3
    rows = [["G", f"Payer {i}", "", "", "", "", ""] for i in range(4)]
    refused(
        upload(client, f"payers.{fmt}", _payers_file(fmt, rows)),
        "The file holds more than 3 rows; split it into smaller files.",
    )
    # at the bound, the file is imported
    response = upload(client, f"payers.{fmt}", _payers_file(fmt, rows[:3]))
    assert "3 rows: 3 created" in response.text


def test_an_xml_file_past_the_row_bound_is_refused(client, admin, settings):
    settings.KINGA_IMPORT_MAX_ROWS = 2
    items = "".join(
        f"<Diagnosis><DiagnosisCode>Z0{i}</DiagnosisCode><DiagnosisName>d</DiagnosisName>"
        "</Diagnosis>"
        for i in range(3)
    )
    response = upload(client, "d.xml", f"<Diagnoses>{items}</Diagnoses>".encode(), key="diagnoses")
    assert response.status_code == 200
    assert "The file holds more than 2 rows; split it into smaller files." in response.text
    assert not Diagnosis.objects.exists()


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_a_value_past_the_cell_bound_is_refused(client, admin, settings, fmt):
    settings.KINGA_IMPORT_MAX_CELL_CHARS = 20
    rows = [["G", "Payer", "x" * 21, "", "", "", ""]]
    where = "item 1" if fmt == "json" else "line 2"
    refused(
        upload(client, f"payers.{fmt}", _payers_file(fmt, rows)),
        f"{where}: a value is longer than 20 characters.",
    )


def test_a_file_past_the_column_bound_is_refused(client, admin, settings):
    settings.KINGA_IMPORT_MAX_COLUMNS = 5
    refused(upload(client, "p.csv", payers_csv("G,Payer,,,,,")), "line 1 has more than 5 columns.")


def test_an_upload_past_the_byte_bound_is_refused_before_it_is_read(client, admin, settings):
    settings.KINGA_IMPORT_MAX_BYTES = 1024 * 1024
    big = payers_csv(*[f"G,Payer {i},{'x' * 100},,,," for i in range(10_000)])
    body = encode_multipart(
        BOUNDARY, {"file": SimpleUploadedFile("big.csv", big), "strategy": "insert"}
    )
    with mock.patch.object(
        InMemoryUploadedFile,
        "read",
        side_effect=AssertionError("read before the size check"),
        create=True,
    ):
        response = client.post(
            reverse("transfer_import", args=["payers"]),
            body,
            content_type=f"multipart/form-data; boundary={BOUNDARY}",
        )
    refused(response, "The file is larger than 1 MB.")


def test_the_command_line_lifts_the_size_and_row_bounds_not_the_cell_bound(settings):
    settings.KINGA_IMPORT_MAX_ROWS = 1
    settings.KINGA_IMPORT_MAX_BYTES = 10
    data = payers_csv("G,A,,,,,", "G,B,,,,,")
    assert len(transfer.read_file(PAYERS, "p.csv", data, max_bytes=None, max_rows=None)) == 2
    settings.KINGA_IMPORT_MAX_CELL_CHARS = len("location_code")
    data = payers_csv("G,A,,,,,", "G,Name of 14 chr,,,,,")
    with pytest.raises(Refused, match="line 3: a value is longer than 13 characters."):
        transfer.read_file(PAYERS, "p.csv", data, max_bytes=None, max_rows=None)


def _payers_file(fmt: str, rows: list[list[str]]) -> bytes:
    if fmt == "csv":
        return payers_csv(*[",".join(r) for r in rows])
    if fmt == "json":
        return json.dumps([dict(zip(PAYER_HEADER, r, strict=True)) for r in rows]).encode()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(PAYER_HEADER)
    for r in rows:
        sheet.append(r)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- item 4: bad input gets a message, never a 500 --------------------------------------------


def test_a_nul_character_in_a_csv_cell_is_refused_naming_its_line(client, admin):
    refused(
        upload(client, "p.csv", payers_csv("G,Good,,,,,", "G,Bad\x00name,,,,,")),
        "line 3 holds a NUL character",
    )


def test_a_nul_character_in_a_json_value_is_refused(client, admin):
    data = json.dumps([{"type": "G", "name": "Bad\u0000name"}]).encode()
    refused(
        upload(client, "p.json", data),
        "The JSON file holds a NUL character (\\u0000), which no register accepts.",
    )


@pytest.mark.parametrize("depth", [100, 100_000])
def test_deeply_nested_json_is_refused(client, admin, depth):
    data = b"[" * depth + b"]" * depth
    refused(upload(client, "deep.json", data), "The JSON file is nested too deeply")


def test_deeply_nested_json_of_the_locations_is_refused(client, admin):
    data = b'{"Regions": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    response = upload(client, "deep.json", data, key="locations")
    assert response.status_code == 200
    assert "The JSON file is nested too deeply" in response.text


def test_deeply_nested_xml_is_read_without_recursion(client, admin):
    data = b"<Diagnoses>" + b"<a>" * 50_000 + b"</a>" * 50_000 + b"</Diagnoses>"
    response = upload(client, "deep.xml", data, key="diagnoses")
    assert response.status_code == 200
    assert "0 rows: 0 created, 0 updated, 0 unchanged, 0 rejected." in response.text
    assert not Diagnosis.objects.exists()


def test_a_csv_field_longer_than_the_csv_module_allows_is_refused(client, admin):
    refused(
        upload(client, "p.csv", payers_csv("G,Good,,,,,", "G," + "x" * 200_000 + ",,,,,")),
        "line 3: a value is longer than 2000 characters.",
    )


def test_a_csv_quote_left_open_is_refused_naming_where_it_starts(client, admin):
    refused(
        upload(client, "p.csv", payers_csv("G,Good,,,,,", 'G,"Open quote,,,,,', "G,Other,,,,,")),
        "The CSV file cannot be read from line 3: a quoted value is not closed or a quote is "
        "misplaced.",
    )


# --- item 4: the encoding of a CSV file -------------------------------------------------------

NAMES = ["Ministère de la Santé", "Coopérative d’Éséka"]


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),
        lambda text: text.encode("utf-8"),
        lambda text: text.encode("utf-16"),  # with its BOM, as Excel's « Unicode text »
        lambda text: codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
        lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
        lambda text: text.replace("’", "'").encode("cp1252"),
    ],
    ids=["utf-8-sig", "utf-8", "utf-16", "utf-16-le", "utf-16-be", "cp1252"],
)
def test_a_csv_file_in_an_accepted_encoding_is_read_as_written(client, admin, encode):
    text = payers_csv(*[f"G;{n};;;;;" for n in NAMES]).decode().replace(",", ";")
    response = upload(client, "p.csv", encode(text))
    assert response.status_code == 200
    assert "2 rows: 2 created" in response.text
    names = {n.replace("’", "'") for n in NAMES}
    assert {p.replace("’", "'") for p in Payer.objects.values_list("name", flat=True)} == names


def test_a_csv_file_in_no_accepted_encoding_says_which_are(client, admin):
    data = payers_csv("G,Good,,,,,") + b"G,Bad \x81\x8d name,,,,,\n"
    refused(
        upload(client, "p.csv", data),
        "The characters of the file cannot be read: save it as CSV in UTF-8, UTF-16 or "
        "Windows-1252 (Western European).",
    )


# --- item 6: a formula-safe export re-imports as the original value --------------------------

TRICKY = {
    "name": "=Mutuelle des Savanes",
    "address": "@Bastos",
    "phone": "+237 699 00 00 00",
    "fax": "-",
}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_formula_safe_export_reimports_as_the_original_values(client, admin, fmt):
    Payer.objects.create(type="G", **TRICKY)
    Payer.objects.create(type="G", name="'=Already quoted", phone="'+237", fax="-5")
    exported = client.get(reverse("transfer_export", args=["payers"]), {"format": fmt})
    assert exported.status_code == 200
    if fmt == "csv":
        assert "'+237 699 00 00 00" in exported.content.decode("utf-8-sig")
    response = client.post(
        reverse("transfer_import", args=["payers"]),
        {"file": SimpleUploadedFile(f"payers.{fmt}", exported.content), "strategy": "update"},
    )
    assert response.status_code == 200
    assert "2 rows: 0 created, 0 updated, 2 unchanged, 0 rejected." in response.text
    payer = Payer.objects.get(name=TRICKY["name"])
    assert {k: getattr(payer, k) for k in TRICKY} == TRICKY
    other = Payer.objects.get(name="'=Already quoted")
    assert (other.phone, other.fax) == ("'+237", "-5")


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("'=SUM(A1)", "=SUM(A1)"),
        ("'+237 699", "+237 699"),
        ("'-x", "-x"),
        ("'@x", "@x"),
        ("''=x", "'=x"),
        ("'hello", "'hello"),
        ("'", "'"),
        ("-5", "-5"),
    ],
)
def test_one_quote_before_a_formula_character_is_taken_off_on_import(written, read):
    rows = transfer.read_file(DIAGNOSES, "d.csv", f"code,name\nA00,{written}\n".encode())
    assert rows[0].data["name"] == read


def test_the_refusals_speak_french(client, admin):
    from django.conf import settings as django_settings

    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = upload(client, "hostile.xlsx", hostile_xlsx())
    refused(
        response, "Le fichier compte plus de 100000 lignes ; découpez-le en fichiers plus petits."
    )
    response = upload(client, "p.csv", payers_csv("G,Good,,,,,", 'G,"Open quote,,,,,'))
    refused(response, "Le fichier CSV est illisible à partir de la ligne 3")


# --- the product file (Produits › Import): the same JSON reader ------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "The JSON file is nested too deeply"),
        (b'{"format": "kinga-product", "product": {"name": "a\\u0000b"}}', "a NUL character"),
        (b"{not json", "This file is not valid JSON."),
    ],
)
def test_a_hostile_product_file_is_refused_with_a_message(client, admin, data, message):
    from kinga.products.models import Product

    response = client.post(
        reverse("products:import"), {"file": SimpleUploadedFile("p.json", data), "code": "X"}
    )
    assert response.status_code == 200
    assert message in response.text
    assert not Product.objects.exists()


def test_a_csv_file_with_the_line_ends_of_excel_for_mac_is_read(client, admin):
    data = payers_csv("G,First,,,,,", 'G,"Second, with\ra line break",,,,,').replace(b"\n", b"\r")
    response = upload(client, "p.csv", data)
    assert response.status_code == 200
    assert "2 rows: 2 created" in response.text
    assert Payer.objects.filter(name__startswith="Second").exists()


@pytest.mark.parametrize(
    "body",
    [
        "<sheetData><row>",  # not XML
        '<sheetData><row r="1"><c r="A1" t="s"><v>7</v></c></row></sheetData>',  # no string 7
        '<sheetData><row r="1"><c r="A1" t="n"><v>abc</v></c></row></sheetData>',
        '<sheetData><row r="1"><c r="A1" t="d"><v>31/02/2026</v></c></row></sheetData>',
    ],
)
def test_a_damaged_sheet_is_refused_as_unreadable(client, admin, body):
    refused(
        upload(client, "damaged.xlsx", raw_xlsx(body)),
        "The file is not a readable Excel (.xlsx) workbook.",
    )


# --- item 1: JSON and XML files whose structure alone would fill the memory -----------------


@pytest.mark.parametrize(
    ("name", "key", "data"),
    [
        ("empty-objects.json", "payers", b"[" + b"{}," * 100 + b"{}]"),
        ("nested-lists.json", "locations", b'{"Regions": [' + b"[]," * 100 + b"[]]}"),
        ("tiny-elements.xml", "diagnoses", b"<Diagnoses>" + b"<a/>" * 200 + b"</Diagnoses>"),
        ("tiny-elements.xml", "locations", b"<Locations>" + b"<a/>" * 200 + b"</Locations>"),
        ("never-closed.xml", "locations", b"<Locations>" + b"<a/>" * 200),
    ],
)
def test_a_file_of_more_objects_than_its_rows_need_is_refused_before_parsing(
    client, admin, settings, name, key, data
):
    settings.KINGA_IMPORT_MAX_ROWS = 3
    from kinga.locations import transfer as locations_transfer

    parsed = AssertionError("parsed")
    with (
        mock.patch.object(transfer, "load_json", side_effect=parsed),
        mock.patch.object(transfer, "_safe_xml", side_effect=parsed),
        mock.patch.object(locations_transfer, "read_xml", side_effect=parsed),
    ):
        response = upload(client, name, data, key=key)
    refused(response, "The file holds more than 3 rows; split it into smaller files.")


def test_brackets_inside_json_strings_do_not_count_as_objects(client, admin, settings):
    settings.KINGA_IMPORT_MAX_ROWS = 3
    data = json.dumps([{"type": "G", "name": "Payer [" + "{[" * 40 + "]"}]).encode()
    response = upload(client, "p.json", data)
    assert response.status_code == 200
    assert "1 rows: 1 created" in response.text


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_a_file_of_more_values_than_the_rows_can_hold_is_refused(client, admin, settings, fmt):
    """The row bound times 40 values (the widest register, families, has 37 columns)."""
    settings.KINGA_IMPORT_MAX_ROWS = 2
    wide = [*PAYER_HEADER, *[f"extra{i}" for i in range(40)]]
    row = ["G", "Payer", *[""] * (len(wide) - 2)]
    if fmt == "csv":
        data = (",".join(wide) + "\n" + ",".join(row) + "\n" + ",".join(row) + "\n").encode()
    else:
        data = json.dumps([dict(zip(wide, row, strict=True))] * 2).encode()
    refused(
        upload(client, f"wide.{fmt}", data),
        "The file holds more than 80 values; split it into smaller files.",
    )


def test_the_import_page_says_the_bounds_and_the_encodings(client, admin):
    page = client.get(reverse("transfer_import", args=["payers"]))
    assert "At most 20.0\xa0MB and 100,000 rows; a CSV file in UTF-8, UTF-16 or Windows-1252." in (
        page.text
    )
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "fr"
    page = client.get(reverse("transfer_import", args=["payers"]))
    assert (
        "Au plus 20,0" in page.text and "lignes ; un fichier CSV en UTF-8, UTF-16 ou" in page.text
    )


def test_a_sheet_of_millions_of_empty_rows_is_refused_at_the_row_bound(client, admin, settings):
    settings.KINGA_IMPORT_MAX_ROWS = 1000
    body = (
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c></row>'
        + "".join(f'<row r="{i}"/>' for i in range(2, 200_000))
        + "</sheetData>"
    )
    refused(
        upload(client, "empty-rows.xlsx", raw_xlsx(body)),
        "The file holds more than 1000 rows; split it into smaller files.",
    )
