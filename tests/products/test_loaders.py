"""Every page of products and health programmes loads through `PRODUCT` / `PROGRAMME`: 403
without the right, outside the user's scope (reading: the product in sight; changing: the
write scope of its location) or for a retired record's change; 404 for an unknown or malformed
key; the services say the same."""

import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from kinga.core.models import Role
from kinga.core.rights import Right
from kinga.products.queries import products as product_queries
from kinga.products.services import products as product_services
from kinga.products.services import programmes as programme_services

from ..conftest import login, make_user
from .conftest import make_product

PRODUCT_PAGES = ("detail", "edit", "coverage", "duplicate", "retire", "export")
CHANGE_PAGES = ("edit", "duplicate", "retire")
PROGRAMME_PAGES = ("detail", "edit", "retire")


@pytest.fixture
def wouri_admin(world):
    return make_user("scheme.wouri", roles=["scheme_admin"], districts=[world.wouri])


@pytest.fixture
def mfoundi_product(imis_admin, world):
    return make_product(imis_admin, code="MFO_FAM", location=world.mfoundi)


@pytest.fixture
def programme(imis_admin):
    return programme_services.programme_create(
        actor=imis_admin, code="VIH", name="VIH", valid_from=datetime.date(2026, 1, 1)
    )


def _url(name, record=None, key=None, namespace="products"):
    return reverse(f"{namespace}:{name}", args=[key or record.uuid])


def _malformed(url: str, key) -> str:
    return url.replace(str(key), "not-a-uuid")


@pytest.mark.parametrize("name", PRODUCT_PAGES)
def test_a_product_page_is_403_without_the_product_rights(
    client, mfoundi_clerk, mfoundi_product, name
):
    login(client, mfoundi_clerk)
    assert client.get(_url(name, mfoundi_product)).status_code == 403


@pytest.mark.parametrize("name", PRODUCT_PAGES)
def test_another_districts_product_is_403(client, wouri_admin, mfoundi_product, name):
    login(client, wouri_admin)
    assert client.get(_url(name, mfoundi_product)).status_code == 403


@pytest.mark.parametrize("name", ("edit", "coverage", "duplicate", "retire"))
def test_another_districts_product_is_not_changed_by_post(
    client, wouri_admin, mfoundi_product, name
):
    login(client, wouri_admin)
    response = client.post(_url(name, mfoundi_product), {"code": "HACK", "save": "1"})
    assert response.status_code == 403
    mfoundi_product.refresh_from_db()
    assert mfoundi_product.code == "MFO_FAM" and mfoundi_product.retired_at is None


def test_a_national_product_is_read_but_not_changed_by_a_district_user(
    client, imis_admin, scheme_admin
):
    national = make_product(imis_admin)
    login(client, scheme_admin)
    assert client.get(_url("detail", national)).status_code == 200
    coverage = client.get(_url("coverage", national))
    assert coverage.status_code == 200 and not coverage.context["may_edit"]
    for name in CHANGE_PAGES:
        assert client.get(_url(name, national)).status_code == 403
    assert client.post(_url("coverage", national), {"save": "1"}).status_code == 403
    with pytest.raises(PermissionDenied):
        product_services.product_duplicate(actor=scheme_admin, product=national, code="COPY")


@pytest.mark.parametrize("name", ("edit", "duplicate", "retire"))
def test_a_retired_products_changes_are_403(client, imis_admin, mfoundi_product, name):
    product_services.product_retire(actor=imis_admin, product=mfoundi_product)
    login(client, imis_admin)
    assert client.get(_url(name, mfoundi_product)).status_code == 403
    assert client.post(_url("coverage", mfoundi_product), {"save": "1"}).status_code == 403
    detail = client.get(_url("detail", mfoundi_product))
    assert detail.status_code == 200
    assert _url(name, mfoundi_product) not in detail.content.decode()


@pytest.mark.parametrize("name", PRODUCT_PAGES)
def test_an_unknown_or_malformed_product_is_404(client, imis_admin, name):
    login(client, imis_admin)
    key = uuid.uuid4()
    assert client.get(_url(name, key=key)).status_code == 404
    assert client.get(_malformed(_url(name, key=key), key)).status_code == 404


def test_the_change_rights_without_the_search_right_open_no_page(client, world, mfoundi_product):
    role = Role.objects.create(
        name="Blind editors",
        rights=[Right.PRODUCT_ADD, Right.PRODUCT_EDIT, Right.PRODUCT_DUPLICATE],
    )
    login(client, make_user(roles=[role], districts=[world.mfoundi]))
    for name in ("edit", "duplicate"):
        assert client.get(_url(name, mfoundi_product)).status_code == 403
    assert client.get(reverse("products:create")).status_code == 403
    assert client.get(reverse("products:import")).status_code == 403


def test_the_buttons_the_loader_and_the_services_agree(scheme_admin, wouri_admin, mfoundi_product):
    assert product_queries.may_product(scheme_admin, mfoundi_product, "edit")
    assert not product_queries.may_product(wouri_admin, mfoundi_product, "view")
    with pytest.raises(PermissionDenied):
        product_services.coverage_update(actor=wouri_admin, product=mfoundi_product)
    with pytest.raises(PermissionDenied):
        product_services.product_retire(actor=wouri_admin, product=mfoundi_product)


# --- health programmes ----------------------------------------------------------------------


@pytest.mark.parametrize("name", PROGRAMME_PAGES)
def test_a_programme_page_is_403_without_the_product_rights(client, mfoundi_clerk, programme, name):
    login(client, mfoundi_clerk)
    assert client.get(_url(name, programme, namespace="programmes")).status_code == 403
    assert client.get(reverse("programmes:list")).status_code == 403
    assert client.get(reverse("programmes:create")).status_code == 403


@pytest.mark.parametrize("name", PROGRAMME_PAGES)
def test_an_unknown_or_malformed_programme_is_404(client, imis_admin, name):
    login(client, imis_admin)
    key = uuid.uuid4()
    url = _url(name, key=key, namespace="programmes")
    assert client.get(url).status_code == 404
    assert client.get(_malformed(url, key)).status_code == 404


@pytest.mark.parametrize("name", ("edit", "retire"))
def test_a_retired_programmes_changes_are_403(client, imis_admin, programme, name):
    programme_services.programme_retire(actor=imis_admin, programme=programme)
    login(client, imis_admin)
    assert client.get(_url(name, programme, namespace="programmes")).status_code == 403
    detail = client.get(_url("detail", programme, namespace="programmes"))
    assert detail.status_code == 200
    assert _url(name, programme, namespace="programmes") not in detail.content.decode()
    with pytest.raises(PermissionDenied):
        programme_services.programme_retire(actor=imis_admin, programme=programme)
