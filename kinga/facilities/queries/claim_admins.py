"""Reads of claim administrators, always within the user's districts (through his facility's)."""

from __future__ import annotations

import uuid as uuid_module

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from kinga.core import access
from kinga.core.rights import Right
from kinga.locations.models import Location

from ..models import ClaimAdmin, HealthFacility
from .facilities import facilities_visible

_CLAIM_ADMIN_RIGHTS = {
    "view": Right.CLAIM_ADMIN_SEARCH,
    "edit": Right.CLAIM_ADMIN_EDIT,
    "retire": Right.CLAIM_ADMIN_DELETE,
}


def _uuid(value):
    try:
        return uuid_module.UUID(str(value))
    except ValueError:
        raise Http404 from None


# --- claim administrators -------------------------------------------------------------------


def claim_admins_visible(user, *, include_retired: bool = False) -> QuerySet[ClaimAdmin]:
    qs = ClaimAdmin.objects.filter(access.district_q(user, "health_facility__district_id"))
    if not include_retired:
        qs = qs.filter(retired_at__isnull=True)
    return qs


def search_claim_admins(
    user,
    *,
    q: str = "",
    health_facility: HealthFacility | None = None,
    district: Location | None = None,
    include_retired: bool = False,
) -> QuerySet[ClaimAdmin]:
    qs = claim_admins_visible(user, include_retired=include_retired).select_related(
        "health_facility", "health_facility__district", "user"
    )
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(code__icontains=q)
            | Q(last_name__icontains=q)
            | Q(other_names__icontains=q)
            | Q(phone__icontains=q)
            | Q(email__icontains=q)
        )
    if health_facility is not None:
        qs = qs.filter(health_facility=health_facility)
    if district is not None:
        qs = qs.filter(health_facility__district=district)
    return qs.order_by("code", "pk")


def get_claim_admin_for_user(user, uuid, action: str = "view") -> ClaimAdmin:
    access.require_right(user, _CLAIM_ADMIN_RIGHTS[action])
    claim_admin = (
        ClaimAdmin.objects.select_related("health_facility", "health_facility__district", "user")
        .filter(uuid=_uuid(uuid))
        .first()
    )
    if claim_admin is None:
        raise Http404
    if not access.scope_of(user).covers_district(claim_admin.health_facility.district_id):
        raise PermissionDenied
    if action != "view" and claim_admin.is_retired:
        raise PermissionDenied
    return claim_admin


def facility_choices(user) -> QuerySet[HealthFacility]:
    """Current facilities a claim administrator may be attached to."""
    return facilities_visible(user).select_related("district").order_by("code")


def claim_admins_of(facility: HealthFacility) -> QuerySet[ClaimAdmin]:
    return (
        ClaimAdmin.objects.current()
        .filter(health_facility=facility)
        .select_related("user")
        .order_by("code")
    )


def claim_admin_counts(facility_ids) -> dict[int, int]:
    rows = (
        ClaimAdmin.objects.current()
        .filter(health_facility_id__in=facility_ids)
        .values("health_facility_id")
        .annotate(n=Count("id"))
    )
    return {r["health_facility_id"]: r["n"] for r in rows}
