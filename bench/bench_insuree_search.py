"""Issue 14, item 5: the families and insurees list at national scale.

Target, on PostgreSQL with 1,000,000 insurees (run `bench/generate_enrolment.py` first), debug
off: each case under 100 ms at p99, server-side — a search by a name as typed (« ebene » for
« Ébéné », « ndongo » for « N'Dongo »), by a last and a first name (half of the pairs asked are
borne by 31,000 people, half by nobody), by a very common name (« mballa »: 125,000 people, one in
eight, listed in registration order), by insurance number, by village (50,000 people), the first
page of the whole list, a deep page (« Suivant » from rows spread over the whole million: row
500,000 and others), « Précédent » from there, and the deepest page a typed number reaches
(page 500 asked: page 40, the 1,000 rows the count holds).  The generator gives 8 last names and
8 first names to a million people; this script renames 1 insuree in 20,000 « Ébéné », « N'Dongo »
or « Ngo Biyiha » so that rare names exist (idempotent).

Same method as bench_pages.py: each request goes through the whole Django stack in-process
(django.test.Client) as the enrolment clerk of the bench district (every one of the million is in
his scope); the time is measured around the request; the queries of one request are counted, and
the time the request spends waiting on them (« database »: what the indexes and the keyset
change; the rest is Python and the page's rendering, and grows with the machine's load).

    .venv/bin/python bench/bench_insuree_search.py [REQUESTS]        # default 300 per case
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

TARGET_MS = 100.0
RARE = ["Ébéné", "N'Dongo", "Ngo Biyiha"]


def percentile(times: list[float], q: float) -> float:
    return times[min(len(times) - 1, int(q * len(times)))]


def rare_names() -> None:
    from django.db import connection

    changed = 0
    with connection.cursor() as cur:
        for k, name in enumerate(RARE):
            cur.execute(
                "UPDATE insurees_insuree SET last_name = %s WHERE id %% 20011 = %s "
                "AND last_name <> %s AND insurance_number LIKE 'B%%'",
                [name, k * 7, name],
            )
            changed += cur.rowcount
        # The index-only scans need the visibility map (as autovacuum keeps it in use).
        if changed:
            cur.execute("VACUUM ANALYZE insurees_insuree")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("requests", nargs="?", type=int, default=300)
    args = parser.parse_args()
    setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from kinga.insurees.models import Insuree
    from kinga.insurees.queries.families import visible_insurees
    from kinga.locations.models import Location

    assert not settings.DEBUG, "the benchmark runs with debug off"
    total = Insuree.objects.filter(insurance_number__startswith="B").count()
    if total < 1000:
        sys.exit("run bench/generate_enrolment.py first")
    rare_names()
    clerk = bench_clerk()
    villages = list(
        Location.objects.filter(code__startswith="BV", type="V").values_list("pk", flat=True)
    )
    rng = random.Random(14)
    n = args.requests
    numbers = [f"B{rng.randrange(total):09d}" for _ in range(n)]
    typed = ["ebene", "ndongo", "ngo biyiha", "EBENE", "n'dongo"]
    two_words = [
        f"{rng.choice(['mballa', 'owona', 'fouda', 'abena'])} "
        f"{rng.choice(['jean', 'therese', 'aline', 'serge'])}"
        for _ in range(n)
    ]
    village_of = [rng.choice(villages) for _ in range(n)]
    # The keys « Suivant » carries from deep in the list: row 500,000 and 19 rows spread over
    # the million (read once, by offset, outside the timed requests).
    in_order = visible_insurees(clerk).order_by("last_name", "other_names", "id")
    ranks = [total // 2] + [rng.randrange(total - 100) for _ in range(19)]
    deep_keys = [in_order.values_list("pk", flat=True)[rank] for rank in ranks]
    client = Client()
    client.force_login(clerk)
    LIST = "/families/"

    def name(i):
        return client.get(LIST, {"name": typed[i % len(typed)]}), "Ébéné|N&#x27;Dongo|Ngo Biyiha"

    def name_two_words(i):
        return client.get(LIST, {"name": two_words[i]}), "sultat|result"

    def number(i):
        return client.get(LIST, {"number": numbers[i]}), numbers[i]

    def village(i):
        return client.get(LIST, {"village": village_of[i]}), "Plus de 1|More than 1"

    def first_page(_i):
        return client.get(LIST), "Plus de 1|More than 1"

    def deep_page(i):
        return client.get(LIST, {"after": deep_keys[i % len(deep_keys)]}), "Suivant|Next"

    def previous_page(i):
        return client.get(LIST, {"before": deep_keys[i % len(deep_keys)]}), "dent|Previous"

    def typed_page(_i):
        return client.get(LIST, {"page": 500}), "Page 40<"

    def common_name(_i):
        return client.get(LIST, {"name": "mballa"}), "enregistrement|registration order"

    cases = {
        "name": (name, n),
        "name_2words": (name_two_words, n),
        "number": (number, n),
        "village": (village, n),
        "first_page": (first_page, n),
        "deep_page": (deep_page, n),
        "previous": (previous_page, n),
        "typed_page": (typed_page, n),
        "common_name": (common_name, n),
    }
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    for get, _ in cases.values():  # what a worker keeps for life
        for i in range(10):
            get(i)
    gc.collect()
    gc.freeze()
    print(f"{total:,} insurees, debug off, {connection.vendor}, as the bench district's clerk")
    for label, (get, requests) in cases.items():
        queries: list[str] = []

        def count(execute, sql, *args, queries=queries):
            queries.append(sql)
            return execute(sql, *args)

        with connection.execute_wrapper(count):
            get(0)
        times, in_db = [], []
        spent = [0.0]

        def timed(execute, sql, *args, spent=spent):
            start = time.perf_counter()
            try:
                return execute(sql, *args)
            finally:
                spent[0] += time.perf_counter() - start

        for i in range(requests):
            spent[0] = 0.0
            start = time.perf_counter()
            with connection.execute_wrapper(timed):
                response, expected = get(i)
            times.append((time.perf_counter() - start) * 1000)
            in_db.append(spent[0] * 1000)
            text = response.content.decode()
            assert response.status_code == 200, label
            assert any(e in text for e in expected.split("|")), (label, expected)
        times.sort()
        in_db.sort()
        p99 = percentile(times, 0.99)
        verdict = "ok" if p99 < TARGET_MS else "MISSED"
        print(
            f"{label:12} p50 {percentile(times, 0.50):6.1f} ms  p99 {p99:6.1f} ms"
            f"  mean {statistics.mean(times):6.1f} ms  {requests} requests"
            f"  {len(queries)} queries  [p99 < {TARGET_MS:g} ms: {verdict}]"
            f"  database p50 {percentile(in_db, 0.50):5.1f} ms p99 {percentile(in_db, 0.99):5.1f} ms"
        )


if __name__ == "__main__":
    main()
