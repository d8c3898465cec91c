"""What the policies' services share: the clock, dates in messages, the activation option and
the row locks (taken in kinga.core.locks's order)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kinga.core import locks
from kinga.core.errors import Refused
from kinga.insurees.models import Family

from .. import rules
from ..models import Policy, PolicyStatus

RECEIPT_MAX_LENGTH = 50


# --- plans of the bulk verbs (the families import) ------------------------------------------


@dataclass
class NewContribution:
    """A contribution checked by `contributions.contribution_plan_new`, not written yet."""

    payer: Any  # Payer | None
    amount: Decimal
    receipt: str
    pay_date: date
    pay_type: str
    is_photo_fee: bool
    action: rules.Action | None
    ref: Any = None  # the caller's handle (the import's row)


@dataclass
class NewPolicy:
    """A policy checked and computed by `policies.policy_plan_new` for a family not written
    yet: what policy_attach would save, then its status after its contributions
    (`contributions.contributions_plan_payments`)."""

    village: Any  # Location, with its municipality, district and region
    product: Any  # Product
    officer: Any  # Officer
    enroll_date: date
    start_date: date
    expiry_date: date
    last_payment_date: date
    max_installments: int
    value: Decimal
    status: int
    effective_date: date | None
    covered: list[Any]  # the refs of the members covered
    not_covered: list[Any]
    contributions: list[NewContribution] = field(default_factory=list)


CURRENT_STATUSES = (
    PolicyStatus.IDLE,
    PolicyStatus.ACTIVE,
    PolicyStatus.SUSPENDED,
    PolicyStatus.READY,
)


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def _day(value: date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


def _majority() -> int:
    return getattr(settings, "KINGA_AGE_OF_MAJORITY", 18)


def activation_option() -> int:
    return getattr(settings, "KINGA_ACTIVATION_OPTION", rules.ActivationOption.ON_CONTRIBUTION)


def _policy_label(policy: Policy) -> str:
    return _("%(product)s from %(start)s to %(expiry)s (%(status)s)") % {
        "product": policy.product.code,
        "start": _day(policy.start_date),
        "expiry": _day(policy.expiry_date),
        "status": PolicyStatus(policy.status).label,
    }


def _lock_family(pk: int) -> Family:
    """The family, first of the lock order (kinga.core.locks)."""
    return locks.lock_one(Family.objects.select_related("village__parent__parent"), pk)


def _lock_policy(policy: Policy) -> Policy:
    """A current policy, locked (after its family when the service needs both); DoesNotExist
    when it has been retired."""
    return locks.lock_one(
        Policy.objects.filter(retired_at__isnull=True).select_related(
            "family__village__parent__parent", "product", "previous"
        ),
        policy.pk,
    )


def _lock_family_and_policy(policy: Policy) -> tuple[Family, Policy]:
    """The policy's family, then the policy (kinga.core.locks: a policy's family never
    changes, so it is known before locking); a policy retired meanwhile is refused."""
    family_id = policy.family_id
    if family_id is None:
        family_id = Policy.objects.filter(pk=policy.pk).values_list("family_id", flat=True).first()
        if family_id is None:
            raise Refused(_("This policy has been deleted."))
    family = _lock_family(family_id)
    try:
        locked = _lock_policy(policy)
    except Policy.DoesNotExist:
        raise Refused(_("This policy has been deleted.")) from None
    locked.family = family
    return family, locked
