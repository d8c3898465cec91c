"""kinga.core.loaders: an action's rights all needed (`all_of`) and its own scope (`scope`), in
the loader's order: 403 without the rights (before any lookup), 404 unknown, 403 out of
scope."""

import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from kinga.core import access
from kinga.core.loaders import Loader, changing, viewing
from kinga.core.models import Role
from kinga.core.rights import Right
from kinga.locations.models import Location

from ..conftest import make_user

LOCATIONS = Loader(
    queryset=lambda: Location.objects.all(),
    actions={
        "view": viewing(Right.LOCATION_SEARCH),
        # Editing needs the edit right and the search right, and only villages may be edited.
        "edit": changing(
            Right.LOCATION_EDIT,
            all_of=(Right.LOCATION_SEARCH,),
            scope=lambda user, location: location.type == "V",
        ),
    },
    in_scope=access.can_see_location,
)


def _user(world, *rights):
    role = Role.objects.create(
        name="Rights " + " ".join(str(int(r)) for r in rights), rights=list(rights)
    )
    return make_user(roles=[role], districts=[world.mfoundi])


def test_an_action_needs_every_right_of_all_of(world):
    editor_only = _user(world, Right.LOCATION_EDIT)
    with pytest.raises(PermissionDenied):
        LOCATIONS.get(editor_only, world.nlongkak.uuid, "edit")
    # asked before any lookup: an unknown key says nothing to him either
    with pytest.raises(PermissionDenied):
        LOCATIONS.get(editor_only, uuid.uuid4(), "edit")
    assert not LOCATIONS.may_right(editor_only, "edit")
    assert not LOCATIONS.may(editor_only, world.nlongkak, "edit")
    with pytest.raises(PermissionDenied):
        LOCATIONS.require_right(editor_only, "edit")


def test_an_action_with_its_rights_loads_what_its_scope_covers(world):
    editor = _user(world, Right.LOCATION_EDIT, Right.LOCATION_SEARCH)
    assert LOCATIONS.get(editor, world.nlongkak.uuid, "edit") == world.nlongkak
    assert LOCATIONS.may(editor, world.nlongkak, "edit")
    LOCATIONS.require_right(editor, "edit")


def test_the_actions_own_scope_narrows_the_loaders(world):
    editor = _user(world, Right.LOCATION_EDIT, Right.LOCATION_SEARCH)
    # Yaoundé I is in his scope (he sees it) but the action's scope takes villages only.
    assert LOCATIONS.get(editor, world.yaounde1.uuid, "view") == world.yaounde1
    with pytest.raises(PermissionDenied):
        LOCATIONS.get(editor, world.yaounde1.uuid, "edit")
    assert not LOCATIONS.may(editor, world.yaounde1, "edit")
    with pytest.raises(PermissionDenied):
        LOCATIONS.require(editor, world.yaounde1, "edit")
    # the loader's own scope still applies: Akwa is a village of another district
    with pytest.raises(PermissionDenied):
        LOCATIONS.get(editor, world.akwa.uuid, "edit")


def test_unknown_and_malformed_keys_are_404_for_a_user_with_the_rights(world):
    editor = _user(world, Right.LOCATION_EDIT, Right.LOCATION_SEARCH)
    for key in (uuid.uuid4(), "not-a-uuid", "", None):
        with pytest.raises(Http404):
            LOCATIONS.get(editor, key, "edit")
