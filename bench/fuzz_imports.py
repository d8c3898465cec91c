"""Issue 11, item 4: a schemathesis-style pass over the JSON imports — N generated JSON files
per register, each POSTed to its real upload page (Outils › Import, `transfer_import`) through
Django's test client (the whole request: middleware, form, reader, checks, bulk writes), as the
IMIS administrator, with a random strategy and dry run or not.  Reports the number of requests,
of 5xx (with the first traceback of each kind of failure) and of refusals after which a record
had been written anyway.  Not in CI: the suite runs a bounded version
(tests/core/test_transfer_fuzz.py).

    .venv/bin/python bench/fuzz_imports.py [N] [--csv] [--xlsx]    # N per register (100)

The files come from tests/import_fuzz.py (hypothesis strategies).  It runs on a scratch
PostgreSQL database of its own, `kinga_fuzz` (dropped and created again on each run, with the
small world of the tests: Centre and Littoral, their districts, municipalities and villages, a
hospital), unless DATABASE_URL says otherwise.  `--csv` and `--xlsx` fuzz the CSV and Excel
imports too.
"""

from __future__ import annotations

import logging
import os
import sys
import time
import traceback
from collections import Counter

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kinga_fuzz")

from _setup import setup  # noqa: E402


def drop_scratch() -> None:
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(os.environ["DATABASE_URL"])
    if "postgresql" not in cfg["ENGINE"] or cfg["NAME"] != "kinga_fuzz":
        return
    with psycopg.connect(
        host=cfg["HOST"] or "127.0.0.1",
        port=cfg["PORT"] or 5432,
        user=cfg["USER"],
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute('DROP DATABASE IF EXISTS "kinga_fuzz" WITH (FORCE)')


def make_world():
    from tests.factories import make_facility, make_location, make_user

    centre = make_location("CE", "Centre", "R")
    mfoundi = make_location("MFO", "Mfoundi", "D", centre)
    yaounde1 = make_location("YDE1", "Yaoundé I", "W", mfoundi)
    make_location("NLK", "Nlongkak", "V", yaounde1, male_population=1200)
    lekie = make_location("LEK", "Lekié", "D", centre)
    obala = make_location("OBA", "Obala", "W", lekie)
    make_location("NKP", "Nkolpoblo", "V", obala)
    littoral = make_location("LT", "Littoral", "R")
    wouri = make_location("WOU", "Wouri", "D", littoral)
    douala1 = make_location("DLA1", "Douala I", "W", wouri)
    make_location("AKW", "Akwa", "V", douala1)
    admin = make_user("fuzz.admin", roles=["imis_admin"])
    make_facility(admin, mfoundi)
    return admin


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 100
    formats = ["json"] + [f for f in ("csv", "xlsx") if f"--{f}" in sys.argv]
    drop_scratch()
    setup()
    from django.test import Client
    from django.test.utils import setup_test_environment
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import strategies as st

    from kinga.core import transfer
    from tests.import_fuzz import (
        csv_document,
        is_refusal,
        json_document,
        post_import,
        record_counts,
        xlsx_document,
    )

    setup_test_environment()  # the test client's "testserver" host
    # The 422s of rejected rows are expected by the hundred; a 500 is still logged (ERROR).
    logging.getLogger("django.request").setLevel(logging.ERROR)
    admin = make_world()
    client = Client(raise_request_exception=False)
    client.force_login(admin)

    requests: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    writes_on_refusal: Counter[str] = Counter()
    imported: Counter[str] = Counter()  # files that were imported (something written)
    first_failure: dict[str, str] = {}
    started = time.perf_counter()

    def fuzz(key: str, kind, fmt: str) -> None:
        strategy_of = {"json": json_document, "csv": csv_document, "xlsx": xlsx_document}[fmt]
        where = f"{key}/{fmt}"

        @settings(
            max_examples=n,
            deadline=None,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(
            body=strategy_of(kind),
            strategy=st.sampled_from(transfer.STRATEGIES),
            dry_run=st.booleans(),
        )
        def send(body, strategy, dry_run):
            before = record_counts()
            try:
                response = post_import(client, kind, fmt, body, strategy, dry_run)
                status = response.status_code
            except Exception:  # the client raising instead of answering: count it as 5xx
                response, status = None, 500
                first_failure.setdefault(where, traceback.format_exc())
            requests[where] += 1
            if status >= 500:
                errors[where] += 1
                first_failure.setdefault(where, f"status {status}: {body[:300]!r}")
                return
            changed = record_counts() != before
            if (dry_run or is_refusal(response)) and changed:
                writes_on_refusal[where] += 1
            elif changed:
                imported[where] += 1

        send()
        print(
            f"{key:22} {fmt:4} {requests[where]:5} requests, {errors[where]} 5xx, "
            f"{imported[where]} imported, {writes_on_refusal[where]} written on refusal",
            flush=True,
        )

    for key in sorted(transfer.KINDS):
        for fmt in formats:
            fuzz(key, transfer.KINDS[key], fmt)

    seconds = time.perf_counter() - started
    print(
        f"\n{sum(requests.values())} requests in {seconds:.0f} s: {sum(errors.values())} 5xx, "
        f"{sum(imported.values())} imported, "
        f"{sum(writes_on_refusal.values())} refusals that wrote something"
    )
    for where, failure in first_failure.items():
        print(f"\n--- {where}\n{failure}")
    sys.exit(1 if errors or writes_on_refusal else 0)


if __name__ == "__main__":
    main()
