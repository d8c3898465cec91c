"""Target (issue 12): one claim created and submitted through the page in under 25 ms of server
time, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kinga_claims_bench \\
        python bench/bench_claim_entry_page.py [claims]      # default 200

Reuses bench_claims_submit.py's world (a facility with price lists, a VIH_Soins-like product,
insurees with an Active policy) and a claim administrator attached to its facility.  For each
claim, times in-process with django.test.Client (the whole Django stack: middleware, session,
rights, form, services, checks, redirect; no network) the POST of the entry form (5 lines) and
the POST of « Submit » (the claim page the browser then shows is loaded untimed), and reports p50 and p95 of their sum, the p50 of each, and the queries
each takes (counted once, on the last claim, apart from the timings).  Debug off."""

from __future__ import annotations

import os
import statistics
import sys
import time
from contextlib import nullcontext

os.environ.setdefault("KINGA_DEBUG", "0")

from _setup import setup  # noqa: E402
from bench_claims_submit import CARE, world  # noqa: E402

TARGET_MS = 25.0


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from kinga.claims.codes import ClaimStatus
    from kinga.claims.models import Claim
    from kinga.core.models import Role, User
    from kinga.insurees.models import Insuree

    assert not settings.DEBUG, "the benchmark runs with debug off"
    facility = world(n)
    clerk, created = User.objects.get_or_create(
        username="bench.claims",
        defaults={"last_name": "Bench", "other_names": "Claims", "health_facility": facility},
    )
    if created:
        clerk.roles.set([Role.objects.get(is_system=256, retired_at__isnull=True)])
        clerk.districts.set([facility.district])
    client = Client()
    client.force_login(clerk)
    numbers = list(
        Insuree.objects.filter(insurance_number__startswith="CB")
        .order_by("id")
        .values_list("insurance_number", flat=True)[:n]
    )
    run = int(time.time())
    new = reverse("claims_entry:new")
    client.get(new)  # the session's first read
    times, creates, submits, checked = [], [], [], 0
    for k, number in enumerate(numbers):
        data = {
            "health_facility": facility.pk,
            "code": f"CBP.{run}.{k}",
            "insurance_number": number,
            "date_from": CARE.strftime("%d/%m/%Y"),
            "visit_type": "O",
            "icd": "CB24",
        }
        for i, (code, qty) in enumerate(
            [("CBS0", 1), ("CBS1", 1), ("CBS2", 1), ("CBI0", 2), ("CBI1", 2)]
        ):
            data[f"line-{i}-code"] = code
            data[f"line-{i}-quantity"] = str(qty)
        last = k == len(numbers) - 1
        with CaptureQueriesContext(connection) if last else nullcontext() as create_queries:
            start = time.perf_counter()
            response = client.post(new, data)
            middle = time.perf_counter()
        assert response.status_code == 302, response.content[:2000]
        submit = response["Location"] + "submit/"
        with CaptureQueriesContext(connection) if last else nullcontext() as submit_queries:
            middle_2 = time.perf_counter()
            response = client.post(submit)
            end = time.perf_counter()
        # The browser follows the redirect to the claim page, which shows (and so takes out of
        # the session) the two messages « saved » and « submitted »; untimed, as it is another
        # request.  Without it the session would pile up hundreds of unread messages, and every
        # POST would read and write them all.
        if last:
            counts = len(create_queries), len(submit_queries)
        client.get(response["Location"])
        if not last:  # the last one counts its queries, which costs time
            times.append((middle - start + end - middle_2) * 1000)
            creates.append((middle - start) * 1000)
            submits.append((end - middle_2) * 1000)
        assert response.status_code == 302
    claims = Claim.objects.filter(code__startswith=f"CBP.{run}.")
    checked = claims.filter(status=ClaimStatus.CHECKED).count()
    times.sort()
    p50, p95 = statistics.median(times), times[int(0.95 * (len(times) - 1))]
    print(
        f"{len(times)} claims entered and submitted through the pages: "
        f"p50 {p50:.1f} ms, p95 {p95:.1f} ms (target < {TARGET_MS:.0f} ms); "
        f"{checked} Checked\n  create p50 {statistics.median(creates):.1f} ms,"
        f" {counts[0]} queries; submit p50 {statistics.median(submits):.1f} ms,"
        f" {counts[1]} queries"
    )


if __name__ == "__main__":
    main()
