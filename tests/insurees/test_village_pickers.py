"""The family, insuree and officer forms when the user's districts hold more villages than a
select lists (KINGA_LOCATION_SELECT_MAX): the village is searched, never listed in full."""

import re
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kinga.insurees.models import Family, Officer
from kinga.locations.models import Location

from ..conftest import login, make_location
from .test_families_services import new_family
from .test_families_views import CREATE, LIST, create_data, url
from .test_views import CREATE as OFFICER_CREATE
from .test_views import form_data


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def many(world, settings):
    """40 more villages in Yaoundé I, and 5 in Douala I: more than a select of 20 lists."""
    settings.KINGA_LOCATION_SELECT_MAX = 20
    for i in range(5):
        make_location(f"DV{i:03}", f"Douala village {i}", "V", world.douala1)
    return [make_location(f"YV{i:03}", f"Village {i}", "V", world.yaounde1) for i in range(40)]


def more_villages(world, n: int) -> None:
    Location.objects.bulk_create(
        Location(code=f"B{i:04}", name=f"B {i}", type="V", parent=world.yaounde1) for i in range(n)
    )


def search(client, page: str, name: str, **params):
    """What the picker's search box asks as the user types (htmx adds the box and the fields
    it includes to the address of its hx-get)."""
    found = re.search(rf'name="{name}_search"[^>]*hx-get="([^"]+)"', page, re.S)
    address, _, query = found.group(1).replace("&amp;", "&").partition("?")
    return client.get(f"{address}?{query}&{urlencode(params)}").text


def page_queries(client, path) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx), response.text


def test_the_family_form_lists_no_village_but_searches_them(client, mfoundi_clerk, world, many):
    login(client, mfoundi_clerk)
    page = client.get(CREATE).text
    assert "Village 17" not in page and "Nlongkak" not in page
    assert 'name="village_search"' in page and 'name="village_code"' in page
    assert 'hx-target="#id_village"' in page  # the municipality select still fills the village
    assert '<select name="village" required id="id_village">' in page
    found = search(client, page, "village", village_search="Village 1")
    assert "Village 17" in found and "Douala" not in found
    # The municipality's villages, as before: one municipality at a time.
    places = client.get(reverse("families:places"), {"municipality": world.yaounde1.pk}).text
    assert places.count("<option") == 1 + 41


def test_the_family_form_takes_the_chosen_village_or_its_code(client, mfoundi_clerk, world, many):
    login(client, mfoundi_clerk)
    response = client.post(CREATE, create_data(world, village=many[3].pk))
    assert response.status_code == 302
    assert Family.objects.get().village == many[3]
    data = create_data(world, village="", village_code="yv004", insurance_number="CM0002")
    assert client.post(CREATE, data).status_code == 302
    assert Family.objects.filter(village=many[4]).exists()


def test_a_tampered_or_unknown_village_is_a_form_error(client, mfoundi_clerk, world, many):
    login(client, mfoundi_clerk)
    for village in (world.akwa.pk, "abc", "-1", str(world.akwa.uuid)):
        response = client.post(CREATE, create_data(world, village=village))
        assert response.status_code == 200 and "Select a valid choice" in response.text
    response = client.post(CREATE, create_data(world, village="", village_code="AKW"))
    assert response.status_code == 200
    assert "No location that you may choose here has the code “AKW”." in response.text
    assert 'value="AKW"' in response.text and 'value="CM0001"' in response.text
    assert not Family.objects.exists()


def test_the_family_form_keeps_the_village_chosen(client, mfoundi_clerk, world, many):
    login(client, mfoundi_clerk)
    response = client.post(CREATE, create_data(world, village=many[9].pk, dob="2099-01-01"))
    assert response.status_code == 200
    assert f'<option value="{many[9].pk}" selected>YV009 Village 9' in response.text


def test_the_family_form_makes_the_same_queries_for_60_or_1000_villages(
    client, mfoundi_clerk, world, many
):
    login(client, mfoundi_clerk)
    client.get(CREATE)
    before, page = page_queries(client, CREATE)
    more_villages(world, 1000)
    after, page = page_queries(client, CREATE)
    assert after == before <= 12
    assert len(page) < 40_000


def test_the_insuree_search_filters_by_a_searched_village(client, mfoundi_clerk, world, many):
    new_family(mfoundi_clerk, many[5], insurance_number="H005")
    new_family(mfoundi_clerk, world.nlongkak, insurance_number="H006")
    login(client, mfoundi_clerk)
    page = client.get(LIST).text
    assert 'name="village_search"' in page and "Village 17" not in page
    found = client.get(LIST, {"village": many[5].pk}).text
    assert "H005" in found and "H006" not in found
    by_code = client.get(LIST, {"village_code": "NLK"}).text
    assert "H006" in by_code and "H005" not in by_code
    assert client.get(LIST, {"village": "garbage"}).status_code == 200


def test_an_insurees_current_village_is_searched_too(client, mfoundi_clerk, world, many):
    family = new_family(mfoundi_clerk, world.nlongkak, insurance_number="H001")
    login(client, mfoundi_clerk)
    page = client.get(url("insuree_edit", family.head)).text
    assert 'name="current_village_search"' in page and "Village 17" not in page


def test_the_officer_form_searches_the_villages_of_the_district(client, scheme_admin, places, many):
    world = places
    login(client, scheme_admin)
    page = client.get(OFFICER_CREATE).text
    assert "Village 17" not in page and 'name="villages_search"' in page
    assert "hx-include=\"[name='district']\"" in page
    found = search(client, page, "villages", villages_search="Village 1", district=world.mfoundi.pk)
    assert 'type="checkbox" name="villages"' in found and "Village 17" in found
    lekie = search(client, page, "villages", villages_search="Village", district=world.lekie.pk)
    assert "Village 17" not in lekie
    data = form_data(world, villages=[many[1].pk], villages_code="YV002")
    data["district"] = world.mfoundi.pk
    response = client.post(OFFICER_CREATE, data)
    assert response.status_code == 302
    officer = Officer.objects.get(code="EO001")
    assert set(officer.villages.all()) == {many[1], many[2]}
    edit = client.get(reverse("officers:edit", args=[officer.uuid])).text
    assert edit.count('name="villages" value=') == 2 and "Village 17" not in edit
    tampered = form_data(world, code="EO009", villages=[world.akwa.pk])
    assert "Select a valid choice" in client.post(OFFICER_CREATE, tampered).text
