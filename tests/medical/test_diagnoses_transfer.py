"""Import and export of diagnoses: CSV/XLSX/JSON (code, name, name_fr) and openIMIS's XML."""

from io import BytesIO

import pytest
from django.urls import reverse

from kinga.core import transfer
from kinga.demo import diagnoses as diagnoses_demo
from kinga.medical.models import Diagnosis
from kinga.medical.transfer.diagnoses import DIAGNOSES

from ..conftest import login, make_user
from ..data import OPENIMIS_DEMO

pytestmark = pytest.mark.usefixtures("english")

SAMPLE_XML = OPENIMIS_DEMO / "diagnoses_sample.xml"

HEADER = "code,name,name_fr\n"
GOOD = [
    'B54,Unspecified malaria,"Paludisme, sans précision"',
    "A00,Cholera,Choléra",
]


def csv_rows(*lines: str) -> list[transfer.Row]:
    return transfer.read_file(DIAGNOSES, "d.csv", (HEADER + "\n".join(lines) + "\n").encode())


@pytest.fixture
def admin(world):
    return make_user("scheme.diag", roles=["scheme_admin"], districts=[world.mfoundi])


def test_the_diagnoses_kind_is_registered_with_the_xml_format():
    assert transfer.KINDS["diagnoses"] is DIAGNOSES
    assert DIAGNOSES.formats() == ["csv", "xlsx", "json", "xml"]


def test_a_good_csv_creates_the_diagnoses_in_both_languages(admin):
    report = transfer.run_import(actor=admin, kind=DIAGNOSES, rows=csv_rows(*GOOD))
    assert report.success and report.created == 2
    malaria = Diagnosis.objects.get(code="B54")
    assert malaria.name_fr == "Paludisme, sans précision"
    assert malaria.history.get().history_user == admin


def test_a_bad_row_refuses_the_whole_file_and_names_line_and_reason(admin):
    report = transfer.run_import(
        actor=admin,
        kind=DIAGNOSES,
        rows=csv_rows(*GOOD, "A00.0001,Too long,", "Z00,,Examen", "B54,Twice,"),
    )
    assert not report.written and Diagnosis.objects.count() == 0
    rejected = {line.where: line.reason for line in report.rejected_lines}
    assert rejected == {
        "line 4": "Code may have at most 6 characters.",
        "line 5": "Name is missing.",
        "line 6": "B54 appears twice in the file (first at line 2).",
    }


def test_the_openimis_sample_xml_imports_its_20_diagnoses(admin):
    rows = transfer.read_file(DIAGNOSES, "diagnoses.xml", SAMPLE_XML.read_bytes())
    report = transfer.run_import(actor=admin, kind=DIAGNOSES, rows=rows)
    assert report.success and report.created == 20
    assert Diagnosis.objects.get(code="A0100").name == "Typhoid fever, unspecified"


def test_an_xml_with_another_root_is_refused(admin):
    with pytest.raises(transfer.Refused, match="<Diagnoses>"):
        transfer.read_file(DIAGNOSES, "d.xml", b"<Items><Item/></Items>")


def test_an_xml_update_keeps_the_french_name(admin):
    transfer.run_import(actor=admin, kind=DIAGNOSES, rows=csv_rows(*GOOD))
    xml = (
        b"<Diagnoses><Diagnosis><DiagnosisCode>B54</DiagnosisCode>"
        b"<DiagnosisName>Malaria, unspecified</DiagnosisName></Diagnosis></Diagnoses>"
    )
    report = transfer.run_import(
        actor=admin, kind=DIAGNOSES, rows=transfer.read_file(DIAGNOSES, "d.xml", xml)
    )
    assert report.updated == 1
    malaria = Diagnosis.objects.get(code="B54")
    assert malaria.name == "Malaria, unspecified"
    assert malaria.name_fr == "Paludisme, sans précision"


def test_the_xml_export_is_openimis_format(admin):
    transfer.run_import(actor=admin, kind=DIAGNOSES, rows=csv_rows(*GOOD))
    content, content_type, filename = transfer.export(actor=admin, kind=DIAGNOSES, fmt="xml")
    text = content.decode()
    assert filename == "diagnoses.xml" and content_type == "application/xml"
    assert "<Diagnoses>" in text
    assert "<DiagnosisCode>A00</DiagnosisCode>" in text
    assert "<DiagnosisName>Cholera</DiagnosisName>" in text


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json", "xml"])
def test_export_then_import_gives_identical_records(admin, fmt):
    transfer.run_import(actor=admin, kind=DIAGNOSES, rows=csv_rows(*GOOD))
    before = list(Diagnosis.objects.order_by("code").values())
    content, _type, filename = transfer.export(actor=admin, kind=DIAGNOSES, fmt=fmt)
    again = transfer.run_import(
        actor=admin, kind=DIAGNOSES, rows=transfer.read_file(DIAGNOSES, filename, content)
    )
    assert again.success and again.unchanged == 2 and again.created == again.updated == 0
    assert list(Diagnosis.objects.order_by("code").values()) == before


def test_the_whole_icd10_list_round_trips_through_csv(admin):
    diagnoses_demo.load(admin)
    count = Diagnosis.objects.count()
    content, _type, filename = transfer.export(actor=admin, kind=DIAGNOSES, fmt="csv")
    again = transfer.run_import(
        actor=admin, kind=DIAGNOSES, rows=transfer.read_file(DIAGNOSES, filename, content)
    )
    assert again.success and again.unchanged == count


def test_the_shipped_csv_imports_through_the_generic_import(admin):
    data = diagnoses_demo.ICD10_CSV.read_bytes().replace(b"name_en", b"name", 1)
    report = transfer.run_import(
        actor=admin, kind=DIAGNOSES, rows=transfer.read_file(DIAGNOSES, "icd10.csv", data)
    )
    assert report.success and report.created > 10000


def test_downloading_needs_the_download_right_and_uploading_the_upload_right(client, world):
    from kinga.core.models import Role

    downloader = make_user("diag.down", roles=[Role.objects.create(name="D", rights=[131002])])
    login(client, downloader)
    response = client.get(reverse("transfer_export", args=["diagnoses"]) + "?format=xml")
    assert response.status_code == 200
    assert client.get(reverse("transfer_import", args=["diagnoses"])).status_code == 403
    officer = make_user("medical.officer", roles=["medical_officer"])
    login(client, officer)
    assert (
        client.get(reverse("transfer_export", args=["diagnoses"]) + "?format=csv").status_code
        == 403
    )


def test_the_import_page_uploads_the_openimis_xml(client, admin):
    login(client, admin)
    upload = BytesIO(SAMPLE_XML.read_bytes())
    upload.name = "diagnoses.xml"
    response = client.post(
        reverse("transfer_import", args=["diagnoses"]),
        {"file": upload, "strategy": "insert_update"},
    )
    assert response.status_code == 200
    assert Diagnosis.objects.count() == 20
