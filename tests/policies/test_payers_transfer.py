"""Import and export of payers: key = name among current payers, location by code, scope."""

import pytest
from django.urls import reverse

from kinga.core import transfer
from kinga.policies.models import Payer
from kinga.policies.services import payers as services
from kinga.policies.transfer.payers import PAYERS

from ..conftest import login, make_user

pytestmark = pytest.mark.usefixtures("english")

HEADER = "type,name,address,location_code,phone,fax,email\n"
GOOD = [
    'G,Ministère de la Santé Publique,"Avenue Henri Dunant, Yaoundé",,,,',
    "L,Commune de Yaoundé I,Mairie,MFO,222 00 00 00,,mairie@example.cm",
    "C,Coopérative de la Lekié,BP 12,LEK,,,",
]


def csv_rows(*lines: str) -> list[transfer.Row]:
    return transfer.read_file(PAYERS, "p.csv", (HEADER + "\n".join(lines) + "\n").encode())


@pytest.fixture
def mfoundi_admin(world):
    return make_user("scheme.mfoundi", roles=["scheme_admin"], districts=[world.mfoundi])


def test_the_payers_kind_is_registered_without_xml():
    assert transfer.KINDS["payers"] is PAYERS
    assert PAYERS.formats() == ["csv", "xlsx", "json"]


def test_a_good_file_creates_the_payers_with_their_locations(world, imis_admin):
    report = transfer.run_import(actor=imis_admin, kind=PAYERS, rows=csv_rows(*GOOD))
    assert report.success and report.created == 3
    commune = Payer.objects.get(name="Commune de Yaoundé I")
    assert commune.location == world.mfoundi and commune.email == "mairie@example.cm"
    assert commune.history.get().history_user == imis_admin
    assert Payer.objects.get(name="Ministère de la Santé Publique").location is None


def test_a_bad_row_refuses_the_file_and_the_report_names_line_and_reason(world, imis_admin):
    report = transfer.run_import(
        actor=imis_admin,
        kind=PAYERS,
        rows=csv_rows(
            *GOOD,
            "X,Bad type,,,,,",
            "L,Unknown place,,NOWHERE,,,",
            "L,A municipality,,YDE1,,,",
            "G,,,,,,",
            "G,Bad mail,,,,,x@",
            "G,Ministère de la Santé Publique,,,,,",
        ),
    )
    assert not report.written and Payer.objects.count() == 0
    rejected = {line.where: line.reason for line in report.rejected_lines}
    assert rejected["line 5"].startswith("Type: “X” is not one of")
    assert rejected["line 6"] == "No current region or district has the code NOWHERE."
    assert rejected["line 7"] == "No current region or district has the code YDE1."
    assert rejected["line 8"] == "Name is missing."
    assert rejected["line 9"] == "Enter a valid e-mail address."
    assert "appears twice in the file (first at line 2)" in rejected["line 10"]


def test_a_district_importer_may_only_write_payers_of_his_district(world, mfoundi_admin):
    report = transfer.run_import(actor=mfoundi_admin, kind=PAYERS, rows=csv_rows(*GOOD))
    rejected = {line.where: line.reason for line in report.rejected_lines}
    assert set(rejected) == {"line 2", "line 4"}
    assert "national payer" in rejected["line 2"]
    assert rejected["line 4"] == "This district is outside the locations you may change."
    ok = transfer.run_import(actor=mfoundi_admin, kind=PAYERS, rows=csv_rows(GOOD[1]))
    assert ok.created == 1


def test_a_reimported_row_updates_the_payer_of_that_name(world, imis_admin):
    transfer.run_import(actor=imis_admin, kind=PAYERS, rows=csv_rows(*GOOD))
    report = transfer.run_import(
        actor=imis_admin,
        kind=PAYERS,
        rows=csv_rows("C,Coopérative de la Lekié,BP 99 Obala,LEK,,,"),
    )
    assert report.updated == 1
    coop = Payer.objects.get(name="Coopérative de la Lekié")
    assert coop.address == "BP 99 Obala" and coop.history.count() == 2


def test_the_export_holds_only_the_payers_the_user_sees(world, imis_admin, mfoundi_admin):
    transfer.run_import(actor=imis_admin, kind=PAYERS, rows=csv_rows(*GOOD))
    services.payer_create(actor=imis_admin, type="P", name="Port de Douala", location=world.wouri)
    content, *_ = transfer.export(actor=mfoundi_admin, kind=PAYERS, fmt="csv")
    names = [r.get("name") for r in transfer.read_file(PAYERS, "p.csv", content)]
    assert names == ["Commune de Yaoundé I", "Ministère de la Santé Publique"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_export_then_import_gives_identical_records(world, imis_admin, fmt):
    transfer.run_import(actor=imis_admin, kind=PAYERS, rows=csv_rows(*GOOD))
    before = list(Payer.objects.order_by("name").values())
    content, _type, filename = transfer.export(actor=imis_admin, kind=PAYERS, fmt=fmt)
    again = transfer.run_import(
        actor=imis_admin, kind=PAYERS, rows=transfer.read_file(PAYERS, filename, content)
    )
    assert again.success and again.unchanged == 3 and again.created == again.updated == 0
    assert list(Payer.objects.order_by("name").values()) == before


def test_the_import_page_is_refused_without_payer_rights(client, mfoundi_clerk):
    login(client, mfoundi_clerk)
    assert client.get(reverse("transfer_import", args=["payers"])).status_code == 403
    assert (
        client.get(reverse("transfer_export", args=["payers"]) + "?format=csv").status_code == 403
    )
