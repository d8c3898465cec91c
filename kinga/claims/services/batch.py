"""The batch run (monthly closing, spec claims §5): relative indexes, Processed claims closed as
Valuated with their remunerated amounts, capitation payments per facility; and « Rouvrir la
période », which undoes exactly what a run changed (Q31).

How a run goes:

1. `request_run` writes the run (Queued).  The database refuses a second current run for the
   same (location, year, month) (constraint `batchrun_one_current_per_period`): running a
   period again is refused with a message, even when two users ask at the same instant.
2. `execute_run` does the whole run in ONE transaction: all or nothing.  A worker killed
   half-way leaves the claims as they were; the run stays Running with no claim changed, and
   executing it again (the command, or the job enqueued again) does it from the start.  On
   PostgreSQL an advisory lock serialises runs, so a second worker on the same run waits, then
   finds it Done and does nothing.
3. Per product of the run's location: the index per care type (pure rules,
   kinga.claims.rules.batch), written as RelativeIndex rows; the capitation rows per facility.
4. The claims are then closed set-based, by ranges of claim ids (memory does not grow with the
   number of claims), with four statements per range:
   - the lines to pay are noted in BatchRunLine with their factor (index for R lines, 0 for R
     lines at a facility paid by capitation, 1 otherwise) and their amount before;
   - UPDATE … FROM: remunerated_amount = price_valuated × factor;
   - the claims to close are noted in BatchRunClaim with their status and amount before: the
     Processed claims whose every passed line now has a remunerated amount (Q23: never Valuated
     with an unpaid line);
   - UPDATE … FROM: status Valuated, batch_run = this run, remunerated = Σ of ALL their passed
     lines (Q22).  Only these claims get the run's stamp.
   Progress is written after each range (on PostgreSQL through a second connection, so that the
   page sees it while the transaction is open).

Claims and lines are changed by SQL, not by the ORM: their history rows are not written one by
one; BatchRunClaim and BatchRunLine are the record of what the run changed, and reopening reads
them back.
"""

from __future__ import annotations

import logging
import os
import time as time_module
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal

from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kinga.core.errors import Refused
from kinga.facilities.models import Catchment, HealthFacility
from kinga.policies.models import Contribution, InsureePolicy
from kinga.policies.status import PolicyStatus
from kinga.products.models import Product, RelativeDistribution

from ..codes import ClaimStatus, LineStatus
from ..models import (
    BatchRun,
    BatchRunClaim,
    BatchRunLine,
    BatchRunStatus,
    CapitationPayment,
    Claim,
    ClaimLine,
    RelativeIndex,
)
from ..queries import batch as queries
from ..rules import batch as rules

log = logging.getLogger(__name__)

# Claim ids per range: the statements of one range touch at most this many claims.
CHUNK = 50_000
# PostgreSQL advisory lock key of the batch runs ("KBATCH").
BATCH_LOCK = 0x4B4241544348
# Test-only: seconds to sleep after each range, and another range size (the "killed half-way"
# tests and the benchmark).
SLEEP_ENV = "KINGA_BATCH_CHUNK_SLEEP"
CHUNK_ENV = "KINGA_BATCH_CHUNK"

Progress = Callable[[int, int, str], None]


def _at(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone())


# --- asking for a run ----------------------------------------------------------------------


def request_run(user, location, year: int, month: int) -> BatchRun:
    """A new Queued run for (location, year, month), or Refused when the period has a current
    run (Queued, Running or Done)."""
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise Refused(_("Choose a month of a year between 2000 and 2100."), field="month")
    if user is not None and not queries.covers_location(user, location):
        raise Refused(_("This location is outside your districts."), field="location")
    existing = queries.current_run(location.id if location else None, year, month)
    if existing is not None:
        raise Refused(_already_run(existing), code="already_run")
    try:
        with transaction.atomic():
            return BatchRun.objects.create(
                location=location,
                year=year,
                month=month,
                period_kind=rules.run_kind(year, month),
                created_by=user,
            )
    except IntegrityError:
        existing = queries.current_run(location.id if location else None, year, month)
        raise Refused(
            _already_run(existing) if existing else _("This period has already been run."),
            code="already_run",
        ) from None


def _already_run(run: BatchRun) -> str:
    period = f"{run.month:02d}/{run.year}"
    if run.status == BatchRunStatus.DONE:
        return _(
            "The batch run of %(period)s has already been done (on %(day)s). "
            "Reopen the period first to run it again."
        ) % {"period": period, "day": timezone.localtime(run.finished_at).strftime("%d/%m/%Y")}
    return _("A batch run of %(period)s is already queued or running.") % {"period": period}


def batch_run(user, location, year: int, month: int, *, progress: Progress | None = None):
    """Ask for a run and do it now (the command without a worker, the tests)."""
    run = request_run(user, location, year, month)
    return execute_run(run.id, progress=progress)


# --- doing a run ---------------------------------------------------------------------------


class _ProgressWriter:
    """Writes the run's progress where others can read it while the run's transaction is open:
    on PostgreSQL a second connection in autocommit; elsewhere (or inside an outer transaction,
    as in the tests) the run's own connection."""

    def __init__(self, run_id: int, callback: Progress | None):
        self.run_id = run_id
        self.callback = callback
        self.side = None
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            default = connections[DEFAULT_DB_ALIAS]
            self.side = default.__class__(dict(default.settings_dict), alias="batch_progress")

    def __call__(self, done: int, total: int, message: str) -> None:
        sql = (
            f"UPDATE {BatchRun._meta.db_table} SET progress_done = %s, progress_total = %s, "
            "progress_message = %s WHERE id = %s"
        )
        params = [done, total, message[:250], self.run_id]
        if self.side is not None:
            with self.side.cursor() as cursor:
                cursor.execute(sql, params)
        else:
            BatchRun.objects.filter(id=self.run_id).update(
                progress_done=done, progress_total=total, progress_message=message[:250]
            )
        if self.callback is not None:
            self.callback(done, total, message)

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


def execute_run(run_id: int, *, progress: Progress | None = None) -> BatchRun:
    """Do the run `run_id` (Queued, or Running left by a killed worker): all or nothing."""
    outermost = not connection.in_atomic_block
    if outermost:
        BatchRun.objects.filter(
            id=run_id, status__in=[BatchRunStatus.QUEUED, BatchRunStatus.RUNNING]
        ).update(status=BatchRunStatus.RUNNING, started_at=timezone.now(), error="")
    writer = _ProgressWriter(run_id, progress)
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [BATCH_LOCK])
            # Not FOR UPDATE: the progress connection writes this row while the run goes on;
            # the advisory lock is what keeps two workers off the same run.
            run = BatchRun.objects.select_related("location").get(id=run_id)
            if run.status not in (BatchRunStatus.QUEUED, BatchRunStatus.RUNNING):
                return run
            _execute(run, writer)
            return run
    except Exception as exc:
        if outermost:
            BatchRun.objects.filter(id=run_id, status=BatchRunStatus.RUNNING).update(
                status=BatchRunStatus.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
            )
        raise
    finally:
        writer.close()


def _execute(run: BatchRun, progress: _ProgressWriter) -> None:
    now = timezone.now()
    products = list(
        Product.objects.filter(retired_at__isnull=True, location_id=run.location_id).order_by("id")
    )
    progress(0, 0, _("Computing the relative indexes"))
    for product in products:
        _indexes(run, product, now, excluded=_capitation(run, product))
    _close_claims(run, progress)
    closed = BatchRunClaim.objects.filter(run=run)
    run.claims_closed = closed.count()
    run.remunerated_total = Claim.objects.filter(batch_run=run).aggregate(t=Sum("remunerated"))[
        "t"
    ] or Decimal(0)
    run.status = BatchRunStatus.DONE
    run.finished_at = timezone.now()
    run.started_at = run.started_at or now
    run.progress_message = _("Done")
    run.save()


def _periods(product: Product) -> rules.ProductPeriods:
    return rules.ProductPeriods(
        product.period_rel_prices or "",
        product.period_rel_prices_ip or "",
        product.period_rel_prices_op or "",
    )


def _premiums(product: Product, start: date, end: date):
    """The product's contributions that may fall in [start, end), as the pure rule reads them
    (streamed: the allocation never holds them all)."""
    rows = (
        Contribution.objects.filter(
            product=product,
            retired_at__isnull=True,
            policy__retired_at__isnull=True,
            policy__expiry_date__gte=start,
            policy__effective_date__lt=end,
            pay_date__lt=end,
        )
        .exclude(policy__status=PolicyStatus.IDLE)
        .values_list("amount", "pay_date", "policy__effective_date", "policy__expiry_date")
    )
    for amount, pay_date, effective, expiry in rows.iterator(chunk_size=2000):
        yield rules.Premium(amount, pay_date, effective, expiry)


def _capitation_pairs(product: Product) -> list[tuple[str, str]]:
    return [
        (getattr(product, f"level_{k}") or "", getattr(product, f"sublevel_{k}") or "")
        for k in range(1, 5)
    ]


def _facilities(run: BatchRun):
    qs = HealthFacility.objects.filter(retired_at__isnull=True)
    if run.location_id is None:
        return qs
    if run.location.type == "D":
        return qs.filter(district_id=run.location_id)
    return qs.filter(district__parent_id=run.location_id)


def _care_context_sql() -> str:
    """The care type of a claim line for split indexes (§5.2 step 3): in-patient when the
    product reads ceilings by facility level and the facility is a hospital, or by claim type
    and the stay lasts more than a day."""
    return (
        "CASE WHEN (p.ceiling_interpretation = 'H' AND h.level = 'H') OR "
        "(p.ceiling_interpretation <> 'H' AND c.date_to IS NOT NULL AND c.date_to > c.date_from) "
        "THEN 'I' ELSE 'O' END"
    )


def _tables() -> dict[str, str]:
    return {
        "claim": Claim._meta.db_table,
        "line": ClaimLine._meta.db_table,
        "product": Product._meta.db_table,
        "hf": HealthFacility._meta.db_table,
        "relindex": RelativeIndex._meta.db_table,
        "cap": CapitationPayment._meta.db_table,
        "brl": BatchRunLine._meta.db_table,
        "brc": BatchRunClaim._meta.db_table,
    }


def _indexes(run: BatchRun, product: Product, now: datetime, excluded: set[int]) -> None:
    plan = rules.index_plan(_periods(product), run.year, run.month)
    if plan is None:
        return
    shares = {
        (d.care_type, d.periods, d.period): d.share
        for d in RelativeDistribution.objects.filter(product=product)
    }
    # The facilities paid by capitation for this product (its capitation rows of this run):
    # their relative lines are not paid by the index, nor counted in the claims value.
    hfs_excluded = sorted(excluded)
    for care_type, w in plan.windows.items():
        computed = plan.computed[care_type]
        allocated = Decimal(0)
        share = Decimal(1)
        claims_value = Decimal(0)
        if computed:
            allocated = rules.allocated_contribution(
                _premiums(product, w.start, w.end), w.start, w.end
            )
            share = rules.distribution_share(shares, care_type, w)
            claims_value = _claims_value(product, care_type, w, hfs_excluded)
            index = rules.relative_index(allocated, share, claims_value)
        else:
            index = rules.ONE
        RelativeIndex.objects.create(
            run=run,
            product=product,
            period_kind=w.kind,
            care_type=care_type,
            year=w.start.year,
            period=w.index,
            window_start=w.start,
            window_end=w.end,
            starts_at=_at(w.start),
            ends_at=_at(w.end),
            computed=computed,
            allocated=rules.round_money(allocated),
            share=share,
            claims_value=claims_value,
            index=index,
            location=run.location,
            calculated_at=now,
        )


def _claims_value(
    product: Product, care_type: str, w: rules.Window, excluded: list[int]
) -> Decimal:
    """Σ valuated of the passed R lines of the product on Processed claims of the window."""
    t = _tables()
    sql = (
        f"SELECT COALESCE(SUM(l.price_valuated), 0) FROM {t['line']} l "
        f"JOIN {t['claim']} c ON c.id = l.claim_id "
        f"JOIN {t['product']} p ON p.id = l.product_id "
        f"JOIN {t['hf']} h ON h.id = c.health_facility_id "
        "WHERE l.product_id = %s AND l.price_origin = 'R' AND l.status = %s "
        "AND l.retired_at IS NULL AND c.retired_at IS NULL AND c.status = %s "
        "AND c.processed_at >= %s AND c.processed_at < %s"
    )
    params: list = [product.id, LineStatus.PASSED, ClaimStatus.PROCESSED, _at(w.start), _at(w.end)]
    if care_type != "B":
        sql += f" AND {_care_context_sql()} = %s"
        params.append(care_type)
    if excluded:
        sql += f" AND c.health_facility_id NOT IN ({', '.join(['%s'] * len(excluded))})"
        params.extend(excluded)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        value = cursor.fetchone()[0]
    return Decimal(value or 0).quantize(rules.CENT)


def _capitation(run: BatchRun, product: Product) -> set[int]:
    """The capitation rows of the product's facilities (§5.5); the facilities paid."""
    pairs = _capitation_pairs(product)
    if not any(level for level, _ in pairs) or not product.share_contribution:
        return set()
    w = rules.capitation_window(_periods(product), run.year, run.month)
    if w is None:
        return set()
    month_start = date(run.year, run.month, 1)
    month_end = rules.next_month(run.year, run.month)
    last_day = w.last_day
    hfs = [hf for hf in _facilities(run) if rules.facility_matches(hf.level, hf.sub_level, pairs)]
    if not hfs:
        return set()
    hf_ids = [hf.id for hf in hfs]
    indicators: dict[int, dict[str, Decimal]] = {
        hf: {k: Decimal(0) for k in rules.INDICATORS} for hf in hf_ids
    }
    catchments = list(
        Catchment.objects.filter(health_facility_id__in=hf_ids, retired_at__isnull=True).values(
            "health_facility_id",
            "village_id",
            "percentage",
            "village__male_population",
            "village__female_population",
            "village__other_population",
            "village__families",
        )
    )
    villages = {c["village_id"] for c in catchments}
    covering = InsureePolicy.objects.filter(
        policy__product=product,
        retired_at__isnull=True,
        policy__retired_at__isnull=True,
        effective_date__lte=last_day,
        expiry_date__gte=last_day,
        insuree__retired_at__isnull=True,
        insuree__family__village_id__in=villages,
    )
    insured: dict[int, int] = defaultdict(int)
    families: dict[int, int] = defaultdict(int)
    for village, count, fams in _insured_counts(covering):
        insured[village] = count
        families[village] = fams
    for c in catchments:
        pct = Decimal(c["percentage"]) / 100
        people = sum((c[f"village__{k}_population"] or 0) for k in ("male", "female", "other"))
        v = indicators[c["health_facility_id"]]
        v["population"] += people * pct
        v["families"] += (c["village__families"] or 0) * pct
        v["insured_population"] += insured[c["village_id"]] * pct
        v["insured_families"] += families[c["village_id"]] * pct
    lines = ClaimLine.objects.filter(
        product=product,
        status=LineStatus.PASSED,
        retired_at__isnull=True,
        claim__retired_at__isnull=True,
        claim__health_facility_id__in=hf_ids,
        claim__status__in=[ClaimStatus.PROCESSED, ClaimStatus.VALUATED],
        claim__processed_at__gte=_at(month_start),
        claim__processed_at__lt=_at(month_end),
    )
    from django.db.models import Count, F
    from django.db.models.functions import Coalesce

    for row in lines.values("claim__health_facility_id").annotate(
        visits=Count("claim_id", distinct=True),
        adjusted=Sum(
            Coalesce(F("price_adjusted"), F("price_asked"))
            * Coalesce(F("qty_approved"), F("quantity"))
        ),
    ):
        v = indicators[row["claim__health_facility_id"]]
        v["visits"] = Decimal(row["visits"])
        v["adjusted_amount"] = Decimal(row["adjusted"] or 0)
    allocated = rules.allocated_contribution(_premiums(product, w.start, w.end), w.start, w.end)
    weights = {
        "population": product.weight_population,
        "families": product.weight_number_families,
        "insured_population": product.weight_insured_population,
        "insured_families": product.weight_number_insured_families,
        "visits": product.weight_number_visits,
        "adjusted_amount": product.weight_adjusted_amount,
    }
    result = rules.capitation(indicators, allocated, product.share_contribution, weights)
    names = {
        "population": "population",
        "families": "families",
        "insured_population": "insured_insurees",
        "insured_families": "insured_families",
        "visits": "claims",
        "adjusted_amount": "adjusted",
    }
    rows = []
    for hf in hf_ids:
        fields = {"payment": result.payments[hf]}
        for k, name in names.items():
            fields[f"total_{name}"] = rules.round_money(indicators[hf][k])
            fields[f"alc_{name}"] = result.allocations[k]
            fields[f"up_{name}"] = result.unit_prices[k]
        rows.append(
            CapitationPayment(
                run=run,
                product=product,
                health_facility_id=hf,
                year=run.year,
                month=run.month,
                **fields,
            )
        )
    CapitationPayment.objects.bulk_create(rows)
    return set(hf_ids)


def _insured_counts(covering):
    """(village, distinct insurees, distinct families) of the covering memberships."""
    from django.db.models import Count

    for row in covering.values("insuree__family__village_id").annotate(
        people=Count("insuree_id", distinct=True),
        fams=Count("insuree__family_id", distinct=True),
    ):
        yield row["insuree__family__village_id"], row["people"], row["fams"]


def _close_claims(run: BatchRun, progress: _ProgressWriter) -> None:
    t = _tables()
    windows = RelativeIndex.objects.filter(run=run)
    if not windows.exists():
        progress(0, 0, _("No product to close"))
        return
    first = min(w.starts_at for w in windows)
    last = max(w.ends_at for w in windows)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT MIN(id), MAX(id), COUNT(*) FROM {t['claim']} "
            "WHERE status = %s AND retired_at IS NULL AND processed_at >= %s AND processed_at < %s",
            [ClaimStatus.PROCESSED, first, last],
        )
        low, high, total = cursor.fetchone()
    if not total:
        progress(0, 0, _("No processed claim in the period"))
        return
    sleep = float(os.environ.get(SLEEP_ENV) or 0)
    size = int(os.environ.get(CHUNK_ENV) or CHUNK)
    context = _care_context_sql()
    lines_sql = (
        f"INSERT INTO {t['brl']} (run_id, line_id, claim_id, factor, remunerated_before) "
        "SELECT %(run)s, l.id, l.claim_id, "
        "CASE WHEN l.price_origin <> 'R' THEN 1 "
        f"WHEN EXISTS (SELECT 1 FROM {t['cap']} cp WHERE cp.run_id = %(run)s "
        "AND cp.product_id = l.product_id AND cp.health_facility_id = c.health_facility_id) "
        'THEN 0 ELSE r."index" END, l.remunerated_amount '
        f"FROM {t['line']} l JOIN {t['claim']} c ON c.id = l.claim_id "
        f"JOIN {t['product']} p ON p.id = l.product_id "
        f"JOIN {t['hf']} h ON h.id = c.health_facility_id "
        f"JOIN {t['relindex']} r ON r.run_id = %(run)s AND r.product_id = l.product_id "
        f"AND (r.care_type = 'B' OR r.care_type = {context}) "
        "WHERE c.id >= %(lo)s AND c.id < %(hi)s AND c.status = %(processed)s "
        "AND c.retired_at IS NULL AND c.processed_at >= r.starts_at "
        "AND c.processed_at < r.ends_at AND l.status = %(passed)s AND l.retired_at IS NULL"
    )
    amount = (
        f"ROUND(COALESCE({t['line']}.price_valuated, "
        f"COALESCE({t['line']}.price_approved, {t['line']}.price_adjusted, {t['line']}.price_asked)"
        f" * COALESCE({t['line']}.qty_approved, {t['line']}.quantity)) * s.factor, 2)"
    )
    # Lines already paid what the run would pay (price-list lines valuation paid) are not
    # rewritten: half the writes of a typical month.
    pay_sql = (
        f"UPDATE {t['line']} SET remunerated_amount = {amount} "
        f"FROM {t['brl']} s WHERE s.run_id = %(run)s AND s.line_id = {t['line']}.id "
        "AND s.claim_id >= %(lo)s AND s.claim_id < %(hi)s "
        f"AND ({t['line']}.remunerated_amount IS NULL OR {t['line']}.remunerated_amount <> {amount})"
    )
    claims_sql = (
        f"INSERT INTO {t['brc']} (run_id, claim_id, status_before, remunerated_before) "
        f"SELECT %(run)s, c.id, c.status, c.remunerated FROM {t['claim']} c "
        f"WHERE c.id IN (SELECT s.claim_id FROM {t['brl']} s WHERE s.run_id = %(run)s "
        "AND s.claim_id >= %(lo)s AND s.claim_id < %(hi)s) AND c.status = %(processed)s "
        f"AND NOT EXISTS (SELECT 1 FROM {t['line']} l WHERE l.claim_id = c.id "
        "AND l.status = %(passed)s AND l.retired_at IS NULL AND l.remunerated_amount IS NULL)"
    )
    close_sql = (
        f"UPDATE {t['claim']} SET status = %(valuated)s, batch_run_id = %(run)s, "
        "remunerated = s.total, updated_at = %(now)s "
        f"FROM (SELECT l.claim_id AS claim_id, SUM(l.remunerated_amount) AS total "
        f"FROM {t['line']} l JOIN {t['brc']} b ON b.claim_id = l.claim_id AND b.run_id = %(run)s "
        "WHERE b.claim_id >= %(lo)s AND b.claim_id < %(hi)s AND l.status = %(passed)s "
        "AND l.retired_at IS NULL GROUP BY l.claim_id) s "
        f"WHERE {t['claim']}.id = s.claim_id AND {t['claim']}.status = %(processed)s"
    )
    history_sql = _history_sql()
    params = {
        "reason": _("valuated by the batch run of %(period)s")
        % {"period": f"{run.month:02d}/{run.year}"},
        "user": run.created_by_id,
        "run": run.id,
        "processed": int(ClaimStatus.PROCESSED),
        "valuated": int(ClaimStatus.VALUATED),
        "passed": int(LineStatus.PASSED),
        "now": timezone.now(),
    }
    span = high - low + 1
    lo = low
    with connection.cursor() as cursor:
        while lo <= high:
            hi = lo + size
            chunk = {**params, "lo": lo, "hi": hi}
            for sql in (lines_sql, pay_sql, claims_sql, close_sql, history_sql):
                cursor.execute(sql, chunk)
            done = min(hi, high + 1) - low
            progress(
                done,
                span,
                _("%(done)s of %(total)s claim numbers looked at") % {"done": done, "total": span},
            )
            if sleep:
                time_module.sleep(sleep)
            lo = hi


def _history_sql() -> str:
    """One history row per claim of the run in a range of claim ids, as its save would write
    (the claim's values after the change, who, why): the claim's page shows « Évaluée » by the
    batch run of the month, and its reopening."""
    history = Claim.history.model
    meta = {
        "history_id": None,
        "history_date": "%(now)s",
        "history_change_reason": "%(reason)s",
        "history_type": "'~'",
        "history_user_id": "%(user)s",
    }
    columns, values = [], []
    for f in history._meta.concrete_fields:
        if f.column in meta:
            if meta[f.column] is not None:
                columns.append(f.column)
                values.append(meta[f.column])
        else:
            columns.append(f.column)
            values.append(f"c.{f.column}")
    return (
        f"INSERT INTO {history._meta.db_table} ({', '.join(columns)}) "
        f"SELECT {', '.join(values)} FROM {Claim._meta.db_table} c "
        f"JOIN {BatchRunClaim._meta.db_table} b ON b.claim_id = c.id AND b.run_id = %(run)s "
        "WHERE b.claim_id >= %(lo)s AND b.claim_id < %(hi)s"
    )


# --- reopening -----------------------------------------------------------------------------


def _refuse_if_in_statements(run: BatchRun, t: dict[str, str]) -> None:
    """A claim the run closed that sits in a current payment statement (draft or paid) keeps
    the amounts the statement shows: reopening is refused, naming the statements.  The run's
    claims are locked first (in the database, without bringing a million ids into Python), so a
    statement generated meanwhile waits for the reopening and then finds them Processed."""
    from ..models import PaymentStatementClaim

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM (SELECT id FROM {t['claim']} WHERE batch_run_id = %s "
                "FOR UPDATE) locked",
                [run.id],
            )
    numbers = list(
        PaymentStatementClaim.objects.filter(
            claim__batch_run_id=run.id,
            retired_at__isnull=True,
            statement__retired_at__isnull=True,
        )
        .values_list("statement__number", flat=True)
        .distinct()
        .order_by("statement__number")[:5]
    )
    if numbers:
        raise Refused(
            _(
                "Claims of this run are in the payment statements %(numbers)s: cancel those "
                "statements first (a paid statement is never changed)."
            )
            % {"numbers": ", ".join(numbers)}
        )


def batch_reopen(run: BatchRun, user) -> BatchRun:
    """« Rouvrir la période »: put back exactly what the run changed — each closed claim's status
    and remunerated amount, each paid line's remunerated amount — and mark the run Reopened (its
    indexes and capitation rows stay, as the record of a reopened run).  The period can then be
    run again."""
    if user is not None:
        queries.BATCH_RUN.require(user, run, "reopen")
    t = _tables()
    with transaction.atomic():
        run = BatchRun.objects.select_for_update().get(id=run.id)
        if run.status != BatchRunStatus.DONE:
            raise Refused(_("Only a finished batch run can be reopened."))
        _refuse_if_in_statements(run, t)
        valuated = int(ClaimStatus.VALUATED)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {t['claim']} SET status = b.status_before, remunerated = "
                "b.remunerated_before, batch_run_id = NULL, updated_at = %s "
                f"FROM {t['brc']} b WHERE b.run_id = %s AND b.claim_id = {t['claim']}.id "
                f"AND {t['claim']}.batch_run_id = %s AND {t['claim']}.status = %s",
                [timezone.now(), run.id, run.id, valuated],
            )
            cursor.execute(
                f"UPDATE {t['line']} SET remunerated_amount = s.remunerated_before "
                f"FROM {t['brl']} s WHERE s.run_id = %s AND s.line_id = {t['line']}.id",
                [run.id],
            )
            cursor.execute(
                _history_sql(),
                {
                    "now": timezone.now(),
                    "reason": _("batch run of %(period)s undone: period reopened")
                    % {"period": f"{run.month:02d}/{run.year}"},
                    "user": user.id if user is not None else None,
                    "run": run.id,
                    "lo": 0,
                    "hi": 2**62,
                },
            )
        run.status = BatchRunStatus.REOPENED
        run.reopened_at = timezone.now()
        run.reopened_by = user
        run.save()
    return run


__all__ = ["batch_reopen", "batch_run", "execute_run", "request_run", "Q"]
