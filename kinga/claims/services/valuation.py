"""Valuing Checked claims (spec claims §4, decision 5): set-based, for one claim or thousands.

`claims_value(claims, actor)`:

1. authorises: the process right (111011) and every claim within the actor's reach — else
   PermissionDenied, and nothing is written;
2. per batch of `BATCH` claims, in one transaction:
   a. locks the batch's claims that are still current, Checked and not awaiting their review
      or feedback (`FOR UPDATE SKIP LOCKED`, with the status in the WHERE): a claim another
      run holds or has valued meanwhile is left to it — the same claim is never valued twice,
      even when two runs overlap;
   b. loads the facts of those claims in a fixed number of queries
      (kinga.claims.queries.valuation), locks the ledger of their policies (PostgreSQL
      transaction advisory locks in policy order: two runs valuing claims of one family take
      turns, so each sees what the other consumed), then reads the ledger;
   c. runs the pure valuation (kinga.claims.rules.valuation.value_claims) in target date
      order;
   d. writes the lines, the claims (with one history row per record written,
      kinga.core.bulk.update_rows), and the claims' ledger rows (one per claim × policy; an
      earlier current row of the claim is retired first).

A claim becomes Processed when a valued line has a relative price (its remunerated amount is
left to the batch run), else Valuated; its lines keep the policy and product that paid them.
Claims selected for review or feedback must be Delivered or Bypassed first: they are counted
in `awaiting` and left alone (the claim page refuses with the same words).
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kinga.core import bulk
from kinga.core.errors import Refused

from ..codes import ClaimStatus, LineStatus, Rejection
from ..models import Claim, ClaimLine, Consumption
from ..queries import claims as claim_queries
from ..queries import valuation as queries
from ..rules import valuation as rules

BATCH = 1000
REASON = gettext_noop("valued")
LEDGER_LOCK = 0x4B56  # the advisory locks' first key: "the valuation ledger of a policy"

LINE_FIELDS = [
    "status",
    "rejection_reason",
    "policy_id",
    "product_id",
    "price_origin",
    "limitation",
    "limitation_value",
    "price_adjusted",
    "deductible_amount",
    "fixed_limit_excess",
    "coinsurance_amount",
    "exceed_ceiling_amount",
    "exceed_category_amount",
    "price_valuated",
    "remunerated_amount",
]
CLAIM_FIELDS = [
    "status",
    "deductible_amount",
    "fixed_limit_excess",
    "coinsurance_amount",
    "exceed_ceiling_amount",
    "exceed_category_amount",
    "valuated",
    "remunerated",
    "processed_at",
    "processed_by_id",
    "updated_at",
]


@dataclass
class ValueReport:
    """What a valuation did: counters, and each valued claim's result by claim id."""

    valued: int = 0
    processed: int = 0
    valuated: int = 0
    rejected: int = 0
    unchanged: int = 0  # not Checked (any more), or held by another run
    awaiting: list[int] = field(default_factory=list)  # selected for review or feedback
    results: dict[int, rules.ClaimValue] = field(default_factory=dict)

    def add(self, value: rules.ClaimValue) -> None:
        self.valued += 1
        if value.status == ClaimStatus.PROCESSED:
            self.processed += 1
        elif value.status == ClaimStatus.VALUATED:
            self.valuated += 1
        else:
            self.rejected += 1
        self.results[value.ref] = value


def _ids(claims: Iterable) -> list[int]:
    return list(dict.fromkeys(c if isinstance(c, int) else c.pk for c in claims))


def _authorise(actor, ids: list[int]) -> None:
    queries.VALUE.require_right(actor, "value")
    reach = claim_queries.reach_q(actor)
    for start in range(0, len(ids), BATCH * 5):
        chunk = ids[start : start + BATCH * 5]
        if Claim.objects.filter(reach, pk__in=chunk).count() != len(chunk):
            raise PermissionDenied


def _lock_ledger(policy_ids: set[int]) -> None:
    if not policy_ids or connection.vendor != "postgresql":
        return  # SQLite: one writer at a time anyway
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, s.id)"
            " FROM (SELECT unnest(%s::int[]) AS id ORDER BY 1) AS s",
            [LEDGER_LOCK, sorted(policy_ids)],
        )


@contextmanager
def _by_primary_key():
    """kinga.core.bulk's UPDATE … FROM its temporary table joins on the primary key; the planner,
    which knows nothing of a temporary table, hashes the whole line table for it (a sequential
    scan growing with the register: 230 ms for 5,000 lines among 400,000, 9 ms through the
    index).  A batch is at most a few thousand rows: the index is always right."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                "SET LOCAL enable_hashjoin TO DEFAULT; SET LOCAL enable_mergejoin TO DEFAULT"
            )


def _line_row(value: rules.LineValue) -> dict:
    if value.rejection:
        return {
            "id": value.ref,
            "status": LineStatus.REJECTED,
            "rejection_reason": int(value.rejection),
            **{name: None for name in LINE_FIELDS[2:]},
            "price_origin": "",
            "limitation": "",
        }
    return {
        "id": value.ref,
        "status": LineStatus.PASSED,
        "rejection_reason": int(Rejection.NONE),
        "policy_id": value.policy_ref,
        "product_id": value.product_ref,
        "price_origin": value.price_origin,
        "limitation": value.limitation,
        "limitation_value": value.limitation_value,
        "price_adjusted": value.price_adjusted,
        "deductible_amount": value.deductible,
        "fixed_limit_excess": value.fixed_limit_excess,
        "coinsurance_amount": value.coinsurance,
        "exceed_ceiling_amount": value.exceed_ceiling,
        "exceed_category_amount": value.exceed_category,
        "price_valuated": value.valuated,
        "remunerated_amount": value.remunerated,
    }


def _claim_row(value: rules.ClaimValue, actor, now: datetime) -> dict:
    return {
        "id": value.ref,
        "status": value.status,
        "deductible_amount": value.deductible,
        "fixed_limit_excess": value.fixed_limit_excess,
        "coinsurance_amount": value.coinsurance,
        "exceed_ceiling_amount": value.exceed_ceiling,
        "exceed_category_amount": value.exceed_category,
        "valuated": value.valuated,
        "remunerated": value.remunerated,
        "processed_at": now,
        "processed_by_id": actor.pk,
        "updated_at": now,
    }


def _consumption(row: rules.LedgerRow, now: datetime) -> dict:
    usage = row.usage
    return {
        "claim_id": row.claim_ref,
        "policy_id": row.policy_ref,
        "insuree_id": row.insuree_ref,
        **{column: getattr(usage, name) for name, column in queries.LEDGER_AMOUNTS.items()},
        "created_at": now,
        "retired_at": None,
    }


def _write_ledger(rows: list[dict]) -> None:
    """The new ledger rows: COPY on PostgreSQL (the ledger keeps no history of its own: a row is
    retired, never changed), bulk_create elsewhere."""
    if not rows:
        return
    if bulk.uses_copy():
        meta = Consumption._meta
        names = list(rows[0])
        bulk._copy(
            meta.db_table,
            [meta.get_field(name).column for name in names],
            ([row[name] for name in names] for row in rows),
        )
    else:
        Consumption.objects.bulk_create([Consumption(**row) for row in rows], batch_size=BATCH)


def _value_batch(actor, ids: list[int], now: datetime, report: ValueReport) -> None:
    unit = queries.currency_unit()
    with transaction.atomic():
        locked = list(
            Claim.objects.filter(pk__in=ids, retired_at__isnull=True, status=ClaimStatus.CHECKED)
            .exclude(Q(review_status=queries.PENDING) | Q(feedback_status=queries.PENDING))
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if len(locked) < len(ids):
            awaiting = set(
                Claim.objects.filter(
                    Q(review_status=queries.PENDING) | Q(feedback_status=queries.PENDING),
                    pk__in=set(ids) - set(locked),
                    retired_at__isnull=True,
                    status=ClaimStatus.CHECKED,
                ).values_list("pk", flat=True)
            )
            report.awaiting.extend(pk for pk in ids if pk in awaiting)
            report.unchanged += len(ids) - len(locked) - len(awaiting)
        if not locked:
            return
        facts = queries.load(locked)
        _lock_ledger(facts.policy_ids)
        ledger = queries.ledger(facts.policy_ids, exclude_claims=locked)
        values = rules.value_claims(facts.claims, ledger, unit)
        line_rows, claim_rows, consumptions = [], [], []
        for value in values:
            line_rows.extend(_line_row(line) for line in value.lines)
            claim_rows.append(_claim_row(value, actor, now))
            consumptions.extend(_consumption(row, now) for row in value.rows)
            report.add(value)
        reason = _(REASON)
        with _by_primary_key():
            bulk.update_rows(ClaimLine, line_rows, LINE_FIELDS, user=actor, reason=reason, when=now)
            bulk.update_rows(Claim, claim_rows, CLAIM_FIELDS, user=actor, reason=reason, when=now)
        Consumption.objects.filter(claim_id__in=locked, retired_at__isnull=True).update(
            retired_at=now
        )
        _write_ledger(consumptions)


def claims_value(claims: Iterable, actor, *, now: datetime | None = None) -> ValueReport:
    """Value `claims` (Claim objects or ids) for `actor`; see the module's docstring."""
    ids = _ids(claims)
    report = ValueReport()
    if not ids:
        return report
    _authorise(actor, ids)
    now = now or timezone.now()
    for start in range(0, len(ids), BATCH):
        _value_batch(actor, ids[start : start + BATCH], now, report)
    return report


def claim_value(claim: Claim, actor, *, now: datetime | None = None) -> ValueReport:
    """Value one claim (the claim page's button): refused, with the reason, when it is not a
    Checked claim or awaits its review or feedback."""
    queries.VALUE.require_right(actor, "value")
    if not claim_queries.in_reach(actor, claim):
        raise PermissionDenied
    if claim.status != ClaimStatus.CHECKED:
        raise Refused(
            _("This claim is %(status)s: only a checked claim can be valued.")
            % {"status": ClaimStatus(claim.status).label}
        )
    if queries.is_awaiting(claim):
        raise Refused(
            _(
                "This claim is selected for review or feedback: deliver or bypass it before "
                "valuing the claim."
            )
        )
    report = ValueReport()
    _value_batch(actor, [claim.pk], now or timezone.now(), report)
    if not report.valued:
        raise Refused(_("This claim has been changed meanwhile; reload the page."))
    return report
