"""Target (issue 13): valuing 10,000 Checked claims of 5 lines at once through `claims_value`
runs at 1,000 claims per second or more on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kinga_valuation_bench \\
        python bench/bench_valuation.py [claims]

Seeds as bench/bench_claims_submit.py's small world (a facility with price lists, a product
covering 3 services and 2 items, `claims` insurees each with an Active policy), gives the
product a deductible and a ceiling per insuree and an 80 % co-insurance on one service (so that
every rule step and the ledger do work), enters `claims` new claims of 5 lines and submits them
(not timed), then times one `claims_value` call over all of them, as the bulk action
« Valoriser » does.  Each run enters fresh claims for the same insurees, so it can be repeated;
earlier runs' consumption is the ledger the next run reads.
"""

from __future__ import annotations

import sys
import time
from decimal import Decimal

from _setup import setup


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    setup()
    from _setup import actor
    from bench_claims_submit import enter_claims, own_world, world
    from django.db import connection

    from kinga.claims.models import Claim
    from kinga.claims.services.submission import claims_submit
    from kinga.claims.services.valuation import claims_value
    from kinga.products.models import Product, ProductService

    user = actor()
    facility = world(n)
    Product.objects.filter(code="CB_Soins").update(
        deductible=Decimal(500), ceiling=Decimal(200_000)
    )
    ProductService.objects.filter(product__code="CB_Soins", service__code="CBS1").update(
        limit_adult=Decimal(80)
    )
    # A tag no earlier run used (a run stopped half-way left its claims behind).
    run = Claim.objects.filter(health_facility=facility).count() + 1
    ids = enter_claims(*own_world(facility, n, run), run)
    submitted = claims_submit(actor=user, claims=ids)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    start = time.perf_counter()
    report = claims_value(ids, user)
    seconds = time.perf_counter() - start
    assert report.valued == submitted.checked, (report.valued, submitted.checked)
    print(
        f"claims_value: {report.valued} claims of 5 lines in {seconds:.2f} s"
        f" = {report.valued / seconds:,.0f} claims/s"
        f" (valuated {report.valuated}, processed {report.processed},"
        f" rejected {report.rejected}, unchanged {report.unchanged}; target ≥ 1,000)"
    )


if __name__ == "__main__":
    main()
