"""What the policies' services share: the clock, dates in messages, the activation option, the
family right check and the row locks."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kinga.insurees.models import Family

from .. import rules
from ..models import Policy, PolicyStatus
from ..queries import policies as queries

RECEIPT_MAX_LENGTH = 50

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


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _require_family(actor, family: Family, *rights: int) -> None:
    _require(queries.may_family(actor, family, *rights))


def _policy_label(policy: Policy) -> str:
    return _("%(product)s from %(start)s to %(expiry)s (%(status)s)") % {
        "product": policy.product.code,
        "start": _day(policy.start_date),
        "expiry": _day(policy.expiry_date),
        "status": PolicyStatus(policy.status).label,
    }


def _lock_family(pk: int) -> Family:
    return (
        Family.objects.select_for_update(of=("self",))
        .select_related("village__parent__parent")
        .get(pk=pk)
    )


def _lock_policy(policy: Policy) -> Policy:
    return (
        Policy.objects.select_for_update(of=("self",))
        .select_related("family__village__parent__parent", "product", "previous")
        .get(pk=policy.pk, retired_at__isnull=True)
    )
