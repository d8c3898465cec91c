"""Everything the submission checks need, for many claims at once, in a fixed number of
set-based queries whatever the number of claims (kinga.claims.rules.checks reads the result):

1. the claims with their insuree, family and facility (validity, sex and birth, dates, care
   type, contract, price lists);
2. their current lines with their service or item (register, care type, patient category,
   frequency, service category);
3. the facilities' price-list members among those services, then items (two queries);
4. the insurees' own coverage rows (InsureePolicy) of Active or Expired policies, with the
   policy, its product and the product's claim-count limits;
5. what those products cover of those services, then items (two queries);
6. the insurees' earlier submitted claims (Checked, Processed, Valuated) and their passed lines
   of the services and items that have a frequency or a limit on numbers, around the dates of
   care (two queries, skipped when nothing has a frequency or a limit).

Simplification (noted for Claims II): a service or item "in the register on the date of care"
is a current one (not retired); the register's history versions are not searched.
"""

from __future__ import annotations

import re
import weakref
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.db.models.functions import Coalesce

from kinga.medical.models import ItemsPriceListEntry, ServicesPriceListEntry
from kinga.policies.models import InsureePolicy, PolicyStatus
from kinga.products.models import ProductItem, ProductService

from ..codes import CATEGORY_LIMITS, COUNTED, LineKind, LineStatus
from ..models import Claim, ClaimAttachment, ClaimLine
from ..rules import checks

COVERING_STATUSES = (PolicyStatus.ACTIVE, PolicyStatus.EXPIRED)
LIMIT_FIELDS = tuple(field for field, _code in CATEGORY_LIMITS.values())


@dataclass
class Facts:
    """The checks' input for a set of claims: their facts (in the order asked), the insurees'
    histories, and what the administrative check reads besides."""

    claims: list[checks.ClaimFacts]
    histories: dict[int, checks.History]
    rows: dict[int, dict[str, Any]] = field(default_factory=dict)  # claim id → its row
    attachment_types: dict[int, frozenset[str]] = field(default_factory=dict)
    product_codes: dict[Any, str] = field(default_factory=dict)  # product id → code
    # line id → its stored (status, rejection reason, approved quantity): what to rewrite.
    line_states: dict[int, tuple[int, int, int | None]] = field(default_factory=dict)


CLAIM_COLUMNS = (
    "id",
    "code",
    "status",
    "insuree_id",
    "health_facility_id",
    "icd_id",
    "date_from",
    "date_to",
    "date_claimed",
    "visit_type",
    "claimed",
    "insuree__retired_at",
    "insuree__dob",
    "insuree__gender",
    "insuree__family_id",
    "insuree__family__retired_at",
    "health_facility__care_type",
    "health_facility__contract_start_date",
    "health_facility__contract_end_date",
    "health_facility__services_price_list_id",
    "health_facility__items_price_list_id",
)


def _claim_rows(claim_ids: list[int]) -> dict[int, dict[str, Any]]:
    rows = Claim.objects.filter(pk__in=claim_ids).values(*CLAIM_COLUMNS)
    return {row["id"]: row for row in rows}


def _line_rows(claim_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    rows = (
        ClaimLine.objects.filter(claim_id__in=claim_ids, retired_at__isnull=True)
        .order_by("claim_id", "id")
        .values(
            "id",
            "claim_id",
            "kind",
            "service_id",
            "item_id",
            "quantity",
            "price_asked",
            "status",
            "rejection_reason",
            "qty_approved",
            "service__retired_at",
            "service__care_type",
            "service__patient_category",
            "service__frequency",
            "service__category",
            "item__retired_at",
            "item__care_type",
            "item__patient_category",
            "item__frequency",
        )
    )
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        out[row["claim_id"]].append(row)
    return out


def _price_list_members(
    services: dict[int, set[int]], items: dict[int, set[int]]
) -> tuple[set[tuple[int, int]], set[tuple[int, int]]]:
    """(price list, service) and (price list, item) pairs of current members of current price
    lists, for the price lists and medical ids asked."""

    def pairs(model, medical: str, wanted: dict[int, set[int]]) -> set[tuple[int, int]]:
        ids = set().union(*wanted.values()) if wanted else set()
        if not ids:
            return set()
        rows = model.objects.filter(
            retired_at__isnull=True,
            price_list__retired_at__isnull=True,
            price_list_id__in=list(wanted),
            **{f"{medical}_id__in": list(ids)},
        ).values_list("price_list_id", f"{medical}_id")
        return set(rows)

    return (
        pairs(ServicesPriceListEntry, "service", services),
        pairs(ItemsPriceListEntry, "item", items),
    )


def _coverage_rows(insuree_ids: set[int], first: date, last: date) -> list[dict[str, Any]]:
    """The insurees' coverage rows in force at some point of [first, last], of a covering
    policy."""
    return list(
        InsureePolicy.objects.filter(
            insuree_id__in=list(insuree_ids),
            retired_at__isnull=True,
            effective_date__isnull=False,
            effective_date__lte=last,
            expiry_date__gte=first,
            policy__retired_at__isnull=True,
            policy__status__in=COVERING_STATUSES,
            policy__effective_date__isnull=False,
            policy__product__retired_at__isnull=True,
        ).values(
            "insuree_id",
            "effective_date",
            "expiry_date",
            "policy_id",
            "policy__stage",
            "policy__effective_date",
            "policy__expiry_date",
            "policy__product_id",
            "policy__product__code",
            "policy__product__programme_id",
            *(f"policy__product__{name}" for name in LIMIT_FIELDS),
        )
    )


COVERED_COLUMNS = (
    "price_origin",
    "waiting_period_adult",
    "waiting_period_child",
    "limit_no_adult",
    "limit_no_child",
)


def _covered(
    product_ids: set[int], service_ids: set[int], item_ids: set[int]
) -> tuple[dict[int, dict[int, checks.Covered]], dict[int, dict[int, checks.Covered]]]:
    def load(model, medical: str, ids: set[int]) -> dict[int, dict[int, checks.Covered]]:
        out: dict[int, dict[int, checks.Covered]] = defaultdict(dict)
        if not ids or not product_ids:
            return out
        rows = model.objects.filter(
            retired_at__isnull=True,
            product_id__in=list(product_ids),
            **{f"{medical}_id__in": list(ids)},
        ).values_list("product_id", f"{medical}_id", *COVERED_COLUMNS)
        for product_id, medical_id, origin, wait_a, wait_c, limit_a, limit_c in rows:
            out[product_id][medical_id] = checks.Covered(origin, wait_a, wait_c, limit_a, limit_c)
        return out

    return (
        load(ProductService, "service", service_ids),
        load(ProductItem, "item", item_ids),
    )


def _histories(
    insuree_ids: set[int],
    first: date,
    last: date,
    exclude: Iterable[int],
    services: set[int],
    items: set[int],
) -> dict[int, checks.History]:
    """The insurees' other submitted claims whose date of care lies in [first, last], with
    their passed lines of `services` and `items` (two queries: the claims by insuree and date,
    then those lines by claim)."""
    earlier = (
        Claim.objects.filter(
            insuree_id__in=list(insuree_ids),
            retired_at__isnull=True,
            status__in=COUNTED,
            date_from__lte=last,
        )
        .annotate(target=Coalesce("date_to", "date_from"))
        .filter(target__gte=first)
        .exclude(pk__in=list(exclude))
    )
    past: dict[int, list[checks.PastClaim]] = defaultdict(list)
    seen: dict[int, tuple[int, date]] = {}
    for claim_id, insuree_id, day, category in earlier.values_list(
        "id", "insuree_id", "target", "category"
    ):
        past[insuree_id].append(checks.PastClaim(claim_id, day, category))
        seen[claim_id] = (insuree_id, day)
    provisions: dict[int, list[checks.Provision]] = defaultdict(list)
    if seen and (services or items):
        lines = (
            ClaimLine.objects.filter(
                Q(service_id__in=list(services)) | Q(item_id__in=list(items)),
                # The same claims as a subquery: no list of thousands of ids to send.
                claim_id__in=earlier.values("id"),
                retired_at__isnull=True,
                status=LineStatus.PASSED,
            )
            .annotate(approved_qty=Coalesce("qty_approved", "quantity"))
            .values_list("claim_id", "kind", "service_id", "item_id", "approved_qty")
        )
        for claim_id, kind, service_id, item_id, qty in lines:
            if claim_id not in seen:  # submitted between the two queries
                continue
            insuree_id, day = seen[claim_id]
            medical_id = service_id if kind == LineKind.SERVICE else item_id
            provisions[insuree_id].append(checks.Provision(claim_id, day, kind, medical_id, qty))
    return {
        insuree_id: checks.History(tuple(provisions[insuree_id]), tuple(past[insuree_id]))
        for insuree_id in insuree_ids
    }


def _counted(
    lines: Iterable[dict[str, Any]], service_cover, item_cover
) -> tuple[set[int], set[int]]:
    """The services and items whose earlier provisions a check reads: those with a frequency,
    or with a limit on numbers in a covering product."""
    services: set[int] = set()
    items: set[int] = set()
    for line in lines:
        if (line["service__frequency"] or line["item__frequency"] or 0) > 0:
            if line["kind"] == LineKind.SERVICE:
                services.add(line["service_id"])
            else:
                items.add(line["item_id"])
    for table, ids in ((service_cover, services), (item_cover, items)):
        for by_medical in table.values():
            for medical_id, covered in by_medical.items():
                if covered.limit_no_adult is not None or covered.limit_no_child is not None:
                    ids.add(medical_id)
    return services, items


def _attachment_types(claim_ids: list[int]) -> dict[int, frozenset[str]]:
    out: dict[int, set[str]] = defaultdict(set)
    for claim_id, kind in ClaimAttachment.objects.filter(
        claim_id__in=claim_ids, retired_at__isnull=True
    ).values_list("claim_id", "type"):
        out[claim_id].add(kind)
    return {claim_id: frozenset(out[claim_id]) for claim_id in claim_ids}


def _line_facts(row: dict[str, Any], in_price_list: bool) -> checks.Line:
    medical = "service" if row["kind"] == LineKind.SERVICE else "item"
    return checks.Line(
        ref=row["id"],
        kind=row["kind"],
        medical_id=row[f"{medical}_id"],
        quantity=row["quantity"],
        price=row["price_asked"],
        in_register=row[f"{medical}__retired_at"] is None,
        in_price_list=in_price_list,
        care_type=row[f"{medical}__care_type"] or checks.BOTH,
        patient_category=row[f"{medical}__patient_category"],
        frequency=row[f"{medical}__frequency"] or 0,
        service_category=(row.get("service__category") or "") if medical == "service" else "",
    )


def one_statement() -> bool:
    """Whether the one-claim statements below serve (PostgreSQL); elsewhere (SQLite) the
    set-based ORM queries do."""
    return connection.vendor == "postgresql"


def load(claim_ids: list[int]) -> Facts:
    """The facts of the claims `claim_ids` (in that order; unknown ids are left out): one claim
    on PostgreSQL in two statements (`load_one`), else in the set-based queries (`load_many`)."""
    if len(claim_ids) == 1 and one_statement():
        return load_one(claim_ids[0])
    return load_many(claim_ids)


def load_many(claim_ids: list[int]) -> Facts:
    """`load` in a fixed number of set-based queries whatever the number of claims."""
    rows = _claim_rows(claim_ids)
    ids = [pk for pk in claim_ids if pk in rows]
    if not ids:
        return Facts([], {})
    lines = _line_rows(ids)
    services: dict[int, set[int]] = defaultdict(set)  # price list → service ids
    items: dict[int, set[int]] = defaultdict(set)
    service_ids: set[int] = set()
    item_ids: set[int] = set()
    for pk in ids:
        row = rows[pk]
        for line in lines[pk]:
            if line["kind"] == LineKind.SERVICE:
                service_ids.add(line["service_id"])
                if row["health_facility__services_price_list_id"]:
                    services[row["health_facility__services_price_list_id"]].add(line["service_id"])
            else:
                item_ids.add(line["item_id"])
                if row["health_facility__items_price_list_id"]:
                    items[row["health_facility__items_price_list_id"]].add(line["item_id"])
    service_members, item_members = _price_list_members(services, items)

    targets = [rows[pk]["date_to"] or rows[pk]["date_from"] for pk in ids]
    first, last = min(targets), max(targets)
    insuree_ids = {rows[pk]["insuree_id"] for pk in ids}
    coverage = _coverage_rows(insuree_ids, first, last)
    product_ids = {c["policy__product_id"] for c in coverage}
    service_cover, item_cover = _covered(product_ids, service_ids, item_ids)
    return _assemble(
        ids,
        rows,
        lines,
        service_members,
        item_members,
        coverage,
        service_cover,
        item_cover,
        _histories,
        _attachment_types(ids),
    )


def _assemble(
    ids: list[int],
    rows: dict[int, dict[str, Any]],
    lines: dict[int, list[dict[str, Any]]],
    service_members: set[tuple[int, int]],
    item_members: set[tuple[int, int]],
    coverage: list[dict[str, Any]],
    service_cover: dict[int, dict[int, checks.Covered]],
    item_cover: dict[int, dict[int, checks.Covered]],
    histories_of,
    attachment_types: dict[int, frozenset[str]],
) -> Facts:
    """The checks' facts from the rows read (by the set-based queries or by `load_one`);
    `histories_of` reads the insurees' earlier claims when a check needs them."""
    targets = [rows[pk]["date_to"] or rows[pk]["date_from"] for pk in ids]
    first, last = min(targets), max(targets)
    insuree_ids = {rows[pk]["insuree_id"] for pk in ids}
    by_insuree: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for c in coverage:
        by_insuree[c["insuree_id"]].append(c)

    frequency = max(
        (
            line["service__frequency"] or line["item__frequency"] or 0
            for pk in ids
            for line in lines[pk]
        ),
        default=0,
    )
    window_first = min(
        [first - timedelta(days=frequency)] + [c["effective_date"] for c in coverage]
    )
    window_last = max([last + timedelta(days=frequency)] + [c["expiry_date"] for c in coverage])
    all_lines = [line for pk in ids for line in lines[pk]]
    counted_services, counted_items = _counted(all_lines, service_cover, item_cover)
    category_limits = any(
        c[f"policy__product__{name}"] is not None for c in coverage for name in LIMIT_FIELDS
    )
    if counted_services or counted_items or category_limits:
        histories = histories_of(
            insuree_ids, window_first, window_last, ids, counted_services, counted_items
        )
    else:
        histories = {insuree_id: checks.History() for insuree_id in insuree_ids}

    majority = getattr(settings, "KINGA_AGE_OF_MAJORITY", 18)
    facts: list[checks.ClaimFacts] = []
    for pk in ids:
        row = rows[pk]
        target = row["date_to"] or row["date_from"]
        covers = tuple(
            checks.Cover(
                policy_ref=c["policy_id"],
                product_ref=c["policy__product_id"],
                programme_ref=c["policy__product__programme_id"],
                stage=c["policy__stage"],
                policy_effective=c["policy__effective_date"],
                insuree_effective=c["effective_date"],
                insuree_expiry=c["expiry_date"],
                services=service_cover.get(c["policy__product_id"], {}),
                items=item_cover.get(c["policy__product_id"], {}),
                category_max={name: c[f"policy__product__{name}"] for name in LIMIT_FIELDS},
            )
            for c in by_insuree[row["insuree_id"]]
            if c["effective_date"] <= target <= c["expiry_date"]
            and c["policy__effective_date"] <= target <= c["policy__expiry_date"]
        )
        line_facts = []
        for line in lines[pk]:
            if line["kind"] == LineKind.SERVICE:
                key = (row["health_facility__services_price_list_id"], line["service_id"])
                listed = key in service_members
            else:
                key = (row["health_facility__items_price_list_id"], line["item_id"])
                listed = key in item_members
            line_facts.append(_line_facts(line, listed))
        facts.append(
            checks.ClaimFacts(
                ref=pk,
                insuree_ref=row["insuree_id"],
                status=row["status"],
                insuree_valid=row["insuree__retired_at"] is None
                and row["insuree__family_id"] is not None
                and row["insuree__family__retired_at"] is None,
                dob=row["insuree__dob"],
                gender=row["insuree__gender"],
                date_from=row["date_from"],
                date_to=row["date_to"],
                date_claimed=row["date_claimed"],
                facility_care_type=row["health_facility__care_type"],
                contract_from=row["health_facility__contract_start_date"],
                contract_to=row["health_facility__contract_end_date"],
                lines=tuple(line_facts),
                covers=covers,
                majority=majority,
            )
        )
    return Facts(
        claims=facts,
        histories=histories,
        rows={pk: rows[pk] for pk in ids},
        attachment_types=attachment_types,
        product_codes={c["policy__product_id"]: c["policy__product__code"] for c in coverage},
        line_states={
            line["id"]: (line["status"], line["rejection_reason"], line["qty_approved"])
            for line in all_lines
        },
    )


# --- one claim (the claim page's « Submit »), on PostgreSQL: two statements -------------------
#
# The same facts as `load`, read for one claim in one statement (the claim with its insuree,
# family and facility; its lines with their service or item and whether the facility's price
# list holds them; the insuree's covering rows; what their products cover of those lines; the
# attachments' types), the nested rows as JSON; then its insuree's earlier claims in one more
# statement when a check needs them.  No ORM query is compiled: they cost more than the database's
# work for one claim.

_LIMITS_JSON = ", ".join(f"'policy__product__{name}', pr.{name}" for name in LIMIT_FIELDS)

ONE_SQL = f"""
WITH c AS (
    SELECT c.id, c.code, c.status, c.insuree_id, c.health_facility_id, c.icd_id, c.date_from,
           c.date_to, c.date_claimed, c.visit_type, c.claimed,
           i.retired_at, i.dob, i.gender, i.family_id, f.retired_at AS family_retired_at,
           h.care_type, h.contract_start_date, h.contract_end_date, h.services_price_list_id,
           h.items_price_list_id, COALESCE(c.date_to, c.date_from) AS target
    FROM claims_claim c
    JOIN insurees_insuree i ON i.id = c.insuree_id
    LEFT JOIN insurees_family f ON f.id = i.family_id
    JOIN facilities_healthfacility h ON h.id = c.health_facility_id
    WHERE c.id = %s::bigint
), cov AS (
    SELECT ip.id, ip.insuree_id, ip.effective_date, ip.expiry_date, ip.policy_id, p.stage,
           p.effective_date AS policy_effective_date, p.expiry_date AS policy_expiry_date,
           p.product_id, p.enroll_date, pr.code AS product_code, pr.programme_id,
           {", ".join(f"pr.{name}" for name in LIMIT_FIELDS)}
    FROM c
    JOIN policies_insureepolicy ip ON ip.insuree_id = c.insuree_id
    JOIN policies_policy p ON p.id = ip.policy_id
    JOIN products_product pr ON pr.id = p.product_id
    WHERE ip.retired_at IS NULL AND ip.effective_date IS NOT NULL
      AND ip.effective_date <= c.target AND ip.expiry_date >= c.target
      AND p.retired_at IS NULL AND p.status IN ({", ".join(str(int(s)) for s in COVERING_STATUSES)})
      AND p.effective_date IS NOT NULL AND pr.retired_at IS NULL
), l AS (
    SELECT l.* FROM c JOIN claims_claimline l ON l.claim_id = c.id WHERE l.retired_at IS NULL
)
SELECT c.*,
  (SELECT json_agg(json_build_object(
        'id', l.id, 'claim_id', l.claim_id, 'kind', l.kind, 'service_id', l.service_id,
        'item_id', l.item_id, 'quantity', l.quantity, 'price_asked', l.price_asked::text,
        'status', l.status, 'rejection_reason', l.rejection_reason,
        'qty_approved', l.qty_approved,
        'service__retired_at', s.retired_at, 'service__care_type', s.care_type,
        'service__patient_category', s.patient_category, 'service__frequency', s.frequency,
        'service__category', s.category,
        'item__retired_at', it.retired_at, 'item__care_type', it.care_type,
        'item__patient_category', it.patient_category, 'item__frequency', it.frequency,
        'listed', CASE WHEN l.kind = '{LineKind.SERVICE}' THEN EXISTS (
                SELECT 1 FROM medical_servicespricelistentry e
                JOIN medical_servicespricelist pl ON pl.id = e.price_list_id
                WHERE e.price_list_id = c.services_price_list_id AND e.service_id = l.service_id
                  AND e.retired_at IS NULL AND pl.retired_at IS NULL)
            ELSE EXISTS (
                SELECT 1 FROM medical_itemspricelistentry e
                JOIN medical_itemspricelist pl ON pl.id = e.price_list_id
                WHERE e.price_list_id = c.items_price_list_id AND e.item_id = l.item_id
                  AND e.retired_at IS NULL AND pl.retired_at IS NULL) END
      ) ORDER BY l.id)
    FROM l LEFT JOIN medical_service s ON s.id = l.service_id
    LEFT JOIN medical_item it ON it.id = l.item_id) AS lines,
  (SELECT json_agg(json_build_object(
        'insuree_id', cov.insuree_id, 'effective_date', cov.effective_date,
        'expiry_date', cov.expiry_date, 'policy_id', cov.policy_id, 'policy__stage', cov.stage,
        'policy__effective_date', cov.policy_effective_date,
        'policy__expiry_date', cov.policy_expiry_date, 'policy__product_id', cov.product_id,
        'policy__product__code', cov.product_code,
        'policy__product__programme_id', cov.programme_id,
        {_LIMITS_JSON.replace("pr.", "cov.")}
      ) ORDER BY cov.enroll_date DESC, cov.policy_id DESC, cov.id) FROM cov) AS coverage,
  (SELECT json_agg(json_build_array('{LineKind.SERVICE}', ps.product_id, ps.service_id,
        ps.price_origin, ps.waiting_period_adult, ps.waiting_period_child, ps.limit_no_adult,
        ps.limit_no_child) ORDER BY ps.id)
    FROM products_productservice ps
    WHERE ps.retired_at IS NULL AND ps.product_id IN (SELECT product_id FROM cov)
      AND ps.service_id IN (SELECT service_id FROM l WHERE l.kind = '{LineKind.SERVICE}')
  ) AS covered_services,
  (SELECT json_agg(json_build_array('{LineKind.ITEM}', pi.product_id, pi.item_id,
        pi.price_origin, pi.waiting_period_adult, pi.waiting_period_child, pi.limit_no_adult,
        pi.limit_no_child) ORDER BY pi.id)
    FROM products_productitem pi
    WHERE pi.retired_at IS NULL AND pi.product_id IN (SELECT product_id FROM cov)
      AND pi.item_id IN (SELECT item_id FROM l WHERE l.kind = '{LineKind.ITEM}')
  ) AS covered_items,
  (SELECT array_agg(DISTINCT a.type) FROM claims_claimattachment a
    WHERE a.claim_id = c.id AND a.retired_at IS NULL) AS attachment_types
FROM c
"""

HISTORY_SQL = f"""
SELECT c.id, c.insuree_id, COALESCE(c.date_to, c.date_from) AS target, c.category,
       l.kind, l.service_id, l.item_id, COALESCE(l.qty_approved, l.quantity)
FROM claims_claim c
LEFT JOIN claims_claimline l ON l.claim_id = c.id AND l.retired_at IS NULL
    AND l.status = {int(LineStatus.PASSED)}
    AND (l.service_id = ANY(%s::bigint[]) OR l.item_id = ANY(%s::bigint[]))
WHERE c.insuree_id = ANY(%s::bigint[]) AND c.retired_at IS NULL
  AND c.status IN ({", ".join(str(int(s)) for s in COUNTED)})
  AND c.date_from <= %s::date AND COALESCE(c.date_to, c.date_from) >= %s::date
  AND NOT (c.id = ANY(%s::bigint[]))
ORDER BY c.date_from DESC, c.id DESC, l.id
"""


# The psycopg connections where each statement is prepared (it lives as long as the connection).
_prepared: dict[str, weakref.WeakSet] = defaultdict(weakref.WeakSet)


def execute_prepared(cursor, name: str, sql: str, params: list) -> None:
    """Run `sql` (%s placeholders) as the prepared statement `name` (PostgreSQL): planning
    these statements costs more than running them for one claim, and Django's client-side
    binding never reuses a plan (as kinga.core.backends does for the session's read)."""
    if connection.connection not in _prepared[name]:
        numbers = iter(range(1, sql.count("%s") + 1))
        cursor.execute(f"PREPARE {name} AS " + re.sub("%s", lambda _: f"${next(numbers)}", sql))
        _prepared[name].add(connection.connection)
    cursor.execute(f"EXECUTE {name} ({', '.join(['%s'] * len(params))})", params)


def _day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def _histories_one_statement(
    insuree_ids: set[int],
    first: date,
    last: date,
    exclude: Iterable[int],
    services: set[int],
    items: set[int],
) -> dict[int, checks.History]:
    """`_histories` in one statement (the claims and their counted lines joined)."""
    past: dict[int, list[checks.PastClaim]] = defaultdict(list)
    provisions: dict[int, list[checks.Provision]] = defaultdict(list)
    with connection.cursor() as cursor:
        execute_prepared(
            cursor,
            "kinga_claim_history",
            HISTORY_SQL,
            [list(services), list(items), list(insuree_ids), last, first, list(exclude)],
        )
        seen: set[int] = set()
        for claim_id, insuree_id, day, category, kind, service_id, item_id, qty in cursor:
            if claim_id not in seen:
                seen.add(claim_id)
                past[insuree_id].append(checks.PastClaim(claim_id, day, category))
            if kind is not None:
                medical_id = service_id if kind == LineKind.SERVICE else item_id
                provisions[insuree_id].append(
                    checks.Provision(claim_id, day, kind, medical_id, qty)
                )
    return {
        insuree_id: checks.History(tuple(provisions[insuree_id]), tuple(past[insuree_id]))
        for insuree_id in insuree_ids
    }


def load_one(claim_id: int) -> Facts:
    """`load([claim_id])` in two statements (PostgreSQL)."""
    with connection.cursor() as cursor:
        execute_prepared(cursor, "kinga_claim_facts", ONE_SQL, [claim_id])
        names = [d[0] for d in cursor.description]
        found = cursor.fetchone()
    if found is None:
        return Facts([], {})
    record = dict(zip(names, found, strict=True))
    row = {
        "id": record["id"],
        "code": record["code"],
        "status": record["status"],
        "insuree_id": record["insuree_id"],
        "health_facility_id": record["health_facility_id"],
        "icd_id": record["icd_id"],
        "date_from": record["date_from"],
        "date_to": record["date_to"],
        "date_claimed": record["date_claimed"],
        "visit_type": record["visit_type"],
        "claimed": record["claimed"],
        "insuree__retired_at": record["retired_at"],
        "insuree__dob": record["dob"],
        "insuree__gender": record["gender"],
        "insuree__family_id": record["family_id"],
        "insuree__family__retired_at": record["family_retired_at"],
        "health_facility__care_type": record["care_type"],
        "health_facility__contract_start_date": record["contract_start_date"],
        "health_facility__contract_end_date": record["contract_end_date"],
        "health_facility__services_price_list_id": record["services_price_list_id"],
        "health_facility__items_price_list_id": record["items_price_list_id"],
    }
    service_members: set[tuple[int, int]] = set()
    item_members: set[tuple[int, int]] = set()
    lines = record["lines"] or []
    for line in lines:
        line["price_asked"] = Decimal(line["price_asked"])
        listed = line.pop("listed")
        if line["kind"] == LineKind.SERVICE:
            if listed:
                service_members.add(
                    (row["health_facility__services_price_list_id"], line["service_id"])
                )
        elif listed:
            item_members.add((row["health_facility__items_price_list_id"], line["item_id"]))
    coverage = record["coverage"] or []
    for c in coverage:
        for name in (
            "effective_date",
            "expiry_date",
            "policy__effective_date",
            "policy__expiry_date",
        ):
            c[name] = _day(c[name])
    service_cover: dict[int, dict[int, checks.Covered]] = defaultdict(dict)
    item_cover: dict[int, dict[int, checks.Covered]] = defaultdict(dict)
    for kind, product_id, medical_id, origin, wait_a, wait_c, limit_a, limit_c in (
        record["covered_services"] or []
    ) + (record["covered_items"] or []):
        table = service_cover if kind == LineKind.SERVICE else item_cover
        table[product_id][medical_id] = checks.Covered(origin, wait_a, wait_c, limit_a, limit_c)
    pk = row["id"]
    return _assemble(
        [pk],
        {pk: row},
        {pk: lines},
        service_members,
        item_members,
        coverage,
        service_cover,
        item_cover,
        _histories_one_statement,
        {pk: frozenset(record["attachment_types"] or ())},
    )


# --- the entry form's lines, on PostgreSQL: one statement ------------------------------------
#
# The services and items of the codes typed (a service wins a code an item shares), each with
# the facility's price (its price list's override, else the register's price), whether the price
# list holds it, and whether a product of the insuree's coverage on the day of care takes the
# provider's price for it (then the clerk may change the price): what
# kinga.claims.queries.lookups reads in six queries (medical_by_codes, list_prices,
# provider_priced_keys).

_MEDICAL_COLUMNS = (
    "id, uuid, retired_at, code, name, price, care_type, frequency, patient_category,"
    " maximum_amount, type"
)

_M_COLUMNS = ", ".join(f"m.{name.strip()}" for name in _MEDICAL_COLUMNS.split(","))

ENTRY_LINES_SQL = f"""
WITH prod AS (
    SELECT p.product_id FROM policies_insureepolicy ip
    JOIN policies_policy p ON p.id = ip.policy_id
    WHERE ip.insuree_id = %s::bigint AND ip.retired_at IS NULL
      AND ip.effective_date <= %s::date AND ip.expiry_date >= %s::date AND p.retired_at IS NULL
)
SELECT '{LineKind.SERVICE}', {_M_COLUMNS}, m.level, m.category,
  e.price_override, e.id IS NOT NULL,
  EXISTS (SELECT 1 FROM products_productservice ps WHERE ps.service_id = m.id
          AND ps.retired_at IS NULL AND ps.price_origin = 'O'
          AND ps.product_id IN (SELECT product_id FROM prod))
FROM medical_service m
LEFT JOIN LATERAL (SELECT e.id, e.price_override FROM medical_servicespricelistentry e
    WHERE e.price_list_id = %s::bigint AND e.service_id = m.id AND e.retired_at IS NULL
    ORDER BY e.id LIMIT 1) e ON TRUE
WHERE UPPER(m.code::text) = ANY(%s::text[]) AND m.retired_at IS NULL
UNION ALL
SELECT '{LineKind.ITEM}', {_M_COLUMNS}, m.package, m.quantity::text,
  e.price_override, e.id IS NOT NULL,
  EXISTS (SELECT 1 FROM products_productitem pi WHERE pi.item_id = m.id
          AND pi.retired_at IS NULL AND pi.price_origin = 'O'
          AND pi.product_id IN (SELECT product_id FROM prod))
FROM medical_item m
LEFT JOIN LATERAL (SELECT e.id, e.price_override FROM medical_itemspricelistentry e
    WHERE e.price_list_id = %s::bigint AND e.item_id = m.id AND e.retired_at IS NULL
    ORDER BY e.id LIMIT 1) e ON TRUE
WHERE UPPER(m.code::text) = ANY(%s::text[]) AND m.retired_at IS NULL
"""


@dataclass(frozen=True)
class EntryLine:
    """A service or item of the entry form with the facility's price and whether the clerk may
    change it."""

    medical: Any
    price: Decimal
    provider_priced: bool


def entry_lines(codes: Iterable[str], facility, insuree, day: date) -> dict[str, EntryLine]:
    """{upper-case code: EntryLine} for the current services and items of `codes` (PostgreSQL;
    see ENTRY_LINES_SQL)."""
    from kinga.medical.models import Item, Service

    wanted = sorted({c.upper() for c in codes if c})
    if not wanted:
        return {}
    services_list = getattr(facility, "services_price_list_id", None)
    items_list = getattr(facility, "items_price_list_id", None)
    insuree_id = getattr(insuree, "pk", None)
    with connection.cursor() as cursor:
        execute_prepared(
            cursor,
            "kinga_claim_entry_lines",
            ENTRY_LINES_SQL,
            [insuree_id, day, day, services_list, wanted, items_list, wanted],
        )
        rows = cursor.fetchall()
    common = [name.strip() for name in _MEDICAL_COLUMNS.split(",")]
    found: dict[str, EntryLine] = {}
    for kind, *values in sorted(rows, key=lambda r: r[0] == LineKind.SERVICE):
        # Items first, services last: a service wins a code an item shares.
        *columns, override, _listed, provider = values
        if kind == LineKind.SERVICE:
            model, names = Service, [*common, "level", "category"]
        else:
            model, names = Item, [*common, "package", "quantity"]
            columns[-1] = None if columns[-1] is None else Decimal(columns[-1])
        medical = model.from_db(connection.alias, names, columns)
        found[medical.code.upper()] = EntryLine(
            medical,
            override if override is not None else medical.price,
            bool(provider) and insuree_id is not None,
        )
    return found


# --- the entry form's insuree and diagnoses, on PostgreSQL: a plain statement each ------------
#
# What kinga.claims.queries.lookups.insuree_by_number (with his family) and diagnosis_by_code
# (by exact code) read, without compiling an ORM query: the entry POST's fields.


@cache
def _columns(model, alias: str) -> tuple[list[str], str]:
    fields = model._meta.concrete_fields
    return [f.attname for f in fields], ", ".join(f"{alias}.{f.column}" for f in fields)


def insuree_by_number(number: str):
    """The current insuree with this insurance number (already cleaned), his family loaded."""
    from kinga.insurees.models import Family, Insuree

    names, columns = _columns(Insuree, "i")
    family_names, family_columns = _columns(Family, "f")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns}, {family_columns} FROM {Insuree._meta.db_table} i"
            f" LEFT JOIN {Family._meta.db_table} f ON f.id = i.family_id"
            " WHERE i.insurance_number = %s AND i.retired_at IS NULL"
            " ORDER BY i.last_name, i.other_names, i.id LIMIT 1",
            [number],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    insuree = Insuree.from_db(connection.alias, names, row[: len(names)])
    family_row = row[len(names) :]
    family = (
        None
        if family_row[0] is None
        else Family.from_db(connection.alias, family_names, family_row)
    )
    Insuree.family.field.set_cached_value(insuree, family)
    return insuree


def diagnosis_by_code(code: str):
    """The current diagnosis with exactly this ICD-10 code (any case), or None."""
    from kinga.medical.models import Diagnosis

    names, columns = _columns(Diagnosis, "d")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns} FROM {Diagnosis._meta.db_table} d"
            " WHERE UPPER(d.code::text) = UPPER(%s) AND d.retired_at IS NULL"
            " ORDER BY d.code LIMIT 1",
            [code],
        )
        row = cursor.fetchone()
    return None if row is None else Diagnosis.from_db(connection.alias, names, row)
