"""Values no page sends (a ticked box that is not an id, a member that is not a UUID, a number
of 5,000 digits in a URL) get a 404 or a form error, never a 500, and write nothing
(kinga.core.loaders.parse_id / parse_uuid / parse_ids / parse_uuids)."""

from __future__ import annotations

import uuid

import pytest
from django.http import Http404
from django.urls import reverse

from kinga.core.loaders import parse_id, parse_ids, parse_uuid, parse_uuids
from kinga.medical.models import ServicesPriceListEntry
from kinga.products.models import ProductItem, ProductService

from ..conftest import login
from ..medical.test_pricelists import pl, svc
from ..products.conftest import make_product, medical  # noqa: F401 - a fixture

pytestmark = pytest.mark.usefixtures("english")


@pytest.mark.parametrize(
    "value", ["abc", "", None, "0", "-1", " 7", "7 ", "²", "٣", "1e3", "9" * 20, "9" * 5000, True]
)
def test_parse_id_takes_only_a_primary_key(value):
    assert parse_id(value) is None


def test_parse_id_and_uuid_take_what_pages_send():
    assert parse_id("42") == 42 and parse_id(42) == 42
    assert parse_id(str(2**63 - 1)) == 2**63 - 1
    key = uuid.uuid4()
    assert parse_uuid(str(key)) == key and parse_uuid(key) == key
    assert parse_uuid("abc") is None and parse_uuid("\x00") is None and parse_uuid(None) is None
    assert parse_ids(["1", "2"]) == [1, 2] and parse_uuids([str(key)]) == [key]
    with pytest.raises(Http404):
        parse_ids(["1", "abc"])
    with pytest.raises(Http404):
        parse_uuids([str(key), "not-a-uuid"])


def test_a_ticked_service_that_is_not_an_id_is_a_404_and_adds_nothing(
    client,
    imis_admin,
    medical,  # noqa: F811
):
    product = make_product(imis_admin)
    login(client, imis_admin)
    url = reverse("products:coverage", args=[product.uuid])
    base = {"price_origin": "P", "limitation_type": "C", "limit_adult": "100", "limit_child": "100"}
    for bad in ("abc", "9" * 5000, "²"):
        response = client.post(
            url, {**base, "add": "ticked", "service": [medical.test.pk, bad], "item": []}
        )
        assert response.status_code == 404
    assert not ProductService.objects.exists() and not ProductItem.objects.exists()


def test_a_price_list_member_that_is_not_a_uuid_is_a_404_and_adds_nothing(client, imis_admin):
    national = pl(imis_admin)
    service = svc(imis_admin, "CG", "1000")
    login(client, imis_admin)
    url = reverse("pricelists:services_add", args=[national.uuid])
    response = client.post(url, {"member": [str(service.uuid), "not-a-uuid"]})
    assert response.status_code == 404
    assert not ServicesPriceListEntry.objects.exists()


def test_a_places_parent_that_is_not_an_id_lists_nothing(client, mfoundi_clerk):
    login(client, mfoundi_clerk)
    for bad in ("²", "9" * 5000, "abc"):
        response = client.get(reverse("families:places"), {"region": bad})
        assert response.status_code == 200
        assert "<option" not in response.content.decode().replace('<option value="">', "")


def test_a_huge_catchment_id_in_the_url_is_a_404(client, imis_admin, hcy):
    login(client, imis_admin)
    url = reverse("facilities:catchment_remove", args=[hcy.uuid, 1]).replace(
        "/1/", "/" + "9" * 30 + "/"
    )
    assert client.post(url).status_code == 404


@pytest.mark.parametrize("hint", ["²", "9" * 5000, "99999999999999999999", "-1", ""])
def test_a_tampered_session_cookie_is_no_session_not_a_500(client, mfoundi_clerk, hint):
    from django.conf import settings

    client.cookies[settings.SESSION_COOKIE_NAME] = "x" * 32 + "." + hint
    response = client.get(reverse("families:list"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_location_search_within_a_tampered_key_finds_nothing(client, imis_admin, world):
    login(client, imis_admin)
    for bad in ("²", "9" * 5000, "not-a-uuid"):
        response = client.get(reverse("locations:search"), {"q": "N", "within": bad})
        assert response.status_code == 200
        assert "Nlongkak" not in response.content.decode()
    response = client.get(reverse("locations:search"), {"q": "N", "within": world.mfoundi.pk})
    assert "Nlongkak" in response.content.decode()
