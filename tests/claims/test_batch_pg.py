"""The batch run on PostgreSQL, as the accountant would meet it: a worker killed half-way through
a run changes nothing and the run done again gives one complete result; two runs of the same
period asked at once value each claim once (one is refused); reopening restores the state before
the run exactly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from kinga.claims.codes import ClaimStatus
from kinga.claims.models import BatchRun, BatchRunClaim, BatchRunStatus, Claim
from kinga.claims.services import batch as service
from kinga.claims.tasks import enqueue_run
from kinga.core.models import User

from ..races import race
from .batch_helpers import at, contribute, processed_claim, relative_product, snapshot

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="a killed worker and concurrent runs need PostgreSQL",
    ),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("english"),
]

ROOT = Path(__file__).resolve().parents[2]
CLAIMS = 12


@pytest.fixture
def january(care, world):
    product = relative_product(care, world, share=90)
    contribute(product.policy, 12000, date(2026, 1, 1))
    claims = [
        processed_claim(care, product, [("R", 100 + n), ("P", 50)], processed=at(date(2026, 1, 5)))
        for n in range(CLAIMS)
    ]
    return product, claims


def _database_url() -> str:
    s = connection.settings_dict
    host, port = s.get("HOST") or "127.0.0.1", s.get("PORT") or 5432
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{host}:{port}/{s['NAME']}"


def _wait_for(condition, seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_a_worker_killed_half_way_leaves_nothing_and_the_run_again_is_complete(january, world):
    before = snapshot()
    run = service.request_run(None, world.mfoundi, 2026, 1)
    enqueue_run(run)
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "KINGA_DEBUG": "1",
        "KINGA_BATCH_CHUNK": "2",  # six ranges of two claims
        "KINGA_BATCH_CHUNK_SLEEP": "2",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "kinga", "db_worker", "--batch", "--no-startup-delay"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # Half-way: some ranges done (their progress is visible outside the run's transaction).
        _wait_for(lambda: BatchRun.objects.get(id=run.id).progress_done >= 4)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
    run.refresh_from_db()
    assert run.status == BatchRunStatus.RUNNING
    # Nothing of the run's work is left: the claims and lines are as before.
    _wait_for(lambda: snapshot() == before, 20)
    assert not BatchRunClaim.objects.exists()

    # Run the period again (the command finds the run left Running and does it again).
    call_command("batch_run", year=2026, month=1, location="MFO", stdout=open(os.devnull, "w"))
    run.refresh_from_db()
    assert run.status == BatchRunStatus.DONE
    assert BatchRun.objects.count() == 1
    assert run.claims_closed == CLAIMS
    assert BatchRunClaim.objects.filter(run=run).count() == CLAIMS
    assert Claim.objects.filter(status=ClaimStatus.VALUATED, batch_run=run).count() == CLAIMS


def test_two_runs_of_the_same_period_at_once_value_each_claim_once(accountant, january, world):
    def go():
        return service.batch_run(User.objects.get(pk=accountant.pk), world.mfoundi, 2026, 1)

    outcomes = race(go, go)
    kinds = sorted(kind for kind, _ in outcomes)
    assert kinds == ["ok", "refused"], outcomes
    run = next(value for kind, value in outcomes if kind == "ok")
    assert BatchRun.objects.count() == 1
    assert BatchRunClaim.objects.filter(run=run).count() == CLAIMS
    product, claims = january
    for claim in claims:
        claim.refresh_from_db()
        assert claim.status == ClaimStatus.VALUATED and claim.batch_run_id == run.id


def test_reopening_restores_the_state_before_the_run_exactly(accountant, care, january, world):
    product, claims = january
    # Claims the run must not touch: next month's, an already Valuated one, a rejected line.
    processed_claim(care, product, [("R", 70)], processed=at(date(2026, 2, 1), 0))
    processed_claim(
        care, product, [("P", 30)], processed=at(date(2026, 1, 9)), status=ClaimStatus.VALUATED
    )
    before = snapshot()
    run = service.batch_run(accountant, world.mfoundi, 2026, 1)
    assert snapshot() != before
    service.batch_reopen(run, accountant)
    assert snapshot() == before
    again = service.batch_run(accountant, world.mfoundi, 2026, 1)
    assert again.claims_closed == CLAIMS
