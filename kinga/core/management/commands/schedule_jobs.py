"""`kinga schedule-jobs`: enqueue the first run of every recurring background job.

Run it once after an install or an upgrade; `kinga db_worker` then runs the jobs and each run
enqueues the next.  Idempotent: a job that already has a run waiting is left as it is.

The jobs are found like Django finds `admin.py`: each app's `tasks` module may list them in
`SCHEDULES`, as (name, function) pairs; the function enqueues the job's first run unless one is
pending and returns (when it runs, whether it was enqueued now).
"""

from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.module_loading import module_has_submodule


def schedules():
    for app in apps.get_app_configs():
        if app.name.startswith("kinga.") and module_has_submodule(app.module, "tasks"):
            yield from getattr(import_module(f"{app.name}.tasks"), "SCHEDULES", [])


class Command(BaseCommand):
    help = "Enqueue the first run of each recurring job (idempotent); `kinga db_worker` runs them."

    def handle(self, *args, **options):
        for name, schedule in schedules():
            run_after, created = schedule()
            when = timezone.localtime(run_after).strftime("%Y-%m-%d %H:%M %Z")
            state = "scheduled" if created else "already scheduled"
            self.stdout.write(f"{name}: {state} for {when}.")
