"""Import and export of services and items price lists: one row per member, the list name as
the key, header values repeated on every row of a list."""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from kinga.core import transfer
from kinga.medical.models import (
    ItemsPriceList,
    ItemsPriceListEntry,
    ServicesPriceList,
    ServicesPriceListEntry,
)
from kinga.medical.services import catalogue as catalogue_services
from kinga.medical.transfer.pricelists import ITEMS_PRICE_LISTS, SERVICES_PRICE_LISTS

from ..conftest import login, make_user

pytestmark = pytest.mark.usefixtures("english")

HEADER = "name,date,location_code,code,price_override\n"
GOOD = [
    "Tarifs Mfoundi 2026,2026-01-15,MFO,CG,1800",
    "Tarifs Mfoundi 2026,2026-01-15,MFO,CS,",
    "Tarifs Centre 2026,2026-02-01,CE,,",
]


def csv_rows(*lines: str, kind=SERVICES_PRICE_LISTS) -> list[transfer.Row]:
    return transfer.read_file(kind, "lists.csv", (HEADER + "\n".join(lines) + "\n").encode())


def run(actor, *lines: str, kind=SERVICES_PRICE_LISTS, **options) -> transfer.ImportReport:
    return transfer.run_import(actor=actor, kind=kind, rows=csv_rows(*lines, kind=kind), **options)


def members(name: str) -> dict[str, Decimal | None]:
    return {
        e.service.code: e.price_override
        for e in ServicesPriceListEntry.objects.current().filter(price_list__name=name)
    }


@pytest.fixture
def catalogue(imis_admin):
    common = {"type": "C", "level": "S", "care_type": "O", "category": "C"}
    for code, price in (("CG", "2000"), ("CS", "5000"), ("CES", "150000")):
        catalogue_services.service_create(
            actor=imis_admin, code=code, name=f"Acte {code}", price=Decimal(price), **common
        )
    for code, price in (("PARA", "250"), ("ART", "4500")):
        catalogue_services.item_create(
            actor=imis_admin,
            code=code,
            name=f"Produit {code}",
            price=Decimal(price),
            type="D",
            care_type="B",
        )


@pytest.fixture
def wouri_admin(world):
    return make_user("scheme.wouri", roles=["scheme_admin"], districts=[world.wouri])


def test_both_price_list_kinds_are_registered_without_xml():
    assert transfer.KINDS["services_price_lists"] is SERVICES_PRICE_LISTS
    assert transfer.KINDS["items_price_lists"] is ITEMS_PRICE_LISTS
    assert SERVICES_PRICE_LISTS.formats() == ["csv", "xlsx", "json"]


def test_a_good_file_creates_the_lists_and_members_with_history_naming_the_importer(
    world, catalogue, scheme_admin
):
    report = run(scheme_admin, *GOOD)
    assert report.success and report.written and report.created == 3
    mfoundi = ServicesPriceList.objects.get(name="Tarifs Mfoundi 2026")
    assert mfoundi.date == datetime.date(2026, 1, 15) and mfoundi.location == world.mfoundi
    assert members("Tarifs Mfoundi 2026") == {"CG": Decimal("1800"), "CS": None}
    centre = ServicesPriceList.objects.get(name="Tarifs Centre 2026")
    assert centre.location == world.centre and members("Tarifs Centre 2026") == {}
    assert mfoundi.history.get().history_user == scheme_admin
    entry = ServicesPriceListEntry.objects.get(price_list=mfoundi, service__code="CG")
    assert entry.history.get().history_user == scheme_admin
    assert entry.history.get().history_change_reason == "Imported"


def test_a_file_with_bad_rows_is_refused_whole_and_the_report_names_line_and_reason(
    catalogue, scheme_admin
):
    report = run(
        scheme_admin,
        *GOOD,
        "Tarifs Mfoundi 2026,2026-01-15,MFO,NOPE,100",
        "Tarifs Mfoundi 2026,2026-03-01,MFO,CES,",
        "Tarifs Mfoundi 2026,2026-01-15,LEK,CES,",
        "Tarifs Wouri,2026-01-15,WOU,CG,",
        "Tarifs Mfoundi 2026,2026-01-15,MFO,CG,1900",
        "Tarifs Yaoundé,2026-01-15,YDE1,CG,",
        "Tarifs Lekié,2026-01-15,LEK,CG,12.345",
        "Tarifs Lekié 2,2026-01-15,XXX,CG,",
        "Tarifs Lekié 3,,LEK,CG,",
    )
    assert not report.written
    assert ServicesPriceList.objects.count() == 0 and ServicesPriceListEntry.objects.count() == 0
    rejected = {line.where: line.reason for line in report.rejected_lines}
    assert set(rejected) == {f"line {n}" for n in range(5, 14)}
    assert rejected["line 5"] == "There is no current medical service with the code NOPE."
    assert (
        "date 2026-03-01 differs from the date of Tarifs Mfoundi 2026 at line 2"
        in (rejected["line 6"])
    )
    assert "location LEK differs from the location of Tarifs Mfoundi 2026" in rejected["line 7"]
    assert rejected["line 8"] == "This location is outside your districts."
    assert rejected["line 9"] == "CG appears twice in Tarifs Mfoundi 2026 (first at line 2)."
    assert rejected["line 10"] == "Choose a region or a district."
    assert "at most 2 decimals" in rejected["line 11"]
    assert rejected["line 12"] == "There is no location with the code XXX."
    assert rejected["line 13"] == "Date is missing."
    assert report.created == 3  # the good rows are reported as what they would have done


def test_a_national_list_needs_a_user_who_sees_every_location(catalogue, scheme_admin, imis_admin):
    refused = run(scheme_admin, "Tarifs nationaux,2026-01-01,,CG,")
    assert [line.reason for line in refused.rejected_lines] == [
        "Only a user who sees every location may make a national price list."
    ]
    assert run(imis_admin, "Tarifs nationaux,2026-01-01,,CG,").created == 1
    assert ServicesPriceList.objects.get().location is None


def test_a_dry_run_reports_what_would_happen_and_writes_nothing(catalogue, scheme_admin):
    report = run(scheme_admin, *GOOD, dry_run=True)
    assert report.success and report.created == 3 and not report.written
    assert ServicesPriceList.objects.count() == 0


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_export_then_import_leaves_every_list_unchanged(catalogue, scheme_admin, fmt):
    run(scheme_admin, *GOOD)
    before = list(ServicesPriceListEntry.objects.order_by("pk").values())
    lists = list(ServicesPriceList.objects.order_by("pk").values())
    content, _type, filename = transfer.export(
        actor=scheme_admin, kind=SERVICES_PRICE_LISTS, fmt=fmt
    )
    rows = transfer.read_file(SERVICES_PRICE_LISTS, filename, content)
    assert [(r.get("name"), r.get("code"), r.get("price_override")) for r in rows] == [
        ("Tarifs Centre 2026", "", ""),
        ("Tarifs Mfoundi 2026", "CG", "1800"),
        ("Tarifs Mfoundi 2026", "CS", ""),
    ]
    again = transfer.run_import(actor=scheme_admin, kind=SERVICES_PRICE_LISTS, rows=rows)
    assert again.success and again.unchanged == 3 and again.created == again.updated == 0
    assert list(ServicesPriceListEntry.objects.order_by("pk").values()) == before
    assert list(ServicesPriceList.objects.order_by("pk").values()) == lists


def test_a_reimport_adds_members_and_changes_overrides_but_removes_nothing(catalogue, scheme_admin):
    run(scheme_admin, *GOOD)
    report = run(
        scheme_admin,
        "Tarifs Mfoundi 2026,2026-01-15,MFO,CG,1700",
        "Tarifs Mfoundi 2026,2026-01-15,MFO,CES,120000",
    )
    assert report.success and report.updated == 2
    # CS is absent from the file: it stays a member (an import never removes anything).
    assert members("Tarifs Mfoundi 2026") == {
        "CG": Decimal("1700"),
        "CS": None,
        "CES": Decimal("120000"),
    }
    cg = ServicesPriceListEntry.objects.get(service__code="CG")
    assert [h.price_override for h in cg.history.order_by("history_date")] == [
        Decimal("1800"),
        Decimal("1700"),
    ]


def test_a_changed_date_updates_the_list_header_once_with_history(catalogue, scheme_admin):
    run(scheme_admin, *GOOD)
    report = run(
        scheme_admin,
        "Tarifs Mfoundi 2026,2026-04-01,MFO,CG,1800",
        "Tarifs Mfoundi 2026,2026-04-01,MFO,CS,",
    )
    assert [line.outcome for line in report.lines] == ["updated", "unchanged"]
    mfoundi = ServicesPriceList.objects.get(name="Tarifs Mfoundi 2026")
    assert mfoundi.date == datetime.date(2026, 4, 1)
    assert mfoundi.history.count() == 2
    assert mfoundi.history.first().history_user == scheme_admin


def test_the_strategies_refuse_what_they_do_not_do(catalogue, scheme_admin):
    run(scheme_admin, GOOD[0])
    insert = run(scheme_admin, GOOD[1], GOOD[2], strategy="insert")
    assert [line.reason for line in insert.rejected_lines] == [
        "Tarifs Mfoundi 2026 already exists."
    ]
    update = run(scheme_admin, GOOD[1], GOOD[2], strategy="update")
    assert [line.reason for line in update.rejected_lines] == ["Tarifs Centre 2026 does not exist."]
    assert members("Tarifs Mfoundi 2026") == {"CG": Decimal("1800")}
    assert ServicesPriceList.objects.count() == 1


def test_a_wouri_scheme_admin_cannot_import_a_mfoundi_list(catalogue, scheme_admin, wouri_admin):
    new = run(wouri_admin, "Tarifs Mfoundi 2026,2026-01-15,MFO,CG,1")
    assert [line.reason for line in new.rejected_lines] == [
        "This location is outside your districts."
    ]
    assert ServicesPriceList.objects.count() == 0
    run(scheme_admin, *GOOD)
    existing = run(wouri_admin, "Tarifs Mfoundi 2026,2026-01-15,MFO,CG,1")
    assert [line.reason for line in existing.rejected_lines] == [
        "Tarifs Mfoundi 2026 is outside the locations you may change."
    ]
    moved = run(wouri_admin, "Tarifs Mfoundi 2026,2026-01-15,WOU,CG,1")
    assert moved.rejected == 1
    assert members("Tarifs Mfoundi 2026") == {"CG": Decimal("1800"), "CS": None}
    content, *_ = transfer.export(actor=wouri_admin, kind=SERVICES_PRICE_LISTS, fmt="csv")
    assert content.decode("utf-8-sig").strip() == HEADER.strip()


def test_items_price_lists_import_and_export_their_items(catalogue, scheme_admin):
    lines = ["Produits Mfoundi,2026-01-15,MFO,ART,4000", "Produits Mfoundi,2026-01-15,MFO,PARA,"]
    report = run(scheme_admin, *lines, kind=ITEMS_PRICE_LISTS)
    assert report.success and report.created == 2
    entries = ItemsPriceListEntry.objects.filter(price_list__name="Produits Mfoundi")
    assert {e.item.code: e.price_override for e in entries} == {
        "ART": Decimal("4000"),
        "PARA": None,
    }
    unknown = run(scheme_admin, "Produits Lekié,2026-01-15,LEK,CG,", kind=ITEMS_PRICE_LISTS)
    assert [line.reason for line in unknown.rejected_lines] == [
        "There is no current medical item with the code CG."
    ]
    content, *_ = transfer.export(actor=scheme_admin, kind=ITEMS_PRICE_LISTS, fmt="csv")
    assert content.decode("utf-8-sig").splitlines()[1:] == [
        "Produits Mfoundi,2026-01-15,MFO,ART,4000",
        "Produits Mfoundi,2026-01-15,MFO,PARA,",
    ]
    assert ItemsPriceList.objects.count() == 1


def test_a_clerk_may_neither_import_nor_export_price_lists(client, catalogue, mfoundi_clerk):
    with pytest.raises(PermissionDenied):
        run(mfoundi_clerk, *GOOD)
    with pytest.raises(PermissionDenied):
        transfer.export(actor=mfoundi_clerk, kind=SERVICES_PRICE_LISTS, fmt="csv")
    login(client, mfoundi_clerk)
    url = reverse("transfer_import", args=["services_price_lists"])
    assert client.get(url).status_code == 403


def test_the_import_page_imports_a_price_list_file(client, catalogue, scheme_admin):
    login(client, scheme_admin)
    upload = StringIO(HEADER + "\n".join(GOOD) + "\n")
    upload.name = "lists.csv"
    response = client.post(
        reverse("transfer_import", args=["services_price_lists"]),
        {"file": upload, "strategy": "insert_update"},
    )
    assert response.status_code == 200
    assert members("Tarifs Mfoundi 2026") == {"CG": Decimal("1800"), "CS": None}
