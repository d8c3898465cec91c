"""The read audit's log itself (kinga.core.audit): the hash chain, `kinga audit-verify`, the
append-only trigger (PostgreSQL), `kinga audit-archive` and its anchor, concurrent appends."""

from __future__ import annotations

import gzip
import json
import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, connections, transaction
from django.test import RequestFactory
from django.utils import timezone

from kinga.core import audit
from kinga.core.models import AuditAnchor, AuditEntry
from kinga.core.services import audit_chain

from ..factories import make_user

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigger and the lock are PostgreSQL's"
)


def append(user, n: int = 1, kind: str = "insurees.insuree") -> list[AuditEntry]:
    for i in range(n):
        audit.viewed(user, kind, 100 + i)  # outside a request: written at once
    return list(AuditEntry.objects.order_by("id"))


@pytest.fixture
def reader(world):
    return make_user("reader", roles=["clerk"], districts=[world.mfoundi])


def verify_output() -> str:
    out = StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue()


def test_each_entry_chains_to_the_one_before(reader):
    first, second, third = append(reader, 3)
    assert first.prev_hash == audit.GENESIS
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    assert len({first.hash, second.hash, third.hash}) == 3
    assert (first.user_id, first.login, first.kind, first.record) == (
        reader.pk,
        "reader",
        "insurees.insuree",
        "100",
    )
    assert (first.action, first.outcome) == ("view", "allowed")
    assert "Audit chain intact: 3 entries." in verify_output()


def test_the_address_and_page_come_from_the_request(reader, settings):
    factory = RequestFactory()
    request = factory.get("/families/x/", REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="6.6.6.6")
    token = audit.begin(request)
    audit.viewed(reader, "insurees.family", 7)
    audit.viewed(reader, "insurees.family", 7)  # the same read twice: one entry
    state = audit.end(token)
    assert AuditEntry.objects.count() == 0  # kept until the view has answered
    audit.write(state.entries)
    (entry,) = AuditEntry.objects.all()
    assert (entry.address, entry.path, entry.record) == ("10.1.2.3", "/families/x/", "7")
    # Behind the deployment's own proxy, the last address it appended is the client's.
    settings.KINGA_BEHIND_PROXY = True
    request = factory.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.1.1.1, 41.2.3.4")
    token = audit.begin(request)
    audit.viewed(reader, "insurees.family", 8)
    audit.write(audit.end(token).entries)
    assert AuditEntry.objects.order_by("-id").first().address == "41.2.3.4"
    assert "intact: 2 entries" in verify_output()


def test_htmx_fragments_and_posts_add_no_page_read(reader):
    factory = RequestFactory()
    for request in (
        factory.get("/families/x/", HTTP_HX_REQUEST="true"),
        factory.post("/families/x/edit/"),
    ):
        token = audit.begin(request)
        audit.viewed(reader, "insurees.family", 7)
        assert audit.end(token).entries == []
    # An export counts whatever the request (the search's bulk vouchers are a POST).
    token = audit.begin(factory.post("/claims/control/bulk/"))
    audit.exported(reader, "claims.export", [3, 1, 2], action=audit.PRINT)
    (entry,) = audit.end(token).entries
    assert (entry.rows, entry.action, entry.record) == ([3, 1, 2], "print", "")


def test_auditing_can_be_turned_off(reader, settings):
    settings.KINGA_AUDIT = False
    audit.viewed(reader, "insurees.family", 7)
    audit.exported(reader, "insurees.export", [1])
    assert AuditEntry.objects.count() == 0


sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="on PostgreSQL the trigger refuses it: test_tampering_with_the_trigger_disabled",
)


@sqlite_only
def test_a_changed_entry_is_reported_by_audit_verify(reader):
    entries = append(reader, 4)
    AuditEntry.objects.filter(pk=entries[1].pk).update(record="999")
    with pytest.raises(CommandError, match=f"broken at entry {entries[1].pk}: its fields"):
        verify_output()


@sqlite_only
def test_a_removed_entry_is_reported_by_audit_verify(reader):
    entries = append(reader, 4)
    AuditEntry.objects.filter(pk=entries[1].pk).delete()
    with pytest.raises(CommandError, match=f"broken at entry {entries[2].pk}: its previous"):
        verify_output()


@on_postgresql
def test_postgresql_refuses_update_and_delete_of_entries(reader):
    (entry,) = append(reader, 1)
    for statement in (
        "UPDATE core_auditentry SET record = '1' WHERE id = %s",
        "DELETE FROM core_auditentry WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cur:
                cur.execute(statement, [entry.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    # Not even with the archive's setting: only entries up to an archive's anchor may go.
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cur:
            cur.execute("SELECT set_config('kinga.audit_archive', 'on', true)")
            cur.execute("DELETE FROM core_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).record == "100"


def _as_admin(*statements) -> None:
    """SQL run with the append-only trigger disabled (what only the table's owner can do)."""
    with connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's deferred foreign-key checks
        cur.execute("ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_append_only")
        for sql, params in statements:
            cur.execute(sql, params)
        cur.execute("ALTER TABLE core_auditentry ENABLE TRIGGER core_auditentry_append_only")


@on_postgresql
def test_tampering_with_the_trigger_disabled_is_reported(reader):
    entries = append(reader, 4)
    _as_admin(("UPDATE core_auditentry SET login = 'someone' WHERE id = %s", [entries[2].pk]))
    with pytest.raises(CommandError, match=f"broken at entry {entries[2].pk}: its fields"):
        verify_output()
    _as_admin(("DELETE FROM core_auditentry WHERE id = %s", [entries[2].pk]))
    with pytest.raises(CommandError, match=f"broken at entry {entries[3].pk}: its previous"):
        verify_output()


def write_at(reader, when, record) -> None:
    entry = audit._entry(reader, action="view", outcome="allowed", kind="insurees.family")
    entry.record, entry.at = str(record), when
    audit.write([entry])


def test_the_archive_moves_old_entries_to_a_checked_file_and_the_chain_goes_on(
    reader, tmp_path, settings
):
    settings.KINGA_AUDIT_ARCHIVE_DIR = tmp_path
    now = timezone.now()
    for i in range(5):
        write_at(reader, now - timedelta(days=365 * 11) if i < 3 else now, i)
    ids = list(AuditEntry.objects.order_by("id").values_list("id", flat=True))
    out = StringIO()
    call_command("audit_archive", stdout=out)
    assert "3 audit entries archived" in out.getvalue()
    assert list(AuditEntry.objects.order_by("id").values_list("id", flat=True)) == ids[3:]
    (anchor,) = AuditAnchor.objects.all()
    assert (anchor.first_id, anchor.last_id, anchor.count) == (ids[0], ids[2], 3)
    (path,) = tmp_path.glob("audit-*.jsonl.gz")
    with gzip.open(path, "rt") as handle:
        lines = [json.loads(line) for line in handle]
    assert lines[0]["anchor"]["last_hash"] == anchor.last_hash
    assert lines[0]["anchor"]["first_prev_hash"] == audit.GENESIS
    assert [line["record"] for line in lines[1:]] == ["0", "1", "2"]
    # The entries left, and new ones, verify from the anchor; so does the file.
    audit.viewed(reader, "insurees.family", 42)
    assert "intact: 3 entries" in verify_output()
    call_command("audit_verify", "--archives", stdout=out)
    assert "3 entries, chain intact" in out.getvalue()
    # Nothing more to archive: no second file.
    call_command("audit_archive", stdout=out)
    assert len(list(tmp_path.iterdir())) == 1
    # An archive file changed afterwards is reported.
    lines[2]["login"] = "someone"
    with gzip.open(path, "wt") as handle:
        handle.writelines(json.dumps(line) + "\n" for line in lines)
    with pytest.raises(CommandError, match=f"Archive broken: .*entry {ids[1]}: its fields"):
        call_command("audit_verify", "--archives", stdout=out)


@on_postgresql
def test_the_archive_is_the_only_removal_and_stops_at_its_anchor(reader, tmp_path, settings):
    settings.KINGA_AUDIT_ARCHIVE_DIR = tmp_path
    write_at(reader, timezone.now() - timedelta(days=365 * 11), 1)
    write_at(reader, timezone.now(), 2)
    audit_chain.archive()
    (kept,) = AuditEntry.objects.all()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cur:
            cur.execute("SELECT set_config('kinga.audit_archive', 'on', true)")
            cur.execute("DELETE FROM core_auditentry WHERE id = %s", [kept.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditAnchor.objects.update(last_id=kept.pk)


@sqlite_only
def test_the_archive_refuses_a_broken_chain_and_removes_nothing(reader, tmp_path, settings):
    settings.KINGA_AUDIT_ARCHIVE_DIR = tmp_path
    entries = append(reader, 3)
    AuditEntry.objects.filter(pk=entries[0].pk).update(login="x")
    with pytest.raises(audit_chain.ArchiveError, match=f"entry {entries[0].pk}: its fields"):
        audit_chain.archive(before=timezone.now() + timedelta(days=1))
    assert AuditEntry.objects.count() == 3 and not list(tmp_path.iterdir())
    assert not AuditAnchor.objects.exists()


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_one_chain(world, settings):
    settings.KINGA_AUDIT_ASYNC_COMMIT = True
    reader = make_user("reader", roles=["clerk"], districts=[world.mfoundi])
    threads, per_thread, errors = 6, 15, []
    start = threading.Barrier(threads)

    def work(n):
        try:
            start.wait()
            for i in range(per_thread):
                entry = audit._entry(reader, action="view", outcome="allowed", kind="k")
                entry.record = str(n * 100 + i)
                # Half as a page's read (its commit asynchronous), half as a write's.
                audit.write([entry], read_only=n % 2 == 0)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    rows = list(AuditEntry.objects.order_by("id").values_list("prev_hash", "hash"))
    assert len(rows) == threads * per_thread
    assert [prev for prev, _h in rows[1:]] == [h for _p, h in rows[:-1]]  # one chain, no fork
    assert audit_chain.verify().broken is None
