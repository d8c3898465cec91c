"""Issue 10, item 8: the memory of `kinga serve` with 2 workers (plus the master) after 5,000
mixed requests over real HTTP, on PostgreSQL (`kinga_bench`, 1,000,000 insurees: run
`bench/generate_enrolment.py` first).  Target: under 250 MB in all.

The server runs as in production (`python -m kinga serve`, debug off, a secret key, gunicorn's
sync workers, WhiteNoise).  Two client threads (one request at a time per worker, so the load
leaves the machine's other core to the database and to the rest) log in (an enrolment clerk of
the bench district and an IMIS administrator) and ask a mix of pages: home, the lists of
families, facilities and items, the enquiry (empty and with a random number), a family page, a
404, a stylesheet, with a new login every 500 requests.  Memory is read from /proc after the
requests: the resident set (RSS) of each process, and its proportional share (PSS, from
smaps_rollup: pages shared between the master and the forked workers count once in all).

    .venv/bin/python bench/bench_memory.py [REQUESTS]       # default 5000
"""

from __future__ import annotations

import http.cookiejar
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

from _setup import setup

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "Bench#Memory2026"
WORKERS = 2
CLIENTS = 2
TARGET_MB = 250


def ensure_world():
    """The two bench users (with a password), a few facilities and items in the bench district
    (idempotent), and what the clerk's pages need: insurance numbers and a family."""
    from decimal import Decimal

    from kinga.core.models import Role, User
    from kinga.core.rights import IMIS_ADMIN_BIT
    from kinga.facilities.models import HealthFacility
    from kinga.insurees.models import Insuree
    from kinga.locations.models import Location
    from kinga.medical.models import Item, ItemType

    district = Location.objects.get(code="BD")
    users = {}
    for username, bit, districts in (
        ("bench.clerk", 8, [district]),
        ("bench.admin", IMIS_ADMIN_BIT, []),
    ):
        user, _ = User.objects.get_or_create(
            username=username, defaults={"last_name": "Bench", "other_names": username[6:]}
        )
        user.roles.set([Role.objects.get(is_system=bit, retired_at__isnull=True)])
        user.districts.set(districts)
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
        users[username] = user
    HealthFacility.objects.bulk_create(
        [
            HealthFacility(code=f"BHF{i:03d}", name=f"Bench health centre {i}", district=district)
            for i in range(60)
            if not HealthFacility.objects.filter(code=f"BHF{i:03d}").exists()
        ]
    )
    Item.objects.bulk_create(
        [
            Item(
                code=f"BI{i:04d}",
                name=f"Bench item {i}",
                price=Decimal(100 + i),
                care_type="B",
                type=ItemType.values[0],
            )
            for i in range(300)
            if not Item.objects.filter(code=f"BI{i:04d}").exists()
        ]
    )
    total = Insuree.objects.filter(insurance_number__startswith="B").count()
    if total < 1000:
        sys.exit("run bench/generate_enrolment.py first")
    rng = random.Random(11)
    numbers = [f"B{rng.randrange(total):09d}" for _ in range(500)]
    pages = [
        path
        for insuree, family in Insuree.objects.filter(insurance_number__in=numbers[:50])
        .values_list("uuid", "family__uuid")
        .iterator()
        for path in (f"/families/{family}/", f"/families/insurees/{insuree}/")
    ]
    return numbers, pages, total


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """A cookie jar and a login, as one user's browser."""

    def __init__(self, base: str, username: str):
        self.base, self.username = base, username
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> int:
        try:
            with self.opener.open(self.base + path, timeout=30) as response:
                response.read()
                return response.status
        except urllib.error.HTTPError as error:
            error.read()
            return error.code

    def login(self) -> int:
        self.jar.clear()
        self.get("/login/")
        token = next(c.value for c in self.jar if c.name == "csrftoken")
        body = urllib.parse.urlencode(
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token}
        ).encode()
        request = urllib.request.Request(
            self.base + "/login/", data=body, headers={"Referer": self.base + "/login/"}
        )
        with self.opener.open(request, timeout=30) as response:
            response.read()
            assert response.url.rstrip("/") == self.base, f"login of {self.username} failed"
            return response.status


def pages(username: str, numbers: list[str], records: list[str], rng: random.Random) -> str:
    """The next page a user of this kind asks for.  The unfiltered list of families is rare:
    over 1,000,000 insurees it takes seconds (it counts them all); searched by number, it is
    quick."""
    if rng.random() < 0.01 and username == "bench.clerk":
        return "/families/"
    common = ["/", "/", "/no-such-page/", "/static/kinga/kinga.css", "/profile/"]
    if username == "bench.clerk":
        mine = [
            f"/families/?number={rng.choice(numbers)}",
            "/policies/enquiry/",
            f"/policies/enquiry/?number={rng.choice(numbers)}",
            f"/policies/enquiry/?number={rng.choice(numbers)}",
            rng.choice(records),
            rng.choice(records),
        ]
    else:
        mine = ["/facilities/", "/items/", "/items/?page=3", "/services/", "/users/", "/roles/"]
    return rng.choice(common + mine + mine)


def run_clients(base: str, requests: int, numbers, records) -> tuple[Counter, Counter, float]:
    statuses: Counter = Counter()
    paths: Counter = Counter()
    lock = threading.Lock()
    per_client = requests // CLIENTS

    def client(i: int):
        username = ("bench.clerk", "bench.admin")[i % 2]
        rng = random.Random(i)
        browser = Browser(base, username)
        for n in range(per_client):
            if n % 500 == 0:
                status, path = browser.login(), "/login/ (POST)"
            else:
                path = pages(username, numbers, records, rng)
                status = browser.get(path)
            with lock:
                statuses[status] += 1
                paths[re.sub(r"[0-9a-f-]{36}|B\d{9}", "…", path)] += 1

    start = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses, paths, time.perf_counter() - start


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(p) for p in (task / "children").read_text().split()]
    return found


def memory_kb(pid: int) -> tuple[int, int | None]:
    """(RSS, PSS) of a process in kB; PSS None where smaps_rollup cannot be read."""
    status = Path(f"/proc/{pid}/status").read_text()
    rss = int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.M).group(1))
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        pss = int(re.search(r"^Pss:\s+(\d+) kB", rollup, re.M).group(1))
    except (OSError, AttributeError):
        pss = None
    return rss, pss


def report(master: int, when: str) -> tuple[float, float | None]:
    processes = [("master", master)] + [("worker", p) for p in children(master)]
    rss_total = pss_total = 0
    parts = []
    for name, pid in processes:
        rss, pss = memory_kb(pid)
        rss_total += rss
        pss_total = None if pss is None or pss_total is None else pss_total + pss
        parts.append(
            f"{name} {pid}: RSS {rss / 1024:.1f} MB" + (f", PSS {pss / 1024:.1f} MB" if pss else "")
        )
    pss_text = f", PSS {pss_total / 1024:.1f} MB" if pss_total is not None else ""
    print(f"{when}: {len(processes)} processes, RSS {rss_total / 1024:.1f} MB{pss_text} in all")
    for part in parts:
        print(f"  {part}")
    return rss_total / 1024, (pss_total / 1024 if pss_total is not None else None)


def main() -> None:
    requests = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    setup()
    numbers, records, total = ensure_world()
    from django.db import connections

    connections.close_all()
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("KINGA_")},
        "DATABASE_URL": os.environ["DATABASE_URL"],
        "KINGA_DEBUG": "0",
        "KINGA_SECRET_KEY": secrets.token_urlsafe(50),
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kinga",
            "serve",
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{port}",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(base + "/login/", timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    sys.exit(f"kinga serve did not start:\n{server.stderr.read()}")
                time.sleep(0.2)
        print(f"kinga serve, {WORKERS} workers, PostgreSQL with {total:,} insurees")
        report(server.pid, "started")
        statuses, paths, seconds = run_clients(base, requests, numbers, records)
        done = sum(statuses.values())
        print(
            f"{done} requests over HTTP by {CLIENTS} clients in {seconds:.1f} s "
            f"({done / seconds:.0f}/s); statuses {dict(sorted(statuses.items()))}"
        )
        print("  " + ", ".join(f"{p} {n}" for p, n in paths.most_common()))
        rss, pss = report(server.pid, f"after {done} requests")
        figure = pss if pss is not None else rss
        print(
            f"memory in all: {figure:.1f} MB ({'PSS' if pss is not None else 'RSS'}), "
            f"RSS sum {rss:.1f} MB  [target < {TARGET_MB} MB: "
            f"{'ok' if max(rss, figure) < TARGET_MB else 'MISSED'}]"
        )
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    main()
