"""Reads of contributions, within the reader's districts (through their policy's family)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import QuerySet, Sum

from kinga.core.loaders import Loader, changing, in_districts, viewing
from kinga.core.rights import Right
from kinga.insurees.queries.families import district_of_family

from ..models import Contribution, Policy
from .policies import confidential_guard, confidential_loader, of_current_family

# A deleted (retired) contribution, or one of a cancelled policy, is gone: 404.  Whether a
# contribution may still be deleted once its policy is no longer idle is a business refusal
# (kinga.policies.services.contributions.contribution_retire_refusal) that the page explains.
CONTRIBUTION = Loader(
    queryset=lambda: Contribution.objects.filter(
        retired_at__isnull=True, policy__retired_at__isnull=True
    ).select_related(
        "payer",
        "policy",
        "policy__family",
        "policy__family__village__parent__parent",
        "policy__family__head",
        "policy__product",
        "policy__product__programme",
        "policy__officer",
        "policy__previous",
    ),
    actions={
        "view": viewing(Right.CONTRIBUTION_SEARCH),
        "edit": changing(Right.CONTRIBUTION_EDIT, when=lambda c: of_current_family(c.policy)),
        "delete": changing(Right.CONTRIBUTION_DELETE, when=lambda c: of_current_family(c.policy)),
    },
    in_scope=in_districts(lambda contribution: district_of_family(contribution.policy.family)),
)


def contributions_of(policy: Policy) -> QuerySet[Contribution]:
    return (
        policy.contributions.filter(retired_at__isnull=True)
        .select_related("payer")
        .order_by("pay_date", "id")
    )


def get_contribution_for_user(user, key, action: str = "view") -> Contribution:
    """The contribution, loaded and authorised for `action` (kinga.core.loaders)."""
    contribution = confidential_loader(CONTRIBUTION, user, "policy__").get(user, key, action)
    confidential_guard(CONTRIBUTION, contribution.policy.family, action)
    return contribution


def may_contribution(user, contribution: Contribution, action: str) -> bool:
    return CONTRIBUTION.may(user, contribution, action)


def paid_totals(policy_ids) -> dict[int, Decimal]:
    """The total of the current contributions (photo fees aside) of each policy, in one
    query."""
    rows = (
        Contribution.objects.filter(
            policy_id__in=list(policy_ids), retired_at__isnull=True, is_photo_fee=False
        )
        .values("policy_id")
        .annotate(total=Sum("amount"))
        .values_list("policy_id", "total")
    )
    return dict(rows)
