"""Reads of health facilities and their catchment villages, always within the user's districts."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kinga.core import access
from kinga.core.loaders import Loader, changing, in_districts, parse_id, viewing
from kinga.core.rights import Right
from kinga.locations.models import Location
from kinga.medical.models import ItemsPriceList, ServicesPriceList

from ..models import Catchment, HealthFacility

FACILITY = Loader(
    queryset=lambda: HealthFacility.objects.select_related(
        "district", "district__parent", "services_price_list", "items_price_list"
    ),
    actions={
        "view": viewing(Right.HF_SEARCH),
        "add": changing(Right.HF_ADD),
        "edit": changing(Right.HF_EDIT),
        "retire": changing(Right.HF_DELETE),
        "transfer": viewing(Right.HF_UPLOAD, Right.HF_DOWNLOAD),
    },
    in_scope=in_districts(lambda facility: facility.district_id),
)


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
    contract: str = "",
    today: date | None = None,
    days: int = 30,
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
    if contract:
        qs = qs.filter(contract_q(contract, today or timezone.localdate(), days))
    return qs.order_by("code", "pk")


# --- contracts ("formations sanitaires conventionnées") -------------------------------------

IN_CONTRACT, ENDING, ENDED, NO_CONTRACT = "current", "ending", "ended", "none"


def contract_q(state: str, today: date, days: int = 30) -> Q:
    """Facilities whose contract is in force today (its first and last days included), in
    force and ending within `days` days, ended before today, or with no contract."""
    in_force = Q(contract_start_date__lte=today, contract_end_date__gte=today)
    if state == IN_CONTRACT:
        return in_force
    if state == ENDING:
        return in_force & Q(contract_end_date__lte=today + timedelta(days=days))
    if state == ENDED:
        return Q(contract_end_date__lt=today)
    if state == NO_CONTRACT:
        return Q(contract_end_date__isnull=True)
    return Q()


def contracts_ending(user, today: date, days: int = 30, limit: int = 10) -> list[HealthFacility]:
    """The facilities in sight whose contract ends within `days` days, soonest first: at most
    `limit` + 1 (one more tells that there are more), in one query."""
    return list(
        facilities_visible(user)
        .filter(contract_q(ENDING, today, days))
        .order_by("contract_end_date", "code", "pk")[: limit + 1]
    )


def get_facility_for_user(user, key, action: str = "view") -> HealthFacility:
    """The facility, loaded and authorised for `action` (kinga.core.loaders)."""
    return FACILITY.get(user, key, action)


def may_facility(user, facility: HealthFacility, action: str) -> bool:
    return FACILITY.may(user, facility, action)


def price_list_q(district: Location) -> Q:
    """The price lists a facility of `district` may use: national, its region's, its own."""
    return Q(location__isnull=True) | Q(location_id=district.pk) | Q(location_id=district.parent_id)


def catchment_villages_q(user, facility: HealthFacility) -> Q:
    """The villages that may be added to the facility's catchment (Q on Location)."""
    region_id = facility.district.parent_id
    return Q(
        type="V", retired_at__isnull=True, parent__parent__parent_id=region_id
    ) & access.location_q(user)


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
        return qs.filter(price_list_q(district)).order_by("name")
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
        Location.objects.filter(catchment_villages_q(user, facility))
        .exclude(pk__in=taken)
        .select_related("parent", "parent__parent")
        .order_by("parent__parent__code", "parent__code", "name")
    )


def get_catchment_for_user(user, facility: HealthFacility, pk) -> Catchment:
    catchment = (
        Catchment.objects.current()
        .filter(health_facility=facility, pk=parse_id(pk))
        .select_related("village", "health_facility")
        .first()
    )
    if catchment is None:
        raise Http404
    return catchment
