"""Reads of policies and member coverage, always within the reader's districts (the district of
the family's village, kinga.core.access)."""

from __future__ import annotations

import uuid as uuid_module
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from kinga.core import access
from kinga.core.rights import Right
from kinga.insurees.models import Family, Insuree, InsureeStatus
from kinga.products.models import Product

from ..models import InsureePolicy, Policy

FAMILY_DISTRICT = "family__village__parent__parent_id"


def family_district_id(family: Family) -> int | None:
    """The district of the family's village (village → municipality → district)."""
    return family.village.district_id_or_none()


def may_family(user, family: Family, *rights: int) -> bool:
    return (
        family.retired_at is None
        and access.has_right(user, *rights)
        and access.scope_of(user).covers_district(family_district_id(family))
    )


def visible(user, *, include_retired: bool = False) -> QuerySet[Policy]:
    qs = Policy.objects.filter(access.district_q(user, FAMILY_DISTRICT))
    if not include_retired:
        qs = qs.filter(retired_at__isnull=True)
    return qs


def policies_of_family(user, family: Family) -> QuerySet[Policy]:
    """The family's current policies, newest first (the beneficiary page's list)."""
    access.require_right(user, Right.POLICY_SEARCH)
    return (
        visible(user)
        .filter(family=family)
        .select_related("product", "product__programme", "officer")
        .order_by("-start_date", "-id")
    )


def get_policy_for_user(user, uuid, *rights: int) -> Policy:
    """Load a policy for `user`, who must hold one of `rights` (search by default) and work in
    the family's district: 404 if unknown, 403 otherwise."""
    access.require_right(user, *(rights or (Right.POLICY_SEARCH,)))
    try:
        key = uuid_module.UUID(str(uuid))
    except ValueError:
        raise Http404 from None
    policy = (
        Policy.objects.select_related(
            "family",
            "family__village__parent__parent",
            "family__head",
            "product",
            "product__programme",
            "officer",
            "previous",
        )
        .filter(uuid=key, retired_at__isnull=True)
        .first()
    )
    if policy is None:
        raise Http404
    if not access.scope_of(user).covers_district(family_district_id(policy.family)):
        raise PermissionDenied
    return policy


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


def coverage(policy: Policy) -> QuerySet[InsureePolicy]:
    return (
        policy.members.filter(retired_at__isnull=True)
        .select_related("insuree")
        .order_by("insuree_id")
    )


def insuree_policies(insuree: Insuree, day: date | None = None) -> QuerySet[InsureePolicy]:
    """The insuree's current coverage rows (those in force on `day` when given)."""
    qs = insuree.insuree_policies.filter(retired_at__isnull=True, policy__retired_at__isnull=True)
    if day is not None:
        qs = qs.filter(effective_date__lte=day, expiry_date__gte=day)
    return qs.select_related("policy", "policy__product").order_by("-expiry_date")
