"""The read audit's chain: `verify()` (`kinga audit-verify`) and `archive()` (`kinga
audit-archive`), see kinga.core.audit.

The archive is the only way entries leave the table.  In one transaction, holding the append
lock: the entries older than the retention period are written to a gzip JSON-lines file (a
header line with the chain anchor, then one line per entry with its hash), the file is read
back and its chain checked (it starts at the anchor of the previous archive, each line's hash
is its fields' and the one before, and the first entry left in the table continues it), an
anchor row (AuditAnchor: last id and hash archived) is added, and only then are the entries
deleted, with `kinga.audit_archive` set for that transaction: the PostgreSQL trigger lets a
DELETE through only then, and only for entries up to the anchor's last id.
"""

from __future__ import annotations

import gzip
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .. import audit
from ..models import AuditAnchor, AuditEntry

BATCH = 5000
ROW_FIELDS = ("id", *audit.FIELDS, "prev_hash", "hash")


@dataclass
class Broken:
    id: int
    reason: str


@dataclass
class Verified:
    count: int
    broken: Broken | None
    start: str  # the hash the chain in the table starts from


def _rows(after_id: int = 0, up_to: int | None = None):
    """The entries after `after_id` (up to `up_to`), oldest first, as dicts, read in batches."""
    last = after_id
    while True:
        qs = AuditEntry.objects.filter(id__gt=last).order_by("id")
        if up_to is not None:
            qs = qs.filter(id__lte=up_to)
        batch = list(qs.values(*ROW_FIELDS)[:BATCH])
        if not batch:
            return
        yield from batch
        last = batch[-1]["id"]


def _check(row: dict, expected_prev: str) -> str | None:
    """Why `row` breaks the chain, or None."""
    if row["prev_hash"] != expected_prev:
        return "its previous hash is not the hash of the entry before it (an entry was removed)"
    text = audit.payload(**{name: row[name] for name in audit.FIELDS})
    if row["hash"] != audit.entry_hash(row["prev_hash"], text):
        return "its fields do not match its hash (the entry was changed)"
    return None


def chain_start() -> tuple[int, str]:
    """(last archived id, hash the table's chain starts from)."""
    anchor = AuditAnchor.objects.order_by("-id").first()
    return (anchor.last_id, anchor.last_hash) if anchor else (0, audit.GENESIS)


def verify() -> Verified:
    """Walk the chain of the entries in the table from the last archive's anchor; the first
    entry that breaks it."""
    after_id, start = chain_start()
    expected, count = start, 0
    for row in _rows(after_id):
        reason = _check(row, expected)
        if reason:
            return Verified(count, Broken(row["id"], reason), start)
        expected = row["hash"]
        count += 1
    return Verified(count, None, start)


# --- the archive ------------------------------------------------------------------------------


class ArchiveError(Exception):
    pass


def cutoff(now: datetime | None = None, years: int | None = None) -> datetime:
    now = now or timezone.now()
    years = settings.KINGA_AUDIT_RETENTION_YEARS if years is None else years
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)


def _line(row: dict) -> dict:
    out = dict(row)
    out["at"] = audit.canonical_at(row["at"])
    out["address"] = audit.canonical_address(row["address"]) or None
    return out


def read_archive(path: Path) -> tuple[dict, list[dict]]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        lines = [json.loads(line) for line in handle]
    if not lines or "anchor" not in lines[0]:
        raise ArchiveError(f"{path}: no anchor line")
    return lines[0]["anchor"], lines[1:]


def check_archive(path: Path) -> tuple[dict, list[dict]]:
    """The archive's anchor and entries, once its chain is checked; ArchiveError otherwise."""
    anchor, entries = read_archive(path)
    expected = anchor["first_prev_hash"]
    for row in entries:
        reason = _check(row, expected)
        if reason:
            raise ArchiveError(f"{path}: entry {row['id']}: {reason}")
        expected = row["hash"]
    if len(entries) != anchor["count"] or expected != anchor["last_hash"]:
        raise ArchiveError(f"{path}: {len(entries)} entries, the anchor says {anchor['count']}")
    return anchor, entries


@dataclass
class Archived:
    count: int
    file: Path | None


def archive(*, before: datetime | None = None, directory: Path | None = None) -> Archived:
    """Move the entries older than `before` (default: the retention period) to a file."""
    before = before or cutoff()
    directory = Path(directory or settings.KINGA_AUDIT_ARCHIVE_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    try:
        return _archive(before, directory, written)
    except BaseException:
        for path in written:  # the transaction was rolled back: no file without its removal
            path.unlink(missing_ok=True)
        raise


def _archive(before: datetime, directory: Path, written: list[Path]) -> Archived:
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(%s)", [audit.LOCK_KEY])
        after_id, start = chain_start()
        last = (
            AuditEntry.objects.filter(id__gt=after_id, at__lt=before)
            .order_by("-id")
            .values_list("id", flat=True)
            .first()
        )
        if last is None:
            return Archived(0, None)
        # The chain must hold up to there (and one step further) before it leaves the table.
        expected, count, first_id = start, 0, None
        now = timezone.now()
        path = directory / f"audit-{now:%Y%m%d-%H%M%S}-{after_id + 1}-{last}.jsonl.gz"
        partial = path.with_suffix(".partial")
        written += [partial, path]
        with gzip.open(partial, "wt", encoding="utf-8") as handle:
            for row in _rows(after_id, up_to=last):
                reason = _check(row, expected)
                if reason:
                    raise ArchiveError(f"entry {row['id']}: {reason}: run `kinga audit-verify`")
                first_id = row["id"] if first_id is None else first_id
                handle.write(json.dumps(_line(row), ensure_ascii=False) + "\n")
                expected = row["hash"]
                count += 1
        anchor = {
            "first_id": first_id,
            "last_id": last,
            "first_prev_hash": start,
            "last_hash": expected,
            "count": count,
            "before": audit.canonical_at(before),
            "archived_at": audit.canonical_at(now),
        }
        _write_with_anchor(partial, path, anchor)
        check_archive(path)
        following = AuditEntry.objects.filter(id__gt=last).order_by("id").first()
        if following is not None and following.prev_hash != expected:
            raise ArchiveError(f"entry {following.id} does not continue the archived chain")
        AuditAnchor.objects.create(
            at=now,
            first_id=first_id,
            last_id=last,
            first_prev_hash=start,
            last_hash=expected,
            count=count,
            file=path.name,
        )
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SELECT set_config('kinga.audit_archive', 'on', true)")
        removed, _ = AuditEntry.objects.filter(id__lte=last).delete()
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SELECT set_config('kinga.audit_archive', 'off', true)")
        if removed != count:
            raise ArchiveError(f"{removed} entries removed, {count} archived")
    return Archived(count, path)


def _write_with_anchor(partial: Path, path: Path, anchor: dict) -> None:
    """The final file: the anchor line, then the entries of `partial`; synced to disk."""
    with (
        gzip.open(partial, "rt", encoding="utf-8") as source,
        gzip.open(path, "wt", encoding="utf-8") as target,
    ):
        target.write(json.dumps({"anchor": anchor}) + "\n")
        for line in source:
            target.write(line)
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())
    partial.unlink()
