"""Suspending a policy and reactivating it (spec registers §9.8, right 101203).

`policy_suspend` (kinga.policies.services.policies) suspends an Idle, Active or Ready policy;
`policy_reactivate` gives a suspended policy back the status it had before its suspension (read
in its history: Idle, Active or Ready), unless it has expired since.  Both write a history row
naming the actor, so the policy page shows the suspension and the reactivation."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from kinga.core.errors import Refused
from kinga.core.history import set_actor

from .. import rules
from ..models import Policy, PolicyStatus
from ..queries import policies as queries
from ._common import _day, _lock_policy, _today


def status_before_suspension(policy: Policy) -> PolicyStatus:
    """The status the policy had before it was suspended (its latest history row not
    suspended); without one, Active when it has an effective date, else Idle."""
    before = (
        policy.history.exclude(status=PolicyStatus.SUSPENDED)
        .order_by("-history_date", "-history_id")
        .values_list("status", flat=True)
        .first()
    )
    if before in rules.SUSPENDABLE:
        return PolicyStatus(before)
    return PolicyStatus.ACTIVE if policy.effective_date else PolicyStatus.IDLE


def reactivate_refusal(policy: Policy, today: date) -> str | None:
    """Why `policy` cannot be reactivated (None if it can): the page says so beforehand."""
    if policy.status != PolicyStatus.SUSPENDED:
        return _("Only a suspended policy can be reactivated; this one is %(status)s.") % {
            "status": PolicyStatus(policy.status).label.lower()
        }
    if policy.expiry_date < today:
        return _("The policy expired on %(day)s: it can no longer be reactivated.") % {
            "day": _day(policy.expiry_date)
        }
    return None


@transaction.atomic
def policy_reactivate(*, actor, policy: Policy, today: date | None = None) -> Policy:
    """Reactivate a suspended policy (right 101203): it takes back the status it had before
    its suspension, its dates unchanged; refused once it has expired."""
    policy = _lock_policy(policy)
    queries.POLICY.require(actor, policy, "edit")
    refusal = reactivate_refusal(policy, _today(today))
    if refusal:
        raise Refused(refusal)
    policy.status = status_before_suspension(policy)
    set_actor(policy, actor, _("Reactivated"))
    policy.save(update_fields=["status"])
    return policy
