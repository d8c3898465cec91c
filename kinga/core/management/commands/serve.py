"""`kinga serve`: the production web server.

gunicorn with KINGA_WORKERS sync worker processes (default 2) listening on KINGA_BIND (default
127.0.0.1:8000); WhiteNoise (a middleware) serves the static files.  The application is loaded
once in the master process before the workers are forked, so that they share its memory pages.
Put it behind a reverse proxy that buffers slow clients (nginx, Caddy) and terminates HTTPS;
`kinga db_worker` runs the background jobs beside it (README, Production).
"""

from __future__ import annotations

import gc

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from gunicorn.app.base import BaseApplication


class Command(BaseCommand):
    help = "Serve Kinga with gunicorn (KINGA_WORKERS workers on KINGA_BIND) and WhiteNoise."

    def add_arguments(self, parser):
        parser.add_argument(
            "--bind", help=f"address:port (default KINGA_BIND, {settings.KINGA_BIND})"
        )
        parser.add_argument(
            "--workers",
            type=int,
            help=f"worker processes (default KINGA_WORKERS, {settings.KINGA_WORKERS})",
        )

    def handle(self, *args, **options):
        if (
            settings.KINGA_STATIC_COLLECTED
            and not (settings.STATIC_ROOT / "staticfiles.json").is_file()
        ):
            raise CommandError(
                f"no collected static files in {settings.STATIC_ROOT} (KINGA_STATIC_ROOT): "
                "run `kinga collectstatic --noinput` first"
            )
        config = {
            "bind": options["bind"] or settings.KINGA_BIND,
            "workers": options["workers"] or settings.KINGA_WORKERS,
            "worker_class": "sync",
            # Imports of register files run in the request: longer than gunicorn's 30 s default.
            "timeout": settings.KINGA_WORKER_TIMEOUT,
            "preload_app": True,
            "proc_name": "kinga",
            "errorlog": "-",
            # gunicorn's runtime control socket is one path per user ($HOME/.gunicorn): a second
            # instance would take it over.  Signals still work (HUP reloads, TERM stops).
            "control_socket_disable": True,
        }
        KingaServer(config).run()


class KingaServer(BaseApplication):
    """gunicorn run from Python, configured from Kinga's settings instead of its command line."""

    def __init__(self, config: dict):
        self.config = config
        super().__init__()

    def load_config(self):
        for key, value in self.config.items():
            self.cfg.set(key, value)

    def load(self):
        from kinga.wsgi import application

        # The workers are forked from this process: none may inherit a database connection.
        connections.close_all()
        # What is loaded now lives as long as the process: moved out of the garbage collector's
        # reach, it is neither scanned at each collection (pauses in the workers' requests) nor
        # copied into each worker when the collector touches it (Python's gc.freeze advice).
        gc.collect()
        gc.freeze()
        return application
