"""The test world: a small location tree, the system roles and a named cast of users.

Centre (R CE)                      Littoral (R LT)
├── Mfoundi (D MFO)                └── Wouri (D WOU)
│   └── Yaoundé I (W YDE1)             └── Douala I (W DLA1)
│       └── Nlongkak (V NLK)               └── Akwa (V AKW)
└── Lekié (D LEK)
    └── Obala (W OBA)
        └── Nkolpoblo (V NKP)
"""

from __future__ import annotations

import itertools
import os
import shutil

import pytest

from kinga.core.models import Role, User
from kinga.core.rights import IMIS_ADMIN_BIT
from kinga.locations.models import Location

PASSWORD = "Kinga#Test2026"
_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests create many users: a cheap hasher keeps the suite fast (production keeps PBKDF2)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def english(client):
    """For tests that read English messages (pages default to French): the client's language
    cookie and the active language of service calls are English."""
    from django.conf import settings
    from django.utils import translation

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def make_location(
    code: str, name: str, type_: str, parent: Location | None = None, **fields
) -> Location:
    return Location.objects.create(code=code, name=name, type=type_, parent=parent, **fields)


def system_role(bit: int) -> Role:
    return Role.objects.get(is_system=bit, retired_at__isnull=True)


ROLE_BITS = {
    "enrolment_officer": 1,
    "manager": 2,
    "accountant": 4,
    "clerk": 8,
    "medical_officer": 16,
    "scheme_admin": 32,
    "imis_admin": IMIS_ADMIN_BIT,
    "receptionist": 128,
    "claim_admin": 256,
    "claim_contributor": 512,
    "hf_admin": 524288,
    "offline_admin": 1048576,
}


def make_user(
    username: str | None = None, *, roles=(), districts=(), password: str = PASSWORD, **fields
) -> User:
    username = username or f"user{next(_seq)}"
    fields.setdefault("last_name", username.title())
    fields.setdefault("other_names", "Test")
    user = User.objects.create_user(username, password, **fields)
    role_objs = [system_role(ROLE_BITS[r]) if isinstance(r, str) else r for r in roles]
    user.roles.set(role_objs)
    user.districts.set(districts)
    return user


@pytest.fixture
def world(db):
    """The location tree above, as a namespace of attributes."""

    class W:
        pass

    w = W()
    w.centre = make_location("CE", "Centre", "R")
    w.mfoundi = make_location("MFO", "Mfoundi", "D", w.centre)
    w.yaounde1 = make_location("YDE1", "Yaoundé I", "W", w.mfoundi)
    w.nlongkak = make_location(
        "NLK", "Nlongkak", "V", w.yaounde1, male_population=1200, female_population=1300
    )
    w.lekie = make_location("LEK", "Lekié", "D", w.centre)
    w.obala = make_location("OBA", "Obala", "W", w.lekie)
    w.nkolpoblo = make_location("NKP", "Nkolpoblo", "V", w.obala)
    w.littoral = make_location("LT", "Littoral", "R")
    w.wouri = make_location("WOU", "Wouri", "D", w.littoral)
    w.douala1 = make_location("DLA1", "Douala I", "W", w.wouri)
    w.akwa = make_location("AKW", "Akwa", "V", w.douala1)
    return w


@pytest.fixture
def imis_admin(world):
    return make_user("admin.imis", roles=["imis_admin"])


@pytest.fixture
def mfoundi_clerk(world):
    return make_user("clerk.mfoundi", roles=["clerk"], districts=[world.mfoundi])


@pytest.fixture
def other_district_clerk(world):
    return make_user("clerk.wouri", roles=["clerk"], districts=[world.wouri])


@pytest.fixture
def mfoundi_location_admin(world):
    """A user with the locations rights but only the Mfoundi district (not an IMIS admin)."""
    role = Role.objects.create(
        name="District locations", rights=[121901, 121902, 121903, 121904, 121905, 131005, 131006]
    )
    return make_user("loc.mfoundi", roles=[role], districts=[world.mfoundi])


@pytest.fixture
def scheme_admin(world):
    return make_user("scheme.admin", roles=["scheme_admin"], districts=[world.mfoundi, world.lekie])


@pytest.fixture
def hf_admin(world):
    return make_user("hf.admin", roles=["hf_admin"], districts=[world.mfoundi])


def login(client, user: User):
    client.force_login(user)
    return client


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
