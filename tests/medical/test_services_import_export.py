"""Import and export of medical services (the `services` register kind)."""

from decimal import Decimal

import pytest

from kinga.core import transfer
from kinga.medical.models import Service
from kinga.medical.transfer.catalogue import SERVICES

from ..conftest import make_user
from ..data import OPENIMIS_DEMO

pytestmark = pytest.mark.usefixtures("english")

SAMPLE_XML = OPENIMIS_DEMO / "services_sample.xml"
HEADER = "code,name,type,level,category,price,care_type,frequency,patient_category,maximum_amount\n"
GOOD = [
    "CPN1,Consultation prénatale 1,P,V,A,2000,O,0,FAC,",
    "CHI01,Césarienne,C,H,S,150000,I,0,,",
]


def csv_rows(*lines: str) -> list[transfer.Row]:
    return transfer.read_file(SERVICES, "services.csv", (HEADER + "\n".join(lines) + "\n").encode())


@pytest.fixture
def admin(world):
    return make_user("scheme.services", roles=["scheme_admin"], districts=[world.mfoundi])


def test_a_good_file_creates_the_services(admin):
    report = transfer.run_import(actor=admin, kind=SERVICES, rows=csv_rows(*GOOD))
    assert report.success and report.created == 2
    cpn = Service.objects.get(code="CPN1")
    assert (cpn.type, cpn.level, cpn.category, cpn.patient_category) == ("P", "V", "A", 14)
    assert Service.objects.get(code="CHI01").price == Decimal("150000")


def test_a_bad_level_or_category_rejects_the_file_naming_the_line(admin):
    report = transfer.run_import(
        actor=admin,
        kind=SERVICES,
        rows=csv_rows(*GOOD, "X1,Acte,C,Z,,100,O,0,,", "X2,Acte,C,S,Q,100,O,0,,"),
    )
    assert not report.written and Service.objects.count() == 0
    rejected = {line.where: line.reason for line in report.rejected_lines}
    assert set(rejected) == {"line 4", "line 5"}
    assert "is not one of" in rejected["line 4"] and "is not one of" in rejected["line 5"]


def test_the_openimis_services_sample_imports(admin):
    rows = transfer.read_file(SERVICES, "services.xml", SAMPLE_XML.read_bytes())
    report = transfer.run_import(actor=admin, kind=SERVICES, rows=rows)
    assert report.success and report.created == 12
    caesarean = Service.objects.get(code="G34")
    assert (caesarean.level, caesarean.care_type, caesarean.price) == ("H", "I", Decimal("42000"))


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json", "xml"])
def test_export_then_import_gives_identical_records(admin, fmt):
    transfer.run_import(actor=admin, kind=SERVICES, rows=csv_rows(*GOOD))
    before = list(Service.objects.order_by("code").values())
    content, _type, filename = transfer.export(actor=admin, kind=SERVICES, fmt=fmt)
    again = transfer.run_import(
        actor=admin, kind=SERVICES, rows=transfer.read_file(SERVICES, filename, content)
    )
    assert again.success and again.unchanged == 2
    assert list(Service.objects.order_by("code").values()) == before


def test_a_clerk_may_neither_import_nor_export_services(mfoundi_clerk):
    assert not SERVICES.may_upload(mfoundi_clerk) and not SERVICES.may_download(mfoundi_clerk)
