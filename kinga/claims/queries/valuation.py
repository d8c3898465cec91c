"""Everything the valuation (kinga.claims.rules.valuation) needs, for many claims at once, in a
fixed number of set-based queries whatever the number of claims:

1. the claims with their insuree's birth date and their facility's level and price lists;
2. their current passed lines with the register price of their service or item;
3. the facilities' price-list overrides of those services, then items (two queries);
4. the insurees' own coverage rows (InsureePolicy) of Active or Expired policies around the
   target dates, with the policy's product terms;
5. every coverage row of those policies (the members counted at each target date, Q10);
6. what those products cover of those services, then items (two queries);
7. the consumption ledger's sums by (policy, insuree) of other claims (`ledger`, after the
   policies are locked by the service).

Also the claim loader's "value" action (right 111011, a Checked claim whose review and
feedback are not awaited) and the claim page's amounts explained line by line.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from kinga.core.loaders import changing
from kinga.core.rights import Right
from kinga.medical.models import ItemsPriceListEntry, ServicesPriceListEntry
from kinga.policies.models import InsureePolicy, PolicyStatus
from kinga.products.models import ProductItem, ProductService

from ..codes import ClaimStatus, LineKind, LineStatus, ReviewStatus
from ..models import Claim, ClaimLine, Consumption
from ..rules import valuation as rules
from . import claims as claim_queries

COVERING_STATUSES = (PolicyStatus.ACTIVE, PolicyStatus.EXPIRED)
PENDING = ReviewStatus.SELECTED


def currency_unit() -> Decimal:
    """The currency's unit: `KINGA_CURRENCY_DECIMALS` (default 2, the spec's decimal(18,2))."""
    return rules.unit_of(getattr(settings, "KINGA_CURRENCY_DECIMALS", 2))


def is_awaiting(claim: Claim) -> bool:
    """A claim selected for review or feedback waits for it (or for its bypass)."""
    return claim.review_status == PENDING or claim.feedback_status == PENDING


def is_valuable(claim: Claim) -> bool:
    return claim.status == ClaimStatus.CHECKED and not is_awaiting(claim)


VALUE = claim_queries.ClaimLoader(
    queryset=lambda: Claim.objects.select_related("health_facility"),
    actions={"value": changing(Right.CLAIM_PROCESS, when=is_valuable)},
    in_scope=claim_queries.in_reach,
)


def may_value(user, claim: Claim) -> bool:
    return VALUE.may(user, claim, "value")


# --- facts ----------------------------------------------------------------------------------

CLAIM_COLUMNS = (
    "id",
    "insuree_id",
    "insuree__dob",
    "date_from",
    "date_to",
    "visit_type",
    "category",
    "health_facility__level",
    "health_facility__services_price_list_id",
    "health_facility__items_price_list_id",
)
LINE_COLUMNS = (
    "id",
    "claim_id",
    "kind",
    "service_id",
    "item_id",
    "quantity",
    "qty_approved",
    "price_asked",
    "price_approved",
    "status",
    "service__price",
    "item__price",
)
TERM_FIELDS = (
    "ceiling_type",
    "ceiling_interpretation",
    "deductible",
    "deductible_ip",
    "deductible_op",
    "ceiling",
    "ceiling_ip",
    "ceiling_op",
    "extra_member_ceiling",
    "extra_member_ceiling_ip",
    "extra_member_ceiling_op",
    "ceiling_cap",
    "ceiling_cap_ip",
    "ceiling_cap_op",
    "threshold",
    *(f"max_amount_{name}" for name in rules.CATEGORIES.values()),
)
COVERAGE_FIELDS = tuple(f.name for f in rules.Coverage.__dataclass_fields__.values())


@dataclass
class Facts:
    claims: list[rules.ClaimFacts]
    policy_ids: set[int] = field(default_factory=set)
    lines: dict[int, dict[str, Any]] = field(default_factory=dict)  # line id → its row


def _overrides(wanted: dict[int, set[int]], model, medical: str) -> dict[tuple[int, int], Any]:
    """(price list, medical id) → the member's price override (None: the register price), for
    the current members of current price lists."""
    ids = set().union(*wanted.values()) if wanted else set()
    if not ids:
        return {}
    rows = model.objects.filter(
        retired_at__isnull=True,
        price_list__retired_at__isnull=True,
        price_list_id__in=list(wanted),
        **{f"{medical}_id__in": list(ids)},
    ).values_list("price_list_id", f"{medical}_id", "price_override")
    return {(pl, m): override for pl, m, override in rows}


def _coverages(product_ids, service_ids, item_ids):
    def load(model, medical: str, ids):
        out: dict[int, dict[int, rules.Coverage]] = defaultdict(dict)
        if not ids or not product_ids:
            return out
        rows = model.objects.filter(
            retired_at__isnull=True,
            product_id__in=list(product_ids),
            **{f"{medical}_id__in": list(ids)},
        ).values("product_id", f"{medical}_id", *COVERAGE_FIELDS)
        for row in rows:
            values = {name: row[name] for name in COVERAGE_FIELDS}
            values["ceiling_exclusion_adult"] = values["ceiling_exclusion_adult"] or ""
            values["ceiling_exclusion_child"] = values["ceiling_exclusion_child"] or ""
            out[row["product_id"]][row[f"{medical}_id"]] = rules.Coverage(**values)
        return out

    return load(ProductService, "service", service_ids), load(ProductItem, "item", item_ids)


def _terms(row: dict[str, Any]) -> rules.Terms:
    p = "policy__product__"
    values = {
        name: row[p + name]
        for name in TERM_FIELDS
        if name not in ("ceiling_interpretation",) and not name.startswith("max_amount_")
    }
    values["interpretation"] = row[p + "ceiling_interpretation"] or "I"
    values["category_max"] = {
        name: row[f"{p}max_amount_{name}"] for name in rules.CATEGORIES.values()
    }
    return rules.Terms(**values)


def _members(policy_ids: set[int]) -> dict[int, list[tuple[date, date]]]:
    out: dict[int, list[tuple[date, date]]] = defaultdict(list)
    rows = InsureePolicy.objects.filter(
        policy_id__in=list(policy_ids),
        retired_at__isnull=True,
        effective_date__isnull=False,
        expiry_date__isnull=False,
    ).values_list("policy_id", "effective_date", "expiry_date")
    for policy_id, start, end in rows:
        out[policy_id].append((start, end))
    return out


def load(claim_ids: list[int]) -> Facts:
    """The valuation facts of `claim_ids`, in target date then id order."""
    rows = {r["id"]: r for r in Claim.objects.filter(pk__in=claim_ids).values(*CLAIM_COLUMNS)}
    if not rows:
        return Facts([])
    lines: dict[int, list[dict[str, Any]]] = defaultdict(list)
    line_rows: dict[int, dict[str, Any]] = {}
    services: dict[int, set[int]] = defaultdict(set)
    items: dict[int, set[int]] = defaultdict(set)
    for line in (
        ClaimLine.objects.filter(claim_id__in=list(rows), retired_at__isnull=True)
        .order_by("claim_id", "id")
        .values(*LINE_COLUMNS)
    ):
        lines[line["claim_id"]].append(line)
        line_rows[line["id"]] = line
        claim = rows[line["claim_id"]]
        if line["kind"] == LineKind.SERVICE:
            services[claim["health_facility__services_price_list_id"]].add(line["service_id"])
        else:
            items[claim["health_facility__items_price_list_id"]].add(line["item_id"])
    services.pop(None, None)
    items.pop(None, None)
    service_prices = _overrides(services, ServicesPriceListEntry, "service")
    item_prices = _overrides(items, ItemsPriceListEntry, "item")

    targets = {pk: r["date_to"] or r["date_from"] for pk, r in rows.items()}
    first, last = min(targets.values()), max(targets.values())
    p = "policy__product__"
    coverage = list(
        InsureePolicy.objects.filter(
            insuree_id__in={r["insuree_id"] for r in rows.values()},
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
            "policy__effective_date",
            "policy__expiry_date",
            "policy__product_id",
            *(p + name for name in TERM_FIELDS),
        )
    )
    policy_ids = {c["policy_id"] for c in coverage}
    members = _members(policy_ids)
    service_cover, item_cover = _coverages(
        {c["policy__product_id"] for c in coverage},
        {ln["service_id"] for ln in line_rows.values() if ln["service_id"]},
        {ln["item_id"] for ln in line_rows.values() if ln["item_id"]},
    )
    by_insuree: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for c in coverage:
        by_insuree[c["insuree_id"]].append(c)
    terms_of: dict[int, rules.Terms] = {}

    majority = getattr(settings, "KINGA_AGE_OF_MAJORITY", 18)
    facts = []
    for pk in sorted(rows, key=lambda pk: (targets[pk], pk)):
        row = rows[pk]
        target = targets[pk]
        covers = []
        for c in by_insuree[row["insuree_id"]]:
            if not (
                c["effective_date"] <= target <= c["expiry_date"]
                and c["policy__effective_date"] <= target <= c["policy__expiry_date"]
            ):
                continue
            product = c["policy__product_id"]
            if c["policy_id"] not in terms_of:
                terms_of[c["policy_id"]] = _terms(c)
            covers.append(
                rules.Cover(
                    policy_ref=c["policy_id"],
                    product_ref=product,
                    expiry=c["policy__expiry_date"],
                    terms=terms_of[c["policy_id"]],
                    members=sum(
                        1 for start, end in members[c["policy_id"]] if start <= target <= end
                    ),
                    services=service_cover.get(product, {}),
                    items=item_cover.get(product, {}),
                )
            )
        claim_lines = []
        for line in lines[pk]:
            if line["kind"] == LineKind.SERVICE:
                key = (row["health_facility__services_price_list_id"], line["service_id"])
                table, register, medical = service_prices, line["service__price"], "service_id"
            else:
                key = (row["health_facility__items_price_list_id"], line["item_id"])
                table, register, medical = item_prices, line["item__price"], "item_id"
            listed = key in table
            override = table.get(key)
            claim_lines.append(
                rules.Line(
                    ref=line["id"],
                    kind=line["kind"],
                    medical_ref=line[medical],
                    quantity=line["qty_approved"]
                    if line["qty_approved"] is not None
                    else line["quantity"],
                    price_asked=line["price_asked"],
                    price_approved=line["price_approved"],
                    list_price=(override if override is not None else register) if listed else None,
                    passed=line["status"] == LineStatus.PASSED,
                )
            )
        facts.append(
            rules.ClaimFacts(
                ref=pk,
                insuree_ref=row["insuree_id"],
                target=target,
                lines=tuple(claim_lines),
                covers=tuple(covers),
                dob=row["insuree__dob"],
                hospital=row["date_to"] is not None and row["date_to"] != row["date_from"],
                facility_level=row["health_facility__level"] or "",
                visit_type=row["visit_type"] or "O",
                category=row["category"] or "V",
                majority=majority,
            )
        )
    return Facts(facts, policy_ids, line_rows)


LEDGER_AMOUNTS = {name: name for name in rules.AMOUNTS}
LEDGER_AMOUNTS["rem_hospitalisation"] = "rem_hospitalization"  # the model's spelling


def ledger(policy_ids, exclude_claims=()) -> rules.Ledger:
    """The current consumption rows of `policy_ids` summed by (policy, insuree), without the
    rows of `exclude_claims` (one query)."""
    out = rules.Ledger()
    if not policy_ids:
        return out
    rows = (
        Consumption.objects.filter(policy_id__in=list(policy_ids), retired_at__isnull=True)
        .exclude(claim_id__in=list(exclude_claims))
        .values("policy_id", "insuree_id")
        .annotate(**{name: Sum(column) for name, column in LEDGER_AMOUNTS.items()})
    )
    for row in rows:
        usage = rules.Usage(**{name: row[name] or Decimal(0) for name in LEDGER_AMOUNTS})
        out.add(rules.LedgerRow(0, row["policy_id"], row["insuree_id"], usage))
    return out


ENQUIRY_COLUMNS = ("ded_g", "ded_ip", "ded_op", "rem_g", "rem_ip", "rem_op")


def consumed(policy_ids, insuree_id: int) -> dict:
    """The enquiry's reader (kinga.policies.hooks): per policy, the current ledger's sums over
    the policy and for `insuree_id` (one query)."""
    ids = list(policy_ids)
    if not ids:
        return {}
    mine = Q(insuree_id=insuree_id)
    rows = (
        Consumption.objects.filter(policy_id__in=ids, retired_at__isnull=True)
        .values("policy_id")
        .annotate(
            **{f"p_{name}": Sum(name) for name in ENQUIRY_COLUMNS},
            **{f"m_{name}": Sum(name, filter=mine) for name in ENQUIRY_COLUMNS},
        )
    )
    zero = Decimal(0)
    return {
        row["policy_id"]: (
            {name: row[f"p_{name}"] or zero for name in ENQUIRY_COLUMNS},
            {name: row[f"m_{name}"] or zero for name in ENQUIRY_COLUMNS},
        )
        for row in rows
    }


# --- the claim page: amounts explained --------------------------------------------------------


def explain_line(line: ClaimLine, money) -> str:
    """A valued line's amounts in plain words: « 400 FCFA de franchise, 20 % de ticket
    modérateur, 160 FCFA au-delà du plafond »; `money` formats an amount."""
    if line.price_valuated is None:
        return ""
    parts = []
    if line.fixed_limit_excess:
        parts.append(
            _("%(amount)s above the fixed limit") % {"amount": money(line.fixed_limit_excess)}
        )
    if line.deductible_amount:
        parts.append(_("%(amount)s of deductible") % {"amount": money(line.deductible_amount)})
    if line.coinsurance_amount and line.limitation == rules.CO_INSURANCE:
        share = rules.HUNDRED - (line.limitation_value or 0)
        parts.append(
            _("%(percent)s %% co-payment (%(amount)s)")
            % {"percent": f"{share.normalize():f}", "amount": money(line.coinsurance_amount)}
        )
    if line.exceed_category_amount:
        parts.append(
            _("%(amount)s above the category ceiling")
            % {"amount": money(line.exceed_category_amount)}
        )
    if line.exceed_ceiling_amount:
        parts.append(
            _("%(amount)s above the ceiling") % {"amount": money(line.exceed_ceiling_amount)}
        )
    if not parts:
        return _("paid in full")
    return ", ".join(parts)


def valuable_ids(user, facility_code: str = "") -> list[int]:
    """The ids of the current Checked claims `user` reaches that await no review or feedback
    (the command line's « all that can be valued »), oldest care first."""
    qs = Claim.objects.filter(
        claim_queries.reach_q(user), retired_at__isnull=True, status=ClaimStatus.CHECKED
    ).exclude(Q(review_status=PENDING) | Q(feedback_status=PENDING))
    if facility_code:
        qs = qs.filter(
            health_facility__code=facility_code, health_facility__retired_at__isnull=True
        )
    return list(qs.order_by("date_from", "id").values_list("id", flat=True))
