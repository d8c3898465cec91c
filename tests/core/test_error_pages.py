"""With debug off (the default), a missing page and a crash answer Kinga's own pages
(core/error.html, with the menu), in the user's language; never Django's technical pages."""

import pytest
from django.conf import settings
from django.db import OperationalError
from django.test import Client, RequestFactory
from django.utils import translation

from kinga.core.views.auth import error_500

from ..conftest import login

ERROR_URLS = "tests.core.urls_errors"


@pytest.fixture
def visitor(db):
    # A crash is answered with the 500 page, as a real server does, instead of being raised.
    return Client(raise_request_exception=False)


def in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_debug_is_off_unless_asked_for():
    assert settings.DEBUG is False


def test_a_missing_page_answers_the_kinga_page_in_french(visitor, mfoundi_clerk):
    response = login(visitor, mfoundi_clerk).get("/no-such-page/")
    assert response.status_code == 404
    assert [t.name for t in response.templates][0] == "core/error.html"
    html = response.content.decode()
    assert "<h1>Page introuvable</h1>" in html
    assert '<a href="/">' in html  # back to the home page
    assert 'data-group="profile"' in html  # the usual page, with the user's menu
    assert "Django" not in html and "URLconf" not in html


def test_a_missing_page_answers_the_kinga_page_in_english(visitor, db):
    response = in_english(visitor).get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "<h1>Page not found</h1>" in html
    assert "This page or record does not exist." in html


def test_a_missing_record_answers_the_same_page(visitor, mfoundi_clerk):
    response = in_english(login(visitor, mfoundi_clerk)).get(
        "/families/00000000-0000-0000-0000-000000000000/"
    )
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in response.content.decode()


@pytest.mark.urls(ERROR_URLS)
def test_a_crash_answers_the_kinga_page_in_french(visitor, mfoundi_clerk):
    response = login(visitor, mfoundi_clerk).get("/crash/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "<h1>Erreur du serveur</h1>" in html
    assert "Un problème est survenu de notre côté" in html
    assert "Traceback" not in html and "RuntimeError" not in html


@pytest.mark.urls(ERROR_URLS)
def test_a_crash_answers_the_kinga_page_in_english(visitor, mfoundi_clerk):
    response = in_english(login(visitor, mfoundi_clerk)).get("/crash/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "<h1>Server error</h1>" in html
    assert "Something went wrong on our side; nothing was saved." in html
    assert "a bug" not in html


def test_when_the_usual_page_cannot_be_drawn_the_500_page_needs_nothing(db):
    class Unreachable:
        """A user that cannot be loaded, as when the database is down."""

        def __getattr__(self, name):
            raise OperationalError("connection refused: database down")

    request = RequestFactory().get("/")
    request.user = Unreachable()
    with translation.override("fr"):
        response = error_500(request)
    assert response.status_code == 500
    assert "<h1>Erreur du serveur</h1>" in response.content.decode()
