"""Simultaneous requests for the race tests (PostgreSQL only: SQLite has one writer).

`post_together(user, url, data)` sends the same POST from `n` threads released together, each
with its own test client, logged-in session and database connection, and gives back the
responses (a view's exception is turned into a 500, as a real server would answer)."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import translation

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent transactions need PostgreSQL (SQLite has one writer)",
)

THREADS = 8


def post_together(user, url: str, data: dict, n: int = THREADS, language: str = "en") -> list:
    """The responses of `n` simultaneous POSTs of `data` to `url` by `user`."""
    barrier = threading.Barrier(n)
    responses: list = [None] * n

    def run(i: int) -> None:
        translation.activate(language)  # the language is the thread's own
        try:
            client = Client(raise_request_exception=False)
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
            client.force_login(user)
            barrier.wait()
            responses[i] = client.post(url, data)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return responses


def one_created(responses, message: str) -> None:
    """Exactly one request created the record (a redirect); every other one got the page back
    with `message`, never a 5xx."""
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] * (len(responses) - 1) + [302], codes
    for response in responses:
        if response.status_code == 200:
            assert message in response.content.decode()


def race(*calls) -> list:
    """Run service `calls` in threads released together; each outcome is ("ok", value),
    ("refused", Refused) or ("error", exception) — a deadlock or a database error is the
    failure the race tests look for."""
    from kinga.core.errors import Refused

    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(i, call):
        translation.activate("en")  # the language is the thread's own
        try:
            barrier.wait()
            outcomes[i] = ("ok", call())
        except Refused as refused:
            outcomes[i] = ("refused", refused)
        except Exception as error:  # noqa: BLE001 — a deadlock, a database error: the failure
            outcomes[i] = ("error", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes
