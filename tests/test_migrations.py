"""The migrations apply from scratch on the database under test and match the models.

The suite builds its test databases straight from the models (`--nomigrations` in pyproject.toml:
each xdist worker would otherwise replay every migration); this is the test that runs them, as
`kinga migrate` does on a new installation, in a scratch database of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


# One Django start-up for both commands: `makemigrations --check` exits 1 when a model change
# has no migration.
SCRIPT = """
import django
from django.core.management import call_command

django.setup()
call_command("migrate", interactive=False, verbosity=0)
call_command("makemigrations", check=True, dry_run=True)
"""


def migrate_then_check(database_url: str, var_dir: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kinga.settings",
        "DATABASE_URL": database_url,
        "KINGA_VAR_DIR": str(var_dir),
    }
    return subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True
    )


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


def test_the_migrations_build_an_empty_database_and_match_the_models(
    scratch_database_url, tmp_path
):
    done = migrate_then_check(scratch_database_url, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No changes detected" in done.stdout
