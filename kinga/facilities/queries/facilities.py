"""Reads of health facilities and their catchment villages, always within the user's districts."""

from __future__ import annotations

import uuid as uuid_module

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from kinga.core import access
from kinga.core.rights import Right
from kinga.locations.models import Location
from kinga.medical.models import ItemsPriceList, ServicesPriceList

from ..models import Catchment, HealthFacility
from ..services import facilities as services

_FACILITY_RIGHTS = {
    "view": Right.HF_SEARCH,
    "edit": Right.HF_EDIT,
    "retire": Right.HF_DELETE,
}


def _uuid(value):
    try:
        return uuid_module.UUID(str(value))
    except ValueError:
        raise Http404 from None


# --- health facilities ----------------------------------------------------------------------


def facilities_visible(user, *, include_retired: bool = False) -> QuerySet[HealthFacility]:
    qs = HealthFacility.objects.filter(access.district_q(user, "district_id"))
    if not include_retired:
        qs = qs.filter(retired_at__isnull=True)
    return qs


def search_facilities(
    user,
    *,
    q: str = "",
    district: Location | None = None,
    level: str = "",
    legal_form: str = "",
    status: str = "",
    include_retired: bool = False,
) -> QuerySet[HealthFacility]:
    qs = facilities_visible(user, include_retired=include_retired).select_related(
        "district", "district__parent"
    )
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q))
    if district is not None:
        qs = qs.filter(district=district)
    if level:
        qs = qs.filter(level=level)
    if legal_form:
        qs = qs.filter(legal_form=legal_form)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("code", "pk")


def get_facility_for_user(user, uuid, action: str = "view") -> HealthFacility:
    """Load a facility and check the user may `action` it: 404 unknown, 403 not allowed (right,
    district scope, or retired for a change)."""
    access.require_right(user, _FACILITY_RIGHTS[action])
    facility = (
        HealthFacility.objects.select_related(
            "district",
            "district__parent",
            "services_price_list",
            "items_price_list",
        )
        .filter(uuid=_uuid(uuid))
        .first()
    )
    if facility is None:
        raise Http404
    if not access.scope_of(user).covers_district(facility.district_id):
        raise PermissionDenied
    if action != "view" and facility.is_retired:
        raise PermissionDenied
    return facility


def district_choices(user) -> QuerySet[Location]:
    """Districts where the user may place a facility."""
    return (
        Location.objects.current()
        .filter(type="D")
        .filter(access.district_q(user, "id"))
        .select_related("parent")
        .order_by("code")
    )


def _price_lists(model, user, district: Location | None):
    qs = model.objects.current().select_related("location")
    if district is not None:
        return qs.filter(services.price_list_q(district)).order_by("name")
    scope = access.scope_of(user)
    if scope.everything:
        return qs.order_by("name")
    return qs.filter(
        Q(location__isnull=True)
        | Q(location_id__in=scope.district_ids)
        | Q(location_id__in=scope.region_ids)
    ).order_by("name")


def services_price_list_choices(user, district: Location | None = None):
    return _price_lists(ServicesPriceList, user, district)


def items_price_list_choices(user, district: Location | None = None):
    return _price_lists(ItemsPriceList, user, district)


def catchments_of(facility: HealthFacility) -> QuerySet[Catchment]:
    return (
        Catchment.objects.current()
        .filter(health_facility=facility)
        .select_related("village", "village__parent", "village__parent__parent")
        .order_by("village__code")
    )


def catchment_village_choices(user, facility: HealthFacility) -> QuerySet[Location]:
    taken = Catchment.objects.current().filter(health_facility=facility).values("village_id")
    return (
        Location.objects.filter(services.catchment_villages_q(user, facility))
        .exclude(pk__in=taken)
        .select_related("parent", "parent__parent")
        .order_by("parent__parent__code", "parent__code", "name")
    )


def get_catchment_for_user(user, facility: HealthFacility, pk) -> Catchment:
    catchment = (
        Catchment.objects.current()
        .filter(health_facility=facility, pk=pk)
        .select_related("village", "health_facility")
        .first()
    )
    if catchment is None:
        raise Http404
    return catchment
