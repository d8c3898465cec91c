"""The home page: who is logged in, and the tasks his rights give him."""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from ..conftest import PASSWORD, login

STUB_URLS = "tests.core.urls_for_tests"


class Assets(HTMLParser):
    """Collects the URLs of the stylesheets, icons and scripts a page loads."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "link" and a.get("href"):
            self.urls.append(a["href"])
        if tag == "script" and a.get("src"):
            self.urls.append(a["src"])


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_it_asks_an_anonymous_visitor_to_log_in(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"


def test_login_lands_on_the_home_page_with_the_users_name(client, mfoundi_clerk):
    response = english(client).post(
        reverse("login"), {"username": "clerk.mfoundi", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain == [(reverse("home"), 302)]
    html = response.content.decode()
    # The clerk's language is French: the pages speak it from the first one after login.
    assert "Bienvenue, Test Clerk.Mfoundi" in html
    assert "Mfoundi" in html  # his district
    assert "Vos tâches" in html


@pytest.mark.urls(STUB_URLS)
def test_the_imis_admin_sees_the_administration_tasks(client, imis_admin):
    response = english(login(client, imis_admin)).get("/")
    html = response.content.decode()
    groups = {g["key"]: g for g in response.context["kinga_menu"]}
    # The IMIS administrator passes every right check: the core entries come first.
    assert [i["url_name"] for i in groups["administration"]["items"]][:3] == [
        "users:list",
        "roles:list",
        "locations:list",
    ]
    assert 'class="task-group"><h3>Administration</h3>' in html
    for url_name in ("users:list", "roles:list", "locations:list"):
        assert f'class="task" href="{reverse(url_name)}"' in html
    assert "Districts: all" in html


@pytest.mark.urls(STUB_URLS)
def test_a_clerk_sees_no_administration_task(client, mfoundi_clerk):
    response = english(login(client, mfoundi_clerk)).get("/")
    html = response.content.decode()
    assert "administration" not in [g["key"] for g in response.context["kinga_menu"]]
    assert "Administration" not in html
    for url_name in ("users:list", "roles:list", "locations:list"):
        assert reverse(url_name) not in html
    # The profile entries are in the menu for everybody, not among the tasks.
    assert f'href="{reverse("password_change")}"' in html


@pytest.mark.urls(STUB_URLS)
def test_a_user_with_only_the_location_rights_sees_only_locations(client, mfoundi_location_admin):
    response = login(client, mfoundi_location_admin).get("/")
    groups = {g["key"]: g for g in response.context["kinga_menu"]}
    assert [i["url_name"] for i in groups["administration"]["items"]] == ["locations:list"]


def test_a_user_without_roles_is_told_to_ask_his_administrator(client, world):
    from ..conftest import make_user

    user = make_user("nobody")
    html = english(login(client, user)).get("/").content.decode()
    assert "Your roles give you no task yet" in html


def test_the_home_page_makes_a_bounded_number_of_queries(
    client, mfoundi_clerk, django_assert_max_num_queries
):
    login(client, mfoundi_clerk).get("/")
    with django_assert_max_num_queries(10):
        assert client.get("/").status_code == 200


def test_the_home_page_and_its_assets_weigh_under_100_kb(client, imis_admin):
    response = login(client, imis_admin).get("/")
    assert response.status_code == 200
    parser = Assets()
    parser.feed(response.content.decode())
    assert parser.urls, "the page loads its stylesheet and scripts"
    total = len(response.content)
    for url in parser.urls:
        parts = urlsplit(url)
        assert not parts.scheme and not parts.netloc, f"{url} is on another host"
        assert url.startswith(settings.STATIC_URL), url
        path = finders.find(url.removeprefix(settings.STATIC_URL))
        assert path, f"{url} is not a static file"
        served = client.get(url)
        assert served.status_code == 200, url
        body = b"".join(served.streaming_content) if served.streaming else served.content
        total += len(body)
    assert total < 100_000, total


def test_every_task_of_the_imis_admin_opens(client, imis_admin):
    """With the real pages: each task on the home page answers, none is a dead link."""
    response = login(client, imis_admin).get("/")
    tasks = [item for group in response.context["tasks"] for item in group["items"]]
    assert tasks, "the IMIS admin has tasks"
    for item in tasks:
        assert client.get(item["url"]).status_code == 200, item["url_name"]


def test_a_clerk_has_no_real_administration_page(client, mfoundi_clerk):
    response = login(client, mfoundi_clerk).get("/")
    keys = [group["key"] for group in response.context["tasks"]]
    assert "administration" not in keys
