"""Reads of payers, always within the user's location scope.

A user sees the national payers (no location) and those of the regions and districts he sees:
his districts and their regions (kinga.core.access).  Payer locations are regions or districts
only, so a location id in the scope is enough.
"""

from __future__ import annotations

import uuid as uuid_lib

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from kinga.core import access
from kinga.core.rights import Right
from kinga.locations.models import Location

from ..models import Payer

ACTION_RIGHTS = {
    "view": Right.PAYER_SEARCH,
    "edit": Right.PAYER_EDIT,
    "retire": Right.PAYER_DELETE,
}


def visible_q(user) -> Q:
    scope = access.scope_of(user)
    if scope.everything:
        return Q()
    # Not `Q(...) | location_q(...)`: an empty Q() would vanish from the OR.
    return Q(location__isnull=True) | Q(location_id__in=scope.region_ids | scope.district_ids)


def visible(user, *, include_retired: bool = False) -> QuerySet[Payer]:
    qs = Payer.objects.filter(visible_q(user))
    if not include_retired:
        qs = qs.filter(retired_at__isnull=True)
    return qs


def search(
    user,
    *,
    q: str = "",
    type: str = "",
    location: Location | None = None,
    national: bool = False,
    include_retired: bool = False,
) -> QuerySet[Payer]:
    """The list: name, address, phone or e-mail contains `q`; `location` matches the payer's
    own location (a region also lists the payers of its districts); `national` the payers
    without location."""
    access.require_right(user, Right.PAYER_SEARCH)
    qs = visible(user, include_retired=include_retired).select_related("location")
    q = " ".join((q or "").split())
    if q:
        qs = qs.filter(
            Q(name__icontains=q)
            | Q(address__icontains=q)
            | Q(phone__icontains=q)
            | Q(email__icontains=q)
        )
    if type:
        qs = qs.filter(type=type)
    if national:
        qs = qs.filter(location__isnull=True)
    elif location is not None:
        qs = qs.filter(Q(location=location) | Q(location__parent=location))
    return qs.order_by("name", "pk")


def may_change_location(user, location: Location | None) -> bool:
    """Write scope of a payer's location: a national or a regional payer is changed only by a
    user who sees everything (regions are not in any district's write scope,
    access.can_change_location); a district payer by the users of that district."""
    if location is None:
        return access.scope_of(user).everything
    return access.can_change_location(user, location)


def may(user, action: str, payer: Payer | None = None) -> bool:
    """May the user `action` ("add", "edit", "retire") this payer (or some payer)?"""
    right = {"add": Right.PAYER_ADD, **ACTION_RIGHTS}[action]
    if not access.has_right(user, right):
        return False
    if payer is None:
        return True
    if payer.is_retired and action != "view":
        return False
    return may_change_location(user, payer.location)


def get_payer_for_user(user, uuid, action: str = "view") -> Payer:
    """Load a payer and check the user may `action` it: 404 if unknown, 403 if the right is
    missing or the payer lies outside the user's locations."""
    access.require_right(user, ACTION_RIGHTS.get(action, Right.PAYER_SEARCH))
    try:
        key = uuid_lib.UUID(str(uuid))
    except ValueError:
        raise Http404 from None
    payer = Payer.objects.select_related("location", "location__parent").filter(uuid=key).first()
    if payer is None:
        raise Http404
    if not Payer.objects.filter(pk=payer.pk).filter(visible_q(user)).exists():
        raise PermissionDenied
    if action != "view" and not may(user, action, payer):
        raise PermissionDenied
    return payer


def location_choices(user) -> QuerySet[Location]:
    """Regions and districts a payer may be attached to by this user (the form's select)."""
    qs = Location.objects.current().filter(type__in=["R", "D"])
    scope = access.scope_of(user)
    if not scope.everything:
        qs = qs.filter(type="D", id__in=scope.district_ids)
    return qs.select_related("parent").order_by("type", "code")


def filter_locations(user) -> QuerySet[Location]:
    """Regions and districts for the list's location filter."""
    qs = Location.objects.current().filter(type__in=["R", "D"])
    scope = access.scope_of(user)
    if not scope.everything:
        qs = qs.filter(id__in=scope.region_ids | scope.district_ids)
    return qs.order_by("type", "code")


def payer_location_ids(location: Location) -> list[int]:
    """The region and the district of `location` (or itself when it is one): a payer attached
    to one of them pays for the families living there (its ancestors loaded)."""
    chain = [*location.ancestors(), location]
    return [loc.id for loc in chain if loc.type in ("R", "D")]


def payers_for_location(user, location: Location) -> QuerySet[Payer]:
    """The payers a contribution of a family living at `location` (a village, municipality,
    district or region) may come from: the national payers, those of its region and those of
    its district (openIMIS Premium.aspx FillPayers).  No payer right needed (the contribution
    form's own right applies); the user's location scope still does.  The same rule as
    `pays_for`, as a query."""
    ids = payer_location_ids(location)
    return (
        Payer.objects.current()
        .filter(Q(location__isnull=True) | Q(location_id__in=ids))
        .filter(visible_q(user))
        .select_related("location")
        .order_by("name", "pk")
    )


def pays_for(payer: Payer, location: Location) -> bool:
    """`payers_for_location`'s rule for one payer already loaded (the families import, whose
    families all live in the importer's districts: the user's scope adds nothing there)."""
    return payer.retired_at is None and (
        payer.location_id is None or payer.location_id in payer_location_ids(location)
    )
