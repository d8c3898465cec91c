"""Eight administrators press « Save » at the same moment, on PostgreSQL (issue 11, item 5):
logins that differ only in case, or roles of one name, give one record, and the other pages
say the name is taken — never a duplicate, never a 500.

Each request runs in its own thread (its own database connection and test client), the
threads released together by a barrier (the pattern of tests/policies/test_races.py)."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connection
from django.db.models.functions import Lower
from django.test import Client
from django.urls import reverse

from kinga.core.models import Role, User

from ..conftest import make_user, system_role

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent transactions need PostgreSQL (SQLite has one writer)",
    ),
    pytest.mark.django_db(transaction=True),
]

N = 8


def post_together(user: User, url: str, forms: list[dict]) -> list:
    """POST each form from its own thread, all released at once; each outcome is the response
    or the exception the request raised."""
    barrier = threading.Barrier(len(forms))
    outcomes: list = [None] * len(forms)

    def run(i: int, data: dict) -> None:
        client = Client()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        client.force_login(user)
        try:
            barrier.wait()
            outcomes[i] = client.post(url, data)
        except Exception as error:  # noqa: BLE001 — a database error: the failure
            outcomes[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, f)) for i, f in enumerate(forms)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def one_saved(outcomes, message: str) -> None:
    errors = [o for o in outcomes if isinstance(o, Exception) or o.status_code >= 500]
    assert not errors, errors
    saved = [o for o in outcomes if o.status_code == 302]
    refused = [o for o in outcomes if o.status_code == 200]
    assert len(saved) == 1, [o.status_code for o in outcomes]
    assert len(refused) == N - 1
    for response in refused:
        assert message in response.content.decode()


def _case_variants(word: str) -> list[str]:
    variants = []
    for n in range(N):
        variants.append(
            "".join(c.upper() if (n >> i) & 1 else c for i, c in enumerate(word)) or word
        )
    return variants


def test_eight_logins_differing_only_in_case_give_one_user(imis_admin, world):
    names = _case_variants("racer.one")
    assert len(set(names)) == N
    forms = [
        {
            "username": name,
            "last_name": "Racer",
            "other_names": "Paul",
            "language": "fr",
            "roles": [system_role(8).pk],
            "districts": [world.mfoundi.pk],
        }
        for name in names
    ]
    outcomes = post_together(imis_admin, reverse("users:create"), forms)
    one_saved(outcomes, "A user with this login name already exists")
    assert User.objects.annotate(low=Lower("username")).filter(low="racer.one").count() == 1


def test_eight_roles_of_one_name_give_one_role(imis_admin):
    names = _case_variants("racers")
    forms = [{"name": name, "rights": [101001]} for name in names]
    outcomes = post_together(imis_admin, reverse("roles:create"), forms)
    one_saved(outcomes, "A role with this name already exists")
    assert Role.objects.annotate(low=Lower("name")).filter(low="racers").count() == 1


def test_renaming_eight_users_to_one_login_gives_it_to_one(imis_admin, world):
    users = [make_user(f"renamed{i}", roles=["clerk"], districts=[world.mfoundi]) for i in range(N)]
    names = _case_variants("samename")
    barrier = threading.Barrier(N)
    outcomes: list = [None] * N

    def run(i: int) -> None:
        client = Client()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        client.force_login(imis_admin)
        url = reverse("users:edit", kwargs={"uuid": users[i].uuid})
        data = {
            "username": names[i],
            "last_name": "Renamed",
            "other_names": "Paul",
            "language": "fr",
            "roles": [system_role(8).pk],
            "districts": [world.mfoundi.pk],
        }
        try:
            barrier.wait()
            outcomes[i] = client.post(url, data)
        except Exception as error:  # noqa: BLE001
            outcomes[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    one_saved(outcomes, "A user with this login name already exists")
    assert User.objects.annotate(low=Lower("username")).filter(low="samename").count() == 1
