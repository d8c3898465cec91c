"""The fixed cost of a page: one query reads the session, the user and his rights and districts
(kinga.core.sessions + kinga.core.backends); the session costs no query of its own."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kinga.core import access
from kinga.core.rights import Right
from kinga.core.sessions import SessionStore, user_hint

from ..conftest import PASSWORD, login, make_user

NEW_PASSWORD = "Nouveau#Mot2026"


def session_key(client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_an_empty_page_makes_one_query(client, mfoundi_clerk, django_assert_num_queries):
    url = reverse("policies:enquiry")
    login(client, mfoundi_clerk).get(url)
    with django_assert_num_queries(1):
        response = client.get(url)
    assert response.status_code == 200
    assert "Test Clerk.Mfoundi" in response.content.decode()


def test_the_home_page_makes_one_query(client, mfoundi_clerk, django_assert_num_queries):
    login(client, mfoundi_clerk).get("/")
    with django_assert_num_queries(1):
        html = client.get("/").content.decode()
    assert "Clerk" in html and "Mfoundi" in html  # his role and his district


def test_the_login_page_makes_no_query(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get(reverse("login")).status_code == 200


def test_reading_the_session_loads_its_user_and_his_grants_in_the_same_query(
    client, mfoundi_clerk, world, django_assert_num_queries
):
    login(client, mfoundi_clerk)
    store = SessionStore(session_key(client))
    with django_assert_num_queries(1):
        assert store[SESSION_KEY] == str(mfoundi_clerk.pk)
    with django_assert_num_queries(0):
        user = store.loaded_user
        assert user.pk == mfoundi_clerk.pk and user.username == "clerk.mfoundi"
        assert access.has_right(user, Right.FAMILY_ADD)
        assert not access.has_right(user, Right.USER_SEARCH)
        assert access.scope_of(user).district_ids == {world.mfoundi.pk}


def test_a_logged_in_session_key_names_its_user(client, mfoundi_clerk):
    client.post(reverse("login"), {"username": "clerk.mfoundi", "password": PASSWORD})
    key = session_key(client)
    assert user_hint(key) == str(mfoundi_clerk.pk)
    assert len(key) <= 40 and len(key.rpartition(".")[0]) >= 32
    assert Session.objects.filter(session_key=key).exists()


def test_the_user_named_in_the_key_is_never_trusted(client, mfoundi_clerk, imis_admin):
    """A key whose hint names the administrator, for a session of the clerk: the page is the
    clerk's (the session data decides; the hint only joins)."""
    data = SessionStore().encode(
        {
            SESSION_KEY: str(mfoundi_clerk.pk),
            "_auth_user_backend": settings.AUTHENTICATION_BACKENDS[-1],
            "_auth_user_hash": mfoundi_clerk.get_session_auth_hash(),
        }
    )
    key = f"{'a' * 32}.{imis_admin.pk}"
    Session.objects.create(
        session_key=key, session_data=data, expire_date=timezone.now() + timedelta(hours=1)
    )
    client.cookies[settings.SESSION_COOKIE_NAME] = key
    store = SessionStore(key)
    store.load()
    assert store.loaded_user is None
    response = client.get(reverse("profile"))
    assert response.status_code == 200
    assert response.context["user"].pk == mfoundi_clerk.pk
    assert reverse("users:list") not in response.content.decode()


def test_logging_out_ends_the_session_for_every_copy_of_its_cookie(client, mfoundi_clerk):
    login(client, mfoundi_clerk)
    copy = Client()
    copy.cookies[settings.SESSION_COOKIE_NAME] = session_key(client)
    assert copy.get(reverse("home")).status_code == 200
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=copy.cookies[settings.SESSION_COOKIE_NAME].value)
    assert copy.get(reverse("home")).status_code == 302


def test_a_retired_user_with_an_open_session_is_logged_out(client, world):
    user = make_user("leaving", roles=["clerk"], districts=[world.mfoundi])
    login(client, user)
    assert client.get(reverse("home")).status_code == 200
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert client.get(reverse("home")).status_code == 302


def test_messages_survive_the_redirect(client, mfoundi_clerk):
    login(client, mfoundi_clerk)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert response.status_code == 200
    assert "msg-success" in response.content.decode()
