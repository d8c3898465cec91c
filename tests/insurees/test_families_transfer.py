"""Import and export of families with their members, policies and contributions."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from kinga.core import transfer
from kinga.insurees.models import Family, Insuree, Officer
from kinga.insurees.transfer.families import FAMILIES
from kinga.locations import services as location_services
from kinga.locations.transfer import LOCATIONS
from kinga.policies.models import Contribution, InsureePolicy, Payer, Policy
from kinga.products.models import Product, Programme

from ..conftest import login, make_user
from ..data import OPENIMIS_DEMO

DEMO = OPENIMIS_DEMO
TODAY = timezone.localdate()
YEAR_AGO = TODAY - timedelta(days=365)
MONTH_AGO = TODAY - timedelta(days=30)

HEADER = (
    "head_insuree_number,insurance_number,last_name,other_names,dob,gender,relationship,"
    "village,phone,product,enroll_date,officer,amount,receipt,pay_date,pay_type,payer"
)


def rows_of(*lines: str, header: str = HEADER) -> list[transfer.Row]:
    data = "\n".join([header, *lines]).encode()
    return transfer.read_file(FAMILIES, "families.csv", data)


def run(actor, *lines, **kwargs):
    return transfer.run_import(actor=actor, kind=FAMILIES, rows=rows_of(*lines), **kwargs)


def reasons(report) -> dict[str, str]:
    return {line.where: line.reason for line in report.rejected_lines}


@pytest.fixture
def products(world):
    """MUT (Centre, 5,000 per adult, 2,000 per child, at most 3 members, 3 instalments) and
    VIH_Soins (free, national), on sale since a year ago; an officer of Mfoundi and one of
    Wouri; a payer of the Centre region."""

    class P:
        pass

    p = P()
    common = {
        "date_from": YEAR_AGO - timedelta(days=30),
        "date_to": TODAY + timedelta(days=365),
        "insurance_period": 12,
        "ceiling_type": "I",
        "ceiling_interpretation": "I",
    }
    p.mut = Product.objects.create(
        code="MUT",
        name="Mutuelle",
        location=world.centre,
        premium_adult=Decimal(5000),
        premium_child=Decimal(2000),
        max_members=3,
        max_installments=3,
        grace_period_payment=1,
        **common,
    )
    programme = Programme.objects.create(code="VIH", name="VIH", valid_from=YEAR_AGO)
    p.vih = Product.objects.create(
        code="VIH_Soins", name="VIH Soins", programme=programme, location=None, **common
    )
    p.officer = Officer.objects.create(
        code="EO1", last_name="Ateba", other_names="Paul", district=world.mfoundi
    )
    p.wouri_officer = Officer.objects.create(
        code="EO3", last_name="Ekwalla", other_names="Jean", district=world.wouri
    )
    p.payer = Payer.objects.create(type="G", name="Région du Centre", location=world.centre)
    return p


# --- openIMIS's own file ------------------------------------------------------------------------


def test_openimis_im_export_file_imports_families_with_heads_and_reads_back(imis_admin, db):
    rows = transfer.read_file(LOCATIONS, "locations.xml", (DEMO / "locations.xml").read_bytes())
    assert location_services.location_import(actor=imis_admin, rows=rows).written
    data = (DEMO / "insurees_im_export.csv").read_bytes()
    rows = transfer.read_file(FAMILIES, "insurees_im_export.csv", data)
    dry = transfer.run_import(actor=imis_admin, kind=FAMILIES, rows=rows, dry_run=True)
    assert dry.success and dry.created == 60 and not Insuree.objects.exists()

    report = transfer.run_import(actor=imis_admin, kind=FAMILIES, rows=rows, strategy="insert")
    assert report.success, report.rejected_lines[:3]
    assert Family.objects.count() == 21 and Insuree.objects.count() == 60
    head = Insuree.objects.get(insurance_number="070707070")
    assert head.is_head and head.family.head == head and head.family.village.code == "R1D1M1V1"
    # month/day/year as openIMIS writes them: 10/16/2005 is 16 October 2005
    jet = Insuree.objects.get(insurance_number="070707055")
    assert jet.dob == date(2005, 10, 16) and jet.family == head.family and not jet.is_head
    assert head.dob == date(1950, 7, 12)
    assert all(f.head_id for f in Family.objects.all())
    assert head.history.first().history_user == imis_admin

    content, _type, name = transfer.export(actor=imis_admin, kind=FAMILIES, fmt="csv")
    assert name == "families.csv"
    again = transfer.run_import(
        actor=imis_admin,
        kind=FAMILIES,
        rows=transfer.read_file(FAMILIES, name, content),
        strategy="insert_update",
    )
    assert again.success and again.unchanged == 60 and again.created == again.updated == 0
    assert Insuree.objects.count() == 60


# --- families and members -----------------------------------------------------------------------


def test_a_family_with_members_is_created_with_history_naming_the_importer(mfoundi_clerk):
    report = run(
        mfoundi_clerk,
        "100000001,100000001,Mballa,Jean,1980-05-01,M,,NLK,699000001,,,,,,,,",
        "100000001,100000002,Mballa,Marie,1985-06-01,F,8,,,,,,,,,,",
        "100000001,100000003,Mballa,Paul,2012-01-01,M,4,,,,,,,,,,",
    )
    assert report.success and report.created == 3
    family = Family.objects.get()
    assert family.head.insurance_number == "100000001" and family.village.code == "NLK"
    assert [i.other_names for i in family.members.order_by("id")] == ["Jean", "Marie", "Paul"]
    marie = Insuree.objects.get(insurance_number="100000002")
    assert marie.relationship == 8 and marie.gender == "F" and not marie.is_head
    assert family.history.get().history_user == mfoundi_clerk
    assert family.history.get().head_id == family.head_id


def test_bad_rows_write_nothing_and_the_report_names_each_line_and_reason(
    mfoundi_clerk, other_district_clerk, products
):
    Insuree.objects.create(
        insurance_number="555", last_name="X", other_names="Y", dob=date(1990, 1, 1), gender="M"
    )
    report = run(
        mfoundi_clerk,
        "100000001,100000001,Mballa,Jean,1980-05-01,M,,NLK,,,,,,,,,",
        "100000001,100000001,Mballa,Twice,1980-05-01,M,4,,,,,,,,,,",  # line 3
        "100000001,100000004,Mballa,NoRel,2010-01-01,M,,,,,,,,,,,",  # line 4
        "200000001,200000001,Eto,Head,1970-01-01,X,,NLK,,,,,,,,,",  # line 5
        "300000001,300000002,Orphan,Member,1990-01-01,M,4,,,,,,,,,,",  # line 6
        "400000001,400000001,Far,Away,1970-01-01,M,,AKW,,,,,,,,,",  # line 7
        "100000001,555,Taken,Number,1970-01-01,M,4,,,,,,,,,,",  # line 8
        "600000001,600000001,Future,Born,2999-01-01,M,,NLK,,,,,,,,,",  # line 9
        "700000001,700000001,Nowhere,Village,1970-01-01,M,,ZZZ,,,,,,,,,",  # line 10
    )
    assert not report.written and Family.objects.count() == 0
    why = reasons(report)
    assert "appears twice in the file (first at line 2)" in why["line 3"]
    assert "Relationship" in why["line 4"] and "missing" in why["line 4"]
    assert "Gender" in why["line 5"] and "“X”" in why["line 5"]
    assert "head of family 300000001 is missing" in why["line 6"]
    assert "not in one of your districts" in why["line 7"]
    assert "already given to Y X" in why["line 8"]
    assert "cannot be in the future" in why["line 9"]
    assert "No current village has the code ZZZ" in why["line 10"]
    assert "line 2" not in why


def test_a_village_outside_the_importers_districts_is_refused(other_district_clerk, world):
    report = run(other_district_clerk, "100000001,100000001,Mballa,Jean,1980-05-01,M,,NLK,,,,,,,,,")
    assert not report.written
    assert "not in one of your districts" in report.rejected_lines[0].reason


def test_the_schemes_number_check_applies(mfoundi_clerk, settings):
    settings.KINGA_INSUREE_NUMBER = {"length": 9, "check": "modulo7", "generate": False}
    report = run(mfoundi_clerk, "100000001,100000001,Mballa,Jean,1980-05-01,M,,NLK,,,,,,,,,")
    assert not report.written and report.rejected_lines[0].where == "line 2"


def test_dates_that_read_both_ways_are_refused_for_the_whole_file(mfoundi_clerk):
    report = run(mfoundi_clerk, "100000001,100000001,Mballa,Jean,03/04/1980,M,,NLK,,,,,,,,,")
    assert not report.written and "YYYY-MM-DD" in report.error
    report = run(
        mfoundi_clerk,
        "100000001,100000001,Mballa,Jean,25/04/1980,M,,NLK,,,,,,,,,",
        "100000001,100000002,Mballa,Marie,03/04/1985,F,8,,,,,,,,,,",
    )
    assert report.success
    assert Insuree.objects.get(insurance_number="100000002").dob == date(1985, 4, 3)


def test_without_the_right_to_add_families_the_import_is_denied(world):
    viewer = make_user("viewer", roles=[], districts=[world.mfoundi])
    with pytest.raises(PermissionDenied):
        run(viewer, "100000001,100000001,Mballa,Jean,1980-05-01,M,,NLK,,,,,,,,,")


# --- policies and contributions ------------------------------------------------------------------


def _family_with_policy(product="MUT", officer="EO1", *payments: str, village="NLK") -> list[str]:
    day = MONTH_AGO.isoformat() if product == "MUT" else TODAY.isoformat()
    lines = [
        f"100000001,100000001,Mballa,Jean,1980-05-01,M,,{village},,{product},{day},{officer},"
        + (payments[0] if payments else ",,,,"),
        "100000001,100000002,Mballa,Marie,1985-06-01,F,8,,,,,,"
        + (payments[1] if len(payments) > 1 else ",,,,"),
        "100000001,100000003,Mballa,Paul,2012-01-01,M,4,,,,,,,,,,",
        "100000001,100000004,Mballa,Luc,2016-01-01,M,4,,,,,,,,,,",
    ]
    return lines


def test_a_free_programme_policy_is_active_at_once_and_covers_every_member(mfoundi_clerk, products):
    report = run(mfoundi_clerk, *_family_with_policy("VIH_Soins"))
    assert report.success, reasons(report)
    policy = Policy.objects.get()
    assert policy.status == 2 and policy.value == 0 and policy.effective_date == TODAY
    assert policy.expiry_date.year == TODAY.year + 1
    assert InsureePolicy.objects.filter(policy=policy).count() == 4
    assert policy.history.get().history_user == mfoundi_clerk


def test_a_full_payment_activates_and_the_member_cap_limits_coverage(mfoundi_clerk, products):
    pay = (MONTH_AGO + timedelta(days=3)).isoformat()
    report = run(
        mfoundi_clerk, *_family_with_policy("MUT", "EO1", f"12000,R-1,{pay},C,Région du Centre")
    )
    assert report.success, reasons(report)
    policy = Policy.objects.get()
    # three members covered (cap 3): two adults 2 × 5,000 + one child 2,000
    assert policy.value == Decimal(12000)
    assert policy.members.count() == 3
    # the fourth member's line says why he is not covered
    assert "Not covered by MUT: the product covers at most 3 members." in [
        line.reason for line in report.lines if line.key == "100000004"
    ]
    assert policy.status == 2 and policy.start_date == MONTH_AGO
    # effective from the later of the pay date and the start date, members with it
    assert policy.effective_date == MONTH_AGO + timedelta(days=3)
    assert {r.effective_date for r in policy.members.all()} == {policy.effective_date}
    contribution = Contribution.objects.get()
    assert contribution.payer == products.payer and contribution.receipt == "R-1"


def test_a_partial_payment_leaves_the_policy_idle(mfoundi_clerk, products):
    pay = MONTH_AGO.isoformat()
    report = run(mfoundi_clerk, *_family_with_policy("MUT", "EO1", f"5000,R-1,{pay},C,"))
    assert report.success, reasons(report)
    policy = Policy.objects.get()
    assert policy.status == 1 and policy.effective_date is None
    assert Contribution.objects.get().amount == Decimal(5000)


def test_policy_refusals_product_officer_and_receipt(mfoundi_clerk, products, world):
    pay = YEAR_AGO.isoformat()
    report = run(
        mfoundi_clerk,
        *_family_with_policy("MUT", "EO3", f"5000,R-1,{pay},C,", f"5000,R-1,{pay},C,"),
    )
    why = reasons(report)
    assert "officer EO3 does not work in the district of Mfoundi" in why["line 2"]
    report = run(
        mfoundi_clerk,
        *_family_with_policy("NOPE", "EO1"),
    )
    assert "product NOPE is not on sale" in reasons(report)["line 2"]
    report = run(
        mfoundi_clerk,
        *_family_with_policy("MUT", "EO1", f"5000,R-1,{pay},C,", f"5000,R-1,{pay},C,"),
    )
    assert "receipt R-1 is already used for the product MUT" in reasons(report)["line 3"]
    assert not Policy.objects.exists() and not Family.objects.exists()


# --- existing families ---------------------------------------------------------------------------


def test_update_adds_new_members_through_the_service_and_coverage_follows(mfoundi_clerk, products):
    assert run(mfoundi_clerk, *_family_with_policy("VIH_Soins")).success
    policy = Policy.objects.get()
    report = run(
        mfoundi_clerk,
        "100000001,100000001,Mballa,Jean-Pierre,1980-05-01,M,,NLK,,,,,,,,,",
        "100000001,100000009,Mballa,Anne,2020-01-01,F,4,,,,,,,,,,",
        strategy="insert_update",
    )
    assert report.success and report.updated == 1 and report.created == 1
    assert Insuree.objects.get(insurance_number="100000001").other_names == "Jean-Pierre"
    anne = Insuree.objects.get(insurance_number="100000009")
    assert anne.family == policy.family
    assert InsureePolicy.objects.filter(policy=policy, insuree=anne).exists()
    again = run(
        mfoundi_clerk,
        "100000001,100000001,Mballa,Jean,1980-05-01,M,,NLK,,,,,,,,,",
        strategy="insert",
    )
    assert "already exists" in again.rejected_lines[0].reason


# --- pages and downloads --------------------------------------------------------------------------


def test_the_transfer_page_imports_families_for_a_clerk(client, mfoundi_clerk, products):
    login(client, mfoundi_clerk)
    data = "\n".join([HEADER, *_family_with_policy("VIH_Soins")]).encode()
    response = client.post(
        reverse("transfer_import", args=["families"]),
        {"file": SimpleUploadedFile("f.csv", data), "strategy": "insert"},
    )
    assert response.status_code in (200, 302)
    assert Family.objects.count() == 1 and Policy.objects.get().status == 2


def test_export_of_a_search_result_holds_only_what_was_found_in_scope(
    client, mfoundi_clerk, other_district_clerk, world
):
    run(
        mfoundi_clerk,
        "100000001,100000001,Mballa,Jean,1980-05-01,M,,NLK,,,,,,,,,",
        "100000001,100000002,Mballa,Marie,1985-06-01,F,8,,,,,,,,,,",
        "100000010,100000010,Essomba,Luc,1975-01-01,M,,NLK,,,,,,,,,",
    )
    login(client, mfoundi_clerk)
    response = client.get(reverse("families:export"), {"name": "mballa", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="insurees.csv"'
    table = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["insurance_number"] for r in table] == ["100000001", "100000002"]
    assert table[1]["head_insuree_number"] == "100000001" and table[0]["village"] == "NLK"
    page = client.get(reverse("families:list"), {"name": "mballa"})
    assert b"format=csv" in page.content

    client.logout()
    login(client, other_district_clerk)
    response = client.get(reverse("families:export"), {"name": "mballa", "format": "csv"})
    assert response.status_code == 200
    assert len(list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))) == 0
    assert client.get(reverse("families:export"), {"format": "pdf"}).status_code == 400


def test_export_needs_the_search_right(client, world):
    nobody = make_user("nobody", roles=[], districts=[world.mfoundi])
    login(client, nobody)
    assert client.get(reverse("families:export"), {"format": "csv"}).status_code == 403


def test_an_excel_export_imports_back_and_the_page_names_the_optional_columns(
    client, mfoundi_clerk, products
):
    assert run(mfoundi_clerk, *_family_with_policy("VIH_Soins")).success
    content, content_type, name = transfer.export(actor=mfoundi_clerk, kind=FAMILIES, fmt="xlsx")
    assert name == "families.xlsx" and "spreadsheetml" in content_type
    rows = transfer.read_file(FAMILIES, name, content)
    assert [r.get("insurance_number") for r in rows] == [
        "100000001",
        "100000002",
        "100000003",
        "100000004",
    ]
    rows[1].data["other_names"] = "Marie-Claire"
    report = transfer.run_import(actor=mfoundi_clerk, kind=FAMILIES, rows=rows, strategy="update")
    assert report.success and report.updated == 1 and report.unchanged == 3
    assert Insuree.objects.get(insurance_number="100000002").other_names == "Marie-Claire"

    login(client, mfoundi_clerk)
    page = client.get(reverse("transfer_import", args=["families"]))
    assert b"product, enroll_date, start_date, officer, amount, receipt" in page.content


def test_the_report_page_of_a_large_file_lists_its_rejected_lines_only(
    client, mfoundi_clerk, world
):
    lines = [f"{n},{n},Nkodo,Member{n},1980-05-01,M,,NLK" for n in range(300000001, 300000601)] + [
        "300000999,300000999,Nkodo,Bad,1980-05-01,X,,NLK"
    ]
    data = "\n".join([HEADER.split(",phone")[0] + ",", *[line + "," for line in lines]])
    login(client, mfoundi_clerk)
    response = client.post(
        reverse("transfer_import", args=["families"]),
        {"file": SimpleUploadedFile("f.csv", data.encode()), "strategy": "insert"},
    )
    page = response.content.decode()
    assert "601 rows: 600 created, 0 updated, 0 unchanged, 1 rejected." in page
    assert page.count('<tr class="rejected">') == 1 and "<td>300000001</td>" not in page
    assert "300000999" in page and not Family.objects.exists()

    good = "\n".join(data.splitlines()[:-1]).encode()
    response = client.post(
        reverse("transfer_import", args=["families"]),
        {"file": SimpleUploadedFile("f.csv", good), "strategy": "insert", "dry_run": "on"},
    )
    page = response.content.decode()
    assert "<td>300000500</td>" in page and "<td>300000501</td>" not in page
    assert "… and 100 more lines." in page


# --- coverage follows the members' status, as on their pages ------------------------------------

STATUS_HEADER = (
    "head_insuree_number,insurance_number,last_name,other_names,dob,gender,relationship,village,"
    "status,status_date,status_reason,product,enroll_date,officer"
)


def _update(actor, *lines):
    rows = rows_of(*lines, header=STATUS_HEADER)
    return transfer.run_import(actor=actor, kind=FAMILIES, rows=rows, strategy="update")


def test_a_member_imported_as_dead_is_no_longer_covered_after_his_status_date(
    mfoundi_clerk, products
):
    pay = (MONTH_AGO + timedelta(days=3)).isoformat()
    assert run(mfoundi_clerk, *_family_with_policy("MUT", "EO1", f"12000,R-1,{pay},C,")).success
    policy = Policy.objects.get()
    assert policy.status == 2
    died = TODAY - timedelta(days=10)
    report = _update(
        mfoundi_clerk,
        "100000001,100000001,Mballa,Jean,1980-05-01,M,,NLK,,,,,,",
        f"100000001,100000003,Mballa,Paul,2012-01-01,M,4,,DE,{died.isoformat()},Décès,,,",
    )
    assert report.success and report.updated == 1 and report.unchanged == 1, reasons(report)
    paul = Insuree.objects.get(insurance_number="100000003")
    assert paul.status == "DE"
    # as insuree_update on his page: his coverage ends on the status date, with history
    row = InsureePolicy.objects.get(policy=policy, insuree=paul, retired_at__isnull=True)
    assert row.expiry_date == died
    assert row.history.first().history_user == mfoundi_clerk
    others = InsureePolicy.objects.filter(policy=policy).exclude(insuree=paul)
    assert {r.expiry_date for r in others} == {policy.expiry_date}


def test_an_idle_policy_is_recomputed_when_a_member_is_imported_as_dead(mfoundi_clerk, products):
    pay = MONTH_AGO.isoformat()
    assert run(mfoundi_clerk, *_family_with_policy("MUT", "EO1", f"5000,R-1,{pay},C,")).success
    policy = Policy.objects.get()
    # Jean, Marie and Paul covered (cap 3): 5,000 + 5,000 + 2,000
    assert policy.status == 1 and policy.value == Decimal(12000)
    report = _update(
        mfoundi_clerk,
        "100000001,100000001,Mballa,Jean,1980-05-01,M,,NLK,,,,,,",
        f"100000001,100000002,Mballa,Marie,1985-06-01,F,8,,DE,{TODAY.isoformat()},Décès,,,",
    )
    assert report.success, reasons(report)
    policy.refresh_from_db()
    # Marie no longer counts: Jean, Paul and Luc (5,000 + 2,000 + 2,000), Luc now covered
    assert policy.value == Decimal(9000)
    covered = set(policy.members.current().values_list("insuree__other_names", flat=True))
    assert covered == {"Jean", "Paul", "Luc"}


def test_a_member_imported_active_again_is_covered_again_from_today(mfoundi_clerk, products):
    assert run(mfoundi_clerk, *_family_with_policy("VIH_Soins")).success
    policy = Policy.objects.get()
    head = "100000001,100000001,Mballa,Jean,1980-05-01,M,,NLK,,,,,,"
    assert _update(
        mfoundi_clerk, head, f"100000001,100000004,Mballa,Luc,2016-01-01,M,4,,IN,{TODAY},x,,,"
    ).success
    luc = Insuree.objects.get(insurance_number="100000004")
    assert InsureePolicy.objects.get(policy=policy, insuree=luc).expiry_date == TODAY
    assert _update(
        mfoundi_clerk, head, "100000001,100000004,Mballa,Luc,2016-01-01,M,4,,AC,,,,,"
    ).success
    row = InsureePolicy.objects.get(policy=policy, insuree=luc, retired_at__isnull=True)
    assert row.effective_date == TODAY and row.expiry_date == policy.expiry_date


def test_a_new_family_with_a_dead_member_covers_only_the_living(mfoundi_clerk, products):
    report = transfer.run_import(
        actor=mfoundi_clerk,
        kind=FAMILIES,
        rows=rows_of(
            f"100000001,100000001,Mballa,Jean,1980-05-01,M,,NLK,,,,VIH_Soins,{TODAY},EO1",
            f"100000001,100000002,Mballa,Marie,1985-06-01,F,8,,DE,{MONTH_AGO},Décès,,,",
            header=STATUS_HEADER,
        ),
    )
    assert report.success, reasons(report)
    policy = Policy.objects.get()
    assert [r.insuree.other_names for r in policy.members.all()] == ["Jean"]
