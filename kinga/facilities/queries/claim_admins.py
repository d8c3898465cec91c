"""Reads of claim administrators, always within the user's districts (through his facility's)."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from kinga.core import access
from kinga.core.loaders import Loader, changing, in_districts, viewing
from kinga.core.rights import Right
from kinga.locations.models import Location

from ..models import ClaimAdmin, HealthFacility
from .facilities import facilities_visible

CLAIM_ADMIN = Loader(
    queryset=lambda: ClaimAdmin.objects.select_related(
        "health_facility", "health_facility__district", "user"
    ),
    actions={
        "view": viewing(Right.CLAIM_ADMIN_SEARCH),
        "add": changing(Right.CLAIM_ADMIN_ADD),
        "edit": changing(Right.CLAIM_ADMIN_EDIT),
        "retire": changing(Right.CLAIM_ADMIN_DELETE),
    },
    in_scope=in_districts(lambda claim_admin: claim_admin.health_facility.district_id),
)


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


def get_claim_admin_for_user(user, key, action: str = "view") -> ClaimAdmin:
    """The claim administrator, loaded and authorised for `action` (kinga.core.loaders)."""
    return CLAIM_ADMIN.get(user, key, action)


def may_claim_admin(user, claim_admin: ClaimAdmin, action: str) -> bool:
    return CLAIM_ADMIN.may(user, claim_admin, action)


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
