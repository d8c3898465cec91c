"""A fuzz test of every import through the real upload page (issue 11, item 4): generated JSON
and CSV files (tests/import_fuzz.py) sent to Outils › Import of every register, as the IMIS
administrator.  Whatever the file: no 5xx, and when the page refuses it (a message on the file,
or a report of rejected rows) no record and no history row is written.

Bounded (a few examples per register and format) so the suite stays fast; bench/fuzz_imports.py
runs the long pass.  On SQLite and PostgreSQL (which refuses NUL characters and out-of-range
numbers that SQLite stores)."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kinga.core import transfer

from ..conftest import login
from ..import_fuzz import (
    csv_document,
    is_refusal,
    json_document,
    post_import,
    record_counts,
    xlsx_document,
)

# KINGA_FUZZ_EXAMPLES=200 for a longer run by hand.
FUZZ = settings(
    max_examples=int(os.environ.get("KINGA_FUZZ_EXAMPLES", "12")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
KEYS = sorted(transfer.KINDS)


@pytest.fixture
def admin(client, world, hcy, imis_admin):
    login(client, imis_admin)
    return imis_admin


def check(client, kind, fmt: str, body: bytes, strategy: str, dry_run: bool) -> None:
    before = record_counts()
    response = post_import(client, kind, fmt, body, strategy, dry_run)
    assert response.status_code < 500
    assert response.status_code in (200, 422), response.status_code
    if dry_run or is_refusal(response):
        assert record_counts() == before


def test_every_register_is_fuzzed():
    assert len(KEYS) >= 11


@pytest.mark.parametrize("key", KEYS)
def test_a_generated_json_file_never_fails_the_import_page(client, admin, key):
    kind = transfer.KINDS[key]

    @FUZZ
    @given(
        body=json_document(kind),
        strategy=st.sampled_from(transfer.STRATEGIES),
        dry_run=st.booleans(),
    )
    def run(body, strategy, dry_run):
        check(client, kind, "json", body, strategy, dry_run)

    run()


@pytest.mark.parametrize("key", KEYS)
def test_a_generated_csv_file_never_fails_the_import_page(client, admin, key):
    kind = transfer.KINDS[key]

    @FUZZ
    @given(
        body=csv_document(kind),
        strategy=st.sampled_from(transfer.STRATEGIES),
        dry_run=st.booleans(),
    )
    def run(body, strategy, dry_run):
        check(client, kind, "csv", body, strategy, dry_run)

    run()


@pytest.mark.parametrize("key", ["payers", "items", "locations"])
def test_a_generated_spreadsheet_never_fails_the_import_page(client, admin, key):
    kind = transfer.KINDS[key]

    @FUZZ
    @given(body=xlsx_document(kind), strategy=st.sampled_from(transfer.STRATEGIES))
    def run(body, strategy):
        check(client, kind, "xlsx", body, strategy, False)

    run()
