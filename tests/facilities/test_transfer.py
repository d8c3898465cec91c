"""Import and export of health facilities and claim administrators."""

from datetime import date
from io import StringIO

import pytest
from django.urls import reverse

from kinga.core import transfer
from kinga.facilities.models import ClaimAdmin, HealthFacility
from kinga.facilities.services import claim_admins as claim_admin_services
from kinga.facilities.services import facilities as facility_services
from kinga.facilities.transfer.claim_admins import CLAIM_ADMINS
from kinga.facilities.transfer.facilities import HEALTH_FACILITIES
from kinga.locations import services as location_services
from kinga.locations.models import Location
from kinga.locations.transfer import LOCATIONS

from ..conftest import login, make_user
from ..data import OPENIMIS_DEMO
from .conftest import make_price_lists

DEMO = OPENIMIS_DEMO

HEADER = (
    "code,name,acc_code,legal_form,level,sub_level,district_code,address,phone,fax,email,"
    "care_type,services_price_list,items_price_list,contract_start_date,contract_end_date,status\n"
)
GOOD = [
    "HGY,Hôpital Général de Yaoundé,411-HGY,G,H,R,MFO,Ngousso,,,,B,National services,"
    "National items,2026-01-01,2026-12-31,AC",
    "HDO,Hôpital de District d'Obala,,G,H,,LEK,,,,,B,,,,,",
]


def hf_rows(*lines: str) -> list[transfer.Row]:
    data = (HEADER + "\n".join(lines) + "\n").encode()
    return transfer.read_file(HEALTH_FACILITIES, "hf.csv", data)


@pytest.fixture
def national(world):
    return make_price_lists("National")


def test_a_good_file_creates_the_facilities_with_a_history_row(scheme_admin, national):
    report = transfer.run_import(actor=scheme_admin, kind=HEALTH_FACILITIES, rows=hf_rows(*GOOD))
    assert report.success and report.written and report.created == 2, report.rejected_lines
    hgy = HealthFacility.objects.get(code="HGY")
    assert hgy.district.code == "MFO" and hgy.sub_level == "R"
    assert hgy.services_price_list == national[0] and hgy.items_price_list == national[1]
    assert hgy.contract_end_date == date(2026, 12, 31) and hgy.status == "AC"
    assert hgy.history.get().history_user == scheme_admin
    assert HealthFacility.objects.get(code="HDO").status == "AC"


def test_a_file_with_bad_rows_writes_nothing_and_names_each_line(scheme_admin, world, national):
    make_price_lists("Littoral", world.littoral)
    rows = hf_rows(
        *GOOD,
        "TOOLONGCODE,X,,G,H,,MFO,,,,,B,,,,,",
        "B1,X,,G,H,,WOU,,,,,B,,,,,",
        "B2,X,,G,H,,NOPE,,,,,B,,,,,",
        "B3,X,,G,H,,MFO,,,,,B,Littoral services,,,,",
        "B4,X,,G,H,,MFO,,,,,B,Unknown list,,,,",
        "B5,X,,G,H,,MFO,,,,,B,,,2026-01-01,,",
        "B6,X,,Z,H,,MFO,,,,,B,,,,,",
        "B7,X,,G,H,,MFO,,,,not-an-email,B,,,,,",
        "HGY,Twice,,G,H,,MFO,,,,,B,,,,,",
    )
    report = transfer.run_import(actor=scheme_admin, kind=HEALTH_FACILITIES, rows=rows)
    assert not report.written and not HealthFacility.objects.exists()
    rejected = {line.where: line.reason for line in report.rejected_lines}
    assert "at most 8 characters" in rejected["line 4"]
    assert "not one of your districts" in rejected["line 5"]
    assert "No current district has the code NOPE" in rejected["line 6"]
    assert "another region or district" in rejected["line 7"]
    assert "no current price list is named" in rejected["line 8"]
    assert "both contract dates" in rejected["line 9"]
    assert "is not one of" in rejected["line 10"]
    assert "not an e-mail address" in rejected["line 11"]
    assert "twice in the file" in rejected["line 12"]
    assert len(rejected) == 9


def test_a_facility_of_another_district_is_not_updated_by_import(scheme_admin, imis_admin, world):
    facility_services.facility_create(
        actor=imis_admin, code="HLD", name="Laquintinie", district=world.wouri
    )
    report = transfer.run_import(
        actor=scheme_admin,
        kind=HEALTH_FACILITIES,
        rows=hf_rows("HLD,Laquintinie,,G,H,,MFO,,,,,B,,,,,"),
    )
    assert "outside" in report.rejected_lines[0].reason


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json", "xml"])
def test_export_then_import_gives_identical_records(scheme_admin, national, fmt):
    transfer.run_import(actor=scheme_admin, kind=HEALTH_FACILITIES, rows=hf_rows(*GOOD))
    before = list(HealthFacility.objects.order_by("code").values())
    content, _type, filename = transfer.export(actor=scheme_admin, kind=HEALTH_FACILITIES, fmt=fmt)
    rows = transfer.read_file(HEALTH_FACILITIES, filename, content)
    again = transfer.run_import(actor=scheme_admin, kind=HEALTH_FACILITIES, rows=rows)
    assert again.success and again.unchanged == 2 and again.created == again.updated == 0
    assert list(HealthFacility.objects.order_by("code").values()) == before


def test_the_xml_export_has_openimis_upload_shape(scheme_admin, national):
    transfer.run_import(actor=scheme_admin, kind=HEALTH_FACILITIES, rows=hf_rows(*GOOD))
    content, *_ = transfer.export(actor=scheme_admin, kind=HEALTH_FACILITIES, fmt="xml")
    text = content.decode()
    assert "<HealthFacilities>" in text and "<HealthFacilityDetails>" in text
    assert "<DistrictCode>MFO</DistrictCode>" in text
    assert "<ServicesPricelistName>National services</ServicesPricelistName>" in text


def _import_openimis_locations(actor):
    rows = transfer.read_file(LOCATIONS, "locations.xml", (DEMO / "locations.xml").read_bytes())
    report = location_services.location_import(actor=actor, rows=rows)
    assert report.written


def test_the_openimis_health_facilities_file_imports_once_its_price_lists_exist(imis_admin, db):
    _import_openimis_locations(imis_admin)
    data = (DEMO / "health_facilities.xml").read_bytes()
    rows = transfer.read_file(HEALTH_FACILITIES, "health_facilities.xml", data)
    assert len(rows) == 15
    first = transfer.run_import(actor=imis_admin, kind=HEALTH_FACILITIES, rows=rows)
    assert not first.written and first.rejected == 15
    assert "Ultha Govt. Dispensary List" in first.rejected_lines[0].reason
    regions = {r.code: r for r in Location.objects.filter(type="R")}
    for region, name in (("R1", "Ultha"), ("R2", "Tahida")):
        for level in ("Dispensary", "Health Centre", "Hospital"):
            from kinga.medical.models import ItemsPriceList, ServicesPriceList

            for model in (ServicesPriceList, ItemsPriceList):
                model.objects.create(
                    name=f"{name} Govt. {level} List",
                    date=date(2026, 1, 1),
                    location=regions[region],
                )
    report = transfer.run_import(actor=imis_admin, kind=HEALTH_FACILITIES, rows=rows)
    assert report.success and report.created == 15
    hos = HealthFacility.objects.get(code="JMHOS001")
    assert hos.name == "Jambero District Hospital" and hos.district.code == "R1D2"
    assert hos.level == "H" and hos.care_type == "B" and hos.acc_code == "DL0002"
    assert hos.items_price_list.name == "Ultha Govt. Hospital List"


def test_the_import_page_reports_bad_rows(client, scheme_admin, national):
    login(client, scheme_admin)
    upload = StringIO(HEADER + GOOD[0] + "\nBAD,,,G,H,,MFO,,,,,B,,,,,\n")
    upload.name = "hf.csv"
    response = client.post(
        reverse("transfer_import", args=["health_facilities"]),
        {"file": upload, "strategy": "insert_update"},
    )
    assert response.status_code == 422
    assert "line 3" in response.content.decode()
    assert not HealthFacility.objects.exists()


def test_a_clerk_may_not_import_or_export_facilities(client, mfoundi_clerk):
    login(client, mfoundi_clerk)
    url = reverse("transfer_import", args=["health_facilities"])
    assert client.get(url).status_code == 403


# --- claim administrators --------------------------------------------------------------------

CA_HEADER = "code,last_name,other_names,dob,phone,email,health_facility_code\n"


def ca_rows(*lines):
    data = (CA_HEADER + "\n".join(lines) + "\n").encode()
    return transfer.read_file(CLAIM_ADMINS, "ca.csv", data)


@pytest.fixture
def two_facilities(imis_admin, world):
    facility_services.facility_create(
        actor=imis_admin, code="HCY", name="HCY", district=world.mfoundi
    )
    facility_services.facility_create(
        actor=imis_admin, code="HLD", name="HLD", district=world.wouri
    )


def test_claim_admins_import_good_and_bad_rows(scheme_admin, two_facilities):
    good = "CA1,Mvondo,Eric,1985-04-02,699000001,eric@hcy.cm,HCY"
    bad = ca_rows(good, "CA2,Ekwalla,Jean,,,,HLD", "CA3,,Jean,,,,HCY", "CA4,X,Y,1990-13-01,,,HCY")
    report = transfer.run_import(actor=scheme_admin, kind=CLAIM_ADMINS, rows=bad)
    assert not report.written and not ClaimAdmin.objects.exists()
    rejected = {line.where: line.reason for line in report.rejected_lines}
    assert "No current health facility of your districts" in rejected["line 3"]
    assert "missing" in rejected["line 4"]
    assert "is not a date" in rejected["line 5"]
    report = transfer.run_import(actor=scheme_admin, kind=CLAIM_ADMINS, rows=ca_rows(good))
    assert report.created == 1
    ca = ClaimAdmin.objects.get()
    assert ca.health_facility.code == "HCY" and ca.dob == date(1985, 4, 2) and ca.user is None


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_claim_admins_export_then_import_is_identical(scheme_admin, two_facilities, fmt):
    transfer.run_import(
        actor=scheme_admin,
        kind=CLAIM_ADMINS,
        rows=ca_rows("CA1,Mvondo,Eric,1985-04-02,699000001,eric@hcy.cm,HCY", "CA2,Abena,S,,,,HCY"),
    )
    before = list(ClaimAdmin.objects.order_by("code").values())
    content, _type, filename = transfer.export(actor=scheme_admin, kind=CLAIM_ADMINS, fmt=fmt)
    again = transfer.run_import(
        actor=scheme_admin,
        kind=CLAIM_ADMINS,
        rows=transfer.read_file(CLAIM_ADMINS, filename, content),
    )
    assert again.success and again.unchanged == 2
    assert list(ClaimAdmin.objects.order_by("code").values()) == before


def test_a_claim_admin_with_a_login_is_not_changed_by_import(imis_admin, two_facilities):
    hcy = HealthFacility.objects.get(code="HCY")
    claim_admin_services.claim_admin_create(
        actor=imis_admin,
        code="CA1",
        last_name="Mvondo",
        other_names="Eric",
        health_facility=hcy,
        with_login=True,
    )
    report = transfer.run_import(
        actor=imis_admin, kind=CLAIM_ADMINS, rows=ca_rows("CA1,Mvondo,Éric,,,,HCY")
    )
    assert "has a login" in report.rejected_lines[0].reason
    same = transfer.run_import(
        actor=imis_admin, kind=CLAIM_ADMINS, rows=ca_rows("CA1,Mvondo,Eric,,,,HCY")
    )
    assert same.success and same.unchanged == 1


def test_a_claim_admin_export_shows_only_the_users_districts(scheme_admin, imis_admin, world):
    facility_services.facility_create(
        actor=imis_admin, code="HLD", name="HLD", district=world.wouri
    )
    hld = HealthFacility.objects.get(code="HLD")
    claim_admin_services.claim_admin_create(
        actor=imis_admin, code="CA9", last_name="E", other_names="J", health_facility=hld
    )
    content, *_ = transfer.export(actor=scheme_admin, kind=CLAIM_ADMINS, fmt="csv")
    assert "CA9" not in content.decode("utf-8-sig")
    wouri = make_user(roles=["scheme_admin"], districts=[world.wouri])
    content, *_ = transfer.export(actor=wouri, kind=CLAIM_ADMINS, fmt="csv")
    assert "CA9" in content.decode("utf-8-sig")
