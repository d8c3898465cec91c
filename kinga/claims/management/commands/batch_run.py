"""`kinga batch-run --year 2026 --month 11 [--location CODE] [--enqueue]`: the monthly closing
(spec claims §5) of the products of a region or district (no --location: the national ones).

Without --enqueue the run is done in this process, with a progress line per range of claims.
With --enqueue it is handed to the worker (`kinga db_worker`) and its progress is followed here
(--no-wait: return at once).  A period already run is refused; a run left Queued or Running by a
killed worker is done again from the start.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from kinga.claims.models import BatchRun, BatchRunStatus
from kinga.claims.queries.batch import current_run
from kinga.claims.services.batch import execute_run, request_run
from kinga.claims.tasks import enqueue_run
from kinga.core.errors import Refused
from kinga.locations.models import Location


class Command(BaseCommand):
    help = "Close a month: relative prices, claims Valuated, capitation payments."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--month", type=int, required=True)
        parser.add_argument("--location", default="", help="Region or district code.")
        parser.add_argument("--enqueue", action="store_true", help="Run on the worker.")
        parser.add_argument("--no-wait", action="store_true", help="With --enqueue: no follow.")

    def handle(self, *args, year, month, location, enqueue, no_wait, **options):
        place = None
        if location:
            place = Location.objects.filter(
                code=location, type__in=["R", "D"], retired_at__isnull=True
            ).first()
            if place is None:
                raise CommandError(f"--location: no region or district with code {location!r}")
        existing = current_run(place.id if place else None, year, month)
        if existing is not None and existing.status != BatchRunStatus.DONE:
            self.stdout.write(f"Run {existing.uuid} left {existing.status}: doing it again.")
            run = existing
        else:
            try:
                run = request_run(None, place, year, month)
            except Refused as refused:
                raise CommandError(refused.message) from None
        if enqueue:
            enqueue_run(run)
            self.stdout.write(f"Run {run.uuid} queued for the worker.")
            if no_wait:
                return
            run = self._follow(run)
        else:
            run = execute_run(run.id, progress=self._line)
        self.stdout.write(
            f"{run.status}: {run.claims_closed} claims closed, {run.remunerated_total} remunerated."
        )
        if run.status == BatchRunStatus.FAILED:
            raise CommandError(run.error)

    def _line(self, done: int, total: int, message: str) -> None:
        self.stdout.write(message)
        self.stdout.flush()

    def _follow(self, run: BatchRun) -> BatchRun:
        last = None
        while True:
            run.refresh_from_db()
            if run.progress_message != last:
                last = run.progress_message
                self._line(run.progress_done, run.progress_total, last or run.status)
            if run.status in (BatchRunStatus.DONE, BatchRunStatus.FAILED):
                return run
            time.sleep(1)
