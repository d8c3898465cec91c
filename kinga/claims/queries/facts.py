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

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
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


def load(claim_ids: list[int]) -> Facts:
    """The facts of the claims `claim_ids` (in that order; unknown ids are left out)."""
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
        histories = _histories(
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
        attachment_types=_attachment_types(ids),
        product_codes={c["policy__product_id"]: c["policy__product__code"] for c in coverage},
        line_states={
            line["id"]: (line["status"], line["rejection_reason"], line["qty_approved"])
            for line in all_lines
        },
    )
