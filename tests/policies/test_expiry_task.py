"""The expiry job as a scheduled task: `schedule_expiry`, `kinga schedule-jobs` and a run of the
database worker (`kinga db_worker`)."""

import signal
from datetime import date, datetime, time, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from kinga.policies import tasks
from kinga.policies.models import PolicyStatus
from kinga.policies.services import policies as policy_services

from .conftest import make_family, make_product

pytestmark = pytest.mark.usefixtures("english")

DOUALA = ZoneInfo("Africa/Douala")
NOON = datetime(2026, 3, 15, 12, 0, tzinfo=DOUALA)


@pytest.fixture
def expiry_at_half_past_two(settings):
    settings.TIME_ZONE = "Africa/Douala"
    settings.KINGA_EXPIRY_TIME = "02:30"


@pytest.fixture
def run_worker(monkeypatch):
    """`kinga db_worker --batch`: runs the tasks that are due, then exits.

    The worker closes "old" connections between tasks; inside the test's transaction that would
    close the test's connection, so that call is a no-op here (Django's test client does the
    same).  The worker installs its own SIGINT/SIGTERM handlers: pytest's are put back."""
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    names = [n for n in ("SIGINT", "SIGTERM", "SIGQUIT") if hasattr(signal, n)]
    saved = {n: signal.getsignal(getattr(signal, n)) for n in names}

    def run():
        call_command(
            "db_worker", "--batch", "--no-startup-delay", "--no-reload", "-v0", stdout=StringIO()
        )

    yield run
    for n, handler in saved.items():
        signal.signal(getattr(signal, n), handler)


def pending():
    return list(tasks.pending_expiry_runs())


# --- when it runs ------------------------------------------------------------------------------


def test_the_next_run_is_today_before_the_time_and_tomorrow_after_it(expiry_at_half_past_two):
    at = time(2, 30)
    early = datetime(2026, 3, 15, 1, 0, tzinfo=DOUALA)
    assert tasks.next_run(early, at) == datetime(2026, 3, 15, 2, 30, tzinfo=DOUALA)
    assert tasks.next_run(NOON, at) == datetime(2026, 3, 16, 2, 30, tzinfo=DOUALA)
    on_time = datetime(2026, 3, 15, 2, 30, tzinfo=DOUALA)
    assert tasks.next_run(on_time, at) == datetime(2026, 3, 16, 2, 30, tzinfo=DOUALA)
    # Whatever the zone of `now` (the database's UTC), the time is the scheme's local time.
    utc_late = datetime(2026, 3, 15, 23, 0, tzinfo=ZoneInfo("UTC"))  # 00:00 in Douala
    assert tasks.next_run(utc_late, at) == datetime(2026, 3, 16, 2, 30, tzinfo=DOUALA)


def test_a_bad_expiry_time_setting_is_named(settings):
    settings.KINGA_EXPIRY_TIME = "quarter past midnight"
    with pytest.raises(ImproperlyConfigured, match="KINGA_EXPIRY_TIME"):
        tasks.expiry_time()


# --- scheduling --------------------------------------------------------------------------------


def test_schedule_expiry_enqueues_one_run_at_the_configured_time_tomorrow(
    db, expiry_at_half_past_two
):
    run_after, created = tasks.schedule_expiry(now=NOON)
    tomorrow = datetime(2026, 3, 16, 2, 30, tzinfo=DOUALA)
    assert (run_after, created) == (tomorrow, True)
    [run] = pending()
    assert run.run_after == tomorrow and timezone.is_aware(run.run_after)
    assert run.task_path == "kinga.policies.tasks.expire_policies_daily"

    assert tasks.schedule_expiry(now=NOON + timedelta(hours=1)) == (tomorrow, False)
    assert len(pending()) == 1


def test_kinga_schedule_jobs_is_idempotent(db, expiry_at_half_past_two):
    out = StringIO()
    call_command("schedule_jobs", stdout=out)
    [run] = pending()
    assert timezone.localtime(run.run_after).time() == time(2, 30)
    assert run.run_after > timezone.now()
    assert out.getvalue().startswith("expire-policies: scheduled for ")

    out = StringIO()
    call_command("schedule_jobs", stdout=out)
    assert out.getvalue().startswith("expire-policies: already scheduled for ")
    assert pending() == [run]


# --- a run of the worker -----------------------------------------------------------------------


@pytest.fixture
def policies(enrolment, mfoundi_clerk):
    """Two Active policies on the real clock (the worker runs today): one whose expiry date
    has passed (VIH_Test, 3 months, attached 100 days ago) and a current one (VIH_Soins)."""
    today = timezone.localdate()
    around_today = {
        "date_from": today - timedelta(days=400),
        "date_to": today + timedelta(days=400),
    }
    test = make_product("TST", programme=enrolment.vih, insurance_period=3, **around_today)
    care = make_product("SOI", programme=enrolment.vih, insurance_period=12, **around_today)
    enrolled = today - timedelta(days=100)
    other = make_family(enrolment.family.village, ("Alice", date(1990, 1, 1), None))

    class P:
        past = policy_services.policy_attach(
            actor=mfoundi_clerk,
            family=enrolment.family,
            product=test,
            enroll_date=enrolled,
            officer=enrolment.officer,
            today=enrolled,
        ).policy
        current = policy_services.policy_attach(
            actor=mfoundi_clerk,
            family=other,
            product=care,
            enroll_date=today,
            officer=enrolment.officer,
            today=today,
        ).policy

    assert P.past.status == P.current.status == PolicyStatus.ACTIVE
    assert P.past.expiry_date < today <= P.current.expiry_date
    return P


def test_a_run_expires_past_policies_with_history_and_enqueues_the_next_run(policies, run_worker):
    now = timezone.now()
    result = tasks.expire_policies_daily.using(run_after=now).enqueue()
    run_worker()

    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL and result.return_value == 1
    past, current = policies.past, policies.current
    past.refresh_from_db()
    current.refresh_from_db()
    assert past.status == PolicyStatus.EXPIRED
    assert current.status == PolicyStatus.ACTIVE
    latest = past.history.order_by("-history_id").first()
    # As `kinga expire-policies` writes it: no user, the reason "Expired".
    assert latest.status == PolicyStatus.EXPIRED and latest.history_type == "~"
    assert latest.history_user is None and latest.history_change_reason == "Expired"
    assert current.history.count() == 1

    [following] = pending()
    assert following.run_after == tasks.next_run(now, tasks.expiry_time())
    assert following.run_after > now
    assert timezone.localtime(following.run_after).time() == time(0, 15)


def test_a_run_leaves_a_waiting_run_alone(policies, run_worker):
    tasks.schedule_expiry()
    [waiting] = pending()
    tasks.expire_policies_daily.using(run_after=timezone.now()).enqueue()
    run_worker()

    policies.past.refresh_from_db()
    assert policies.past.status == PolicyStatus.EXPIRED
    assert pending() == [waiting]
    assert DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).count() == 1


def test_a_failed_run_still_enqueues_the_next_one(db, run_worker, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("database unreachable")

    monkeypatch.setattr(tasks, "expire_policies", broken)
    result = tasks.expire_policies_daily.enqueue()
    run_worker()

    result.refresh()
    assert result.status == TaskResultStatus.FAILED
    assert result.errors[0].exception_class is RuntimeError
    assert len(pending()) == 1
