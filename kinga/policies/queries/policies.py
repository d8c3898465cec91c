"""Reads of policies and member coverage, always within the reader's districts (the district of
the family's village, kinga.core.access)."""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet

from kinga.core import access
from kinga.core.loaders import Loader, changing, in_districts, viewing
from kinga.core.rights import Right
from kinga.insurees.models import Family, Insuree, InsureeStatus, Officer
from kinga.insurees.queries import confidential as masking
from kinga.insurees.queries.families import ConfidentialDenied, district_of_family
from kinga.insurees.queries.officers import officers_for_enrolment
from kinga.products.models import Product

from .. import rules
from ..models import InsureePolicy, Policy, PolicyStatus
from .confidential import hidden_policy_q
from .renewals import MAX_DAYS

FAMILY_DISTRICT = "family__village__parent__parent_id"


def of_current_family(policy: Policy) -> bool:
    """The policies of a retired family are only read."""
    return policy.family.retired_at is None


def renewals_of(policy) -> QuerySet[Policy]:
    """The current renewals of a policy (at most one)."""
    return Policy.objects.filter(previous=policy, retired_at__isnull=True)


def suspendable(policy: Policy) -> bool:
    """Whether the « Suspend » button is offered (policy_suspend refuses the other statuses)."""
    return of_current_family(policy) and policy.status in rules.SUSPENDABLE


# Policies are loaded by their family's district (spec registers §2.3); a cancelled (retired)
# policy is gone: 404.  The actions on a family that has no policy yet (add one, preview it) are
# the family loader's (kinga.insurees.queries.families.FAMILY).
POLICY = Loader(
    queryset=lambda: (
        Policy.objects.filter(retired_at__isnull=True)
        .select_related(
            "family",
            "family__village__parent__parent",
            "family__head",
            "product",
            "product__programme",
            "officer",
            "previous",
        )
        # Whether it was renewed: the policy page offers « Renew » without another query.
        .annotate(renewed=Exists(renewals_of(OuterRef("pk"))))
    ),
    actions={
        "view": viewing(Right.POLICY_SEARCH),
        "edit": changing(Right.POLICY_EDIT, when=of_current_family),
        "suspend": changing(Right.POLICY_EDIT, when=suspendable),
        "renew": changing(Right.POLICY_RENEW, when=of_current_family),
        "pay": changing(Right.CONTRIBUTION_ADD, when=of_current_family),
        # The renewal reminders (kinga.policies.views.renewals), a page without key.
        "remind": viewing(Right.POLICY_RENEW, Right.POLICY_SEARCH),
    },
    in_scope=in_districts(lambda policy: district_of_family(policy.family)),
)


def visible(user, *, include_retired: bool = False) -> QuerySet[Policy]:
    qs = Policy.objects.filter(access.district_q(user, FAMILY_DISTRICT))
    if not include_retired:
        qs = qs.filter(retired_at__isnull=True)
    return qs


def policies_of_family(user, family: Family) -> QuerySet[Policy]:
    """The family's current policies, newest first (the beneficiary page's list), without those
    of the confidential programmes the user may not see (issue 15)."""
    POLICY.require_right(user, "view")
    return (
        visible(user)
        .exclude(hidden_policy_q(user))
        .filter(family=family)
        .select_related("product", "product__programme", "officer")
        .annotate(renewed=Exists(renewals_of(OuterRef("pk"))))
        .order_by("-start_date", "-id")
    )


def renewable(policy: Policy, today: date, renewed: bool) -> bool:
    """Whether « Renew » is offered for the policy: Active or Expired, not renewed yet, and
    expired or expiring within the reminders' longest look-ahead (MAX_DAYS) — policy_renew
    refuses the other statuses and a second renewal."""
    return (
        policy.status in (PolicyStatus.ACTIVE, PolicyStatus.EXPIRED)
        and not renewed
        and (policy.expiry_date - today).days <= MAX_DAYS
    )


def get_policy_for_user(user, key, action: str = "view") -> Policy:
    """The policy, loaded and authorised for `action` (kinga.core.loaders).  A policy of a
    confidential programme the user may not see is absent (404); one of a family such a
    programme covers shows its head masked and refuses changes (issue 15)."""
    policy = confidential_loader(POLICY, user, "").get(user, key, action)
    confidential_guard(POLICY, policy.family, action)
    return policy


def confidential_loader(loader: Loader, user, prefix: str) -> Loader:
    """`loader` for `user` without the policies of the programmes he may not see (at `prefix`,
    "" for a policy, "policy__" for a contribution), their family's head masked."""
    hidden = hidden_policy_q(user, prefix)
    if hidden == Q(pk__in=[]):
        return loader
    return Loader(
        queryset=lambda: masking.masked(
            loader.queryset().exclude(hidden), user, f"{prefix}family__head"
        ),
        actions=loader.actions,
        in_scope=loader.in_scope,
        key=loader.key,
    )


def confidential_guard(loader: Loader, family: Family, action: str) -> None:
    """No change to a family a confidential programme the user may not see covers (its head,
    read masked, says so): the programme's staff manage it."""
    head = family.head if family.head_id else None
    if not loader.action(action).retired_ok and getattr(head, "confidential", False):
        raise ConfidentialDenied


def may_policy(user, policy: Policy, action: str) -> bool:
    head = policy.family.head if policy.family.head_id else None
    if not POLICY.action(action).retired_ok and getattr(head, "confidential", False):
        return False
    return POLICY.may(user, policy, action)


def officers_for_policy(user, family: Family, enroll_date: date) -> QuerySet[Officer]:
    """The officers a policy of `family` enrolled on `enroll_date` may name: the policy form
    offers these and the services accept only these."""
    return officers_for_enrolment(user, family.village.parent.parent, enroll_date)


def enrolled_members(family: Family) -> QuerySet[Insuree]:
    """The members a new policy may cover: current and active, in order of joining (creation
    order; the head first when created with the family)."""
    return family.members.filter(retired_at__isnull=True, status=InsureeStatus.ACTIVE).order_by(
        "id"
    )


def sale_location_ids(village) -> list[int]:
    """The locations whose products are sold in `village` besides the national ones: its
    district and its region (village → municipality → district → region, loaded)."""
    district = village.parent.parent
    return [district.pk] + ([district.parent_id] if district.parent_id else [])


def products_on_sale(family: Family, on_date: date) -> QuerySet[Product]:
    """Products a family may take on `on_date`: current, on sale then (date_from ≤ day ≤
    date_to) and national or of the family's region or district (spec §7.3, §9.2).  The same
    rule as `is_on_sale`, as a query."""
    ids = sale_location_ids(family.village)
    return (
        Product.objects.current()
        .filter(date_from__lte=on_date, date_to__gte=on_date)
        .filter(Q(location__isnull=True) | Q(location_id__in=ids))
        .select_related("programme")
        .order_by("code")
    )


def is_on_sale(product: Product, village, on_date: date) -> bool:
    """`products_on_sale`'s rule for one product already loaded (the policy services check a
    product they have just read; the families import thousands without a query each)."""
    return (
        product.retired_at is None
        and product.date_from <= on_date <= product.date_to
        and (product.location_id is None or product.location_id in sale_location_ids(village))
    )


def coverage(policy: Policy, user=None) -> QuerySet[InsureePolicy]:
    """The policy's covered members; masked for `user` when given (issue 15)."""
    qs = (
        policy.members.filter(retired_at__isnull=True)
        .select_related("insuree")
        .order_by("insuree_id")
    )
    return masking.masked(qs, user, "insuree") if user is not None else qs


def insuree_policies(insuree: Insuree, day: date | None = None) -> QuerySet[InsureePolicy]:
    """The insuree's current coverage rows (those in force on `day` when given)."""
    qs = insuree.insuree_policies.filter(retired_at__isnull=True, policy__retired_at__isnull=True)
    if day is not None:
        qs = qs.filter(effective_date__lte=day, expiry_date__gte=day)
    return qs.select_related("policy", "policy__product").order_by("-expiry_date")
