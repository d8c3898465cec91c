"""Generate a national-scale enrolment register on PostgreSQL for the benchmarks of issue 6:
N insurees (default 1,000,000) in families of 4, each family with an active policy of a free
12-month product and its members' coverage rows.

Written with set-based SQL (generate_series) because the point is the volume the enquiry runs
against, not the enrolment path (that is benchmarked separately).  Idempotent: a second run with
the same N adds nothing.  Run: `.venv/bin/python bench/generate_enrolment.py [N]`.
"""

import sys
import time
from datetime import date

from _setup import actor, setup

FAMILY_SIZE = 4
PREFIX = "B"  # bench insurance numbers: B + 9 digits


def ensure_places():
    """The bench region BR, district BD, commune BW and its 20 villages BV00–BV19."""
    from kinga.locations.models import Location

    region, _ = Location.objects.get_or_create(
        code="BR", defaults={"name": "Bench region", "type": "R"}
    )
    district, _ = Location.objects.get_or_create(
        code="BD", defaults={"name": "Bench district", "type": "D", "parent": region}
    )
    commune, _ = Location.objects.get_or_create(
        code="BW", defaults={"name": "Bench commune", "type": "W", "parent": district}
    )
    villages = [
        Location.objects.get_or_create(
            code=f"BV{i:02d}",
            defaults={"name": f"Bench village {i}", "type": "V", "parent": commune},
        )[0]
        for i in range(20)
    ]
    return region, district, villages


def ensure_world():
    from kinga.products.models import Product

    _region, _district, villages = ensure_places()
    product, _ = Product.objects.get_or_create(
        code="BENCH_FREE",
        defaults={
            "name": "Bench free programme",
            "date_from": date(2020, 1, 1),
            "date_to": date(2035, 12, 31),
            "insurance_period": 12,
        },
    )
    return [v.id for v in villages], product


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    setup()
    from django.db import connection, transaction

    actor()
    village_ids, product = ensure_world()
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM insurees_insuree WHERE insurance_number LIKE %s", [PREFIX + "%"]
        )
        have = cur.fetchone()[0]
    if have >= n:
        print(f"{have} bench insurees already there")
        return
    families = (n - have) // FAMILY_SIZE
    first = have // FAMILY_SIZE
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            """
            CREATE TEMP TABLE bench_new_family ON COMMIT DROP AS
            SELECT g AS n, %s::bigint[] AS villages FROM generate_series(%s, %s) g
            """,
            [village_ids, first, first + families - 1],
        )
        cur.execute(
            """
            WITH ins AS (
              INSERT INTO insurees_family (uuid, village_id, poverty, family_type, address,
                                           ethnicity, confirmation_type, confirmation_no)
              SELECT gen_random_uuid(), villages[1 + n %% array_length(villages, 1)], false, 'H',
                     'Quartier ' || n, '', '', lpad(n::text, 12, '0')
              FROM bench_new_family ORDER BY n
              RETURNING id, confirmation_no)
            SELECT count(*) FROM ins
            """,
            [],
        )
        cur.execute(
            """
            INSERT INTO insurees_insuree (uuid, family_id, insurance_number, last_name, other_names,
                dob, gender, marital, is_head, relationship, type_of_id, id_number, phone, email,
                current_address, photo, card_issued, status, status_reason)
            SELECT gen_random_uuid(), f.id,
                   %s || lpad((f.confirmation_no::bigint * 4 + k)::text, 9, '0'),
                   (ARRAY['Mballa','Ngono','Essomba','Atangana','Owona','Fouda','Abena','Onana'])[1 + (f.id %% 8)],
                   (ARRAY['Jean','Marie','Paul','Christine','Thérèse','Joseph','Aline','Serge'])[1 + ((f.id + k) %% 8)],
                   date '1960-01-01' + ((f.id * 7 + k * 3650) %% 20000)::int,
                   CASE WHEN k %% 2 = 0 THEN 'M' ELSE 'F' END, 'N', k = 0,
                   CASE WHEN k = 0 THEN NULL WHEN k = 1 THEN 8 ELSE 4 END,
                   '', '', '6' || lpad(((f.id * 4 + k) %% 100000000)::text, 8, '0'), '', '', '', false, 'AC', ''
            FROM insurees_family f CROSS JOIN generate_series(0, 3) k
            WHERE f.confirmation_no >= lpad(%s::text, 12, '0') AND f.address LIKE 'Quartier %%'
              AND f.head_id IS NULL
            """,
            [PREFIX, first],
        )
        cur.execute(
            """
            UPDATE insurees_family f SET head_id = i.id
            FROM insurees_insuree i WHERE i.family_id = f.id AND i.is_head AND f.head_id IS NULL
            """
        )
        cur.execute(
            """
            INSERT INTO policies_policy (uuid, family_id, product_id, stage, status, enroll_date,
                start_date, effective_date, expiry_date, value, created_at)
            SELECT gen_random_uuid(), f.id, %s, 'N', 2, d, d, d, (d + interval '12 months' - interval '1 day')::date, 0, now()
            FROM (SELECT f.id, (current_date - (f.id %% 300)::int) AS d FROM insurees_family f
                  WHERE f.address LIKE 'Quartier %%'
                    AND NOT EXISTS (SELECT 1 FROM policies_policy p WHERE p.family_id = f.id)) f
            """,
            [product.id],
        )
        cur.execute(
            """
            INSERT INTO policies_insureepolicy (uuid, policy_id, insuree_id, enrollment_date,
                start_date, effective_date, expiry_date)
            SELECT gen_random_uuid(), p.id, i.id, p.enroll_date, p.start_date, p.effective_date, p.expiry_date
            FROM policies_policy p JOIN insurees_insuree i ON i.family_id = p.family_id
            WHERE p.product_id = %s
              AND NOT EXISTS (SELECT 1 FROM policies_insureepolicy x WHERE x.policy_id = p.id)
            """,
            [product.id],
        )
    with connection.cursor() as cur:
        cur.execute(
            "ANALYZE insurees_family; ANALYZE insurees_insuree; ANALYZE policies_policy; ANALYZE policies_insureepolicy;"
        )
    print(
        f"generated {families * FAMILY_SIZE} insurees in {families} families with their policies: {time.perf_counter() - start:.1f} s"
    )


if __name__ == "__main__":
    main()
