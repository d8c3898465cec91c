"""Issue 14, item 8: the product coverage page and the products list.

Targets (debug off, demo data): the coverage page of a product covering every service and item
of the demo under 300 ms and under 200 KB; the products list under 100 ms.  Also times one row
edit (htmx POST of one row, answered by the row alone).

Each request goes through the whole Django stack in-process (django.test.Client) as the IMIS
administrator; the time is measured around the request (server side, no network).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kinga_coverage_bench \\
        .venv/bin/python -m kinga demo --quiet      # once
    DATABASE_URL=... .venv/bin/python bench/bench_coverage_page.py [REQUESTS]   # default 30
"""

import os
import statistics
import sys
import time

os.environ.setdefault("KINGA_DEBUG", "0")

from _setup import actor, setup  # noqa: E402

ALL_CODE = "BENCH_ALL"


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from kinga.medical.models import Item, Service
    from kinga.products.models import COVERAGE_FIELDS, Product
    from kinga.products.services import products as product_services

    admin = actor()
    if not Product.objects.filter(code="FAM").exists():
        sys.exit("load the demo first: python -m kinga demo --quiet")
    product = Product.objects.filter(code=ALL_CODE).first()
    if product is None:
        fam = Product.objects.get(code="FAM", retired_at__isnull=True)
        product = product_services.product_duplicate(
            actor=admin, product=fam, code=ALL_CODE, name="Bench: everything covered"
        )
        product_services.coverage_add(
            actor=admin,
            product=product,
            services=list(Service.objects.current()),
            items=list(Item.objects.current()),
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # fresh tables: let the planner know their size
            cursor.execute("ANALYZE")
    n_s, n_i = (
        product.services.filter(retired_at__isnull=True).count(),
        product.items.filter(retired_at__isnull=True).count(),
    )
    client = Client()
    client.force_login(admin)
    coverage = reverse("products:coverage", args=[product.uuid])
    row = product.services.filter(retired_at__isnull=True).order_by("pk").first()
    row_url = reverse("products:coverage_row", args=[product.uuid, "services", row.pk])
    prefix = f"s{row.pk}-"

    def row_post(i):
        row.refresh_from_db()
        data = {
            prefix + name: ("" if getattr(row, name) is None else getattr(row, name))
            for name in COVERAGE_FIELDS
        }
        data[prefix + "limit_adult"] = str(90 + i % 10)
        return lambda: client.post(row_url, data, headers={"HX-Request": "true"})

    if os.environ.get("PROFILE"):
        import cProfile
        import pstats

        client.get(coverage)
        cProfile.runctx(
            "for _ in range(5): client.get(coverage)", globals(), locals(), "/tmp/cov.prof"
        )
        pstats.Stats("/tmp/cov.prof").sort_stats("cumulative").print_stats(40)
        return
    pages = {
        f"coverage page ({n_s} services, {n_i} items)": (lambda: client.get(coverage), 300),
        "coverage page, search 'CONS'": (lambda: client.get(coverage, {"search": "CONS"}), 300),
        "products list": (lambda: client.get(reverse("products:list")), 100),
    }
    for name, (get, target) in pages.items():
        for _ in range(3):
            get()
        times = []
        for _ in range(n):
            t = time.perf_counter()
            response = get()
            times.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200, response.status_code
        with CaptureQueriesContext(connection) as ctx:
            get()
        times.sort()
        print(
            f"{name}: p50 {statistics.median(times):.1f} ms, min {times[0]:.1f} ms, "
            f"max {times[-1]:.1f} ms, "
            f"{len(response.content):,} bytes, {len(ctx)} queries (target {target} ms)"
        )
    times = []
    for i in range(min(n, 20)):
        post = row_post(i)
        t = time.perf_counter()
        response = post()
        times.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200 and b"<tr" in response.content
    print(
        f"one row edit (htmx POST): p50 {statistics.median(times):.1f} ms, "
        f"{len(response.content):,} bytes"
    )


if __name__ == "__main__":
    main()
