"""Reads of price lists, filtered by the user's location scope, the history of their members,
and who may see and change them: one loader per kind of price list.

A price list carries a location (national, a region or a district):

* see: the search right of its kind, and a national list, or a region/district the user sees
  (`access.can_see_location`);
* change (edit, add/remove members, prices, retire) and create, duplicate into: the right of
  the action, and for a national list a user who sees everything; for a district list
  `access.can_change_location`; for a region list the region must be among the user's regions
  (`scope.region_ids`) — the same rule as adding a district under a region
  (`kinga.locations.queries.may_create_under`) and openIMIS's allowed locations, which include
  the regions of the user's districts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from kinga.core import access
from kinga.core.loaders import Loader, changing, viewing
from kinga.core.rights import Right
from kinga.locations.models import Location

from ..models import (
    Item,
    ItemsPriceList,
    ItemsPriceListEntry,
    Service,
    ServicesPriceList,
    ServicesPriceListEntry,
)
from ._common import _text_q

# --- price lists: kinds -----------------------------------------------------------------------


@dataclass(frozen=True)
class PriceListKind:
    """What differs between the services and the items price lists."""

    key: str  # "services" / "items": URLs
    model: type[ServicesPriceList] | type[ItemsPriceList]
    entry_model: type[ServicesPriceListEntry] | type[ItemsPriceListEntry]
    member_model: type[Service] | type[Item]
    member_field: str  # "service" / "item"
    rights: dict[str, Right]
    title: Any  # lazy: "Services price lists"
    member_title: Any  # lazy: "Medical services"

    def entries(self, price_list) -> models.QuerySet:
        return self.entry_model.objects.filter(price_list=price_list)


SERVICES = PriceListKind(
    key="services",
    model=ServicesPriceList,
    entry_model=ServicesPriceListEntry,
    member_model=Service,
    member_field="service",
    rights={
        "view": Right.PL_SERVICES_SEARCH,
        "add": Right.PL_SERVICES_ADD,
        "edit": Right.PL_SERVICES_EDIT,
        "retire": Right.PL_SERVICES_DELETE,
        "duplicate": Right.PL_SERVICES_DUPLICATE,
    },
    title=gettext_lazy("Services price lists"),
    member_title=gettext_lazy("Medical services"),
)
ITEMS = PriceListKind(
    key="items",
    model=ItemsPriceList,
    entry_model=ItemsPriceListEntry,
    member_model=Item,
    member_field="item",
    rights={
        "view": Right.PL_ITEMS_SEARCH,
        "add": Right.PL_ITEMS_ADD,
        "edit": Right.PL_ITEMS_EDIT,
        "retire": Right.PL_ITEMS_DELETE,
        "duplicate": Right.PL_ITEMS_DUPLICATE,
    },
    title=gettext_lazy("Items price lists"),
    member_title=gettext_lazy("Medical items"),
)
PRICE_LIST_KINDS = {SERVICES.key: SERVICES, ITEMS.key: ITEMS}


def kind_of(price_list) -> PriceListKind:
    return SERVICES if isinstance(price_list, ServicesPriceList) else ITEMS


# --- price lists: who may do what --------------------------------------------------------------


def may_see_location(actor, location) -> bool:
    return location is None or access.can_see_location(actor, location)


def may_manage_location(actor, location) -> bool:
    """May `actor` create or change a price list of `location` (None: national)?"""
    scope = access.scope_of(actor)
    if scope.everything:
        return True
    if location is None:
        return False
    if location.type == "R":
        return location.id in scope.region_ids
    return access.can_change_location(actor, location)


def _manages(actor, price_list) -> bool:
    return may_manage_location(actor, price_list.location)


def _price_list_loader(kind: PriceListKind) -> Loader:
    """A change needs the kind's search right too (its page shows the list); a duplicate only
    reads its source (the copy's own location is checked by `pricelist_duplicate`)."""
    view = kind.rights["view"]
    return Loader(
        queryset=lambda: kind.model.objects.select_related("location", "location__parent"),
        actions={
            "view": viewing(view),
            "add": changing(kind.rights["add"]),
            "edit": changing(kind.rights["edit"], all_of=(view,), scope=_manages),
            "retire": changing(kind.rights["retire"], all_of=(view,), scope=_manages),
            "duplicate": changing(kind.rights["duplicate"], all_of=(view,)),
        },
        in_scope=lambda actor, price_list: may_see_location(actor, price_list.location),
    )


SERVICES_PRICE_LIST = _price_list_loader(SERVICES)
ITEMS_PRICE_LIST = _price_list_loader(ITEMS)
PRICE_LIST = {SERVICES.key: SERVICES_PRICE_LIST, ITEMS.key: ITEMS_PRICE_LIST}


def loader_of(kind_or_price_list) -> Loader:
    """The loader of a kind (PriceListKind) or of a price list's kind."""
    kind = kind_or_price_list
    if not isinstance(kind, PriceListKind):
        kind = kind_of(kind_or_price_list)
    return PRICE_LIST[kind.key]


def get_services_pricelist_for_user(user, key, action: str = "view") -> ServicesPriceList:
    """The services price list, loaded and authorised for `action` (kinga.core.loaders)."""
    return SERVICES_PRICE_LIST.get(user, key, action)


def get_items_pricelist_for_user(user, key, action: str = "view") -> ItemsPriceList:
    """The items price list, loaded and authorised for `action` (kinga.core.loaders)."""
    return ITEMS_PRICE_LIST.get(user, key, action)


def may_pricelist(user, price_list, action: str) -> bool:
    return loader_of(price_list).may(user, price_list, action)


def may_add_pricelist(user, kind: PriceListKind) -> bool:
    """The add button and the creation page: the right, and at least one location (or
    national) to put a list."""
    scope = access.scope_of(user)
    return loader_of(kind).may_right(user, "add") and (scope.everything or bool(scope.district_ids))


def require_add_pricelist(user, kind: PriceListKind) -> None:
    if not may_add_pricelist(user, kind):
        raise PermissionDenied


# --- price lists ------------------------------------------------------------------------------


def visible_pricelists_q(user) -> Q:
    """National lists, and those of the regions and districts the user sees."""
    scope = access.scope_of(user)
    if scope.everything:
        return Q()
    return (
        Q(location__isnull=True)
        | Q(location__type="R", location_id__in=scope.region_ids)
        | Q(location__type="D", location_id__in=scope.district_ids)
    )


def search_pricelists(
    user,
    kind: PriceListKind,
    *,
    q: str = "",
    location: Location | None = None,
    national: bool = False,
    include_retired: bool = False,
) -> QuerySet:
    loader_of(kind).require_right(user, "view")
    qs = kind.model.objects.filter(visible_pricelists_q(user)).select_related(
        "location", "location__parent"
    )
    q = (q or "").strip()
    if q:
        qs = qs.filter(name__icontains=q)
    if national:
        qs = qs.filter(location__isnull=True)
    elif location is not None:
        qs = qs.filter(Q(location=location) | Q(location__parent=location))
    if not include_retired:
        qs = qs.filter(retired_at__isnull=True)
    return qs.order_by("name", "pk")


def pricelist_locations(user) -> QuerySet[Location]:
    """The regions and districts where the user may put a price list (form choices)."""
    scope = access.scope_of(user)
    qs = Location.objects.current().filter(type__in=["R", "D"])
    if not scope.everything:
        qs = qs.filter(
            Q(type="R", id__in=scope.region_ids) | Q(type="D", id__in=scope.district_ids)
        )
    return qs.order_by("type", "code")


def filter_locations(user) -> QuerySet[Location]:
    """The regions and districts of the list filter: those the user sees."""
    return (
        Location.objects.current()
        .filter(type__in=["R", "D"])
        .filter(access.location_q(user))
        .order_by("type", "code")
    )


def members(price_list, *, q: str = "") -> QuerySet:
    """The current lines of a price list with their service (item), by code."""
    kind = kind_of(price_list)
    f = kind.member_field
    qs = kind.entries(price_list).current().select_related(f)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(**{f"{f}__code__icontains": q}) | Q(**{f"{f}__name__icontains": q}))
    return qs.order_by(f"{f}__code", "pk")


def candidates(price_list, *, q: str = "", **filters) -> QuerySet:
    """Current services (items) that are not yet members of the list; `filters` are the
    register's own (type, level, category, care_type)."""
    kind = kind_of(price_list)
    present = kind.entries(price_list).current().values(f"{kind.member_field}_id")
    qs = kind.member_model.objects.current().filter(_text_q(q)).exclude(pk__in=present)
    for name, value in filters.items():
        if value:
            qs = qs.filter(**{name: "" if value == "-" else value})
    return qs.order_by("code", "pk")


# --- history of the members ---------------------------------------------------------------------


@dataclass
class MemberChange:
    date: Any
    user: Any
    member: Any
    what: str
    old: Any = None  # price overrides: Decimal or None (the register price)
    new: Any = None
    reason: str = ""


def member_history(price_list, *, limit: int = 100) -> list[MemberChange]:
    """Who added or removed which member, and changed which price override, newest first.
    All the history rows of the list's lines in two queries (lines of a list are few hundred)."""
    kind = kind_of(price_list)
    f = kind.member_field
    rows = list(
        kind.entry_model.history.filter(price_list_id=price_list.pk)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    names = {
        m.pk: m
        for m in kind.member_model.objects.filter(pk__in={getattr(r, f"{f}_id") for r in rows})
    }
    changes: list[MemberChange] = []
    previous: dict[int, Any] = {}
    for row in rows:
        before = previous.get(row.id)
        previous[row.id] = row
        member = names.get(getattr(row, f"{f}_id"))
        base = {
            "date": row.history_date,
            "user": row.history_user,
            "member": member,
            "reason": row.history_change_reason or "",
        }
        if before is None or row.history_type == "+":
            changes.append(
                MemberChange(
                    **base,
                    what=str(_("Added")),
                    new=row.price_override,
                )
            )
            continue
        if before.retired_at is None and row.retired_at is not None:
            changes.append(MemberChange(**base, what=str(_("Removed"))))
        if before.price_override != row.price_override:
            changes.append(
                MemberChange(
                    **base,
                    what=str(_("Price override")),
                    old=before.price_override,
                    new=row.price_override,
                )
            )
    changes.sort(key=lambda c: c.date, reverse=True)
    return changes[:limit]
