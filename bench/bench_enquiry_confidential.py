"""Issue 15: what masking costs the enquiry.  The same random insurance numbers are asked, in
turn, by two enrolment clerks of the bench district: one who holds the right « Confidential
programmes » (the enquiry's one query as before) and one who does not (the query reads the
insuree from a derived table that says whether a confidential programme covers him, masks his
personal columns and leaves out that programme's coverage rows).  The bench product's programme
is made confidential, so every insuree is masked for the second clerk.

Run `bench/generate_enrolment.py` first.  Usage: bench_enquiry_confidential.py [requests]
"""

import random
import statistics
import sys
import time
from datetime import date

from _setup import setup


def main() -> None:
    requests = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    setup()
    from django.db import connection
    from django.test import Client

    from kinga.core.access import rights_of
    from kinga.core.models import Role, User
    from kinga.core.rights import Right
    from kinga.insurees.models import Insuree
    from kinga.locations.models import Location
    from kinga.products.models import Product, Programme

    total = Insuree.objects.filter(insurance_number__startswith="B").count()
    if total < 1000:
        sys.exit("run bench/generate_enrolment.py first")
    programme, _ = Programme.objects.get_or_create(
        code="BCONF", defaults={"name": "Bench confidential", "valid_from": date(2020, 1, 1)}
    )
    Programme.objects.filter(pk=programme.pk).update(confidential=True)
    Product.objects.filter(code="BENCH_FREE").update(programme=programme)
    clerk_role = Role.objects.get(is_system=8, retired_at__isnull=True)
    holder_role, _ = Role.objects.get_or_create(
        name="Bench confidential", defaults={"rights": [int(Right.CONFIDENTIAL_PROGRAMMES)]}
    )
    district = Location.objects.get(code="BD")
    users = {}
    for name, roles in (
        ("bench.holder", [clerk_role, holder_role]),
        ("bench.masked", [clerk_role]),
    ):
        user, _ = User.objects.get_or_create(
            username=name, defaults={"last_name": "Bench", "other_names": name}
        )
        user.roles.set(roles)
        user.districts.set([district])
        users[name] = user
    assert int(Right.CONFIDENTIAL_PROGRAMMES) in rights_of(users["bench.holder"])
    clients = {}
    for name, user in users.items():
        client = Client()
        client.force_login(user)
        clients[name] = client
    rng = random.Random(7)
    numbers = [f"B{rng.randrange(total):09d}" for _ in range(requests)]
    for client in clients.values():  # warm-up
        client.get("/policies/enquiry/", {"number": numbers[0]})
    counts = {}
    for name, client in clients.items():
        queries = []

        def count(execute, sql, *args, queries=queries):
            queries.append(sql)
            return execute(sql, *args)

        with connection.execute_wrapper(count):
            client.get("/policies/enquiry/", {"number": numbers[0]})
        counts[name] = len(queries)
    times = {name: [] for name in clients}
    for number in numbers:
        for name, client in clients.items():
            start = time.perf_counter()
            response = client.get("/policies/enquiry/", {"number": number})
            times[name].append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200 and number.encode() in response.content, number
            masked = b"Confidential data" in response.content or (
                "Données confidentielles".encode() in response.content
            )
            assert masked == (name == "bench.masked"), (name, number)
    for name, found in times.items():
        found.sort()
        p = lambda q, t=found: t[min(len(t) - 1, int(q * len(t)))]  # noqa: E731
        print(
            f"{name}: enquiry over {total:,} insurees, {requests} requests: p50 {p(0.50):.1f} ms,"
            f" p95 {p(0.95):.1f} ms, p99 {p(0.99):.1f} ms, mean {statistics.mean(found):.1f} ms,"
            f" {counts[name]} queries a request"
        )


if __name__ == "__main__":
    main()
