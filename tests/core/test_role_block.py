"""Blocking and unblocking a role need the rule of editing it (issue 11, item 2): the role's
every right held by the actor, and its every holder within his districts; block and unblock
are two actions, so that a double click does not toggle back."""

import pytest
from django.urls import reverse

from kinga.core.models import Role
from kinga.core.rights import Right

from ..conftest import login, make_user, system_role


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def mfoundi_role_manager(world):
    role = Role.objects.create(
        name="Role managers",
        rights=[Right.ROLE_SEARCH, Right.ROLE_EDIT, Right.USER_SEARCH, Right.FAMILY_SEARCH],
    )
    return make_user("roles.mfoundi", roles=[role], districts=[world.mfoundi])


@pytest.fixture
def searchers(db):
    return Role.objects.create(name="Family searchers", rights=[Right.FAMILY_SEARCH])


def _url(name, role):
    return reverse(f"roles:{name}", kwargs={"uuid": role.uuid})


def test_a_mfoundi_role_manager_cannot_block_the_scheme_administrator_role(
    client, mfoundi_role_manager, scheme_admin
):
    national = system_role(32)
    login(client, mfoundi_role_manager)
    page = client.get(_url("detail", national))
    assert page.status_code == 200
    assert _url("block", national) not in page.content.decode()
    assert client.get(_url("block", national)).status_code == 403
    assert client.post(_url("block", national)).status_code == 403
    national.refresh_from_db()
    assert not national.is_blocked


def test_nor_unblock_it(client, mfoundi_role_manager, scheme_admin):
    national = system_role(32)
    Role.objects.filter(pk=national.pk).update(is_blocked=True)
    login(client, mfoundi_role_manager)
    assert client.post(_url("unblock", national)).status_code == 403
    national.refresh_from_db()
    assert national.is_blocked


def test_nor_a_role_of_his_rights_held_by_users_of_other_districts(
    client, mfoundi_role_manager, searchers, world
):
    make_user("searcher.wouri", roles=[searchers], districts=[world.wouri])
    login(client, mfoundi_role_manager)
    assert client.post(_url("block", searchers)).status_code == 403
    searchers.refresh_from_db()
    assert not searchers.is_blocked


def test_he_blocks_a_role_within_his_rights_and_districts_and_a_double_click_keeps_it_blocked(
    client, mfoundi_role_manager, searchers, world
):
    make_user("searcher.mfoundi", roles=[searchers], districts=[world.mfoundi])
    login(client, mfoundi_role_manager)
    detail = client.get(_url("detail", searchers)).content.decode()
    assert _url("block", searchers) in detail and _url("unblock", searchers) not in detail
    for _click in range(2):
        assert client.post(_url("block", searchers)).status_code == 302
        searchers.refresh_from_db()
        assert searchers.is_blocked
    detail = client.get(_url("detail", searchers)).content.decode()
    assert _url("unblock", searchers) in detail and _url("block", searchers) not in detail
    # One history row for the two clicks.
    assert searchers.history.filter(history_change_reason="blocked").count() == 1

    for _click in range(2):
        assert client.post(_url("unblock", searchers)).status_code == 302
        searchers.refresh_from_db()
        assert not searchers.is_blocked


def test_editing_follows_the_same_rule(client, mfoundi_role_manager, searchers, world):
    make_user("searcher.wouri", roles=[searchers], districts=[world.wouri])
    login(client, mfoundi_role_manager)
    response = client.post(
        _url("edit", searchers), {"name": "Renamed", "rights": [Right.FAMILY_SEARCH]}
    )
    assert response.status_code == 403
    searchers.refresh_from_db()
    assert searchers.name == "Family searchers"


def test_the_imis_administrator_blocks_and_unblocks_any_role_but_his_own(
    client, imis_admin, scheme_admin
):
    login(client, imis_admin)
    national = system_role(32)
    assert client.post(_url("block", national)).status_code == 302
    assert client.post(_url("unblock", national)).status_code == 302
    admin = system_role(64)
    response = client.post(_url("block", admin))
    assert "The IMIS Administrator role cannot be blocked." in response.content.decode()
    admin.refresh_from_db()
    assert not admin.is_blocked


def test_nor_a_role_holding_rights_he_lacks_even_without_holders(client, mfoundi_role_manager):
    claims = Role.objects.create(name="Claim processors", rights=[Right.CLAIM_PROCESS])
    login(client, mfoundi_role_manager)
    assert client.post(_url("block", claims)).status_code == 403
    claims.refresh_from_db()
    assert not claims.is_blocked
