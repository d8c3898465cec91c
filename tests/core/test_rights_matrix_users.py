"""Each system role opens the users and roles pages as its openIMIS rights say: user rights
for the IMIS, HF and Offline Administrators; role rights for the IMIS Administrator only."""

import pytest
from django.urls import reverse

from ..conftest import ROLE_BITS, login, make_user

USER_ADMINS = {"imis_admin", "hf_admin", "offline_admin"}
ROLE_ADMINS = {"imis_admin"}


@pytest.mark.parametrize("role", sorted(ROLE_BITS))
def test_the_users_and_roles_pages_answer_as_the_rights_say(client, world, role):
    user = make_user(roles=[role], districts=[world.mfoundi])
    login(client, user)
    expect_users = 200 if role in USER_ADMINS else 403
    expect_roles = 200 if role in ROLE_ADMINS else 403
    assert client.get(reverse("users:list")).status_code == expect_users
    assert client.get(reverse("users:create")).status_code == expect_users
    assert client.get(reverse("roles:list")).status_code == expect_roles
    assert client.get(reverse("roles:create")).status_code == expect_roles
    menu = client.get(reverse("home")).content.decode()
    assert (reverse("users:list") in menu) == (role in USER_ADMINS)
    assert (reverse("roles:list") in menu) == (role in ROLE_ADMINS)


def test_a_visitor_who_is_not_logged_in_is_sent_to_the_login_page(client, world):
    response = client.get(reverse("users:list"))
    assert response.status_code == 302
    assert reverse("login") in response.url
