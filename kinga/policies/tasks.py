"""The policies' background jobs (django-tasks, run by `kinga db_worker`).

`expire_policies_daily` is `kinga expire-policies` as a scheduled task: it enqueues its own
next run for tomorrow at `KINGA_EXPIRY_TIME` (local time), then expires the policies past their
expiry date.  `schedule_expiry` enqueues the first run; `kinga schedule-jobs` calls it (it is
listed in `SCHEDULES`).  There is never more than one pending run: a run that finds one already
waiting does not add another.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from .services.expiry import expire_policies

# Key of the PostgreSQL advisory lock that serialises "is a run pending? if not, enqueue one".
SCHEDULE_LOCK = 0x4B494E4741  # "KINGA"


def expiry_time() -> time:
    """The local time of the daily run: the setting `KINGA_EXPIRY_TIME` ("HH:MM")."""
    value = settings.KINGA_EXPIRY_TIME
    try:
        return time.fromisoformat(value)
    except (TypeError, ValueError):
        raise ImproperlyConfigured(
            f"KINGA_EXPIRY_TIME: not a time of day (HH:MM): {value!r}"
        ) from None


def next_run(now: datetime, at: time) -> datetime:
    """The first moment after `now` that is `at` o'clock in the scheme's time zone (aware)."""
    zone = timezone.get_default_timezone()
    local = now.astimezone(zone)
    run = datetime.combine(local.date(), at, tzinfo=zone)
    if run <= local:
        run = datetime.combine(local.date() + timedelta(days=1), at, tzinfo=zone)
    return run


@task()
def expire_policies_daily() -> int:
    """Enqueue tomorrow's run, then expire the policies past their expiry date (no actor on
    the history rows, as the command does).  Returns how many policies were expired."""
    # Tomorrow's run first: a run that fails or is killed half-way (reboot, out of memory)
    # must not end the chain.  This run is no longer pending (it is running), so it is not
    # counted as the pending one.
    schedule_expiry()
    return expire_policies()


def pending_expiry_runs():
    """The runs of `expire_policies_daily` waiting for the worker (not the one running)."""
    return DBTaskResult.objects.filter(
        task_path=expire_policies_daily.module_path,
        backend_name=expire_policies_daily.backend,
        status=TaskResultStatus.READY,
    )


def schedule_expiry(*, now: datetime | None = None) -> tuple[datetime, bool]:
    """Enqueue a run of `expire_policies_daily` at the next `KINGA_EXPIRY_TIME` unless one is
    already pending.  Returns when the pending run is due and whether this call enqueued it."""
    at = expiry_time()
    # Race: a run rescheduling itself and `kinga schedule-jobs` (or two of them at once) could
    # both find no pending run and both enqueue one.  The check and the insert run under one
    # lock: SQLite's exclusive transaction, PostgreSQL's advisory lock.
    with exclusive_transaction():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SCHEDULE_LOCK])
        pending = pending_expiry_runs().order_by("run_after").first()
        if pending is not None:
            return pending.run_after, False
        run_after = next_run(now or timezone.now(), at)
        expire_policies_daily.using(run_after=run_after).enqueue()
        return run_after, True


# The first runs `kinga schedule-jobs` enqueues: (job name, function as `schedule_expiry`).
SCHEDULES = [("expire-policies", schedule_expiry)]
