"""Insuree enquiry (spec §11.1, uspPolicyInquiry; right 101105): an insurance number gives the
insuree's photo, name, age, first service point and, per policy of his family, the product,
his own dates and status letter, the deductibles and ceilings remaining (no claims yet: the
product's amounts) and the end of the waiting periods per covered category.

Scoped: a number outside the reader's districts is "not found", exactly like an unknown one.
A fixed number of queries whatever the size of the register (insuree, coverage rows, covered
services, covered items)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import CharField, Count, OuterRef, Subquery, Value
from django.utils.translation import gettext as _

from kinga.core import access
from kinga.core.rights import Right
from kinga.insurees.family_queries import visible_insurees
from kinga.insurees.models import Insuree
from kinga.insurees.rules import age_at
from kinga.medical.models import ServiceCategory
from kinga.products.models import CeilingType, ProductItem, ProductService

from . import rules
from .models import InsureePolicy

NUMBER_MAX_LENGTH = 50
ITEMS = "*"  # not a service category: the covered items


def letter_label(letter: str) -> str:
    return {
        "A": _("Active: covered"),
        "I": _("Idle: not covered"),
        "S": _("Suspended: not covered"),
        "R": _("Ready: not covered yet"),
        "E": _("Expired: not covered"),
    }.get(letter, letter)


@dataclass(frozen=True)
class Amount:
    label: str
    value: Decimal


@dataclass(frozen=True)
class Waiting:
    label: str
    until: date


@dataclass
class PolicyLine:
    row: InsureePolicy
    letter: str
    deductibles: list[Amount] = field(default_factory=list)
    ceilings: list[Amount] = field(default_factory=list)
    waiting: list[Waiting] = field(default_factory=list)

    @property
    def policy(self):
        return self.row.policy

    @property
    def product(self):
        return self.row.policy.product

    @property
    def covered(self) -> bool:
        return self.letter == "A"

    @property
    def status_label(self) -> str:
        return letter_label(self.letter)


@dataclass
class Result:
    insuree: Insuree
    age: int | None
    lines: list[PolicyLine]

    @property
    def covered(self) -> bool:
        return any(line.covered for line in self.lines)


def clean_number(number: str | None) -> str:
    return "".join(str(number or "").split())[:NUMBER_MAX_LENGTH]


def _amounts(product, members: int) -> tuple[list[Amount], list[Amount]]:
    """Deductibles and ceilings remaining with nothing consumed: the product's amounts; a
    policy-type ceiling adds the extra-member ceiling above the threshold, capped (§11.1)."""
    deductibles = [
        Amount(label, value)
        for label, value in (
            (_("Deductible"), product.deductible),
            (_("In-patient deductible"), product.deductible_ip),
            (_("Out-patient deductible"), product.deductible_op),
        )
        if value is not None
    ]
    ceilings = []
    counted = min(members, product.max_members) if product.max_members else members
    extra = max(0, counted - (product.threshold or 0))
    for label, base, per_member, cap in (
        (_("Ceiling"), product.ceiling, product.extra_member_ceiling, product.ceiling_cap),
        (
            _("In-patient ceiling"),
            product.ceiling_ip,
            product.extra_member_ceiling_ip,
            product.ceiling_cap_ip,
        ),
        (
            _("Out-patient ceiling"),
            product.ceiling_op,
            product.extra_member_ceiling_op,
            product.ceiling_cap_op,
        ),
    ):
        if base is None:
            continue
        value = base
        if product.ceiling_type == CeilingType.POLICY and per_member:
            value = base + extra * per_member
            if cap:
                value = min(value, cap)
        ceilings.append(Amount(label, max(Decimal(0), value)))
    return deductibles, ceilings


def _waiting_periods(product_ids: set[int], adult: bool) -> dict[int, dict[str, int]]:
    """Per product: the longest waiting period (months) of the covered services per category,
    and of the covered items, for an adult or a child."""
    months_field = "waiting_period_adult" if adult else "waiting_period_child"
    out: dict[int, dict[str, int]] = {pk: {} for pk in product_ids}
    if not product_ids:
        return out
    services = ProductService.objects.filter(
        product_id__in=product_ids, retired_at__isnull=True, **{f"{months_field}__gt": 0}
    ).values_list("product_id", "service__category", months_field)
    items = (
        ProductItem.objects.filter(
            product_id__in=product_ids, retired_at__isnull=True, **{f"{months_field}__gt": 0}
        )
        .annotate(kind=Value(ITEMS, output_field=CharField()))
        .values_list("product_id", "kind", months_field)
    )
    categories = dict(ServiceCategory.choices)
    for product_id, category, months in services.order_by().union(items.order_by(), all=True):
        if category == ITEMS:
            label = _("Medical items")
        else:
            label = str(categories.get(category or "O", _("Other")))
        out[product_id][label] = max(months, out[product_id].get(label, 0))
    return out


def _select(rows: list[InsureePolicy], today: date) -> list[InsureePolicy]:
    """uspPolicyInquiry's row selection: the rows in force if any, else those that expired
    within two years, else all."""
    active = [r for r in rows if rules.is_covered(r.effective_date, r.expiry_date, today)]
    if active:
        return active
    recent = [r for r in rows if r.expiry_date.year >= today.year - 2]
    return recent or rows


def enquire(user, number: str, today: date, *, majority: int = 18) -> Result | None:
    """The enquiry of `number` for `user` (right 101105), or None when it is unknown or outside
    the user's districts."""
    access.require_right(user, Right.INSUREE_ENQUIRE)
    number = clean_number(number)
    if not number:
        return None
    insuree = (
        visible_insurees(user)
        .filter(insurance_number=number)
        .select_related("first_service_point", "family")
        .first()
    )
    if insuree is None:
        return None
    rows = list(
        InsureePolicy.objects.filter(
            insuree=insuree, retired_at__isnull=True, policy__retired_at__isnull=True
        )
        .select_related("policy", "policy__product", "policy__product__programme")
        # A correlated count, not a GROUP BY over every column of policy and product.
        .annotate(
            covered_members=Subquery(
                InsureePolicy.objects.filter(policy=OuterRef("policy"), retired_at__isnull=True)
                .order_by()
                .values("policy")
                .annotate(n=Count("id"))
                .values("n")
            )
        )
        .order_by("-expiry_date", "-id")
    )
    rows = _select(rows, today)
    age = age_at(insuree.dob, today) if insuree.dob else None
    adult = age is None or age >= majority
    waiting = _waiting_periods({r.policy.product_id for r in rows}, adult)
    lines = []
    for row in rows:
        policy = row.policy
        status = rules.expire(policy.status, policy.expiry_date, today)
        letter = rules.member_status_letter(status, row.effective_date, row.expiry_date, today)
        deductibles, ceilings = _amounts(policy.product, row.covered_members)
        start = row.effective_date or row.start_date
        lines.append(
            PolicyLine(
                row=row,
                letter=letter,
                deductibles=deductibles,
                ceilings=ceilings,
                waiting=[
                    Waiting(label, rules.add_months(start, months))
                    for label, months in sorted(waiting[policy.product_id].items())
                ],
            )
        )
    return Result(insuree=insuree, age=age, lines=lines)
