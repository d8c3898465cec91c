import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from kinga.core import transfer
from kinga.core.errors import Refused
from kinga.locations.models import Location
from kinga.locations.transfer import LOCATIONS

from ..conftest import login, make_user
from ..data import OPENIMIS_DEMO

DEMO_FILE = OPENIMIS_DEMO / "locations.xml"


def read(data: bytes, fmt: str) -> list[transfer.Row]:
    """The rows of a file, refused as a whole as the import refuses it before any row."""
    rows = transfer.read_file(LOCATIONS, f"locations.{fmt}", data)
    LOCATIONS.check_file(rows)
    return rows


def run(actor, data: bytes, fmt: str, **kwargs):
    rows = transfer.read_file(LOCATIONS, f"locations.{fmt}", data)
    return transfer.run_import(actor=actor, kind=LOCATIONS, rows=rows, **kwargs)


def export(actor, fmt: str) -> bytes:
    return transfer.export(actor=actor, kind=LOCATIONS, fmt=fmt)[0]


def snapshot():
    return sorted(
        (
            loc.type,
            loc.code,
            loc.name,
            loc.parent.code if loc.parent else "",
            loc.male_population,
            loc.female_population,
            loc.other_population,
            loc.families,
        )
        for loc in Location.objects.current().select_related("parent")
    )


GOOD_AND_BAD_CSV = b"""level,code,name,parent_code,male_population,female_population,other_population,families
D,MEF,Mefou,CE,,,,
W,MEF1,Mefou I,MEF,,,,
V,MEF1V1,Nkolafamba,MEF1,100,120,0,40
V,TOOLONGCODE,Long,MEF1,,,,
V,NLK,Nlongkak again,MEF1,,,,
V,XX1,No parent,NOWHERE,,,,
V,XX2,Wrong parent level,MEF,,,,
V,XX3,Bad number,MEF1,ten,,,
V,XX4,,MEF1,,,,
V,MEF1V1,Twice,MEF1,,,,
"""


def test_a_file_with_bad_rows_writes_nothing_and_says_why_line_by_line(imis_admin, world):
    before = snapshot()
    report = run(imis_admin, GOOD_AND_BAD_CSV, "csv", strategy="insert")
    assert snapshot() == before
    assert not report.written
    by_line = {line.where: line for line in report.lines}
    assert [by_line[str(n)].outcome for n in (2, 3, 4)] == ["created"] * 3
    reasons = {n: by_line[str(n)].reason for n in range(5, 12)}
    assert "at most 8 characters" in reasons[5]
    assert "NLK already exists" in reasons[6]
    assert "Unknown parent" in reasons[7]
    assert "needs a parent of level Municipality" in reasons[8]
    assert "not a whole number" in reasons[9]
    assert "name is missing" in reasons[10]
    assert "appears twice" in reasons[11] and "line 4" in reasons[11]
    assert report.rejected == 7


def test_a_dry_run_writes_nothing_but_reports_what_would_happen(imis_admin, world):
    good = b"level,code,name,parent_code\nW,YDE2,Yaounde II,MFO\nV,NLK,Nlongkak Nord,YDE1\n"
    before = snapshot()
    report = run(imis_admin, good, "csv", dry_run=True)
    assert snapshot() == before
    assert [line.outcome for line in report.lines] == ["created", "updated"]
    run(imis_admin, good, "csv")
    assert Location.objects.current().get(code="NLK").name == "Nlongkak Nord"
    assert Location.objects.current().get(code="YDE2").parent == world.mfoundi


def test_the_update_strategy_rejects_unknown_codes(imis_admin, world):
    report = run(
        imis_admin, b"level,code,name,parent_code\nV,NEWV,New,YDE1\n", "csv", strategy="update"
    )
    assert report.lines[0].outcome == "rejected"
    assert "No current location has the code NEWV" in report.lines[0].reason


def test_the_openimis_demo_file_imports_31_locations(db):
    imis_admin = make_user("admin", roles=["imis_admin"])
    report = run(imis_admin, DEMO_FILE.read_bytes(), "xml", strategy="insert")
    assert report.rejected == 0, [(x.where, x.reason) for x in report.lines if x.reason]
    assert report.created == 31
    counts = {t: Location.objects.filter(type=t).count() for t in "RDWV"}
    assert counts == {"R": 2, "D": 5, "W": 10, "V": 14}
    village = Location.objects.get(code="R1D1M1V1")
    assert village.parent.code == "R1D1M1" and village.parent.parent.code == "R1D1"
    assert village.history.latest().history_user == imis_admin


@pytest.mark.parametrize("fmt", LOCATIONS.formats())
def test_an_export_imports_back_to_identical_records(imis_admin, world, fmt):
    world.akwa.families = 7
    world.akwa.save()
    data = export(imis_admin, fmt)
    before = snapshot()
    again = run(imis_admin, data, fmt)
    assert again.rejected == 0 and again.unchanged == len(before)
    Location.objects.update(retired_at=timezone.now())  # codes of retired ones are free again
    report = run(imis_admin, data, fmt, strategy="insert")
    assert report.created == len(before)
    assert snapshot() == before


def test_openimis_download_without_wrappers_is_read_too(imis_admin, world):
    data = b"<Locations><Region><RegionCode>NW</RegionCode><RegionName>Nord-Ouest</RegionName></Region></Locations>"
    report = run(imis_admin, data, "xml")
    assert report.created == 1


def test_an_xml_file_with_entities_is_refused(imis_admin, world):
    bomb = b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><Locations>&b;</Locations>'
    with pytest.raises(Refused) as refused:
        read(bomb, "xml")
    assert "DOCTYPE" in refused.value.message


@pytest.mark.parametrize(
    ("fmt", "data"),
    [
        ("xml", b"<Locations><Regions>"),
        ("json", b"{not json"),
        ("json", b"[1,2]"),
        ("csv", b"a,b\n1,2\n"),
        ("csv", b"\xff\xfe\x00"),
    ],
)
def test_a_bad_file_is_a_clear_error(fmt, data):
    with pytest.raises(Refused) as refused:
        read(data, fmt)
    assert refused.value.field == "file"


def test_json_rows_are_named_by_their_position(imis_admin, world):
    doc = {
        "Regions": [
            {"RegionCode": "CE", "RegionName": "Centre"},
            {"RegionCode": "", "RegionName": "X"},
        ]
    }
    report = run(imis_admin, json.dumps(doc).encode(), "json")
    assert report.lines[1].where == "Regions #2"
    assert report.lines[1].outcome == "rejected"


def test_a_district_user_cannot_import_outside_his_districts(mfoundi_location_admin, world):
    data = b"level,code,name,parent_code\nV,NEW1,Ok,YDE1\nV,NEW2,Not his,DLA1\n"
    report = run(mfoundi_location_admin, data, "csv")
    assert [line.outcome for line in report.lines] == ["created", "rejected"]
    assert "outside your districts" in report.lines[1].reason
    assert not Location.objects.filter(code="NEW1").exists()


def test_import_needs_the_upload_right(mfoundi_clerk, world):
    with pytest.raises(PermissionDenied):
        run(mfoundi_clerk, b"level,code,name,parent_code\n", "csv")


def test_the_import_page_shows_the_report(client, imis_admin, world):
    login(client, imis_admin)
    upload = SimpleUploadedFile("locations.csv", GOOD_AND_BAD_CSV, content_type="text/csv")
    response = client.post(reverse("locations:import"), {"file": upload, "strategy": "insert"})
    assert response.status_code == 200
    assert "nothing was written" in response.text
    assert "appears twice" in response.text
    assert not Location.objects.filter(code="MEF").exists()


def test_the_import_page_refuses_a_broken_file_without_error_500(client, imis_admin, world):
    login(client, imis_admin)
    upload = SimpleUploadedFile("locations.xml", b"<Locations><oops>", content_type="text/xml")
    response = client.post(reverse("locations:import"), {"file": upload, "strategy": "insert"})
    assert response.status_code == 200
    assert "not valid XML" in response.text


def test_the_export_holds_only_what_the_user_sees(client, mfoundi_location_admin, world):
    login(client, mfoundi_location_admin)
    response = client.get(reverse("locations:export"), {"format": "csv"})
    assert response.status_code == 200
    codes = {line.split(",")[1] for line in response.content.decode().splitlines()[1:]}
    assert codes == {"CE", "MFO", "YDE1", "NLK"}


def test_the_export_needs_the_download_right(client, mfoundi_clerk, world):
    login(client, mfoundi_clerk)
    assert client.get(reverse("locations:export"), {"format": "xml"}).status_code == 403
    assert client.get(reverse("locations:import")).status_code == 403


def test_the_command_imports_a_file(imis_admin, world, tmp_path):
    from django.core.management import call_command

    path = tmp_path / "new.csv"
    path.write_bytes(b"level,code,name,parent_code\nW,YDE2,Yaounde II,MFO\n")
    call_command("locations_import", str(path), user=imis_admin.username)
    assert Location.objects.current().filter(code="YDE2").exists()
