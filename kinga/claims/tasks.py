"""The claims' background jobs (django-tasks, run by `kinga db_worker`).

`run_batch(run_id)` does one batch run (kinga.claims.services.batch.execute_run): the run's page
and `kinga batch-run --enqueue` follow its progress in the BatchRun row.  A worker killed
half-way leaves the claims as they were (the run is one transaction); enqueueing the same run
again (`kinga batch-run` for the same period) does it from the start.
"""

from __future__ import annotations

from django_tasks import task

from .models import BatchRun
from .services.batch import execute_run


@task()
def run_batch(run_id: int) -> dict:
    run = execute_run(run_id)
    return {"status": run.status, "claims_closed": run.claims_closed}


def enqueue_run(run: BatchRun) -> BatchRun:
    """Hand the run to the worker and note the job's id on the run."""
    result = run_batch.enqueue(run.id)
    run.task_id = str(result.id)
    BatchRun.objects.filter(id=run.id).update(task_id=run.task_id)
    return run
