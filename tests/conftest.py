"""Fixtures for every test: the test world and the named cast (tests/factories.py), fast password
hashing, a fresh language for each test, English on demand, and Playwright's browser."""

from __future__ import annotations

import os
import shutil

import pytest
from django.utils import translation

# The world, the cast and the helpers that tests import from here (`from ..conftest import ...`).
from .factories import *  # noqa: F403
from .scratch import scratch_database_url  # noqa: F401  (a fixture for the migration tests)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests create many users: a cheap hasher keeps the suite fast (production keeps PBKDF2)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_language():
    """Each test starts and ends with no language activated (so French, LANGUAGE_CODE), as the
    first test of a process does: what a page request or a `translation.activate` left behind
    never reaches the next test, whatever the order or the xdist worker."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def english(client):
    """For tests that read English messages (pages default to French): the client's language
    cookie and the active language of service calls are English."""
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


# --- Playwright in Debian's Chromium (browser journeys, marked `browser`) -----------------

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the live server and the test's
    # database set-up are ordinary synchronous Django code.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="fr-FR", base_url=live_server.url)
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()
