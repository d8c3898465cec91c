"""Generate a national-scale claims register on PostgreSQL for the benchmarks of issue 12: N claims
(default 1,000,000) of 3 to 5 lines for the insurees of bench/generate_enrolment.py (run it
first), over the last year, at 40 bench facilities, in realistic statuses, then ANALYZE.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kinga_bench \\
        python bench/generate_enrolment.py 1000000
    DATABASE_URL=... python bench/generate_claims.py [N]

The world the claims need is made once with the ORM (facilities with price lists, 12 services
and 18 items covered by the enrolment's free product BENCH_FREE, a few diagnoses); the claims
and their lines are written with set-based SQL (INSERT … SELECT generate_series), in chunks of
100,000 claims, each in its own transaction; for a large load the tables' plain indexes are
dropped first and rebuilt at the end (faster than maintaining them row by row).  What the rows hold:

- care on one day over the last 365 days (1 claim in 12: a stay of 1 to 6 nights), claimed 0 to
  12 days after the care; visit types ordinary 85 %, emergency 10 %, referral 5 %;
- statuses by age: care of the last 10 days partly still Entered; about 6 % Rejected (every
  line code 3, as for a person without cover, or a line's care type, code 10), the rest Checked
  with their passed lines' approved quantities; review: most Not selected, some Selected,
  Delivered (a line in 20 rejected by the medical officer, reason −1) or Bypassed; feedback
  likewise;
- claimed and approved amounts computed from the lines.

No history rows are written: the volume is for the searches and the checks (frequency and
limits read an insuree's earlier claims), not for the history pages.  Idempotent: a second run
with the same N adds nothing; a larger N adds the difference.
"""

from __future__ import annotations

import sys
import time
from datetime import date
from decimal import Decimal

from _setup import actor, setup

PREFIX = "BH"  # bench facilities BH00–BH39, codes BH07.<n>
FACILITIES = 40
SERVICES = 12
ITEMS = 18
CHUNK = 100_000
DIAGNOSES = [
    ("B50.9", "Plasmodium falciparum malaria, unspecified"),
    ("J06.9", "Acute upper respiratory infection, unspecified"),
    ("A09.9", "Gastroenteritis and colitis of unspecified origin"),
    ("I10", "Essential (primary) hypertension"),
    ("E11.9", "Type 2 diabetes mellitus without complications"),
    ("B24", "Unspecified human immunodeficiency virus [HIV] disease"),
    ("O80.9", "Single spontaneous delivery, unspecified"),
    ("N39.0", "Urinary tract infection, site not specified"),
]


def ensure_world():
    """Facilities, services, items, price lists, the product's coverage and diagnoses."""
    from generate_enrolment import ensure_world as enrolment_world

    from kinga.facilities.models import HealthFacility
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
    from kinga.products.models import ProductItem, ProductService

    _villages, product = enrolment_world()
    district = Location.objects.get(code="BD")
    services = []
    for i in range(SERVICES):
        service, _ = Service.objects.get_or_create(
            code=f"BS{i:02d}",
            defaults={
                "name": f"Bench service {i}",
                "price": Decimal(1500 + 500 * i),
                "care_type": "I" if i == SERVICES - 1 else "B",
                "type": "C" if i < 3 else "P",
                "level": "S",
                "category": "C" if i < 3 else ("H" if i == SERVICES - 1 else ""),
            },
        )
        services.append(service)
    items = []
    for i in range(ITEMS):
        item, _ = Item.objects.get_or_create(
            code=f"BI{i:02d}",
            defaults={
                "name": f"Bench item {i}",
                "price": Decimal(100 + 150 * i),
                "care_type": "B",
                "type": "D",
            },
        )
        items.append(item)
    spl, created = ServicesPriceList.objects.get_or_create(
        name="Bench services", defaults={"date": date(2020, 1, 1)}
    )
    if created:
        ServicesPriceListEntry.objects.bulk_create(
            [ServicesPriceListEntry(price_list=spl, service=s) for s in services]
        )
    ipl, created = ItemsPriceList.objects.get_or_create(
        name="Bench items", defaults={"date": date(2020, 1, 1)}
    )
    if created:
        ItemsPriceListEntry.objects.bulk_create(
            [ItemsPriceListEntry(price_list=ipl, item=i) for i in items]
        )
    for s in services:
        ProductService.objects.get_or_create(product=product, service=s)
    for i in items:
        ProductItem.objects.get_or_create(product=product, item=i)
    facilities = []
    for n in range(FACILITIES):
        facility = HealthFacility.objects.filter(code=f"{PREFIX}{n:02d}").first()
        if facility is None:
            facility = HealthFacility.objects.create(
                code=f"{PREFIX}{n:02d}",
                name=f"Bench facility {n}",
                district=district,
                level="H" if n < 8 else "C",
                legal_form="G",
                care_type="B" if n < 8 else "O",
                services_price_list=spl,
                items_price_list=ipl,
            )
        facilities.append(facility)
    diagnoses = [
        Diagnosis.objects.get_or_create(code=code, defaults={"name": name})[0]
        for code, name in DIAGNOSES
    ]
    return facilities, services, items, diagnoses


CLAIMS_SQL = """
INSERT INTO claims_claim (uuid, code, health_facility_id, insuree_id, date_from, date_to,
    date_claimed, visit_type, icd_id, guarantee_number, explanation, status, review_status,
    feedback_status, category, rejection_reason, claimed, adjustment, submitted_at,
    timeliness_days, timely, complete, missing, created_at, updated_at, created_by_id,
    submitted_by_id)
SELECT gen_random_uuid(), %(prefix)s || lpad((g %% %(nf)s)::text, 2, '0') || '.' || g,
       f.ids[1 + g %% %(nf)s],
       %(first_insuree)s + ((g::bigint * 7919) %% %(insurees)s),
       d.care, CASE WHEN d.stay > 0 THEN d.care + d.stay END,
       LEAST(current_date, d.care + d.stay + (g %% 13)),
       CASE WHEN g %% 20 < 17 THEN 'O' WHEN g %% 20 < 19 THEN 'E' ELSE 'R' END,
       f.icds[1 + (g / 7) %% array_length(f.icds, 1)], '', '',
       s.status,
       CASE WHEN s.status <> 4 THEN 1 WHEN g %% 100 < 70 THEN 2 WHEN g %% 100 < 75 THEN 4
            WHEN g %% 100 < 88 THEN 8 WHEN g %% 100 < 90 THEN 16 ELSE 1 END,
       CASE WHEN s.status <> 4 THEN 1 WHEN (g / 3) %% 100 < 85 THEN 2
            WHEN (g / 3) %% 100 < 88 THEN 4 WHEN (g / 3) %% 100 < 92 THEN 8 ELSE 1 END,
       CASE WHEN s.status = 2 THEN '' WHEN d.stay > 0 THEN 'H' WHEN g %% 3 = 0 THEN 'C'
            ELSE 'V' END,
       CASE WHEN s.status = 1 THEN 1 ELSE 0 END,
       0, '',
       CASE WHEN s.status <> 2 THEN
            (LEAST(current_date, d.care + d.stay + (g %% 13)) + time '16:00')::timestamptz END,
       CASE WHEN s.status <> 2 THEN g %% 13 END,
       CASE WHEN s.status <> 2 THEN true END,
       CASE WHEN s.status <> 2 THEN true END,
       '[]'::jsonb, now(), now(), %(user)s,
       CASE WHEN s.status <> 2 THEN %(user)s END
FROM generate_series(%(first)s, %(last)s) g
CROSS JOIN (SELECT %(facilities)s::bigint[] AS ids, %(icds)s::bigint[] AS icds) f
CROSS JOIN LATERAL (SELECT current_date - ((g::bigint * 37) %% 365)::int AS care,
                           CASE WHEN g %% 12 = 0 AND g %% 40 < 8 THEN 1 + g %% 6 ELSE 0 END AS stay) d0
CROSS JOIN LATERAL (SELECT LEAST(d0.care, current_date - d0.stay) AS care, d0.stay) d
CROSS JOIN LATERAL (SELECT CASE
       WHEN d.care > current_date - 10 AND g %% 3 = 0 THEN 2
       WHEN g %% 50 < 3 THEN 1
       ELSE 4 END AS status) s
"""

LINES_SQL = """
INSERT INTO claims_claimline (uuid, claim_id, kind, service_id, item_id, quantity, price_asked,
    price_origin, explanation, status, rejection_reason, qty_approved, justification, limitation)
SELECT gen_random_uuid(), c.id, x.kind,
       CASE WHEN x.kind = 'S' THEN w.services[x.i] END,
       CASE WHEN x.kind = 'I' THEN w.items[x.i] END,
       x.quantity,
       CASE WHEN x.kind = 'S' THEN w.service_prices[x.i] ELSE w.item_prices[x.i] END,
       '', '',
       CASE WHEN c.status = 1 OR x.reviewed_out THEN 2 ELSE 1 END,
       CASE WHEN c.status = 1 THEN 3 WHEN x.reviewed_out THEN -1 ELSE 0 END,
       CASE WHEN c.status = 1 OR x.reviewed_out THEN 0 WHEN c.status = 4 THEN x.quantity END,
       CASE WHEN x.reviewed_out THEN 'Quantité non justifiée par le diagnostic.' ELSE '' END,
       ''
FROM claims_claim c
CROSS JOIN (SELECT %(services)s::bigint[] AS services, %(service_prices)s::numeric[] AS service_prices,
                   %(items)s::bigint[] AS items, %(item_prices)s::numeric[] AS item_prices) w
CROSS JOIN LATERAL generate_series(1, 3 + (c.id %% 3)::int) k
CROSS JOIN LATERAL (
    SELECT kind,
           CASE WHEN kind = 'I' THEN 1 + (c.id * 3 + k * 5) %% array_length(w.items, 1)
                WHEN c.date_to IS NOT NULL AND k = 1 THEN array_length(w.services, 1)
                ELSE 1 + (c.id * k) %% (array_length(w.services, 1) - 1) END AS i,
           CASE WHEN kind = 'S' THEN 1 ELSE 1 + ((c.id + k) %% 4) * 5 END AS quantity,
           c.review_status = 8 AND k = 1 AND c.id %% 20 = 0 AS reviewed_out
    FROM (SELECT CASE WHEN k = 1 OR (k = 2 AND c.id %% 2 = 0) THEN 'S' ELSE 'I' END AS kind) z
) x
WHERE c.id BETWEEN %(lo)s AND %(hi)s AND c.code LIKE %(like)s
"""

AMOUNTS_SQL = """
UPDATE claims_claim c SET claimed = t.claimed,
       approved = CASE WHEN c.status = 4 THEN t.approved END
FROM (SELECT claim_id, sum(quantity * price_asked) AS claimed,
             sum(CASE WHEN status = 1 THEN COALESCE(qty_approved, quantity) * price_asked
                      ELSE 0 END) AS approved
      FROM claims_claimline WHERE claim_id BETWEEN %(lo)s AND %(hi)s GROUP BY claim_id) t
WHERE c.id = t.claim_id
"""


def drop_indexes(cur) -> list[str]:
    """Drop the claims' and lines' plain indexes (not the unique ones, not the lines' claim
    index the chunks read by) for a large load; returns their definitions to recreate."""
    cur.execute(
        """
        SELECT indexname, indexdef FROM pg_indexes
        WHERE tablename IN ('claims_claim', 'claims_claimline')
          AND indexdef NOT LIKE 'CREATE UNIQUE%%' AND indexdef NOT LIKE '%%(claim_id)'
        """
    )
    found = cur.fetchall()
    for name, _definition in found:
        cur.execute(f'DROP INDEX "{name}"')
    return [definition for _name, definition in found]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    setup()
    from django.db import connection, transaction

    from kinga.claims.models import Claim

    user = actor()
    facilities, services, items, diagnoses = ensure_world()
    like = PREFIX + "%"
    with connection.cursor() as cur:
        cur.execute(
            "SELECT min(id), count(*) FROM insurees_insuree WHERE insurance_number LIKE 'B%%'"
        )
        first_insuree, insurees = cur.fetchone()
    if not insurees:
        sys.exit("No bench insurees: run bench/generate_enrolment.py first.")
    have = Claim.objects.filter(code__startswith=PREFIX, health_facility__in=facilities).count()
    if have >= n:
        print(f"{have} bench claims already there")
        return
    # The last service is the in-patient day of a stay (stays only at the 8 hospitals, the
    # first facilities); the others fit any visit.
    params = {
        "prefix": PREFIX,
        "nf": FACILITIES,
        "first_insuree": first_insuree,
        "insurees": insurees,
        "facilities": [f.pk for f in facilities],
        "icds": [d.pk for d in diagnoses],
        "services": [s.pk for s in services],
        "items": [i.pk for i in items],
        "service_prices": [s.price for s in services],
        "item_prices": [i.price for i in items],
        "user": user.pk,
        "like": like,
    }
    start = time.perf_counter()
    done = have
    indexes = []
    if n - have >= CHUNK:
        with connection.cursor() as cur:
            indexes = drop_indexes(cur)
    try:
        while done < n:
            last = min(n, done + CHUNK)
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute("SELECT coalesce(max(id), 0) FROM claims_claim")
                lo = cur.fetchone()[0] + 1
                cur.execute(CLAIMS_SQL, params | {"first": done + 1, "last": last})
                cur.execute("SELECT coalesce(max(id), 0) FROM claims_claim")
                hi = cur.fetchone()[0]
                bounds = params | {"lo": lo, "hi": hi}
                cur.execute(LINES_SQL, bounds)
                cur.execute(AMOUNTS_SQL, bounds)
            done = last
            print(f"  {done:,} claims ({time.perf_counter() - start:.0f} s)", flush=True)
    finally:
        with connection.cursor() as cur:
            for definition in indexes:
                cur.execute(definition)
        if indexes:
            print(f"  {len(indexes)} indexes rebuilt ({time.perf_counter() - start:.0f} s)")
    with connection.cursor() as cur:
        cur.execute("ANALYZE claims_claim; ANALYZE claims_claimline;")
        cur.execute(
            "SELECT count(*) FROM claims_claimline l JOIN claims_claim c ON c.id = l.claim_id"
            " WHERE c.code LIKE %s",
            [like],
        )
        lines = cur.fetchone()[0]
    print(
        f"generated {n - have:,} claims ({lines:,} lines in all) with ANALYZE:"
        f" {time.perf_counter() - start:.1f} s"
    )


if __name__ == "__main__":
    main()
