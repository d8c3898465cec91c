"""Ready for production: no start without a secret key when debug is off.  Each test runs
`python -m kinga` in a subprocess from the repository's root, with its own environment and var/
folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def kinga_env(tmp_path, **variables) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KINGA_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)
    env.update(KINGA_VAR_DIR=str(tmp_path / "var"), **variables)
    return env


def run_kinga(tmp_path, *args, **variables) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kinga", *args],
        cwd=ROOT,
        env=kinga_env(tmp_path, **variables),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_with_debug_off_and_no_secret_key_kinga_refuses_to_start_in_one_line(tmp_path):
    done = run_kinga(tmp_path, "check", KINGA_DEBUG="0")
    assert done.returncode != 0
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("kinga: KINGA_SECRET_KEY is not set")
    assert "Traceback" not in done.stderr


def test_debug_is_off_when_kinga_debug_is_not_set(tmp_path):
    done = run_kinga(tmp_path, "check")
    assert done.returncode != 0
    assert "KINGA_SECRET_KEY is not set" in done.stderr


def test_the_wsgi_entry_point_refuses_too(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", "import kinga.wsgi"],
        cwd=ROOT,
        env=kinga_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert done.stderr.strip().startswith("kinga: KINGA_SECRET_KEY is not set")


def test_with_a_secret_key_or_with_debug_on_kinga_starts(tmp_path):
    assert run_kinga(tmp_path, "check", KINGA_SECRET_KEY="k" * 50).returncode == 0
    assert run_kinga(tmp_path, "check", KINGA_DEBUG="1").returncode == 0
