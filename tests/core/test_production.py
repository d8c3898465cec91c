"""Ready for production: no start without a secret key when debug is off, and `kinga serve`
(gunicorn + WhiteNoise) answering over real HTTP.  Each test runs `python -m kinga` in a
subprocess from the repository's root, with its own environment and var/ folder."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, **headers) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def start_server(tmp_path, **variables) -> tuple[subprocess.Popen, str]:
    """`kinga serve` with one worker on a free port, debug off, an empty SQLite database (the
    pages asked here need none), answering."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "kinga", "serve", "--workers", "1", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=kinga_env(tmp_path, KINGA_SECRET_KEY="k" * 50, **variables),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 15
    while True:
        try:
            urllib.request.urlopen(f"{base}/login/", timeout=1).close()
            return process, base
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"kinga serve did not answer:\n{process.communicate()[0]}")
            time.sleep(0.1)


def stop_server(process: subprocess.Popen) -> str:
    process.send_signal(signal.SIGTERM)  # gunicorn stops its workers and exits
    try:
        return process.communicate(timeout=10)[0]
    except subprocess.TimeoutExpired:
        process.kill()
        return process.communicate()[0]


def test_kinga_serve_answers_over_http_with_gunicorn_and_whitenoise(tmp_path):
    process, base = start_server(tmp_path)
    try:
        status, html = get(f"{base}/login/")
        assert status == 200
        assert '<html lang="fr">' in html
        # Static files come from WhiteNoise with debug off, without collectstatic.
        assert 'href="/static/kinga/kinga.css"' in html
        status, css = get(f"{base}/static/kinga/kinga.css")
        assert status == 200 and css
        # A missing page is Kinga's, in the visitor's language.
        status, html = get(f"{base}/no-such-page/", Cookie="kinga_language=en")
        assert status == 404
        assert "<h1>Page not found</h1>" in html
    finally:
        output = stop_server(process)
    assert "Starting gunicorn" in output and "Booting worker" in output


def test_with_collected_static_files_pages_link_compressed_copies_with_hashed_names(tmp_path):
    static = tmp_path / "static"
    collected = run_kinga(
        tmp_path,
        "collectstatic",
        "--noinput",
        KINGA_SECRET_KEY="k" * 50,
        KINGA_STATIC_ROOT=str(static),
    )
    assert collected.returncode == 0, collected.stderr
    process, base = start_server(tmp_path, KINGA_STATIC_ROOT=str(static))
    try:
        html = get(f"{base}/login/")[1]
        css = re.search(r'href="(/static/kinga/kinga\.[0-9a-f]{12}\.css)"', html).group(1)
        request = urllib.request.Request(base + css, headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 200
            assert response.headers["Content-Encoding"] == "gzip"
            assert "immutable" in response.headers["Cache-Control"]
    finally:
        stop_server(process)


def test_kinga_serve_refuses_to_start_before_the_static_files_are_collected(tmp_path):
    done = run_kinga(
        tmp_path, "serve", KINGA_SECRET_KEY="k" * 50, KINGA_STATIC_ROOT=str(tmp_path / "static")
    )
    assert done.returncode != 0
    assert "run `kinga collectstatic --noinput` first" in done.stderr
    assert "Traceback" not in done.stderr


def test_check_deploy_is_clean_on_a_production_configuration(tmp_path):
    """Debug off, a secret key, HTTPS behind the proxy: Django's deployment checks find
    nothing (`--fail-level WARNING` fails on any warning)."""
    done = run_kinga(
        tmp_path,
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        KINGA_SECRET_KEY="a-production-key-" + "x9Q#" * 15,
        KINGA_HTTPS="1",
        KINGA_ALLOWED_HOSTS="kinga.example.org",
    )
    assert done.returncode == 0, done.stderr + done.stdout
    assert "no issues" in done.stdout
    assert "WARNINGS" not in done.stderr + done.stdout


def test_check_deploy_names_what_a_configuration_without_https_lacks(tmp_path):
    done = run_kinga(
        tmp_path,
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        KINGA_SECRET_KEY="a-production-key-" + "x9Q#" * 15,
    )
    assert done.returncode != 0
    assert "SESSION_COOKIE_SECURE" in done.stderr + done.stdout
