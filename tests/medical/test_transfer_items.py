"""Import and export of medical items: the register-transfer framework through its reference kind."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from kinga.core import transfer
from kinga.medical.models import Item
from kinga.medical.transfer.catalogue import ITEMS

from ..conftest import login, make_user
from ..data import OPENIMIS_DEMO

pytestmark = pytest.mark.usefixtures("english")

SAMPLE_XML = OPENIMIS_DEMO / "items_sample.xml"

HEADER = (
    "code,name,type,package,price,quantity,care_type,frequency,patient_category,maximum_amount\n"
)
GOOD = [
    "ART01,Ténofovir/Lamivudine/Dolutégravir,D,Boîte de 30 comprimés,4500,,B,30,MFAC,",
    "PARA5,Paracétamol 500 mg,D,Plaquette de 10,250,,O,0,,",
]


def csv_rows(*lines: str) -> list[transfer.Row]:
    return transfer.read_file(ITEMS, "items.csv", (HEADER + "\n".join(lines) + "\n").encode())


@pytest.fixture
def admin(world):
    return make_user("scheme.items", roles=["scheme_admin"], districts=[world.mfoundi])


def test_a_good_file_creates_every_item_with_a_history_row_naming_the_importer(admin):
    report = transfer.run_import(actor=admin, kind=ITEMS, rows=csv_rows(*GOOD))
    assert report.success and report.written and report.created == 2
    art = Item.objects.get(code="ART01")
    assert art.price == Decimal("4500") and art.care_type == "B" and art.frequency == 30
    assert art.patient_category == 15
    assert art.history.get().history_user == admin


def test_a_file_with_a_bad_row_is_refused_whole_and_the_report_names_line_and_reason(admin):
    rows = csv_rows(
        *GOOD,
        "TOOLONGCODE,Name,D,,100,,O,0,,",
        "X1,,D,,100,,O,0,,",
        "X2,Gloves,Z,,100,,O,0,,",
        "X3,Gloves,M,,12;5,,O,0,,",
        "ART01,Twice,D,,100,,O,0,,",
    )
    report = transfer.run_import(actor=admin, kind=ITEMS, rows=rows)
    assert not report.written and Item.objects.count() == 0
    rejected = {line.where: line.reason for line in report.rejected_lines}
    assert set(rejected) == {"line 4", "line 5", "line 6", "line 7", "line 8"}
    assert "at most 6 characters" in rejected["line 4"]
    assert "missing" in rejected["line 5"]
    assert "is not one of" in rejected["line 6"]
    assert "is not a number" in rejected["line 7"]
    assert "twice in the file (first at line 2)" in rejected["line 8"]


def test_a_dry_run_reports_what_would_happen_and_writes_nothing(admin):
    report = transfer.run_import(actor=admin, kind=ITEMS, rows=csv_rows(*GOOD), dry_run=True)
    assert report.success and report.created == 2 and not report.written
    assert Item.objects.count() == 0


def test_the_strategies_refuse_what_they_do_not_do(admin):
    transfer.run_import(actor=admin, kind=ITEMS, rows=csv_rows(GOOD[0]))
    insert = transfer.run_import(actor=admin, kind=ITEMS, rows=csv_rows(*GOOD), strategy="insert")
    assert [line.reason for line in insert.rejected_lines] == ["ART01 already exists."]
    update = transfer.run_import(actor=admin, kind=ITEMS, rows=csv_rows(*GOOD), strategy="update")
    assert [line.reason for line in update.rejected_lines] == ["PARA5 does not exist."]
    assert Item.objects.count() == 1


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json", "xml"])
def test_export_then_import_gives_identical_records(admin, fmt):
    transfer.run_import(actor=admin, kind=ITEMS, rows=csv_rows(*GOOD))
    before = list(Item.objects.order_by("code").values())
    content, _type, filename = transfer.export(actor=admin, kind=ITEMS, fmt=fmt)
    again = transfer.run_import(
        actor=admin, kind=ITEMS, rows=transfer.read_file(ITEMS, filename, content)
    )
    assert again.success and again.unchanged == 2 and again.created == again.updated == 0
    assert list(Item.objects.order_by("code").values()) == before


def test_a_changed_price_in_a_reimported_file_updates_the_item_with_history(admin):
    transfer.run_import(actor=admin, kind=ITEMS, rows=csv_rows(*GOOD))
    report = transfer.run_import(
        actor=admin, kind=ITEMS, rows=csv_rows(GOOD[0].replace(",4500,", ",5000,"))
    )
    assert report.updated == 1
    art = Item.objects.get(code="ART01")
    assert art.price == Decimal("5000")
    assert art.history.count() == 2


def test_the_openimis_items_sample_imports_with_its_patient_category_flags(admin):
    rows = transfer.read_file(ITEMS, "items.xml", SAMPLE_XML.read_bytes())
    report = transfer.run_import(actor=admin, kind=ITEMS, rows=rows)
    assert report.success and report.created == 15
    aspirin = Item.objects.get(code="0001")
    assert aspirin.name.startswith("ACETYLSALICYLIC ACID")
    assert aspirin.package == "1000 TABLETS" and aspirin.price == Decimal("10.00")
    assert aspirin.patient_category == 15


def test_an_xml_file_with_an_entity_declaration_is_refused(admin):
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><Items></Items>'
    with pytest.raises(transfer.Refused, match="DOCTYPE"):
        transfer.read_file(ITEMS, "items.xml", bomb)


def test_a_cell_that_a_spreadsheet_would_run_is_exported_as_text(admin):
    transfer.run_import(actor=admin, kind=ITEMS, rows=csv_rows("EVIL,=HYPERLINK(1),D,,100,,O,0,,"))
    content, *_ = transfer.export(actor=admin, kind=ITEMS, fmt="csv")
    assert "'=HYPERLINK(1)" in content.decode("utf-8-sig")


def test_the_import_page_shows_the_report_and_saves_nothing_when_a_row_is_bad(client, admin):
    login(client, admin)
    upload = StringIO(HEADER + GOOD[0] + "\nBAD,,D,,1,,O,0,,\n")
    upload.name = "items.csv"
    response = client.post(
        reverse("transfer_import", args=["items"]),
        {"file": upload, "strategy": "insert_update"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "line 3" in html and "Name is missing." in html
    assert Item.objects.count() == 0


def test_the_import_page_is_refused_to_a_clerk(client, mfoundi_clerk):
    login(client, mfoundi_clerk)
    assert client.get(reverse("transfer_import", args=["items"])).status_code == 403
    assert client.get(reverse("transfer_export", args=["items"]) + "?format=csv").status_code == 403
    # The clerk opens the transfer page for families, but items are not offered there.
    index = client.get(reverse("transfer_index"))
    assert index.status_code == 200
    assert reverse("transfer_import", args=["items"]).encode() not in index.content
    assert reverse("transfer_import", args=["families"]).encode() in index.content


def test_the_export_page_downloads_an_excel_file(client, admin):
    transfer.run_import(actor=admin, kind=ITEMS, rows=csv_rows(*GOOD))
    login(client, admin)
    response = client.get(reverse("transfer_export", args=["items"]) + "?format=xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="items.xlsx"'
    rows = transfer.read_file(ITEMS, "items.xlsx", response.content)
    assert [r.get("code") for r in rows] == ["ART01", "PARA5"]


def test_the_import_command_imports_and_says_what_it_did(admin, tmp_path):
    path = tmp_path / "items.csv"
    path.write_text(HEADER + "\n".join(GOOD) + "\n", encoding="utf-8")
    out = StringIO()
    call_command(
        "import", "items", str(path), "--user", admin.username, stdout=out, stderr=StringIO()
    )
    assert "2 rows: 2 created" in out.getvalue()
    assert Item.objects.count() == 2


def test_the_import_command_fails_and_lists_the_rejected_lines(admin, tmp_path):
    path = tmp_path / "items.csv"
    path.write_text(HEADER + "BAD,,D,,1,,O,0,,\n", encoding="utf-8")
    out = StringIO()
    with pytest.raises(CommandError, match="nothing was saved"):
        call_command(
            "import", "items", str(path), "--user", admin.username, stdout=out, stderr=StringIO()
        )
    assert "line 2\tBAD" in out.getvalue()
