"""Target (issue 4): importing 10,000 medical items from CSV on PostgreSQL takes under 10 s.

Run: `make bench` or `.venv/bin/python bench/bench_import_items.py [N]`.  Each run imports N
new items (fresh codes) through the same code as the import page and `kinga import`, then
re-imports the same file (all unchanged) and a file with every price changed (all updated).
"""

import random
import sys
import time

from _setup import actor, setup


def make_csv(n: int, run: str, price_bump: int = 0) -> bytes:
    rng = random.Random(42)
    lines = [
        "code,name,type,package,price,quantity,care_type,frequency,patient_category,maximum_amount"
    ]
    for i in range(n):
        lines.append(
            f"{run}{i:04d},Produit {run} {i} {rng.choice(['comprimé', 'sirop', 'injectable'])},"
            f"{rng.choice('DM')},Boîte de {rng.choice([10, 20, 30, 100])},{rng.randint(50, 50000) + price_bump},,"
            f"{rng.choice('OIB')},{rng.choice([0, 7, 30])},{rng.choice(['MFAC', 'FA', 'MFC'])},"
        )
    return ("\n".join(lines) + "\n").encode()


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    setup()
    from kinga.core import transfer
    from kinga.medical.models import Item
    from kinga.medical.transfer.catalogue import ITEMS

    user = actor()
    # Codes are ≤ 6 characters: a 2-letter run prefix + 4 digits (so N ≤ 10,000 per run).
    used = set(Item.objects.values_list("code", flat=True))
    run = next(
        a + b
        for a in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        if f"{a}{b}0000" not in used
    )
    for label, bump in [("create", 0), ("unchanged", 0), ("update", 1)]:
        data = make_csv(min(n, 10_000), run, bump)
        start = time.perf_counter()
        rows = transfer.read_file(ITEMS, "items.csv", data)
        report = transfer.run_import(actor=user, kind=ITEMS, rows=rows)
        elapsed = time.perf_counter() - start
        assert report.success, report.rejected_lines[:3]
        print(
            f"import {len(rows)} items from CSV ({label}): {elapsed:.2f} s "
            f"— {report.created} created, {report.updated} updated, {report.unchanged} unchanged"
            f"  [target < 10 s]"
        )


if __name__ == "__main__":
    main()
