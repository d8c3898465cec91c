"""Every page of the medical registers loads through one loader per record kind (items,
services, diagnoses, services and items price lists): 403 without the right, outside the
user's scope (price lists) or for a retired record's change; 404 for an unknown or malformed
key; the services say the same."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from kinga.core.models import Role
from kinga.core.rights import Right
from kinga.medical.queries import pricelists as pricelist_queries
from kinga.medical.services import catalogue as catalogue_services
from kinga.medical.services import diagnoses as diagnosis_services
from kinga.medical.services import pricelists as pricelist_services
from kinga.medical.services.pricelists import ITEMS, SERVICES

from ..conftest import login, make_user

pytestmark = pytest.mark.usefixtures("english")


def _role_user(world, *rights, districts=None):
    role = Role.objects.create(
        name="Rights " + " ".join(str(int(r)) for r in rights), rights=list(rights)
    )
    return make_user(roles=[role], districts=[world.mfoundi] if districts is None else districts)


def _malformed(url: str, key) -> str:
    return url.replace(str(key), "not-a-uuid")


@pytest.fixture
def nobody(world):
    """A user who may see locations and nothing of the medical registers."""
    return _role_user(world, Right.LOCATION_SEARCH)


@pytest.fixture
def records(imis_admin):
    item = catalogue_services.item_create(
        actor=imis_admin, code="TDF", name="TDF", type="D", price=Decimal(500), care_type="O"
    )
    service = catalogue_services.service_create(
        actor=imis_admin,
        code="CG",
        name="Consultation",
        type="C",
        level="S",
        price=Decimal(2000),
        care_type="O",
    )
    diagnosis = diagnosis_services.diagnosis_create(actor=imis_admin, code="B54", name="Malaria")
    return {"items": item, "services": service, "diagnoses": diagnosis}


REGISTERS = ("items", "services", "diagnoses")
RECORD_PAGES = ("detail", "edit", "retire")
CHANGE_PAGES = ("edit", "retire")


def _retire(actor, register, record):
    if register == "items":
        return catalogue_services.item_retire(actor=actor, item=record)
    if register == "services":
        return catalogue_services.service_retire(actor=actor, service=record)
    return diagnosis_services.diagnosis_retire(actor=actor, diagnosis=record)


# --- items, services, diagnoses ---------------------------------------------------------------


@pytest.mark.parametrize("register", REGISTERS)
def test_the_register_pages_are_403_without_its_rights(client, nobody, records, register):
    login(client, nobody)
    assert client.get(reverse(f"{register}:list")).status_code == 403
    assert client.get(reverse(f"{register}:create")).status_code == 403
    for name in RECORD_PAGES:
        url = reverse(f"{register}:{name}", args=[records[register].uuid])
        assert client.get(url).status_code == 403
        if name in CHANGE_PAGES:
            assert client.post(url, {"code": "X", "name": "Hacked"}).status_code == 403
    records[register].refresh_from_db()
    assert records[register].retired_at is None and records[register].name != "Hacked"


@pytest.mark.parametrize("register", REGISTERS)
@pytest.mark.parametrize("name", RECORD_PAGES)
def test_an_unknown_or_malformed_record_is_404(client, imis_admin, register, name):
    login(client, imis_admin)
    key = uuid.uuid4()
    url = reverse(f"{register}:{name}", args=[key])
    assert client.get(url).status_code == 404
    assert client.get(_malformed(url, key)).status_code == 404


@pytest.mark.parametrize("register", REGISTERS)
def test_a_retired_records_changes_are_403(client, imis_admin, records, register):
    record = _retire(imis_admin, register, records[register])
    login(client, imis_admin)
    for name in CHANGE_PAGES:
        assert client.get(reverse(f"{register}:{name}", args=[record.uuid])).status_code == 403
    page = client.get(reverse(f"{register}:detail", args=[record.uuid]))
    assert page.status_code == 200
    assert reverse(f"{register}:edit", args=[record.uuid]) not in page.content.decode()
    with pytest.raises(PermissionDenied):
        _retire(imis_admin, register, record)


@pytest.mark.parametrize(
    ("register", "rights"),
    [
        ("items", (Right.ITEM_EDIT, Right.ITEM_DELETE)),
        ("services", (Right.SERVICE_EDIT, Right.SERVICE_DELETE)),
    ],
)
def test_the_change_rights_without_the_search_right_open_no_page(
    client, world, records, register, rights
):
    login(client, _role_user(world, *rights))
    for name in CHANGE_PAGES:
        url = reverse(f"{register}:{name}", args=[records[register].uuid])
        assert client.get(url).status_code == 403


# --- price lists --------------------------------------------------------------------------------


PRICE_LIST_PAGES = ("detail", "edit", "add", "duplicate", "retire")


@pytest.fixture
def wouri_admin(world):
    return make_user("scheme.wouri", roles=["scheme_admin"], districts=[world.wouri])


def _price_list(actor, kind, location, name="Liste Mfoundi"):
    return pricelist_services.pricelist_create(
        actor=actor, kind=kind, name=name, date=datetime.date(2026, 1, 15), location=location
    )


def _pl_url(kind, name, price_list=None, key=None):
    suffix = "" if name == "list" else f"_{name}"
    args = [] if price_list is None and key is None else [key or price_list.uuid]
    return reverse(f"pricelists:{kind.key}{suffix}", args=args)


@pytest.mark.parametrize("kind", [SERVICES, ITEMS], ids=["services", "items"])
def test_a_price_list_is_403_without_its_kinds_rights(client, imis_admin, nobody, world, kind):
    price_list = _price_list(imis_admin, kind, world.mfoundi)
    login(client, nobody)
    assert client.get(_pl_url(kind, "list")).status_code == 403
    assert client.get(_pl_url(kind, "create")).status_code == 403
    for name in PRICE_LIST_PAGES:
        assert client.get(_pl_url(kind, name, price_list)).status_code == 403


@pytest.mark.parametrize("kind", [SERVICES, ITEMS], ids=["services", "items"])
@pytest.mark.parametrize("name", PRICE_LIST_PAGES)
def test_another_districts_price_list_is_403(client, imis_admin, wouri_admin, world, kind, name):
    price_list = _price_list(imis_admin, kind, world.mfoundi)
    login(client, wouri_admin)
    assert client.get(_pl_url(kind, name, price_list)).status_code == 403
    assert client.post(_pl_url(kind, name, price_list), {"name": "Hacked"}).status_code == 403
    price_list.refresh_from_db()
    assert price_list.name == "Liste Mfoundi" and price_list.retired_at is None


@pytest.mark.parametrize("kind", [SERVICES, ITEMS], ids=["services", "items"])
@pytest.mark.parametrize("name", ("edit", "add", "duplicate", "retire"))
def test_a_retired_price_lists_changes_are_403(client, imis_admin, world, kind, name):
    price_list = _price_list(imis_admin, kind, world.mfoundi)
    pricelist_services.pricelist_retire(actor=imis_admin, price_list=price_list)
    login(client, imis_admin)
    assert client.get(_pl_url(kind, name, price_list)).status_code == 403
    detail = client.get(_pl_url(kind, "detail", price_list))
    assert detail.status_code == 200
    assert _pl_url(kind, name, price_list) not in detail.content.decode()
    assert client.post(_pl_url(kind, "detail", price_list)).status_code == 403


@pytest.mark.parametrize("kind", [SERVICES, ITEMS], ids=["services", "items"])
@pytest.mark.parametrize("name", PRICE_LIST_PAGES)
def test_an_unknown_or_malformed_price_list_is_404(client, imis_admin, kind, name):
    login(client, imis_admin)
    key = uuid.uuid4()
    url = _pl_url(kind, name, key=key)
    assert client.get(url).status_code == 404
    assert client.get(_malformed(url, key)).status_code == 404


def test_a_services_price_list_is_not_found_among_the_items_price_lists(client, imis_admin, world):
    services_list = _price_list(imis_admin, SERVICES, world.mfoundi)
    login(client, imis_admin)
    assert client.get(_pl_url(ITEMS, "detail", key=services_list.uuid)).status_code == 404


def test_the_add_right_without_a_district_opens_no_creation_page(client, world):
    adder = _role_user(world, Right.PL_SERVICES_SEARCH, Right.PL_SERVICES_ADD, districts=[])
    assert not pricelist_queries.may_add_pricelist(adder, SERVICES)
    login(client, adder)
    assert client.get(_pl_url(SERVICES, "list")).status_code == 200
    assert _pl_url(SERVICES, "create") not in client.get(_pl_url(SERVICES, "list")).text
    assert client.get(_pl_url(SERVICES, "create")).status_code == 403


def test_the_buttons_the_loader_and_the_services_agree_on_a_region_list(
    imis_admin, scheme_admin, wouri_admin, world
):
    centre = _price_list(imis_admin, SERVICES, world.centre, name="Liste Centre")
    # the Centre is one of the scheme administrator's regions: he changes its lists
    assert pricelist_queries.may_pricelist(scheme_admin, centre, "edit")
    assert not pricelist_queries.may_pricelist(wouri_admin, centre, "edit")
    assert not pricelist_queries.may_pricelist(wouri_admin, centre, "duplicate")
    with pytest.raises(PermissionDenied):
        pricelist_services.pricelist_update(
            actor=wouri_admin, price_list=centre, name="Hacked", date=centre.date
        )
    with pytest.raises(PermissionDenied):
        pricelist_services.pricelist_retire(actor=wouri_admin, price_list=centre)
