"""Import and export of enrolment officers."""

from datetime import date

import pytest
from django.urls import reverse

from kinga.core import transfer
from kinga.insurees.models import Officer
from kinga.insurees.transfer.officers import OFFICERS

from ..conftest import login
from .conftest import new_officer

HEADER = (
    "code,last_name,other_names,dob,phone,email,address,district_code,village_codes,"
    "substitute_code,works_to\n"
)
GOOD = [
    "EO001,Ateba,Paul,1985-04-12,677102030,paul@example.org,Etoudi,MFO,NLK ETD,EO002,2026-12-31",
    "EO002,Ndzana,Clarisse,,699214352,,,MFO,TSG,,",
    "EOL01,Tsala,Emmanuel,,,,,LEK,NKP,,",
]


def csv_rows(*lines: str) -> list[transfer.Row]:
    return transfer.read_file(OFFICERS, "officers.csv", (HEADER + "\n".join(lines) + "\n").encode())


def test_a_good_file_creates_officers_with_villages_and_substitutes_of_the_same_file(
    scheme_admin, places
):
    report = transfer.run_import(actor=scheme_admin, kind=OFFICERS, rows=csv_rows(*GOOD))
    assert report.success and report.written and report.created == 3
    eo1 = Officer.objects.get(code="EO001")
    assert eo1.dob == date(1985, 4, 12) and eo1.district == places.mfoundi
    assert {v.code for v in eo1.villages.all()} == {"NLK", "ETD"}
    assert eo1.substitute.code == "EO002" and eo1.works_to == date(2026, 12, 31)
    assert {h.history_user for h in eo1.history.all()} == {scheme_admin}
    assert eo1.history.order_by("-history_id").first().villages.count() == 2


def test_a_file_with_bad_rows_is_refused_whole_and_the_report_names_line_and_reason(
    scheme_admin, places
):
    rows = csv_rows(
        *GOOD,
        "TOOLONG01,A,B,,,,,MFO,,,",
        "EO003,,B,,,,,MFO,,,",
        "EO004,A,B,,,,,WOU,,,",
        "EO005,A,B,,,,,MFO,NKP,,",
        "EO006,A,B,,,,,MFO,,EO002,",
        "EO007,A,B,,,,,MFO,,EOL01,2026-01-01",
        "EO008,A,B,,,,,MFO,,EO008,2026-01-01",
        "EO009,A,B,,,,,XXX,,,",
        "EO001,Twice,B,,,,,MFO,,,",
    )
    report = transfer.run_import(actor=scheme_admin, kind=OFFICERS, rows=rows)
    assert not report.written and not Officer.objects.exists()
    reasons = {line.where: line.reason for line in report.rejected_lines}
    assert "at most 8 characters" in reasons["line 5"]
    assert "Last name is missing" in reasons["line 6"]
    assert "WOU is not one of yours" in reasons["line 7"]
    assert "NKP is not in the district MFO" in reasons["line 8"]
    assert "go together" in reasons["line 9"]
    assert "does not work in the district MFO" in reasons["line 10"]
    assert "own substitute" in reasons["line 11"]
    assert "Unknown district XXX" in reasons["line 12"]
    assert "appears twice" in reasons["line 13"]
    assert report.rejected == 9


def test_a_substitution_circle_in_the_file_is_refused(scheme_admin, places):
    new_officer(scheme_admin, "EO001", places.mfoundi)
    rows = csv_rows(
        "EO001,Ateba,Paul,,,,,MFO,,EO002,2026-12-31",
        "EO002,Ndzana,Clarisse,,,,,MFO,,EO001,2026-12-31",
    )
    report = transfer.run_import(actor=scheme_admin, kind=OFFICERS, rows=rows)
    assert report.rejected == 2 and "circle" in report.rejected_lines[0].reason
    assert Officer.objects.get(code="EO001").substitute is None


def test_an_update_changes_fields_and_villages(scheme_admin, places):
    new_officer(scheme_admin, "EO002", places.mfoundi)
    officer = new_officer(scheme_admin, "EO001", places.mfoundi, villages=[places.nlongkak])
    rows = csv_rows("EO001,Mbarga,Paul,,,,,MFO,TSG,EO002,2026-06-30")
    report = transfer.run_import(actor=scheme_admin, kind=OFFICERS, rows=rows)
    assert report.success and report.updated == 1
    officer.refresh_from_db()
    assert officer.last_name == "Mbarga" and officer.substitute.code == "EO002"
    assert [v.code for v in officer.villages.all()] == ["TSG"]


def test_another_districts_officer_is_not_exported_nor_changed(imis_admin, scheme_admin, places):
    new_officer(imis_admin, "EOW01", places.wouri)
    new_officer(scheme_admin, "EO001", places.mfoundi)
    content, _type, _name = transfer.export(actor=scheme_admin, kind=OFFICERS, fmt="csv")
    assert b"EO001" in content and b"EOW01" not in content
    report = transfer.run_import(
        actor=scheme_admin, kind=OFFICERS, rows=csv_rows("EOW01,X,Y,,,,,MFO,,,")
    )
    assert report.rejected == 1 and "outside" in report.rejected_lines[0].reason


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_export_then_import_is_a_round_trip(scheme_admin, places, fmt):
    transfer.run_import(actor=scheme_admin, kind=OFFICERS, rows=csv_rows(*GOOD))
    first, _type, name = transfer.export(actor=scheme_admin, kind=OFFICERS, fmt=fmt)
    rows = transfer.read_file(OFFICERS, name, first)
    same = transfer.run_import(actor=scheme_admin, kind=OFFICERS, rows=rows)
    assert same.success and same.unchanged == 3 and same.updated == 0
    # Into an empty register (the current officers retired): the same officers come back.
    Officer.objects.update(retired_at="2026-01-01T00:00:00Z")
    fresh = transfer.run_import(actor=scheme_admin, kind=OFFICERS, rows=rows)
    assert fresh.success and fresh.created == 3
    again, _type, _name = transfer.export(actor=scheme_admin, kind=OFFICERS, fmt=fmt)
    if fmt == "xlsx":
        assert transfer.read_file(OFFICERS, name, again) == rows
    else:
        assert again == first


def test_the_generic_import_page_lists_the_officers(client, scheme_admin, places):
    login(client, scheme_admin)
    response = client.get(reverse("transfer_index"))
    assert response.status_code == 200 and "Enrolment officers" in response.text
