"""A scratch database beside the test database, and Django run in a subprocess against it.

The suite builds its test databases from the models (`--nomigrations` in pyproject.toml: each
xdist worker would otherwise replay every migration), so the tests of the migrations themselves
run `kinga`'s Django in a subprocess on an empty database of the same kind."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def scratch_database_url(django_db_setup, tmp_path):
    """An empty database of the kind the suite runs on (SQLite or PostgreSQL), named after this
    worker's test database."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'kinga.sqlite3'}"
        return
    import psycopg

    s = connection.settings_dict
    name = f"{s['NAME']}_migrations"  # beside this worker's test database
    server = {"host": s["HOST"], "port": s["PORT"] or None, "user": s["USER"]}
    server["password"] = s["PASSWORD"] or None
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    login = quote(s["USER"]) + (f":{quote(s['PASSWORD'])}" if s["PASSWORD"] else "")
    yield f"postgres://{login}@{s['HOST']}:{s['PORT'] or 5432}/{name}"
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_django(database_url: str, var_dir: Path, script: str) -> subprocess.CompletedProcess:
    """`script` (Python, after `django.setup()`) run with kinga's settings on `database_url`."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kinga.settings",
        "DATABASE_URL": database_url,
        "KINGA_VAR_DIR": str(var_dir),
    }
    code = "import django\ndjango.setup()\n" + script
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
