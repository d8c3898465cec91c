"""Every locations page and the tree's htmx fragment load through `queries.LOCATION`: 403
without the right (of the location's level, for a change), outside the user's (write) scope or
for a retired location's change; 404 for an unknown or malformed key; the services say the
same."""

import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from kinga.core.models import Role
from kinga.core.rights import Right
from kinga.locations import queries, services

from ..conftest import login, make_user

RECORD_PAGES = ("detail", "children", "edit", "move", "retire")
CHANGE_PAGES = ("edit", "move", "retire")


def url(name: str, location=None, key=None) -> str:
    if location is None and key is None:
        return reverse(f"locations:{name}")
    return reverse(f"locations:{name}", args=[key or location.uuid])


@pytest.mark.parametrize("name", ("list", "tree", "create"))
def test_the_pages_without_a_record_are_403_without_the_right(client, mfoundi_clerk, name):
    login(client, mfoundi_clerk)
    assert client.get(url(name)).status_code == 403


@pytest.mark.parametrize("name", RECORD_PAGES)
def test_a_location_page_is_403_without_the_right(client, mfoundi_clerk, world, name):
    login(client, mfoundi_clerk)
    assert client.get(url(name, world.nlongkak)).status_code == 403


@pytest.mark.parametrize("name", RECORD_PAGES)
def test_a_location_of_another_district_is_403(client, mfoundi_location_admin, world, name):
    login(client, mfoundi_location_admin)
    assert client.get(url(name, world.akwa)).status_code == 403
    assert client.get(url(name, world.douala1)).status_code == 403


@pytest.mark.parametrize("name", CHANGE_PAGES)
def test_a_change_of_another_district_is_403_by_post(client, mfoundi_location_admin, world, name):
    login(client, mfoundi_location_admin)
    response = client.post(
        url(name, world.akwa), {"code": "AKW", "name": "Hacked", "parent": world.yaounde1.pk}
    )
    assert response.status_code == 403
    world.akwa.refresh_from_db()
    assert world.akwa.name == "Akwa"
    assert world.akwa.parent_id == world.douala1.pk and world.akwa.retired_at is None


@pytest.mark.parametrize("name", CHANGE_PAGES)
def test_a_retired_locations_changes_are_403(client, imis_admin, world, name):
    services.location_retire(actor=imis_admin, location=world.akwa)
    login(client, imis_admin)
    assert client.get(url(name, world.akwa)).status_code == 403
    page = client.get(url("detail", world.akwa))
    assert page.status_code == 200
    assert url(name, world.akwa) not in page.text


@pytest.mark.parametrize("name", CHANGE_PAGES)
def test_a_district_needs_the_region_and_district_right(
    client, mfoundi_location_admin, world, name
):
    """His own district: in his scope, but changing a district needs right 121906."""
    login(client, mfoundi_location_admin)
    assert client.get(url("detail", world.mfoundi)).status_code == 200
    assert client.get(url(name, world.mfoundi)).status_code == 403
    assert client.get(url(name, world.yaounde1)).status_code == 200


@pytest.mark.parametrize("name", RECORD_PAGES)
def test_an_unknown_or_malformed_location_is_404(client, imis_admin, name):
    login(client, imis_admin)
    key = uuid.uuid4()
    assert client.get(url(name, key=key)).status_code == 404
    assert client.get(url(name, key=key).replace(str(key), "not-a-uuid")).status_code == 404


def test_the_change_rights_without_the_search_right_open_no_page(client, world):
    role = Role.objects.create(
        name="Blind editors", rights=[Right.LOCATION_EDIT, Right.LOCATION_MOVE]
    )
    login(client, make_user(roles=[role], districts=[world.mfoundi]))
    for name in ("edit", "move"):
        assert client.get(url(name, world.nlongkak)).status_code == 403


def test_a_parent_out_of_sight_is_not_offered_on_the_creation_page(
    client, mfoundi_location_admin, world
):
    login(client, mfoundi_location_admin)
    mine = client.get(url("create"), {"parent": world.yaounde1.uuid})
    assert mine.context["form"].initial["parent"] == world.yaounde1
    other = client.get(url("create"), {"parent": world.douala1.uuid})
    assert other.status_code == 200 and "parent" not in other.context["form"].initial
    bad = client.get(url("create"), {"parent": "not-a-uuid"})
    assert bad.status_code == 200


def test_the_tree_does_not_open_a_location_out_of_sight(client, mfoundi_location_admin, world):
    login(client, mfoundi_location_admin)
    tree = client.get(url("tree"), {"open": world.akwa.uuid})
    assert tree.status_code == 200
    assert "Akwa" not in tree.text


def test_the_buttons_the_loader_and_the_services_agree(mfoundi_location_admin, world):
    actor = mfoundi_location_admin
    assert queries.may_location(actor, world.nlongkak, "edit")
    assert queries.may_location(actor, world.yaounde1, "add_child")
    assert not queries.may_location(actor, world.nlongkak, "add_child")  # below villages: none
    assert not queries.may_location(actor, world.mfoundi, "edit")
    assert not queries.may_location(actor, world.akwa, "edit")
    with pytest.raises(PermissionDenied):
        services.location_update(actor=actor, location=world.akwa, code="AKW", name="Hacked")
    with pytest.raises(PermissionDenied):
        services.location_update(actor=actor, location=world.mfoundi, code="MFO", name="M")
    with pytest.raises(PermissionDenied):
        services.location_create(
            actor=actor, type="V", code="BNJ", name="Bonanjo", parent=world.douala1
        )
    with pytest.raises(PermissionDenied):
        services.location_retire(actor=actor, location=world.akwa)
