"""Issue 11, item 1: the peak memory of importing the hostile spreadsheet stays under 100 MB.

The workbook (tests/hostile_files.py) is 1.6 KB: a payers header in row 1, one payer in row
1,048,576, and a sheet declaring `<dimension ref="A1:XFD1048576"/>`.  Each measure runs in a
fresh subprocess, through the import service as the upload page calls it
(`transfer.read_upload` then `transfer.run_import`, a dry run, as the bench IMIS
administrator), and reports the peak resident memory of the process during the import
(VmHWM, reset just before it through /proc/self/clear_refs), how much that is above the
process before the import, and the time.  `--traced` adds the peak of Python's allocations
(tracemalloc; much slower: every skipped row is traced).

    .venv/bin/python bench/bench_hostile_import.py           # the hostile file
    .venv/bin/python bench/bench_hostile_import.py --old     # and old vs new on 4,000 rows

`--old` reads as Kinga did before (openpyxl's read-only mode trusting the declared dimension:
every row padded to 16,384 columns, every missing row filled), on the 4,000-row version of the
file only (the full one needs about 130 GB); the new reader is measured on it too.
DATABASE_URL as in bench/_setup.py (PostgreSQL kinga_bench by default).
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

TARGET_MB = 100
FULL = 1_048_576
SMALL = 4_000


def _status_mb(field: str) -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise LookupError(field)


def _reset_peak() -> None:
    """Start VmHWM (the peak resident set) again from the current resident set."""
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")


def _old_read(data: bytes) -> int:
    """The reader of Kinga before issue 11 (kinga/core/transfer.py, commit 2b8eb1e)."""
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    sheet = book.worksheets[0]
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    book.close()
    return len(values)


def child(rows: int, old: bool) -> dict:
    from _setup import actor, setup

    setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import translation

    from kinga.core import transfer
    from kinga.core.errors import Refused
    from kinga.policies.transfer.payers import PAYERS
    from tests.hostile_files import hostile_xlsx

    translation.activate("en")
    user = actor()
    data = hostile_xlsx(rows)
    upload = SimpleUploadedFile("hostile.xlsx", data)
    traced = "--traced" in sys.argv
    _reset_peak()
    base = _status_mb("VmRSS")
    start = time.perf_counter()
    if traced:
        tracemalloc.start()
    try:
        if old:
            outcome = f"read {_old_read(data)} padded rows"
        else:
            read = transfer.read_upload(PAYERS, upload)
            report = transfer.run_import(actor=user, kind=PAYERS, rows=read, dry_run=True)
            outcome = f"imported (dry run): {report.sent} row, {report.rejected} rejected"
    except Refused as refused:
        outcome = f"refused: {refused.message}"
    seconds = time.perf_counter() - start
    peak = _status_mb("VmHWM")
    traced_mb = None
    if traced:
        traced_mb = tracemalloc.get_traced_memory()[1] / 1024 / 1024
        tracemalloc.stop()
    return {
        "reader": "old" if old else "new",
        "rows": rows,
        "bytes": len(data),
        "peak_mb": peak,
        "growth_mb": peak - base,
        "traced_mb": traced_mb,
        "seconds": seconds,
        "outcome": outcome,
    }


def measure(rows: int, old: bool) -> dict:
    flags = (["--old"] if old else []) + (["--traced"] if "--traced" in sys.argv else [])
    command = [sys.executable, __file__, "--child", str(rows), *flags]
    done = subprocess.run(
        command, capture_output=True, text=True, check=True, cwd=Path(__file__).parent
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    if "--child" in sys.argv:
        rows = int(sys.argv[sys.argv.index("--child") + 1])
        print(json.dumps(child(rows, "--old" in sys.argv)))
        return
    runs = [(FULL, False)]
    if "--old" in sys.argv:
        runs += [(SMALL, False), (SMALL, True)]
    ok = True
    for rows, old in runs:
        r = measure(rows, old)
        traced = f", traced {r['traced_mb']:.1f} MB" if r["traced_mb"] is not None else ""
        print(
            f"{r['reader']} reader, {r['bytes']:,} bytes, last row {r['rows']:,}: "
            f"peak resident {r['peak_mb']:.1f} MB (+{r['growth_mb']:.1f} MB for the import"
            f"{traced}), {r['seconds']:.2f} s — {r['outcome']}"
        )
        if r["reader"] == "new":
            ok = ok and r["growth_mb"] < TARGET_MB
    print(f"target: the import takes under {TARGET_MB} MB — {'met' if ok else 'MISSED'}")
    if "--old" in sys.argv:
        print(f"(the old reader on the full file: about {FULL // SMALL}× the 4,000-row figure)")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
