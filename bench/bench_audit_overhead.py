"""Target (issue 15): the enquiry's p99 with the read audit on stays within 2 ms of its p99 with
the audit off, on PostgreSQL with 1,000,000 insurees.

Set-up (once):
    createdb -h 127.0.0.1 -U postgres kinga_bench_audit
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/kinga_bench_audit
    .venv/bin/kinga migrate && .venv/bin/python bench/generate_enrolment.py 1000000
Run: `.venv/bin/python bench/bench_audit_overhead.py [requests per mode]` (default 2000).

As bench/bench_enquiry.py: each request goes through the whole Django stack in-process, as a
scoped clerk of the bench district, for a random insurance number; the time is measured around
the request.  Three modes, run in alternating blocks of 100 requests so that drift in the
machine's load falls on all of them alike:
- off:   KINGA_AUDIT off (no entry);
- sync:  one entry per enquiry, committed as every write (synchronous_commit on: the commit
         waits for the WAL to reach the disk);
- async: one entry per enquiry, its commit with synchronous_commit off
         (KINGA_AUDIT_ASYNC_COMMIT=1).
"""

import random
import statistics
import sys
import time

from _setup import clerk as bench_clerk
from _setup import setup

BLOCK = 100
MODES = ("off", "sync", "async")


def main() -> None:
    requests = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from kinga.core.models import AuditEntry
    from kinga.insurees.models import Insuree

    total = Insuree.objects.filter(insurance_number__startswith="B").count()
    if total < 1000:
        sys.exit("run bench/generate_enrolment.py first")
    clerk = bench_clerk()
    from kinga.core import audit

    # The append itself, timed inside the request (what the audit adds, apart from noise).
    appends: dict[str, list[float]] = {"sync": [], "async": []}
    write = audit.write

    def timed_write(entries, **kwargs):
        start = time.perf_counter()
        write(entries, **kwargs)
        if entries:
            mode = "async" if settings.KINGA_AUDIT_ASYNC_COMMIT else "sync"
            appends[mode].append((time.perf_counter() - start) * 1000)

    audit.write = timed_write
    rng = random.Random(15)
    client = Client()
    client.force_login(clerk)

    def set_mode(mode: str) -> None:
        settings.KINGA_AUDIT = mode != "off"
        settings.KINGA_AUDIT_ASYNC_COMMIT = mode == "async"

    queries = {}
    for mode in MODES:  # warm-up, and the queries of one request in each mode
        set_mode(mode)
        number = f"B{rng.randrange(total):09d}"
        client.get("/policies/enquiry/", {"number": number})
        seen = []

        def count(execute, sql, *args, seen=seen):
            seen.append(sql)
            return execute(sql, *args)

        with connection.execute_wrapper(count):
            client.get("/policies/enquiry/", {"number": number})
        queries[mode] = len(seen)

    # Counted by the bench clerk's entries (another bench may share the database).
    mine = AuditEntry.objects.filter(user=clerk)
    before = mine.count()
    times: dict[str, list[float]] = {mode: [] for mode in MODES}
    while min(len(t) for t in times.values()) < requests:
        for mode in rng.sample(MODES, len(MODES)):
            set_mode(mode)
            for _ in range(BLOCK):
                number = f"B{rng.randrange(total):09d}"
                start = time.perf_counter()
                response = client.get("/policies/enquiry/", {"number": number})
                times[mode].append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200 and number.encode() in response.content
    written = mine.count() - before
    expected = sum(len(times[m]) for m in ("sync", "async"))
    assert written == expected, (written, expected)

    def p(values, q):
        values = sorted(values)
        return values[min(len(values) - 1, int(q * len(values)))]

    print(f"enquiry over {total:,} insurees, {len(times['off'])} requests per mode:")
    for mode in MODES:
        t = times[mode]
        print(
            f"  {mode:5}: p50 {p(t, 0.50):.2f} ms, p95 {p(t, 0.95):.2f} ms, "
            f"p99 {p(t, 0.99):.2f} ms, mean {statistics.mean(t):.2f} ms, "
            f"{queries[mode]} queries a request"
        )
    for mode in ("sync", "async"):
        print(
            f"  audit {mode} - off: p50 {p(times[mode], 0.5) - p(times['off'], 0.5):+.2f} ms, "
            f"p99 {p(times[mode], 0.99) - p(times['off'], 0.99):+.2f} ms  [target p99 within 2 ms]"
        )
    for mode in ("sync", "async"):
        t = appends[mode]
        print(
            f"  the append alone ({mode}): p50 {p(t, 0.50):.2f} ms, p99 {p(t, 0.99):.2f} ms,"
            f" mean {statistics.mean(t):.2f} ms"
        )
    print(f"  {written} audit entries written")


if __name__ == "__main__":
    main()
