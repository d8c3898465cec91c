"""Issue 10, item 9: the fixed cost every page pays before its own work.

Targets, on PostgreSQL with 1,000,000 insurees (run `bench/generate_enrolment.py` first), debug
off: the empty enquiry page (/policies/enquiry/ without a number) under 2 ms p50, the home page
under 3 ms p50, the enquiry of a random insurance number under 8 ms p99.

Same method as bench_enquiry.py: each request goes through the whole Django stack in-process
(middleware, session, user and rights, view, template) with django.test.Client, as the scoped
enrolment clerk of the bench district; the time is measured around the request, so it is what
the server spends, without the network.  The queries of one request of each page are counted.

    .venv/bin/python bench/bench_pages.py [REQUESTS]             # default 2000 per page
    .venv/bin/python bench/bench_pages.py --profile empty|home|enquiry [REQUESTS]
"""

import argparse
import gc
import os
import random
import statistics
import sys
import time

os.environ.setdefault("KINGA_DEBUG", "0")

from _setup import clerk as bench_clerk  # noqa: E402
from _setup import setup  # noqa: E402

TARGETS = {"empty": ("p50", 2.0), "home": ("p50", 3.0), "enquiry": ("p99", 8.0)}


def percentile(times: list[float], q: float) -> float:
    return times[min(len(times) - 1, int(q * len(times)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("requests", nargs="?", type=int, default=2000)
    parser.add_argument("--profile", choices=sorted(TARGETS))
    args = parser.parse_args()
    setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from kinga.insurees.models import Insuree

    assert not settings.DEBUG, "the benchmark runs with debug off"
    total = Insuree.objects.filter(insurance_number__startswith="B").count()
    if total < 1000:
        sys.exit("run bench/generate_enrolment.py first")
    clerk = bench_clerk()
    rng = random.Random(7)
    numbers = [f"B{rng.randrange(total):09d}" for _ in range(args.requests)]
    client = Client()
    client.force_login(clerk)

    def empty(_i):
        return client.get("/policies/enquiry/"), b'name="number"'

    def home(_i):
        return client.get("/"), b"task-group"

    def enquiry(i):
        return client.get("/policies/enquiry/", {"number": numbers[i]}), numbers[i].encode()

    pages = {"empty": empty, "home": home, "enquiry": enquiry}
    for get in pages.values():  # what a worker keeps for life: templates, translations, urls
        for i in range(50):
            get(i)
    # As `kinga serve` does in the master before forking: what is loaded leaves the collector.
    gc.collect()
    gc.freeze()
    if args.profile:
        profile(pages[args.profile], args.requests)
        return
    print(f"{total:,} insurees, {args.requests} requests a page, debug off, {connection.vendor}")
    for name, get in pages.items():
        for i in range(50):  # warm-up: templates, translations, url caches, connection
            get(i)
        queries: list[str] = []

        def count(execute, sql, *args, queries=queries):
            queries.append(sql)
            return execute(sql, *args)

        with connection.execute_wrapper(count):
            get(0)
        times = []
        for i in range(args.requests):
            start = time.perf_counter()
            response, expected = get(i)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200 and expected in response.content, name
        times.sort()
        which, target = TARGETS[name]
        got = percentile(times, 0.50 if which == "p50" else 0.99)
        print(
            f"{name:8} p50 {percentile(times, 0.50):5.2f} ms  p95 {percentile(times, 0.95):5.2f} ms"
            f"  p99 {percentile(times, 0.99):5.2f} ms  mean {statistics.mean(times):5.2f} ms"
            f"  {len(queries)} queries  [target {which} < {target:g} ms: "
            f"{'ok' if got < target else 'MISSED'}]"
        )


def profile(get, requests: int) -> None:
    import cProfile
    import pstats

    for i in range(50):
        get(i)
    profiler = cProfile.Profile()
    profiler.enable()
    for i in range(requests):
        get(i)
    profiler.disable()
    stats = pstats.Stats(profiler).sort_stats("cumulative")
    stats.print_stats(45)
    stats.sort_stats("tottime").print_stats(30)


if __name__ == "__main__":
    main()
