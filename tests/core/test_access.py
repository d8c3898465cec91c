from kinga.core import access
from kinga.core.models import Role
from kinga.core.rights import Right

from ..conftest import make_user


def test_imis_admin_holds_every_right_and_sees_every_location(imis_admin, world):
    assert access.has_right(imis_admin, Right.CLAIM_PROCESS)
    assert access.can_see_location(imis_admin, world.akwa)
    assert access.can_change_location(imis_admin, world.centre)


def test_a_clerk_holds_the_clerk_rights_only(mfoundi_clerk):
    assert access.has_right(mfoundi_clerk, Right.FAMILY_ADD)
    assert not access.has_right(mfoundi_clerk, Right.LOCATION_SEARCH)
    assert not access.has_right(mfoundi_clerk, Right.USER_SEARCH)


def test_scope_is_the_districts_and_what_lies_below(mfoundi_clerk, world):
    assert access.can_see_location(mfoundi_clerk, world.nlongkak)
    assert access.can_see_location(mfoundi_clerk, world.centre)  # its region, to navigate
    assert not access.can_see_location(mfoundi_clerk, world.nkolpoblo)
    assert not access.can_see_location(mfoundi_clerk, world.littoral)
    assert not access.can_change_location(mfoundi_clerk, world.centre)
    visible = set(
        world.centre.__class__.objects.filter(access.location_q(mfoundi_clerk)).values_list(
            "code", flat=True
        )
    )
    assert visible == {"CE", "MFO", "YDE1", "NLK"}


def test_a_blocked_role_grants_nothing(world):
    role = Role.objects.create(name="Searchers", rights=[Right.LOCATION_SEARCH])
    user = make_user(roles=[role])
    assert access.has_right(user, Right.LOCATION_SEARCH)
    role.is_blocked = True
    role.save()
    access.forget(user)
    assert not access.has_right(user, Right.LOCATION_SEARCH)


def test_a_retired_user_holds_no_right(imis_admin):
    imis_admin.is_active = False
    imis_admin.save()
    access.forget(imis_admin)
    assert not access.has_right(imis_admin, Right.USER_SEARCH)
