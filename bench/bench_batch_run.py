"""Target (issue 13): a batch run over 1,000,000 processed claims in under 5 minutes on
PostgreSQL, with a peak memory that does not grow with the number of claims.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kinga_batch_bench \\
        python bench/bench_batch_run.py 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kinga_batch_bench \\
        python bench/bench_batch_run.py 1000000

Each invocation takes the month after the last run period of the database (from 01/2026), seeds
`claims` Processed claims of that month at one facility of a bench district, each of two passed
lines of a monthly relative product (one R line valued 1 000, one price-list line valued 500,
already remunerated) — straight into the tables with INSERT … SELECT over generate_series, since
the seeding is not what is measured — then times one batch run of the district for that month,
done in this process as `kinga batch-run` does (one transaction), and prints the wall time and
the process's peak RSS (resource.getrusage).  Run each size in its own process: the peak RSS is
the process's own.
"""

from __future__ import annotations

import resource
import sys
import time
from datetime import date, datetime
from decimal import Decimal

from _setup import setup


def world():
    from kinga.facilities.models import HealthFacility
    from kinga.insurees.models import Family, Insuree
    from kinga.locations.models import Location
    from kinga.medical.models import Diagnosis, Service
    from kinga.policies.models import Contribution, InsureePolicy, Policy
    from kinga.products.models import Product, RelativeDistribution

    region, _ = Location.objects.get_or_create(code="BBR", defaults={"name": "BB R", "type": "R"})
    district, _ = Location.objects.get_or_create(
        code="BBD", defaults={"name": "BB D", "type": "D", "parent": region}
    )
    ward, _ = Location.objects.get_or_create(
        code="BBW", defaults={"name": "BB W", "type": "W", "parent": district}
    )
    village, _ = Location.objects.get_or_create(
        code="BBV", defaults={"name": "BB V", "type": "V", "parent": ward}
    )
    hf, _ = HealthFacility.objects.get_or_create(
        code="BB00",
        defaults={
            "name": "Bench batch hospital",
            "legal_form": "G",
            "level": "H",
            "care_type": "B",
            "district": district,
        },
    )
    service, _ = Service.objects.get_or_create(
        code="BBCONS",
        defaults={
            "name": "Consultation",
            "price": Decimal(1000),
            "care_type": "B",
            "type": "C",
            "level": "S",
        },
    )
    icd, _ = Diagnosis.objects.get_or_create(code="BB01", defaults={"name": "Bench"})
    product = Product.objects.filter(code="BBREL", retired_at__isnull=True).first()
    if product is None:
        product = Product.objects.create(
            code="BBREL",
            name="Bench relative",
            location=district,
            date_from=date(2025, 1, 1),
            date_to=date(2035, 12, 31),
            insurance_period=12,
            period_rel_prices="M",
        )
        for month in range(1, 13):
            RelativeDistribution.objects.create(
                product=product, periods=12, care_type="B", period=month, share=Decimal(80)
            )
        family = Family.objects.create(village=village)
        head = Insuree.objects.create(
            family=family,
            insurance_number="BB000000001",
            last_name="Bench",
            other_names="Batch",
            dob=date(1980, 1, 1),
            gender="M",
            is_head=True,
        )
        family.head = head
        family.save()
        policy = Policy.objects.create(
            family=family,
            product=product,
            status=2,
            enroll_date=date(2026, 1, 1),
            start_date=date(2026, 1, 1),
            effective_date=date(2026, 1, 1),
            expiry_date=date(2035, 12, 31),
        )
        InsureePolicy.objects.create(
            policy=policy,
            insuree=head,
            enrollment_date=date(2026, 1, 1),
            start_date=date(2026, 1, 1),
            effective_date=date(2026, 1, 1),
            expiry_date=date(2035, 12, 31),
        )
        Contribution.objects.create(
            policy=policy,
            product=product,
            amount=Decimal(10**9),
            receipt="BB1",
            pay_date=date(2026, 1, 1),
            pay_type="C",
        )
    insuree = Insuree.objects.get(insurance_number="BB000000001")
    return district, hf, service, icd, product, insuree


def next_period(district) -> tuple[int, int]:
    from kinga.claims.models import BatchRun

    last = BatchRun.objects.filter(location=district).order_by("-year", "-month").first()
    if last is None:
        return 2026, 1
    return (last.year + 1, 1) if last.month == 12 else (last.year, last.month + 1)


def seed(n: int, year: int, month: int, hf, service, icd, product, insuree) -> None:
    """One template claim through the ORM, then n - 1 copies and their lines by SQL."""
    from django.db import connection, transaction
    from django.utils import timezone

    from kinga.claims.models import Claim, ClaimLine

    processed = datetime(year, month, 15, 10, tzinfo=timezone.get_default_timezone())
    prefix = f"B{year}{month:02d}-"
    with transaction.atomic():
        template = Claim.objects.create(
            code=prefix + "0",
            health_facility=hf,
            insuree=insuree,
            date_from=processed.date(),
            date_claimed=processed.date(),
            icd=icd,
            status=8,
            claimed=Decimal(1500),
            approved=Decimal(1500),
            valuated=Decimal(1500),
            processed_at=processed,
        )
        for origin, value in (("R", 1000), ("P", 500)):
            ClaimLine.objects.create(
                claim=template,
                kind="S",
                service=service,
                quantity=1,
                price_asked=Decimal(value),
                price_adjusted=Decimal(value),
                product=product,
                price_origin=origin,
                price_valuated=Decimal(value),
                remunerated_amount=None if origin == "R" else Decimal(value),
            )
        claim_cols = [f.column for f in Claim._meta.concrete_fields if f.column != "id"]
        select = []
        for col in claim_cols:
            if col == "uuid":
                select.append("gen_random_uuid()")
            elif col == "code":
                select.append(f"'{prefix}' || g")
            else:
                select.append(f"t.{col}")
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {Claim._meta.db_table} ({', '.join(claim_cols)}) "
                f"SELECT {', '.join(select)} FROM {Claim._meta.db_table} t, "
                "generate_series(1, %s) g WHERE t.id = %s",
                [n - 1, template.id],
            )
            line_cols = [f.column for f in ClaimLine._meta.concrete_fields if f.column != "id"]
            select = []
            for col in line_cols:
                if col == "uuid":
                    select.append("gen_random_uuid()")
                elif col == "claim_id":
                    select.append("c.id")
                else:
                    select.append(f"t.{col}")
            cursor.execute(
                f"INSERT INTO {ClaimLine._meta.db_table} ({', '.join(line_cols)}) "
                f"SELECT {', '.join(select)} FROM {ClaimLine._meta.db_table} t "
                f"JOIN {Claim._meta.db_table} c ON c.id > %s AND c.health_facility_id = %s "
                "AND c.code LIKE %s WHERE t.claim_id = %s ORDER BY c.id, t.id",
                [template.id, hf.id, prefix + "%", template.id],
            )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Claim._meta.db_table}")
        cursor.execute(f"ANALYZE {ClaimLine._meta.db_table}")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    setup()
    from kinga.claims.services.batch import batch_run

    district, hf, service, icd, product, insuree = world()
    year, month = next_period(district)
    started = time.perf_counter()
    seed(n, year, month, hf, service, icd, product, insuree)
    seeded = time.perf_counter() - started
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"seeded {n:,} processed claims for {month:02d}/{year} in {seeded:.1f} s", flush=True)
    started = time.perf_counter()
    run = batch_run(None, district, year, month)
    wall = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"batch run {month:02d}/{year}: {run.status}, {run.claims_closed:,} claims closed, "
        f"{run.remunerated_total} remunerated, in {wall:.1f} s "
        f"({run.claims_closed / wall:,.0f} claims/s); peak RSS {rss / 1024:.0f} MiB "
        f"(before the run {rss_before / 1024:.0f} MiB)"
    )
    assert run.claims_closed == n, (run.claims_closed, n)


if __name__ == "__main__":
    main()
