"""The catchment's village when the facility's region holds more villages than a select lists:
searched within the region and the user's districts, checked against the same choices."""

import re
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from kinga.facilities.models import Catchment

from ..conftest import login, make_location


@pytest.fixture
def many(world, settings):
    settings.KINGA_LOCATION_SELECT_MAX = 10
    for i in range(5):
        make_location(f"DV{i:03}", f"Village Douala {i}", "V", world.douala1)
    return [make_location(f"YV{i:03}", f"Village {i}", "V", world.yaounde1) for i in range(30)]


def test_the_catchment_village_is_searched_in_the_facilitys_region(
    client, scheme_admin, world, hcy, many
):
    login(client, scheme_admin)
    detail = client.get(reverse("facilities:detail", args=[hcy.uuid])).text
    assert "Add a village" in detail and "Village 17" not in detail
    found = re.search(r'name="village_search"[^>]*hx-get="([^"]+)"', detail, re.S)
    address, _, query = found.group(1).replace("&amp;", "&").partition("?")
    assert f"within={world.centre.uuid}" in query and "key=uuid" in query
    results = client.get(f"{address}?{query}&{urlencode({'village_search': 'Village'})}").text
    assert results.count("<option value=") == 22 and "More matches" in results  # blank, 20, more
    assert "Douala" not in results  # Littoral is not the facility's region
    add = reverse("facilities:catchment_add", args=[hcy.uuid])
    assert client.post(add, {"village": many[4].uuid, "percentage": "60"}).status_code == 302
    assert client.post(add, {"village_code": "YV005", "percentage": "50"}).status_code == 302
    assert {c.village for c in Catchment.objects.current()} == {many[4], many[5]}
    for tampered in (world.akwa.uuid, many[4].uuid, "not-a-uuid", many[6].pk):
        response = client.post(add, {"village": tampered, "percentage": "50"})
        assert response.status_code == 200, tampered
        assert "Select a valid choice" in response.text, (tampered, response.text[-3000:])
    assert Catchment.objects.current().count() == 2
