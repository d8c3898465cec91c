"""Security headers, no inline script or style, and the error pages."""

from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.urls import NoReverseMatch, reverse

from ..conftest import login

STUB_URLS = "tests.core.urls_for_tests"


class InlineCode(HTMLParser):
    """Finds what a Content-Security-Policy without 'unsafe-inline' would block."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script" and not a.get("src"):
            self.found.append("<script> without src")
        if tag == "style":
            self.found.append("<style> element")
        for name, value in attrs:
            if name == "style":
                self.found.append(f'style="" on <{tag}>')
            if name.startswith("on") or name.startswith("hx-on"):
                self.found.append(f"{name} handler on <{tag}>")
            if value and value.strip().lower().startswith("javascript:"):
                self.found.append(f"javascript: URL on <{tag}>")


def inline_code(response) -> list[str]:
    parser = InlineCode()
    parser.feed(response.content.decode())
    return parser.found


def assert_security_headers(response):
    csp = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_the_login_page_sends_the_security_headers(client, db):
    assert_security_headers(client.get(reverse("login")))


def test_pages_of_a_logged_in_user_send_the_security_headers(client, mfoundi_clerk):
    login(client, mfoundi_clerk)
    for name in ("home", "profile", "password_change"):
        assert_security_headers(client.get(reverse(name)))


def test_the_lockout_page_sends_the_security_headers(client, mfoundi_clerk):
    for _ in range(6):
        response = client.post(reverse("login"), {"username": "clerk.mfoundi", "password": "x"})
    assert response.status_code == 429
    assert_security_headers(response)
    assert inline_code(response) == []


def test_the_session_and_csrf_cookies_are_not_readable_by_scripts_of_other_sites(
    client, mfoundi_clerk
):
    from ..conftest import PASSWORD

    client.get(reverse("login"))
    csrf = client.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf["samesite"] == "Lax"
    client.post(reverse("login"), {"username": "clerk.mfoundi", "password": PASSWORD})
    session = client.cookies[settings.SESSION_COOKIE_NAME]
    assert session["httponly"] is True and session["samesite"] == "Lax"


def test_the_login_page_has_no_inline_script_or_style(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert inline_code(response) == []


def test_the_login_page_with_errors_has_no_inline_script_or_style(client, mfoundi_clerk):
    response = client.post(reverse("login"), {"username": "clerk.mfoundi", "password": "x"})
    assert "errors" in response.content.decode()
    assert inline_code(response) == []


@pytest.mark.urls(STUB_URLS)
def test_the_pages_of_a_logged_in_user_have_no_inline_script_or_style(client, imis_admin):
    login(client, imis_admin)
    for name in ("home", "profile", "password_change"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert inline_code(response) == [], name
    response = client.post(reverse("password_change"), {"old_password": "x"})
    assert inline_code(response) == []


def test_the_error_pages_have_no_inline_script_or_style(client, mfoundi_clerk):
    login(client, mfoundi_clerk)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert inline_code(response) == []
    assert_security_headers(response)


def test_the_csrf_token_is_required_on_forms(mfoundi_clerk):
    from django.test import Client

    from ..conftest import PASSWORD

    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "clerk.mfoundi", "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_a_csrf_failure_answers_the_kinga_error_page(settings, mfoundi_clerk):
    from django.test import Client

    settings.CSRF_FAILURE_VIEW = "kinga.core.views.auth.csrf_failure"
    client = Client(enforce_csrf_checks=True)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(reverse("login"), {"username": "clerk.mfoundi", "password": "x"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "Form expired" in html
    assert inline_code(response) == []


# --- 403 -----------------------------------------------------------------------------------


@pytest.mark.urls(STUB_URLS)
def test_a_page_without_the_right_answers_403_with_the_kinga_error_page(client, mfoundi_clerk):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = login(client, mfoundi_clerk).get(reverse("users:list"))
    assert response.status_code == 403
    assert "core/error.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert "Access denied" in html
    assert "You do not have the right to open this page" in html
    assert f'href="{reverse("home")}"' in html
    assert "Test Clerk.Mfoundi" in html  # the usual page, with the user's menu
    assert_security_headers(response)
    assert inline_code(response) == []


@pytest.mark.urls(STUB_URLS)
def test_a_page_with_the_right_opens(client, imis_admin):
    response = login(client, imis_admin).get(reverse("users:list"))
    assert response.status_code == 200


@pytest.mark.urls(STUB_URLS)
def test_a_page_needing_a_right_asks_an_anonymous_visitor_to_log_in(client, db):
    response = client.get(reverse("users:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_real_users_list_refuses_a_clerk(client, mfoundi_clerk):
    try:
        url = reverse("users:list")
    except NoReverseMatch:
        pytest.skip("the users pages are not there yet")
    response = login(client, mfoundi_clerk).get(url)
    assert response.status_code == 403
    assert "core/error.html" in [t.name for t in response.templates]


def test_an_htmx_request_after_the_session_ended_sends_the_whole_page_to_login(client, world):
    response = client.get(reverse("home"), headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("login"))
