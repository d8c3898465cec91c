"""The migrations apply from scratch on the database under test and match the models (the
suite's own databases are built from the models: see tests/scratch.py)."""

from __future__ import annotations

from .scratch import run_django

# `makemigrations --check` exits 1 when a model change has no migration.
SCRIPT = """
from django.core.management import call_command

call_command("migrate", interactive=False, verbosity=0)
call_command("makemigrations", check=True, dry_run=True)
"""


def test_the_migrations_build_an_empty_database_and_match_the_models(
    scratch_database_url, tmp_path
):
    done = run_django(scratch_database_url, tmp_path, SCRIPT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No changes detected" in done.stdout
