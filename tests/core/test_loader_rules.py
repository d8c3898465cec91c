"""kinga.core.loaders: an action needing two rights (`all_of`) and an action with a narrower
scope than the loader's (`scope`)."""

import pytest
from django.core.exceptions import PermissionDenied

from kinga.core.loaders import Loader, changing, in_districts, viewing
from kinga.core.models import Role
from kinga.core.rights import Right
from kinga.locations.models import Location

from ..conftest import make_user

VILLAGES = Loader(
    queryset=lambda: Location.objects.filter(type="V").select_related("parent"),
    actions={
        "view": viewing(Right.LOCATION_SEARCH),
        "edit": changing(Right.LOCATION_EDIT),
        "both": changing(Right.LOCATION_EDIT, all_of=(Right.LOCATION_MOVE,)),
        "narrow": changing(Right.LOCATION_EDIT, scope=lambda user, v: v.code == "NLK"),
    },
    in_scope=in_districts(lambda village: village.parent.parent_id),
)


def user_with(world, *rights):
    role = Role.objects.create(
        name="+".join(str(int(r)) for r in rights), rights=[int(r) for r in rights]
    )
    return make_user(roles=[role], districts=[world.mfoundi, world.lekie])


def test_an_action_with_all_of_needs_each_of_those_rights_too(world):
    editor = user_with(world, Right.LOCATION_EDIT)
    assert not VILLAGES.may_right(editor, "both")
    assert not VILLAGES.may(editor, world.nlongkak, "both")
    with pytest.raises(PermissionDenied):
        VILLAGES.get(editor, world.nlongkak.uuid, "both")
    mover = user_with(world, Right.LOCATION_EDIT, Right.LOCATION_MOVE)
    assert VILLAGES.may_right(mover, "both")
    assert VILLAGES.get(mover, world.nlongkak.uuid, "both") == world.nlongkak


def test_an_action_with_a_scope_narrows_the_loaders_scope(world):
    editor = user_with(world, Right.LOCATION_EDIT)
    assert VILLAGES.get(editor, world.nlongkak.uuid, "narrow") == world.nlongkak
    assert VILLAGES.may(editor, world.nkolpoblo, "edit")
    assert not VILLAGES.may(editor, world.nkolpoblo, "narrow")
    with pytest.raises(PermissionDenied):
        VILLAGES.get(editor, world.nkolpoblo.uuid, "narrow")
    # The loader's own scope still applies: Akwa is in Wouri, not his.
    assert not VILLAGES.may(editor, world.akwa, "edit")
