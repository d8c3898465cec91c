"""The menu and the home page's tasks are worked out once per set of rights and language, and
follow a change of roles on the next page (the rights themselves are read on every request)."""

from unittest import mock

import pytest
from django.urls import reverse
from django.utils import translation

from kinga.core import menu
from kinga.core.models import User

from ..conftest import login, make_user, system_role

STUB_URLS = "tests.core.urls_for_tests"


def url_names(groups) -> list[str]:
    return [item["url_name"] for group in groups for item in group["items"]]


def fresh(user) -> User:
    """The user as the next request loads him."""
    return User.objects.get(pk=user.pk)


def test_two_users_with_the_same_roles_share_one_menu(mfoundi_clerk, other_district_clerk):
    assert menu.visible_menu(fresh(mfoundi_clerk)) is menu.visible_menu(fresh(other_district_clerk))


def test_users_with_other_rights_see_other_menus(mfoundi_clerk, imis_admin):
    clerk, admin = (
        url_names(menu.visible_menu(mfoundi_clerk)),
        url_names(menu.visible_menu(imis_admin)),
    )
    assert "users:list" in admin and "users:list" not in clerk
    assert "families:list" in clerk and "families:list" in admin


def test_the_menu_speaks_the_language_of_the_page(mfoundi_clerk):
    with translation.override("fr"):
        french = {g["key"]: g["label"] for g in menu.visible_menu(fresh(mfoundi_clerk))}
    with translation.override("en"):
        english = {g["key"]: g["label"] for g in menu.visible_menu(fresh(mfoundi_clerk))}
    assert french["insurees"] == "Assurés et polices"
    assert english["insurees"] == "Insurees and policies"


def test_addresses_are_reversed_once(mfoundi_clerk):
    with translation.override("en"):
        first = menu.visible_menu(fresh(mfoundi_clerk))
        with mock.patch.object(menu, "reverse", side_effect=AssertionError("reversed again")):
            assert menu.visible_menu(fresh(mfoundi_clerk)) is first


def test_the_home_tasks_are_the_menu_without_the_profile(mfoundi_clerk):
    user = fresh(mfoundi_clerk)
    assert [g["key"] for g in menu.tasks(user)] == [
        g["key"] for g in menu.visible_menu(user) if g["key"] != "profile"
    ]


def test_the_shared_menu_cannot_be_changed_by_a_page(mfoundi_clerk):
    groups = menu.visible_menu(fresh(mfoundi_clerk))
    with pytest.raises(TypeError):
        groups[0]["label"] = "changed"
    with pytest.raises(AttributeError):
        groups[0]["items"].append({})


@pytest.mark.urls(STUB_URLS)
def test_a_role_change_shows_in_the_menu_on_the_next_page(client, world):
    user = make_user("changing", roles=["clerk"], districts=[world.mfoundi])
    login(client, user)
    before = client.get(reverse("home"))
    assert "users:list" not in url_names(before.context["kinga_menu"])
    user.roles.add(system_role(64))  # the IMIS Administrator
    after = client.get(reverse("home"))
    assert "users:list" in url_names(after.context["kinga_menu"])
    assert "users:list" in url_names(after.context["tasks"])
    user.roles.set([system_role(8)])
    again = client.get(reverse("home"))
    assert "users:list" not in url_names(again.context["kinga_menu"])


def test_an_entry_added_later_shows_at_once(mfoundi_clerk):
    user = fresh(mfoundi_clerk)
    menu.visible_menu(user)
    group = next(g for g in menu.MENU if g.key == "tools")
    entry = menu.Entry("Late page", "home")
    try:
        menu.add("tools", entry)
        assert "home" in url_names(menu.visible_menu(fresh(mfoundi_clerk)))
    finally:
        group.entries.remove(entry)
        menu._forget()
