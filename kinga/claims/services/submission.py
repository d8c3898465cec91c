"""Submitting claims (spec claims §2.3–§2.7, decision 5): set-based, for one claim or thousands.

`claims_submit(actor=..., claims=[...])`:

1. authorises: the submit right (111007) and every claim within the actor's reach (his own
   facility for a claim administrator, his districts otherwise) — else PermissionDenied, and
   nothing is written;
2. per batch of `BATCH` claims, in one transaction:
   a. locks the batch's claims that are still current and Entered, in primary-key order
      (kinga.core.locks: Claim).  The lock and the status in its WHERE are what make a double
      submission (two browsers, the same claim, the same moment) give one result once: the
      second transaction waits for the first, then PostgreSQL re-reads the row, sees it is no
      longer Entered and skips it;
   b. loads the facts of those claims in a fixed number of queries (kinga.claims.queries.facts);
   c. runs the pure checks (kinga.claims.rules.checks.check_claims) and the administrative
      check (kinga.claims.rules.admin);
   d. writes every claim's result, and the lines whose result differs from what is stored (a
      passed line stays as entered), with one bulk statement per table and one history row per
      record written (kinga.core.bulk.update_rows).

A claim that is not Entered (already submitted, or submitted meanwhile) is counted as
unchanged: submitting it again changes nothing.  A claim returned for completion is Entered
again and is checked afresh when resubmitted (its facility completed it: a policy attached
since, a price list corrected); within one run of the checks a line keeps its first reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kinga.core import bulk, locks

from ..codes import ClaimStatus, LineStatus
from ..models import Claim, ClaimLine
from ..queries import claims as queries
from ..queries import facts as facts_queries
from ..rules import admin as admin_rules
from ..rules import checks

BATCH = 1000
REASON = gettext_noop("submitted")


@dataclass
class SubmitReport:
    """What a submission did: the counters openIMIS shows (§2.3 step 12) and each claim's
    result by claim id."""

    submitted: int = 0
    checked: int = 0
    rejected: int = 0
    unchanged: int = 0
    lines_passed: int = 0
    lines_rejected: int = 0
    results: dict[int, checks.ClaimResult] = field(default_factory=dict)

    def add(self, result: checks.ClaimResult) -> None:
        self.submitted += 1
        if result.status == ClaimStatus.CHECKED:
            self.checked += 1
        else:
            self.rejected += 1
        self.lines_passed += result.passed
        self.lines_rejected += len(result.lines) - result.passed
        self.results[result.ref] = result


def _ids(claims: Iterable) -> list[int]:
    out = []
    for claim in claims:
        out.append(claim if isinstance(claim, int) else claim.pk)
    return list(dict.fromkeys(out))


def _authorise(actor, ids: list[int]) -> None:
    queries.CLAIM.require_right(actor, "submit")
    reach = queries.reach_q(actor)
    for start in range(0, len(ids), BATCH * 5):
        chunk = ids[start : start + BATCH * 5]
        if Claim.objects.filter(reach, pk__in=chunk).count() != len(chunk):
            raise PermissionDenied


def _line_rows(facts: facts_queries.Facts, result: checks.ClaimResult) -> list[dict]:
    """The lines whose status, reason or approved quantity change (most lines pass and are
    already stored as passed: they are not rewritten and get no history row)."""
    rows = []
    for r in result.lines:
        new = (
            LineStatus.PASSED if r.passed else LineStatus.REJECTED,
            int(r.rejection),
            r.qty_approved,
        )
        if facts.line_states.get(r.ref) != new:
            rows.append(
                {"id": r.ref, "status": new[0], "rejection_reason": new[1], "qty_approved": new[2]}
            )
    return rows


# Like openIMIS's legacy submission, the covering policy and product of each line are not
# stored here: valuation (Claims II) chooses them (spec §4.1, Q9); the claim keeps the
# programme of the policy that covers it (decision 6).
LINE_FIELDS = ["status", "rejection_reason", "qty_approved"]
CLAIM_FIELDS = [
    "status",
    "category",
    "rejection_reason",
    "claimed",
    "approved",
    "programme_id",
    "submitted_at",
    "submitted_by_id",
    "timeliness_days",
    "timely",
    "complete",
    "missing",
    "updated_at",
]


def _claim_row(
    facts: facts_queries.Facts,
    claim: checks.ClaimFacts,
    result: checks.ClaimResult,
    actor,
    now: datetime,
) -> dict:
    row = facts.rows[claim.ref]
    form = admin_rules.ClaimForm(
        filled={
            name: bool(row.get(name) or row.get(f"{name}_id")) for name in admin_rules.MANDATORY
        },
        line_count=len(claim.lines),
        attachment_types=facts.attachment_types.get(claim.ref, frozenset()),
        visit_type=row["visit_type"],
        product_codes=frozenset(
            facts.product_codes[r.product_ref] for r in result.lines if r.product_ref
        ),
    )
    check = admin_rules.admin_check(
        form,
        row["date_from"],
        row["date_to"],
        timezone.localdate(now),
        max_days=getattr(settings, "KINGA_CLAIM_TIMELINESS_DAYS", None),
        by_visit_type=getattr(settings, "KINGA_CLAIM_ATTACHMENTS_BY_VISIT_TYPE", {}),
        by_product=getattr(settings, "KINGA_CLAIM_ATTACHMENTS_BY_PRODUCT", {}),
    )
    return {
        "id": claim.ref,
        "status": int(result.status),
        "category": result.category,
        "rejection_reason": int(result.rejection),
        "claimed": result.claimed,
        "approved": result.approved,
        "programme_id": result.programme_ref,
        "submitted_at": now,
        "submitted_by_id": actor.pk,
        "timeliness_days": check.timeliness_days,
        "timely": check.timely,
        "complete": check.complete,
        "missing": list(check.missing),
        "updated_at": now,
    }


@cache
def _update_one_sql() -> tuple[list, str]:
    meta = Claim._meta
    history = Claim.history.model
    qn = connection.ops.quote_name
    fields = [meta.get_field(name) for name in CLAIM_FIELDS]
    sets = ", ".join(f"{qn(f.column)} = %s" for f in fields)
    tracked = [
        f
        for f in history._meta.concrete_fields
        if f.name not in ("history_id", "history_date", "history_change_reason", "history_type")
        and f.name != "history_user"
    ]
    target = ", ".join(qn(f.column) for f in tracked)
    source = ", ".join(f"u.{qn(meta.get_field(f.name).column)}" for f in tracked)
    return fields, (
        f"WITH u AS (UPDATE {qn(meta.db_table)} SET {sets}"
        f" WHERE {qn(meta.pk.column)} = %s RETURNING *)"
        f" INSERT INTO {qn(history._meta.db_table)} ({target}, history_date,"
        " history_change_reason, history_type, history_user_id)"
        f" SELECT {source}, %s, %s, '~', %s FROM u"
    )


def _update_one_claim(row: dict, *, actor, reason: str, when: datetime) -> None:
    """One claim's result and its "~" history row in one statement (PostgreSQL: an UPDATE …
    RETURNING feeding the history's INSERT), as `bulk.update_rows` writes them for many."""
    fields, sql = _update_one_sql()
    params = [f.get_db_prep_save(row[f.attname], connection) for f in fields]
    with connection.cursor() as cursor:
        facts_queries.execute_prepared(
            cursor,
            "kinga_claim_submitted",
            sql,
            [*params, row["id"], when, reason, actor.pk if actor is not None else None],
        )


def _lock_one_entered(pk: int) -> list[int]:
    """[pk] when the claim is current and Entered, locked (as `locks.lock_all` locks many);
    else []."""
    with connection.cursor() as cursor:
        facts_queries.execute_prepared(
            cursor,
            "kinga_claim_lock_entered",
            f"SELECT id FROM {Claim._meta.db_table} WHERE id = %s AND retired_at IS NULL"
            " AND status = %s FOR UPDATE",
            [pk, int(ClaimStatus.ENTERED)],
        )
        return [row[0] for row in cursor.fetchall()]


def _submit_batch(actor, ids: list[int], now: datetime, report: SubmitReport) -> None:
    with transaction.atomic():
        if len(ids) == 1 and facts_queries.one_statement():
            locked = _lock_one_entered(ids[0])
        else:
            locked = [
                claim.pk
                for claim in locks.lock_all(
                    Claim.objects.filter(
                        pk__in=ids, retired_at__isnull=True, status=ClaimStatus.ENTERED
                    ).only("pk")
                )
            ]
        report.unchanged += len(ids) - len(locked)
        if not locked:
            return
        order = {pk: n for n, pk in enumerate(ids)}
        locked.sort(key=order.__getitem__)
        facts = facts_queries.load(locked)
        results = checks.check_claims(facts.claims, facts.histories)
        line_rows, claim_rows = [], []
        for claim, result in zip(facts.claims, results, strict=True):
            if result is None:  # not Entered: cannot happen under the lock, kept for safety
                report.unchanged += 1
                continue
            line_rows.extend(_line_rows(facts, result))
            claim_rows.append(_claim_row(facts, claim, result, actor, now))
            report.add(result)
        bulk.update_rows(ClaimLine, line_rows, LINE_FIELDS, user=actor, reason=_(REASON), when=now)
        if len(claim_rows) == 1 and bulk.uses_copy():
            _update_one_claim(claim_rows[0], actor=actor, reason=_(REASON), when=now)
        else:
            bulk.update_rows(
                Claim, claim_rows, CLAIM_FIELDS, user=actor, reason=_(REASON), when=now
            )


def claims_submit(*, actor, claims: Iterable, now: datetime | None = None) -> SubmitReport:
    """Submit `claims` (Claim objects or ids) for `actor`; see the module's docstring."""
    ids = _ids(claims)
    report = SubmitReport()
    if not ids:
        return report
    _authorise(actor, ids)
    now = now or timezone.now()
    for start in range(0, len(ids), BATCH):
        _submit_batch(actor, ids[start : start + BATCH], now, report)
    return report


def claim_submit(*, actor, claim: Claim, now: datetime | None = None) -> SubmitReport:
    """Submit one claim (the claim page's button)."""
    if Claim.health_facility.is_cached(claim):
        # Loaded with its facility (the claim loader): its reach is checked without a query;
        # its state is checked again under the lock.
        queries.CLAIM.require_right(actor, "submit")
        if not queries.in_reach(actor, claim):
            raise PermissionDenied
        report = SubmitReport()
        _submit_batch(actor, [claim.pk], now or timezone.now(), report)
        return report
    return claims_submit(actor=actor, claims=[claim], now=now)
