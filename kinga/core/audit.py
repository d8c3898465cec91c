"""The read audit (issue 15): who read which person's record, when, from where, allowed or
denied — appended to kinga.core.models.AuditEntry in the request that reads.

What is recorded, and when
--------------------------
- A **page read**: the loaders (kinga.core.loaders.Loader, `audit=`) call `viewed()` when they
  load a record for an audited action (a family's or an insuree's page, a claim's page or
  print); the enquiry calls it itself.  A page read counts once per *page request*: a GET (or
  HEAD) that is not an htmx request.  htmx fragments of a page (its policies block, a history
  page swapped in) and POSTs (a write, which the history records) add no entry; the same record
  read twice in one request is one entry.  A read the loader refuses (no right, out of scope)
  is a `denied` entry.
- An **export** (or a print of several records): `exported()` writes one entry per file, its
  `rows` the ids of the records it holds, whatever the request.

Entries are kept in the request (a context variable set by `AuditMiddleware`) and appended when
the view has returned, before the response leaves: one statement per entry, usually one per
request.  Should that write fail, the request fails (a 500) and the page is not sent: no read
without its entry.  Outside a request (a command, a background job) entries are written at once.

The chain
---------
Each entry's `hash` is SHA-256 over its previous entry's hash followed by its own fields
(`payload()`, canonical JSON).  The database computes it, under a lock, so that concurrent
requests never fork the chain:
- PostgreSQL: `kinga_audit_append(...)`, a plpgsql function that takes a transaction advisory
  lock, reads the last hash (the last entry's, else the archive anchor's, else 64 zeros) and
  inserts; each of its statements sees what the previous holder of the lock committed.
- SQLite: one INSERT … SELECT (a write statement takes the database's write lock before it
  reads), with SHA-256 registered on the connection as `kinga_sha256`.

A trigger refuses UPDATE and DELETE on the table on PostgreSQL; the only removal is
`kinga audit-archive` (kinga.core.services.audit_archive), which writes an anchor row first and
sets `kinga.audit_archive` for its own transaction.  `kinga audit-verify` walks the chain.
"""

from __future__ import annotations

import contextvars
import hashlib
import ipaddress
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.conf import settings
from django.db import connection
from django.utils import timezone

from .lockout import client_ip

GENESIS = "0" * 64
# pg_advisory_xact_lock's key for the chain's appends (and the archive's removal): "kinga"
LOCK_KEY = 0x6B696E6761

VIEW, EXPORT, PRINT = "view", "export", "print"
ALLOWED, DENIED = "allowed", "denied"


# --- the fields and their hash ----------------------------------------------------------------


def canonical_at(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def canonical_address(address) -> str:
    return str(ipaddress.ip_address(address)) if address else ""


def payload(*, at, user_id, login, address, action, outcome, kind, record, rows, path) -> str:
    """The entry's own fields, as hashed: canonical JSON (UTC time to the microsecond)."""
    return json.dumps(
        [
            at if isinstance(at, str) else canonical_at(at),
            user_id,
            login or "",
            canonical_address(address),
            action,
            outcome,
            kind,
            record or "",
            rows,
            path or "",
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )


def entry_hash(prev_hash: str, text: str) -> str:
    return hashlib.sha256((prev_hash + text).encode()).hexdigest()


FIELDS = (
    "at",
    "user_id",
    "login",
    "address",
    "action",
    "outcome",
    "kind",
    "record",
    "rows",
    "path",
)


@dataclass
class Entry:
    user_id: int | None
    login: str
    action: str
    outcome: str
    kind: str
    record: str = ""
    rows: list | None = None
    address: str | None = None
    path: str = ""
    at: datetime = field(default_factory=timezone.now)

    def payload(self) -> str:
        return payload(**{name: getattr(self, name) for name in FIELDS})

    def params(self, at) -> list:
        """The append's parameters: the values of COLUMNS (`at` as the database takes it),
        then the payload the hash is computed over."""
        rows = None if self.rows is None else json.dumps(self.rows)
        return [
            at,
            self.user_id,
            self.login,
            self.address,
            self.action,
            self.outcome,
            self.kind,
            self.record,
            rows,
            self.path,
            self.payload(),
        ]


# --- the request's entries ----------------------------------------------------------------------


@dataclass
class _Request:
    address: str | None
    path: str
    page: bool  # a page request: its reads count
    read_only: bool
    entries: list[Entry] = field(default_factory=list)
    seen: set = field(default_factory=set)


_current: contextvars.ContextVar[_Request | None] = contextvars.ContextVar(
    "kinga_audit_request", default=None
)


def _address(request) -> str | None:
    value = client_ip(request)
    try:
        return canonical_address(value) or None
    except ValueError:  # not an address (a proxy's garbage): not stored
        return None


def begin(request):
    """The request's audit context (AuditMiddleware)."""
    htmx = request.headers.get("HX-Request") == "true"
    safe = request.method in ("GET", "HEAD")
    return _current.set(
        _Request(
            address=_address(request),
            path=request.get_full_path()[:255],
            page=safe and not htmx,
            read_only=safe,
        )
    )


def end(token) -> _Request | None:
    state = _current.get()
    _current.reset(token)
    return state


def enabled() -> bool:
    return getattr(settings, "KINGA_AUDIT", True)


def _entry(user, *, action, outcome, kind, record="", rows=None) -> Entry:
    state = _current.get()
    user_id = getattr(user, "pk", None) if getattr(user, "is_authenticated", False) else None
    return Entry(
        user_id=user_id,
        login=(getattr(user, "username", "") or "")[:50] if user_id else "",
        action=action,
        outcome=outcome,
        kind=kind,
        record=str(record or "")[:64],
        rows=rows,
        address=state.address if state else None,
        path=state.path if state else "",
    )


def _add(entry: Entry, key=None) -> None:
    state = _current.get()
    if state is None:
        write([entry])
        return
    if key is not None:
        if key in state.seen:
            return
        state.seen.add(key)
    state.entries.append(entry)


def counts() -> bool:
    """Whether a page read now is recorded: auditing on, and a page request (or none)."""
    if not enabled():
        return False
    state = _current.get()
    return state is None or state.page


def viewed(user, kind: str, record, *, allowed: bool = True, action: str = VIEW) -> None:
    """A read of one record on a page (see the module's docstring for which requests count)."""
    if not counts():
        return
    outcome = ALLOWED if allowed else DENIED
    entry = _entry(user, action=action, outcome=outcome, kind=kind, record=record)
    _add(entry, key=(kind, entry.record, action, outcome))


def exported(user, kind: str, ids, *, action: str = EXPORT) -> None:
    """One export (or print) of several records: one entry naming their ids."""
    if not enabled():
        return
    _add(_entry(user, action=action, outcome=ALLOWED, kind=kind, rows=[int(i) for i in ids]))


def listed(user, kind: str, ids) -> None:
    """A list page's rows (a search result): one entry naming the records it showed, as an
    export does — only for a page read (not an htmx fragment), and none for an empty page."""
    if not counts():
        return
    rows = [int(i) for i in ids]
    if rows:
        _add(_entry(user, action=VIEW, outcome=ALLOWED, kind=kind, rows=rows))


def exporting(user, kind: str, records, *, action: str = EXPORT):
    """`records` as they are read into an export file; once read to the end, the export's
    entry naming every one of them."""
    ids = []
    for record in records:
        ids.append(record.pk)
        yield record
    exported(user, kind, ids, action=action)


# --- the append ---------------------------------------------------------------------------------


def _table() -> str:
    from .models import AuditEntry

    return connection.ops.quote_name(AuditEntry._meta.db_table)


def _anchor_table() -> str:
    from .models import AuditAnchor

    return connection.ops.quote_name(AuditAnchor._meta.db_table)


COLUMNS = "at, user_id, login, address, action, outcome, kind, record, rows, path"


def write(entries: list[Entry], *, read_only: bool = False) -> None:
    """Append `entries` to the chain (one statement each).  `read_only`: the request wrote
    nothing else, and its commit may be asynchronous (KINGA_AUDIT_ASYNC_COMMIT, PostgreSQL)."""
    if not entries:
        return
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            relaxed = (
                read_only
                and getattr(settings, "KINGA_AUDIT_ASYNC_COMMIT", False)
                and not connection.in_atomic_block
            )
            for e in entries:
                cur.execute(
                    "SELECT kinga_audit_append(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    [*e.params(e.at), relaxed],
                )
        else:
            sql = (
                f"INSERT INTO {_table()} ({COLUMNS}, prev_hash, hash)"
                " SELECT %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, p.h, kinga_sha256(p.h || %s)"
                f" FROM (SELECT COALESCE((SELECT hash FROM {_table()} ORDER BY id DESC LIMIT 1),"
                f" (SELECT last_hash FROM {_anchor_table()} ORDER BY id DESC LIMIT 1),"
                f" '{GENESIS}') AS h) p"
            )
            for e in entries:
                cur.execute(sql, e.params(connection.ops.adapt_datetimefield_value(e.at)))


class AuditMiddleware:
    """Keeps the request's audit entries (address, page, whether its reads count) and appends
    them once the view has answered."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not enabled():
            return self.get_response(request)
        token = begin(request)
        try:
            response = self.get_response(request)
        finally:
            state = end(token)
        write(state.entries, read_only=state.read_only)
        return response


# --- the database's side ------------------------------------------------------------------------


def _sha256(text):
    return None if text is None else hashlib.sha256(text.encode()).hexdigest()


def on_connection(sender, connection, **kwargs) -> None:
    """SQLite: SHA-256 for the append's INSERT … SELECT."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("kinga_sha256", 1, _sha256, deterministic=True)


def install_on_postgresql(connection) -> None:
    """The append function and the triggers that keep the log append-only (idempotent: run by
    the migration 0005_audit_archive and after every migrate, for test databases built without
    migrations)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass('core_auditentry'), to_regclass('core_auditanchor')")
        if None in cur.fetchone():
            return
        cur.execute(
            f"""
            CREATE OR REPLACE FUNCTION kinga_audit_append(
                p_at timestamptz, p_user bigint, p_login text, p_address inet, p_action text,
                p_outcome text, p_kind text, p_record text, p_rows jsonb, p_path text,
                p_payload text, p_relaxed boolean) RETURNS void
            LANGUAGE plpgsql VOLATILE AS $$
            DECLARE
              prev text;
            BEGIN
              IF p_relaxed THEN
                PERFORM set_config('synchronous_commit', 'off', true);
              END IF;
              PERFORM pg_advisory_xact_lock({LOCK_KEY});
              SELECT hash INTO prev FROM core_auditentry ORDER BY id DESC LIMIT 1;
              IF prev IS NULL THEN
                SELECT last_hash INTO prev FROM core_auditanchor ORDER BY id DESC LIMIT 1;
              END IF;
              prev := coalesce(prev, '{GENESIS}');
              INSERT INTO core_auditentry ({COLUMNS}, prev_hash, hash)
              VALUES (p_at, p_user, p_login, p_address, p_action, p_outcome, p_kind, p_record,
                      p_rows, p_path, prev,
                      encode(sha256(convert_to(prev || p_payload, 'UTF8')), 'hex'));
            END $$
            """
        )
        cur.execute(
            """
            CREATE OR REPLACE FUNCTION kinga_audit_guard() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
              IF TG_TABLE_NAME = 'core_auditentry' AND TG_OP = 'DELETE'
                 AND current_setting('kinga.audit_archive', true) = 'on'
                 AND OLD.id <= (SELECT coalesce(max(last_id), 0) FROM core_auditanchor) THEN
                RETURN OLD;
              END IF;
              RAISE EXCEPTION 'the audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
                USING ERRCODE = 'insufficient_privilege';
            END $$
            """
        )
        # Who read a person (the audit page): the exports' and search results' entries whose
        # `rows` hold his id, found through this index rather than by reading every such entry.
        cur.execute(
            "CREATE INDEX IF NOT EXISTS audit_rows_gin ON core_auditentry"
            " USING gin (rows jsonb_path_ops) WHERE rows IS NOT NULL"
        )
        for table in ("core_auditentry", "core_auditanchor"):
            cur.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            cur.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}"
                " FOR EACH ROW EXECUTE FUNCTION kinga_audit_guard()"
            )


def after_migrate(sender, using="default", **kwargs) -> None:
    from django.db import connections

    install_on_postgresql(connections[using])
