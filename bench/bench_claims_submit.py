"""Target (issue 12): submitting 10,000 claims of 5 lines at once through `claims_submit` runs at
1,000 claims per second or more on PostgreSQL (openIMIS: 3.1 claims per second on this machine).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kinga_claims_bench \\
        python bench/bench_claims_submit.py [claims]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kinga_bench \\
        python bench/bench_claims_submit.py [claims] --world enrolment

`--world enrolment` (the default when bench/generate_claims.py has run in the database, as
`make bench` does; `--world own` forces the small world) runs in the national-scale world: the
1,000,000 insurees of bench/generate_enrolment.py and the claims of bench/generate_claims.py
(run both first); the new claims are for `claims` of those insurees (each with his earlier
claims), at the bench hospital BH00, of 3 services and 2 items covered by BENCH_FREE, care
yesterday.

The small world (`--world own`) is built the first time (a facility with price lists, a VIH_Soins-like product
covering 5 services and items, `claims` insurees each with an Active policy), then enters
`claims` new Entered claims of 5 lines (straight into the tables: entry is not what is
measured) and times one `claims_submit` call over all of them, as the claim administrator's
bulk action does.  Each run enters fresh claims, so it can be repeated; earlier runs' claims
become the insurees' history (frequency and limits read them).
"""

from __future__ import annotations

import sys
import time
from datetime import date, timedelta
from decimal import Decimal

from _setup import setup

CARE = date(2026, 3, 10)


def world(n: int):
    from kinga.facilities.models import HealthFacility
    from kinga.insurees.models import Family, Insuree
    from kinga.locations.models import Location
    from kinga.medical.models import (
        Diagnosis,
        Item,
        ItemsPriceList,
        ItemsPriceListEntry,
        Service,
        ServicesPriceList,
        ServicesPriceListEntry,
    )
    from kinga.policies.models import InsureePolicy, Policy
    from kinga.products.models import Product, ProductItem, ProductService, Programme

    region, _ = Location.objects.get_or_create(code="CBR", defaults={"name": "CB R", "type": "R"})
    district, _ = Location.objects.get_or_create(
        code="CBD", defaults={"name": "CB D", "type": "D", "parent": region}
    )
    ward, _ = Location.objects.get_or_create(
        code="CBW", defaults={"name": "CB W", "type": "W", "parent": district}
    )
    village, _ = Location.objects.get_or_create(
        code="CBV", defaults={"name": "CB V", "type": "V", "parent": ward}
    )
    facility = HealthFacility.objects.filter(code="CBH").first()
    if facility is None:
        services = [
            Service.objects.create(
                code=f"CBS{i}",
                name=f"S{i}",
                price=1000 * (i + 1),
                care_type="B",
                type="C",
                level="S",
                category="C" if i == 0 else "",
                frequency=0 if i else 0,
            )
            for i in range(3)
        ]
        items = [
            Item.objects.create(code=f"CBI{i}", name=f"I{i}", price=500, care_type="B", type="D")
            for i in range(2)
        ]
        spl = ServicesPriceList.objects.create(name="CB soins", date=date(2025, 1, 1))
        ipl = ItemsPriceList.objects.create(name="CB produits", date=date(2025, 1, 1))
        for s in services:
            ServicesPriceListEntry.objects.create(price_list=spl, service=s)
        for i in items:
            ItemsPriceListEntry.objects.create(price_list=ipl, item=i)
        facility = HealthFacility.objects.create(
            code="CBH",
            name="CB Hôpital",
            district=district,
            level="H",
            legal_form="G",
            care_type="B",
            services_price_list=spl,
            items_price_list=ipl,
        )
        programme = Programme.objects.create(code="CBVIH", name="VIH", valid_from=date(2025, 1, 1))
        product = Product.objects.create(
            code="CB_Soins",
            name="CB Soins",
            date_from=date(2025, 1, 1),
            date_to=date(2027, 12, 31),
            insurance_period=12,
            programme=programme,
        )
        for s in services:
            ProductService.objects.create(product=product, service=s, limit_no_adult=1000)
        for i in items:
            ProductItem.objects.create(product=product, item=i)
        Diagnosis.objects.get_or_create(code="CB24", defaults={"name": "HIV"})
    product = Product.objects.get(code="CB_Soins")
    have = Insuree.objects.filter(insurance_number__startswith="CB").count()
    if have < n:
        missing = n - have
        families = Family.objects.bulk_create([Family(village=village) for _ in range(missing)])
        insurees = Insuree.objects.bulk_create(
            [
                Insuree(
                    family=f,
                    insurance_number=f"CB{have + k:09d}",
                    last_name="Bench",
                    other_names="X",
                    dob=date(1980, 1, 1),
                    gender="M",
                    is_head=True,
                )
                for k, f in enumerate(families)
            ],
            batch_size=5000,
        )
        policies = Policy.objects.bulk_create(
            [
                Policy(
                    family=f,
                    product=product,
                    stage="R",
                    status=2,
                    enroll_date=date(2026, 1, 1),
                    start_date=date(2026, 1, 1),
                    effective_date=date(2026, 1, 1),
                    expiry_date=date(2026, 12, 31),
                )
                for f in families
            ],
            batch_size=5000,
        )
        InsureePolicy.objects.bulk_create(
            [
                InsureePolicy(
                    policy=p,
                    insuree=i,
                    enrollment_date=date(2026, 1, 1),
                    start_date=date(2026, 1, 1),
                    effective_date=date(2026, 1, 1),
                    expiry_date=date(2026, 12, 31),
                )
                for p, i in zip(policies, insurees, strict=True)
            ],
            batch_size=5000,
        )
    return facility


def enrolment_world(n: int, run: int):
    """The facility, insurees, diagnosis, services, items and day of care of a run in the
    world of generate_enrolment.py and generate_claims.py."""
    from django.utils import timezone

    from kinga.facilities.models import HealthFacility
    from kinga.insurees.models import Insuree
    from kinga.medical.models import Diagnosis, Item, Service

    facility = HealthFacility.objects.filter(code="BH00").first()
    if facility is None:
        sys.exit("Run bench/generate_enrolment.py, then bench/generate_claims.py first.")
    # A different slice of the million insurees each run.
    total = Insuree.objects.filter(insurance_number__startswith="B").count()
    offset = (run - 1) * n % max(total - n, 1)
    insurees = list(
        Insuree.objects.filter(insurance_number__startswith="B")
        .order_by("id")
        .values_list("id", flat=True)[offset : offset + n]
    )
    return (
        facility,
        insurees,
        Diagnosis.objects.get(code="B24"),
        list(Service.objects.filter(code__in=["BS00", "BS03", "BS05"]).order_by("code")),
        list(Item.objects.filter(code__in=["BI01", "BI04"]).order_by("code")),
        timezone.localdate() - timedelta(days=1),
    )


def own_world(facility, n: int, run: int):
    from kinga.insurees.models import Insuree
    from kinga.medical.models import Diagnosis, Item, Service

    insurees = list(
        Insuree.objects.filter(insurance_number__startswith="CB")
        .order_by("id")
        .values_list("id", flat=True)[:n]
    )
    return (
        facility,
        insurees,
        Diagnosis.objects.get(code="CB24"),
        list(Service.objects.filter(code__startswith="CBS").order_by("code")),
        list(Item.objects.filter(code__startswith="CBI").order_by("code")),
        CARE + timedelta(days=run % 5),
    )


def enter_claims(facility, insurees, icd, services, items, day, run: int) -> list[int]:
    from kinga.claims.models import Claim, ClaimLine

    claims = Claim.objects.bulk_create(
        [
            Claim(
                code=f"{facility.code}.R{run}.{k}",
                health_facility=facility,
                insuree_id=insuree,
                icd=icd,
                date_from=day,
                date_claimed=day,
                claimed=Decimal(7000),
            )
            for k, insuree in enumerate(insurees)
        ],
        batch_size=5000,
    )
    lines = []
    for c in claims:
        for s in services:
            lines.append(ClaimLine(claim=c, kind="S", service=s, quantity=1, price_asked=s.price))
        for i in items:
            lines.append(ClaimLine(claim=c, kind="I", item=i, quantity=2, price_asked=i.price))
    ClaimLine.objects.bulk_create(lines, batch_size=10000)
    return [c.pk for c in claims]


def main() -> None:
    args = sys.argv[1:]
    world_name = None
    if "--world" in args:
        at = args.index("--world")
        world_name = args[at + 1]
        del args[at : at + 2]
    n = int(args[0]) if args else 10_000
    setup()
    from _setup import actor
    from django.db import connection

    from kinga.claims.models import Claim
    from kinga.claims.services.submission import claims_submit
    from kinga.facilities.models import HealthFacility

    user = actor()
    if world_name is None:  # the national-scale world when generate_claims.py made it
        exists = HealthFacility.objects.filter(code="BH00").exists()
        world_name = "enrolment" if exists else "own"
    enrolment = world_name == "enrolment"
    if enrolment:
        done = Claim.objects.filter(code__startswith="BH00.R").count()
        run = done // max(n, 1) + 1
        made = enrolment_world(n, run)
    else:
        facility = world(n)
        run = Claim.objects.filter(health_facility=facility).count() // max(n, 1) + 1
        made = own_world(facility, n, run)
    ids = enter_claims(*made, run)
    n = len(ids)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    start = time.perf_counter()
    report = claims_submit(actor=user, claims=ids)
    seconds = time.perf_counter() - start
    assert report.submitted == n, report
    print(
        f"claims_submit ({world_name} world): {n} claims of 5 lines in {seconds:.2f} s"
        f" = {n / seconds:,.0f} claims/s"
        f" (checked {report.checked}, rejected {report.rejected},"
        f" lines passed {report.lines_passed}, rejected {report.lines_rejected}; target ≥ 1,000)"
    )


if __name__ == "__main__":
    main()
