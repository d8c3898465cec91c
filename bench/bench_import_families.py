"""Target (issue 6): importing or creating 100,000 families with their policies takes under
2 minutes on PostgreSQL.

Writes a CSV file of N families (default 100,000) of 1 to 5 members (3 on average, as
openIMIS's demo: 60 insurees in 21 families), each with a policy of the contributory product
BENCH_MUT taken a month ago and paid in full on the head's row, then imports it as
`kinga import families FILE --user …` does (read the file, check every row, write in bulk with
history), as a scoped enrolment clerk of the bench district.  Run `bench/generate_enrolment.py`
first or not: the families go into the bench villages either way (their numbers are new on
each run).  Prints the time to read, check and write, and what was written.
"""

import csv
import io
import random
import sys
import time
from datetime import date, timedelta
from decimal import Decimal

from _setup import setup
from generate_enrolment import ensure_places


def ensure_world():
    from kinga.core.models import Role, User
    from kinga.insurees.models import Officer
    from kinga.products.models import Product

    region, district, villages = ensure_places()
    Product.objects.get_or_create(
        code="BENCH_MUT",
        defaults={
            "name": "Bench contributory product",
            "location": region,
            "date_from": date(2020, 1, 1),
            "date_to": date(2035, 12, 31),
            "insurance_period": 12,
            "premium_adult": Decimal(5000),
            "premium_child": Decimal(2000),
            "max_installments": 3,
            "grace_period_payment": 1,
            "ceiling_type": "I",
            "ceiling_interpretation": "I",
        },
    )
    Officer.objects.get_or_create(
        code="BEO1", defaults={"last_name": "Bench", "other_names": "Officer", "district": district}
    )
    clerk, created = User.objects.get_or_create(
        username="bench.clerk", defaults={"last_name": "Bench", "other_names": "Clerk"}
    )
    if created:
        clerk.roles.set([Role.objects.get(is_system=8, retired_at__isnull=True)])
        clerk.districts.set([district])
    return clerk, [v.code for v in villages]


def make_file(families: int, villages: list[str], run: str) -> tuple[bytes, int]:
    rng = random.Random(11)
    enrolled = date.today() - timedelta(days=30)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        "head_insuree_number,insurance_number,last_name,other_names,dob,gender,relationship,"
        "village,product,enroll_date,officer,amount,receipt,pay_date,pay_type".split(",")
    )
    rows = 0
    for f in range(families):
        size = rng.choice((1, 2, 3, 3, 4, 5))
        head = f"{run}{f * 5:08d}"
        for m in range(size):
            number = f"{run}{f * 5 + m:08d}"
            adult = m < 2
            dob = date(1960 + rng.randrange(30), 1 + rng.randrange(12), 1 + rng.randrange(28))
            if not adult:
                dob = date(2012 + rng.randrange(8), 1 + rng.randrange(12), 1 + rng.randrange(28))
            policy = ["", "", "", "", "", "", ""]
            if m == 0:
                value = 5000 * min(size, 2) + 2000 * max(0, size - 2)
                policy = [
                    "BENCH_MUT",
                    enrolled.isoformat(),
                    "BEO1",
                    str(value),
                    f"R{head}",
                    enrolled.isoformat(),
                    "C",
                ]
            writer.writerow(
                [
                    head,
                    number,
                    f"Name{f}",
                    f"Member{m}",
                    dob.isoformat(),
                    "MF"[m % 2],
                    "" if m == 0 else ("8" if m == 1 else "4"),
                    villages[f % len(villages)],
                    *policy,
                ]
            )
            rows += 1
    return out.getvalue().encode(), rows


def main() -> None:
    families = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    setup()
    from kinga.core import transfer
    from kinga.insurees.models import Insuree
    from kinga.insurees.transfer.families import FAMILIES
    from kinga.policies.models import Contribution, InsureePolicy, Policy

    clerk, villages = ensure_world()
    run = f"I{int(time.time()) % 100000:05d}"
    data, rows = make_file(families, villages, run)
    before = Policy.objects.count()
    start = time.perf_counter()
    table = transfer.read_file(FAMILIES, "families.csv", data, max_bytes=None, max_rows=None)
    read = time.perf_counter()
    report = transfer.run_import(actor=clerk, kind=FAMILIES, rows=table, strategy="insert")
    done = time.perf_counter()
    if not report.success:
        sys.exit(f"rejected: {report.error or report.rejected_lines[:5]}")
    policies = Policy.objects.filter(family__head__insurance_number__startswith=run)
    active = policies.filter(status=2).count()
    print(
        f"import of {families:,} families ({rows:,} insurees, {len(data) / 1e6:.0f} MB CSV) "
        f"with a paid policy each: read {read - start:.1f} s, check + write {done - read:.1f} s, "
        f"total {done - start:.1f} s  [target < 120 s]; written: "
        f"{Insuree.objects.filter(insurance_number__startswith=run).count():,} insurees, "
        f"{Policy.objects.count() - before:,} policies ({active:,} active), "
        f"{InsureePolicy.objects.filter(policy__in=policies).count():,} coverage rows, "
        f"{Contribution.objects.filter(policy__in=policies).count():,} contributions"
    )


if __name__ == "__main__":
    main()
