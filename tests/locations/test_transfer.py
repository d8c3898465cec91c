"""Locations on the shared import and export: Excel, the Outils page, `kinga import locations`,
the XML's line numbers, and the kind's own JSON shape left to it alone."""

import io
import json
from io import StringIO

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from kinga.core import transfer
from kinga.core.errors import Refused
from kinga.core.models import Role
from kinga.locations.models import Location
from kinga.locations.transfer import LOCATIONS
from kinga.medical.models import Diagnosis
from kinga.medical.transfer.diagnoses import DIAGNOSES

from ..conftest import login, make_location, make_user

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_the_excel_export_of_the_locations_page_imports_back_with_a_change(
    client, imis_admin, world
):
    login(client, imis_admin)
    response = client.get(reverse("locations:export"), {"format": "xlsx"})
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == 'attachment; filename="locations.xlsx"'
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == LOCATIONS.columns
    # Parents before children: the regions first, the villages last.
    assert [r[0] for r in rows[1:]] == ["R", "R", "D", "D", "D", "W", "W", "W", "V", "V", "V"]
    nlk = next(r for r in rows if r[1] == "NLK")
    assert nlk[3:6] == ["YDE1", "1200", "1300"]
    for cell in sheet["C"]:
        if cell.value == "Nlongkak":
            cell.value = "Nlongkak Centre"
    buffer = io.BytesIO()
    book.save(buffer)

    upload = SimpleUploadedFile("locations.xlsx", buffer.getvalue(), content_type=XLSX)
    response = client.post(
        reverse("locations:import"), {"file": upload, "strategy": "update"}, follow=True
    )
    assert response.status_code == 200
    assert "11 rows: 0 created, 1 updated, 10 unchanged, 0 rejected." in response.text
    village = Location.objects.current().get(code="NLK")
    assert village.name == "Nlongkak Centre" and village.male_population == 1200
    assert village.history.latest().history_user == imis_admin


def test_an_excel_file_with_a_bad_row_names_its_line(imis_admin, world):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(LOCATIONS.columns)
    sheet.append(["W", "YDE2", "Yaoundé II", "MFO"])
    sheet.append(["V", "ETOUDI", "Etoudi", "MFO"])
    buffer = io.BytesIO()
    book.save(buffer)
    rows = transfer.read_file(LOCATIONS, "new.xlsx", buffer.getvalue())
    report = transfer.run_import(actor=imis_admin, kind=LOCATIONS, rows=rows)
    assert [(line.where, line.outcome) for line in report.lines] == [
        ("2", "created"),
        ("3", "rejected"),
    ]
    assert "needs a parent of level Municipality" in report.lines[1].reason
    assert not Location.objects.filter(code="YDE2").exists()


def test_xml_report_lines_carry_the_line_of_their_element(imis_admin, world):
    data = b"""<?xml version="1.0" encoding="utf-8"?>
<Locations>
<Villages>
<Village><MunicipalityCode>YDE1</MunicipalityCode><VillageCode>EMB</VillageCode>
<VillageName>Emombo</VillageName></Village>
<Village><MunicipalityCode>NOWHERE</MunicipalityCode><VillageCode>MVG</VillageCode>
<VillageName>Mvog-Ada</VillageName></Village>
</Villages>
<Province><Code>X</Code></Province>
</Locations>
"""
    rows = transfer.read_file(LOCATIONS, "villages.xml", data)
    report = transfer.run_import(actor=imis_admin, kind=LOCATIONS, rows=rows)
    assert [(line.where, line.outcome) for line in report.lines] == [
        ("4", "created"),
        ("6", "rejected"),
        ("9", "rejected"),
    ]
    assert "Unknown parent NOWHERE" in report.lines[1].reason
    assert report.lines[2].reason == "Unknown level Province."


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("only-header.csv", b"level,code,name,parent_code\n"),
        ("empty.json", b"{}"),
        ("empty.xml", b"<Locations></Locations>"),
    ],
)
def test_a_file_without_locations_is_refused(client, imis_admin, world, name, data):
    login(client, imis_admin)
    upload = SimpleUploadedFile(name, data)
    response = client.post(reverse("locations:import"), {"file": upload, "strategy": "insert"})
    assert response.status_code == 200
    assert "The file holds no locations." in response.text


# --- Outils › Import and export registers -----------------------------------------------------


def test_the_registers_page_offers_the_locations_to_their_rights_only(
    client, mfoundi_location_admin, mfoundi_clerk
):
    import_url = reverse("transfer_import", args=["locations"])
    export_url = reverse("transfer_export", args=["locations"])
    login(client, mfoundi_location_admin)
    index = client.get(reverse("transfer_index"))
    assert index.status_code == 200
    assert "Locations" in index.text
    assert import_url in index.text and f"{export_url}?format=xlsx" in index.text
    assert f"{export_url}?format=xml" in index.text

    login(client, mfoundi_clerk)
    index = client.get(reverse("transfer_index"))
    assert index.status_code == 200 and reverse("transfer_import", args=["families"]) in index.text
    assert import_url not in index.text and export_url not in index.text
    assert client.get(import_url).status_code == 403
    assert client.get(export_url, {"format": "csv"}).status_code == 403


def test_a_download_only_user_sees_the_export_and_not_the_import(client, world):
    role = Role.objects.create(name="Locations reader", rights=[121901, 131006])
    reader = make_user("loc.reader", roles=[role], districts=[world.wouri])
    login(client, reader)
    index = client.get(reverse("transfer_index")).text
    assert reverse("transfer_export", args=["locations"]) in index
    assert reverse("transfer_import", args=["locations"]) not in index
    response = client.get(reverse("transfer_export", args=["locations"]), {"format": "csv"})
    codes = [line.split(",")[1] for line in response.content.decode("utf-8-sig").splitlines()[1:]]
    assert codes == ["LT", "WOU", "DLA1", "AKW"]


def test_the_registers_page_imports_an_openimis_xml_file(client, imis_admin, world):
    data = (
        b"<Locations><Districts><District><RegionCode>CE</RegionCode>"
        b"<DistrictCode>NYS</DistrictCode><DistrictName>Nyong-et-So'o</DistrictName>"
        b"</District></Districts><Municipalities><Municipality><DistrictCode>NYS</DistrictCode>"
        b"<MunicipalityCode>MBL</MunicipalityCode><MunicipalityName>Mbalmayo</MunicipalityName>"
        b"</Municipality></Municipalities></Locations>"
    )
    login(client, imis_admin)
    response = client.post(
        reverse("transfer_import", args=["locations"]),
        {"file": SimpleUploadedFile("new.xml", data), "strategy": "insert"},
    )
    assert response.status_code == 200
    assert "2 rows: 2 created, 0 updated, 0 unchanged, 0 rejected." in response.text
    assert Location.objects.get(code="MBL").parent.code == "NYS"


def test_the_registers_page_refuses_a_broken_xml_file_on_its_field(client, imis_admin, world):
    login(client, imis_admin)
    response = client.post(
        reverse("transfer_import", args=["locations"]),
        {"file": SimpleUploadedFile("bad.xml", b"<Locations><Regions>"), "strategy": "insert"},
    )
    assert response.status_code == 200
    assert "The file is not valid XML (line 1)" in response.text


# --- the command line ---------------------------------------------------------------------------


def test_kinga_import_locations_imports_a_file_and_says_what_it_did(imis_admin, world, tmp_path):
    path = tmp_path / "new.csv"
    path.write_bytes(b"level,code,name,parent_code\nW,YDE2,Yaounde II,MFO\nV,ETD,Etoudi,YDE2\n")
    out = StringIO()
    call_command(
        "import",
        "locations",
        str(path),
        "--user",
        imis_admin.username,
        stdout=out,
        stderr=StringIO(),
    )
    assert "2 rows: 2 created" in out.getvalue()
    village = Location.objects.current().get(code="ETD")
    assert village.parent.code == "YDE2" and village.history.latest().history_user == imis_admin


def test_kinga_import_locations_lists_the_rejected_lines_and_writes_nothing(
    imis_admin, world, tmp_path
):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"level,code,name,parent_code\nW,YDE2,Yaounde II,MFO\nV,ETD,,YDE2\n")
    out = StringIO()
    with pytest.raises(CommandError) as error:
        call_command("import", "locations", str(path), "--user", imis_admin.username, stdout=out)
    assert "1 rejected" in str(error.value)
    assert "3\tETD\trejected\tThe name is missing." in out.getvalue()
    assert not Location.objects.filter(code="YDE2").exists()


def test_kinga_import_locations_dry_run_and_its_alias(imis_admin, world, tmp_path):
    path = tmp_path / "new.json"
    path.write_text(json.dumps({"Regions": [{"RegionCode": "NO", "RegionName": "Nord"}]}))
    out = StringIO()
    call_command(
        "import",
        "locations",
        str(path),
        "--user",
        imis_admin.username,
        "--dry-run",
        stdout=out,
        stderr=StringIO(),
    )
    assert "1 rows: 1 created" in out.getvalue() and "dry run" in out.getvalue()
    assert not Location.objects.filter(code="NO").exists()
    call_command(
        "locations_import", str(path), user=imis_admin.username, stdout=out, stderr=StringIO()
    )
    assert Location.objects.current().get(code="NO").type == "R"


def test_kinga_import_locations_refuses_a_user_without_the_upload_right(mfoundi_clerk, tmp_path):
    path = tmp_path / "new.csv"
    path.write_bytes(b"level,code,name,parent_code\nR,NO,Nord,\n")
    with pytest.raises(CommandError) as error:
        call_command("import", "locations", str(path), "--user", mfoundi_clerk.username)
    assert "may not import locations" in str(error.value)


# --- the JSON shape is the locations' own ------------------------------------------------------


def test_the_locations_json_is_their_own_and_the_other_registers_keep_theirs(imis_admin, world):
    Diagnosis.objects.create(code="A00", name="Cholera", name_fr="Choléra")
    locations, content_type, _name = transfer.export(actor=imis_admin, kind=LOCATIONS, fmt="json")
    doc = json.loads(locations)
    assert content_type == "application/json"
    assert sorted(doc) == ["Districts", "Municipalities", "Regions", "Villages"]
    assert {"RegionCode": "CE", "RegionName": "Centre"} in doc["Regions"]

    diagnoses, *_ = transfer.export(actor=imis_admin, kind=DIAGNOSES, fmt="json")
    assert json.loads(diagnoses) == [{"code": "A00", "name": "Cholera", "name_fr": "Choléra"}]
    rows = transfer.read_file(DIAGNOSES, "diagnoses.json", diagnoses)
    assert [(r.where, r.get("code")) for r in rows] == [("item 1", "A00")]
    with pytest.raises(Refused) as refused:
        transfer.read_file(DIAGNOSES, "diagnoses.json", locations)
    assert refused.value.message == "The JSON file must hold a list of objects."
    with pytest.raises(Refused) as refused:
        transfer.read_file(LOCATIONS, "locations.json", diagnoses)
    assert "must be an object with the lists Regions" in refused.value.message


def test_an_export_and_an_import_of_many_locations_make_a_bounded_number_of_queries(
    imis_admin, world, django_assert_max_num_queries
):
    for i in range(40):
        make_location(f"B{i:02}", f"Village {i}", "V", world.obala)
    with django_assert_max_num_queries(3):
        content, *_ = transfer.export(actor=imis_admin, kind=LOCATIONS, fmt="csv")
    levels = [line.split(",")[0] for line in content.decode("utf-8-sig").splitlines()[1:]]
    assert len(levels) == 51 and levels == sorted(levels, key="RDWV".index)
    data = b"level,code,name,parent_code\n" + b"".join(
        f"V,N{i:02},New village {i},OBA\n".encode() for i in range(40)
    )
    rows = transfer.read_file(LOCATIONS, "new.csv", data)
    with django_assert_max_num_queries(8):
        report = transfer.run_import(actor=imis_admin, kind=LOCATIONS, rows=rows)
    assert report.written and report.created == 40


def test_the_french_report_names_csv_lines_by_their_number(client, imis_admin, world):
    data = "level,code,name,parent_code\nW,YDE2,Yaoundé II,MFO\nW,YDE2,Encore,MFO\n".encode()
    login(client, imis_admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    with translation.override("fr"):
        response = client.post(
            reverse("locations:import"),
            {"file": SimpleUploadedFile("communes.csv", data), "strategy": "insert"},
        )
        assert "<td>3</td><td>Commune</td><td>YDE2</td>" in response.text
        assert "figure deux fois dans le fichier (la première fois : ligne 2)" in response.text
