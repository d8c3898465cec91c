"""Reads of payers, always within the user's location scope.

A user sees the national payers (no location) and those of the regions and districts he sees:
his districts and their regions (kinga.core.access).  Payer locations are regions or districts
only, so a location id in the scope is enough.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from kinga.core import access
from kinga.core.loaders import Loader, changing, viewing
from kinga.core.rights import Right
from kinga.locations.models import Location

from ..models import Payer


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
    PAYER.require_right(user, "view")
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


def sees(user, payer: Payer) -> bool:
    """Read scope of one payer (as `visible_q`): national, or of one of the user's regions or
    districts."""
    scope = access.scope_of(user)
    return (
        scope.everything
        or payer.location_id is None
        or payer.location_id in scope.region_ids | scope.district_ids
    )


def _changes(user, payer: Payer) -> bool:
    return may_change_location(user, payer.location)


PAYER = Loader(
    queryset=lambda: Payer.objects.select_related("location", "location__parent"),
    actions={
        "view": viewing(Right.PAYER_SEARCH),
        "add": changing(Right.PAYER_ADD),
        # Changing a payer needs the write scope of its location (narrower than seeing it).
        "edit": changing(Right.PAYER_EDIT, scope=_changes),
        "retire": changing(Right.PAYER_DELETE, scope=_changes),
    },
    in_scope=sees,
)


def get_payer_for_user(user, key, action: str = "view") -> Payer:
    """The payer, loaded and authorised for `action` (kinga.core.loaders)."""
    return PAYER.get(user, key, action)


def may_payer(user, payer: Payer, action: str) -> bool:
    return PAYER.may(user, payer, action)


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
