"""The renewal-reminder list (spec registers §9.7, decision 7: legacy meaning of the warnings).

Current Active or Expired policies whose expiry date falls within the renewal interval (14 days
by default, openIMIS `PolicyRenewalInterval`) from `today`, within the user's districts, that
have not been renewed yet.  Each row names the officer who must act — the policy's officer,
followed through his substitutes while he no longer works at the renewal date
(`renewal_officer`, at most 20 hops) — and the product the renewal will take: the old one, or,
when the renewal date is past its sale window, its conversion product (the whole chain, at most
20 hops, as `uspPolicyRenewalInserts`).

Warning bits are openIMIS's (`RenewalWarnings`, legacy meaning): 1 the renewal date is outside the
(final) product's sale window, 2 no officer, 4 the officer (after substitution) no longer works
at the renewal date.  Kinga adds informational warnings: the officer was replaced by a
substitute, the product was converted, the head of family has no phone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from kinga.core import access
from kinga.insurees.models import Officer
from kinga.insurees.queries.officers import renewal_officer
from kinga.products.models import Product

from ..models import Policy, PolicyStatus

RENEWAL_INTERVAL = 14  # days (tblIMISDefaults.PolicyRenewalInterval)
MAX_CONVERSION_HOPS = 20

OUTSIDE_SALE_WINDOW = 1
NO_OFFICER = 2
OFFICER_NOT_WORKING = 4


@dataclass(frozen=True)
class Warning:
    code: str
    message: str


@dataclass
class ReminderRow:
    policy: Policy
    head_name: str
    insurance_number: str
    phone: str
    village: object
    product: Product  # the policy's product
    new_product: Product  # what the renewal takes (after conversion)
    expiry_date: date
    renewal_date: date
    officer: Officer | None  # the policy's officer
    acting_officer: Officer | None  # who must act (after substitution)
    bits: int = 0
    warnings: list[Warning] = field(default_factory=list)

    @property
    def converted(self) -> bool:
        return self.new_product.pk != self.product.pk


def renewal_product(product: Product, renewal_date: date) -> Product:
    """The product a renewal on `renewal_date` takes: follow the conversion products while the
    date is after the product's sale window (at most 20 hops)."""
    current = product
    for _hop in range(MAX_CONVERSION_HOPS):
        if renewal_date <= current.date_to or current.conversion_product_id is None:
            break
        current = Product.objects.get(pk=current.conversion_product_id)
    return current


def _renewed_q() -> Exists:
    return Exists(Policy.objects.current().filter(previous=OuterRef("pk")))


def renewal_reminders(
    user, today: date, days: int = RENEWAL_INTERVAL, officer: Officer | None = None
) -> list[ReminderRow]:
    """The policies to renew, ordered by the officer who must act, then expiry date; `officer`
    keeps only that acting officer's rows."""
    policies = (
        Policy.objects.current()
        .filter(
            status__in=(PolicyStatus.ACTIVE, PolicyStatus.EXPIRED),
            expiry_date__gte=today,
            expiry_date__lte=today + timedelta(days=days),
        )
        .filter(access.district_q(user, "family__village__parent__parent_id"))
        .exclude(_renewed_q())
        .select_related("family__head", "family__village", "product", "officer")
        .order_by("expiry_date", "pk")
    )
    rows: list[ReminderRow] = []
    officers: dict[tuple[int, date], Officer] = {}
    for policy in policies:
        renewal_date = policy.expiry_date + timedelta(days=1)
        new_product = renewal_product(policy.product, renewal_date)
        if _already_has_next_policy(policy, renewal_date, new_product):
            continue
        acting = None
        if policy.officer is not None:
            key = (policy.officer_id, renewal_date)
            if key not in officers:
                officers[key] = renewal_officer(policy.officer, renewal_date)
            acting = officers[key]
        head = policy.family.head
        row = ReminderRow(
            policy=policy,
            head_name=f"{head.other_names} {head.last_name}" if head else "",
            insurance_number=head.insurance_number if head else "",
            phone=head.phone if head else "",
            village=policy.family.village,
            product=policy.product,
            new_product=new_product,
            expiry_date=policy.expiry_date,
            renewal_date=renewal_date,
            officer=policy.officer,
            acting_officer=acting,
        )
        _add_warnings(row)
        rows.append(row)
    if officer is not None:
        rows = [
            r for r in rows if r.acting_officer is not None and r.acting_officer.pk == officer.pk
        ]
    rows.sort(
        key=lambda r: (
            r.acting_officer is None,
            r.acting_officer.code if r.acting_officer else "",
            r.expiry_date,
            r.policy.pk,
        )
    )
    return rows


def _already_has_next_policy(policy: Policy, renewal_date: date, new_product: Product) -> bool:
    """The family already holds a policy of the product (or its conversion) starting on or after
    the renewal date (uspPolicyRenewalInserts)."""
    return (
        Policy.objects.current()
        .filter(family_id=policy.family_id, start_date__gte=renewal_date)
        .filter(Q(product_id=policy.product_id) | Q(product_id=new_product.pk))
        .exclude(pk=policy.pk)
        .exists()
    )


def _add_warnings(row: ReminderRow) -> None:
    product = row.new_product
    if row.converted:
        row.warnings.append(
            Warning(
                "converted",
                _("%(old)s is no longer on sale at the renewal date: renew with %(new)s.")
                % {"old": row.product.code, "new": product.code},
            )
        )
    if not (product.date_from <= row.renewal_date <= product.date_to):
        row.bits |= OUTSIDE_SALE_WINDOW
        if product.conversion_product_id is None and not row.converted:
            message = _(
                "%(code)s is not on sale at the renewal date and has no conversion product."
            )
        else:
            message = _("%(code)s is not on sale at the renewal date.")
        row.warnings.append(Warning("sale_window", message % {"code": product.code}))
    if row.acting_officer is None:
        row.bits |= NO_OFFICER
        row.warnings.append(Warning("no_officer", _("No officer.")))
    else:
        if row.officer is not None and row.acting_officer.pk != row.officer.pk:
            row.warnings.append(
                Warning(
                    "substituted",
                    _("%(old)s no longer works: replaced by %(new)s.")
                    % {"old": row.officer.code, "new": row.acting_officer.code},
                )
            )
        works_to = row.acting_officer.works_to
        if works_to is not None and works_to < row.renewal_date:
            row.bits |= OFFICER_NOT_WORKING
            row.warnings.append(
                Warning(
                    "officer_not_working",
                    _("%(code)s no longer works at the renewal date.")
                    % {"code": row.acting_officer.code},
                )
            )
    if not row.phone:
        row.warnings.append(Warning("no_phone", _("The head of family has no phone.")))
