"""Reads of contributions, within the reader's districts (through their policy)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from kinga.core import access

from ..models import Contribution, Policy
from .policies import get_policy_for_user


def contributions_of(policy: Policy) -> QuerySet[Contribution]:
    return (
        policy.contributions.filter(retired_at__isnull=True)
        .select_related("payer")
        .order_by("pay_date", "id")
    )


def get_contribution_for_user(user, uuid, right: int) -> Contribution:
    """Load a current contribution for `user`, who must hold `right` and work in the district
    of the policy's family: 404 if unknown, 403 otherwise (the policy's own loader decides)."""
    access.require_right(user, right)
    contribution = (
        Contribution.objects.filter(uuid=uuid, retired_at__isnull=True)
        .select_related("payer", "policy")
        .first()
    )
    if contribution is None:
        raise Http404
    contribution.policy = get_policy_for_user(user, contribution.policy.uuid, right)
    return contribution
