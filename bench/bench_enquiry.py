"""Target (issue 6): the enquiry of one insurance number answers in under 20 ms at the 99th
percentile, server-side, over 2,000 requests, on PostgreSQL with 1,000,000 insurees.

Run `bench/generate_enrolment.py` first (it makes the insurees).  Each request goes through the
whole Django stack in-process (middleware, session, rights, query, template), as a scoped
enrolment clerk of the bench district, for a random insurance number; the time is measured
around the request, so it is what the server spends, without the network.
"""

import random
import statistics
import sys
import time

from _setup import clerk as bench_clerk
from _setup import setup


def main() -> None:
    requests = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    setup()
    from django.db import connection
    from django.test import Client

    from kinga.insurees.models import Insuree

    total = Insuree.objects.filter(insurance_number__startswith="B").count()
    if total < 1000:
        sys.exit("run bench/generate_enrolment.py first")
    clerk = bench_clerk()
    rng = random.Random(7)
    numbers = [f"B{rng.randrange(total):09d}" for _ in range(requests)]
    client = Client()
    client.force_login(clerk)
    client.get("/policies/enquiry/", {"number": numbers[0]})  # warm-up
    # Counted by an execute wrapper: with debug off (the default now) the request_started
    # signal empties the query log that CaptureQueriesContext reads, so it counted none.
    queries = []

    def count(execute, sql, *args):
        queries.append(sql)
        return execute(sql, *args)

    with connection.execute_wrapper(count):
        client.get("/policies/enquiry/", {"number": numbers[0]})
    times = []
    for number in numbers:
        start = time.perf_counter()
        response = client.get("/policies/enquiry/", {"number": number})
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200 and number.encode() in response.content, number
    times.sort()
    p = lambda q: times[min(len(times) - 1, int(q * len(times)))]  # noqa: E731
    print(
        f"enquiry over {total:,} insurees, {requests} requests: p50 {p(0.50):.1f} ms, "
        f"p95 {p(0.95):.1f} ms, p99 {p(0.99):.1f} ms, max {times[-1]:.1f} ms, "
        f"mean {statistics.mean(times):.1f} ms, {len(queries)} queries a request"
        "  [target p99 < 20 ms]"
    )


if __name__ == "__main__":
    main()
