from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone

from kinga.core import access
from kinga.core.models import Role, User
from kinga.core.rights import Right
from kinga.locations.models import Location

from ..conftest import ROLE_BITS, login, make_user, system_role


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


def test_rights_and_districts_are_read_in_one_query_per_user_object(
    mfoundi_clerk, world, django_assert_num_queries
):
    user = User.objects.get(pk=mfoundi_clerk.pk)  # as a request loads it
    with django_assert_num_queries(1):
        assert access.has_right(user, Right.FAMILY_ADD)
        assert not access.has_right(user, Right.USER_SEARCH)
        assert not access.is_imis_admin(user)
        assert access.scope_of(user).district_ids == {world.mfoundi.pk}
        assert access.scope_of(user).region_ids == {world.centre.pk}
        access.location_q(user)
        access.district_q(user, "district_id")
    with django_assert_num_queries(0):
        assert not access.has_right(AnonymousUser(), Right.FAMILY_ADD)
        assert access.scope_of(AnonymousUser()).district_ids == frozenset()


def test_a_change_of_roles_or_districts_shows_on_the_next_user_object(mfoundi_clerk, world):
    """The cache lives on the user object, i.e. one request: the next request loads the user
    again and reads his roles and districts again."""
    user = User.objects.get(pk=mfoundi_clerk.pk)
    assert access.has_right(user, Right.FAMILY_ADD)
    user.districts.add(world.wouri)
    user.roles.clear()
    assert access.has_right(user, Right.FAMILY_ADD)  # same request: what it read first
    following = User.objects.get(pk=user.pk)
    assert not access.has_right(following, Right.FAMILY_ADD)
    assert access.scope_of(following).district_ids == {world.mfoundi.pk, world.wouri.pk}


def test_a_role_change_takes_effect_on_the_next_request(client, mfoundi_clerk):
    login(client, mfoundi_clerk)
    url = reverse("policies:enquiry")
    assert client.get(url).status_code == 200
    mfoundi_clerk.roles.clear()
    assert client.get(url).status_code == 403
    mfoundi_clerk.roles.set([system_role(ROLE_BITS["clerk"])])
    assert client.get(url).status_code == 200


def test_retired_roles_and_districts_and_other_levels_grant_nothing(world):
    retired = Role.objects.create(
        name="Searchers", rights=[Right.LOCATION_SEARCH], retired_at=timezone.now()
    )
    user = make_user(roles=[retired], districts=[world.mfoundi, world.lekie, world.centre])
    Location.objects.filter(pk=world.lekie.pk).update(retired_at=timezone.now())
    assert not access.has_right(user, Right.LOCATION_SEARCH)
    assert access.scope_of(user).district_ids == {world.mfoundi.pk}


def test_an_imis_administrator_role_among_others_sees_everything(world):
    searchers = Role.objects.create(name="Searchers", rights=[Right.LOCATION_SEARCH])
    user = make_user(roles=[searchers, "imis_admin"], districts=[world.mfoundi])
    assert access.is_imis_admin(user) and access.scope_of(user).everything
    assert access.has_right(user, Right.CLAIM_PROCESS)
    assert access.user_rights_display(user) == list(Right)
