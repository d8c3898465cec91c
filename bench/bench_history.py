"""Issue 11, item 3: the merged history of a record with many lines, and the no-op guard.

A national services price list of N members (default 3,000), each added, repriced, and one in
ten removed: about 2.1 × N history rows of lines.  Measured, in-process on PostgreSQL:

- `entries(price_list, children=[members], page=1)` and the last page: time (p50 of 20) and
  queries (the same for both pages, whatever N);
- `bulk_update_with_history` of the N lines unchanged: time, and the rows it writes (none).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kinga_bench_history \\
        .venv/bin/python bench/bench_history.py [N]
"""

import os
import statistics
import sys
import time

os.environ.setdefault("KINGA_DEBUG", "0")

from _setup import actor, setup  # noqa: E402


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    setup()
    from datetime import date
    from decimal import Decimal

    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from simple_history.utils import bulk_update_with_history

    from kinga.core.history import Child, entries
    from kinga.medical.models import Service, ServicesPriceList, ServicesPriceListEntry
    from kinga.medical.services import pricelists as pricelist_services

    admin = actor()
    name = f"Bench history {n}"
    price_list = ServicesPriceList.objects.filter(name=name).first()
    if price_list is None:
        with transaction.atomic():
            price_list = pricelist_services.pricelist_create(
                actor=admin, kind=pricelist_services.SERVICES, name=name, date=date(2026, 1, 1)
            )
            codes = [f"H{i:05d}" for i in range(n)]
            have = set(Service.objects.filter(code__in=codes).values_list("code", flat=True))
            Service.objects.bulk_create(
                Service(
                    code=code,
                    name=f"Soin {code}",
                    price=Decimal(1000),
                    care_type="O",
                    type="C",
                    level="S",
                )
                for code in codes
                if code not in have
            )
            services = list(Service.objects.filter(code__in=codes))
            pricelist_services.pricelist_add_members(
                actor=admin, price_list=price_list, members=services
            )
            lines = list(price_list.entries.all())
            pricelist_services.pricelist_set_overrides(
                actor=admin, price_list=price_list, overrides={e: Decimal(900) for e in lines}
            )
            pricelist_services.pricelist_remove_members(
                actor=admin, price_list=price_list, entries=lines[::10]
            )
    rows = ServicesPriceListEntry.history.filter(price_list_id=price_list.pk).count()
    members = [Child("entries", "Member %(service)s")]
    last = entries(price_list, children=members).paginator.num_pages
    for page in (1, last):
        times = []
        for _ in range(20):
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                shown = list(entries(price_list, children=members, page=page))
                times.append((time.perf_counter() - start) * 1000)
        print(
            f"entries page {page}/{last}: {len(shown)} rows of {rows + 1} history rows, "
            f"{len(ctx)} queries, p50 {statistics.median(times):.1f} ms"
        )
    lines = list(price_list.entries.all())
    before = ServicesPriceListEntry.history.count()
    with transaction.atomic():
        start = time.perf_counter()
        bulk_update_with_history(lines, ServicesPriceListEntry, ["price_override"])
        spent = (time.perf_counter() - start) * 1000
    written = ServicesPriceListEntry.history.count() - before
    print(
        f"bulk_update_with_history of {len(lines)} unchanged lines: {spent:.0f} ms, "
        f"{written} history rows written"
    )


if __name__ == "__main__":
    main()
