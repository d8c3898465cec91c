"""Every change to the services and items price lists (spec registers §6).

A price list carries a location (national, a region or a district); who may see and change one
is decided here, in `may_*`, and nowhere else (views ask these functions which buttons to show;
the services refuse with PermissionDenied when they say no):

* see: the search right of its kind, and a national list, or a region/district the user sees
  (`access.can_see_location`);
* change (edit, add/remove members, prices, retire) and create, duplicate into: the right of
  the action, and for a national list a user who sees everything; for a district list
  `access.can_change_location`; for a region list the region must be among the user's regions
  (`scope.region_ids`) — the same rule as adding a district under a region
  (`kinga.locations.services.may_create_under`) and openIMIS's allowed locations, which include
  the regions of the user's districts."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from kinga.core import access
from kinga.core.errors import Refused
from kinga.core.history import set_actor
from kinga.core.rights import Right

from ..models import (
    Item,
    ItemsPriceList,
    ItemsPriceListEntry,
    Service,
    ServicesPriceList,
    ServicesPriceListEntry,
)
from ._checks import NAME_MAX_LENGTH, _amount, _require, _retire, _save_unique, _text

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


def may_see_pricelist(actor, price_list) -> bool:
    return access.has_right(actor, kind_of(price_list).rights["view"]) and may_see_location(
        actor, price_list.location
    )


def may_change_pricelist(actor, price_list, action: str) -> bool:
    """`action`: edit (header, members, prices), retire, or duplicate (read the source: the
    copy's own location is checked by `pricelist_duplicate`)."""
    kind = kind_of(price_list)
    if not access.has_right(actor, kind.rights[action]) or price_list.is_retired:
        return False
    if action == "duplicate":
        return may_see_pricelist(actor, price_list)
    return may_manage_location(actor, price_list.location)


def may_add_pricelist(actor, kind: PriceListKind) -> bool:
    """The add button: the right, and at least one location (or national) to put a list."""
    return access.has_right(actor, kind.rights["add"]) and (
        access.scope_of(actor).everything or bool(access.scope_of(actor).district_ids)
    )


# --- price lists: validation -----------------------------------------------------------------


def _clean_pricelist_name(kind: PriceListKind, name, *, exclude_pk: int | None = None) -> str:
    name = _text(name, "name", _("a name"), NAME_MAX_LENGTH)
    if kind.model.objects.current().filter(name=name).exclude(pk=exclude_pk).exists():
        raise Refused(_("A current price list is already named %(name)s.") % {"name": name}, "name")
    return name


def _clean_location(actor, location):
    if location is None:
        if not may_manage_location(actor, None):
            raise Refused(
                _("Only a user who sees every location may make a national price list."),
                "location",
            )
        return None
    if location.type not in ("R", "D"):
        raise Refused(_("Choose a region or a district."), "location")
    if location.is_retired:
        raise Refused(_("This location is retired."), "location")
    if not may_manage_location(actor, location):
        raise Refused(_("This location is outside your districts."), "location")
    return location


def _clean_date(value) -> datetime.date:
    if not isinstance(value, datetime.date):
        raise Refused(_("Enter a date."), "date")
    return value


SAME = object()  # pricelist_duplicate: the location of the source

# --- price lists: header ----------------------------------------------------------------------


@transaction.atomic
def pricelist_create(*, actor, kind: PriceListKind, name: str, date: datetime.date, location=None):
    _require(access.has_right(actor, kind.rights["add"]))
    price_list = kind.model(
        name=_clean_pricelist_name(kind, name),
        date=_clean_date(date),
        location=_clean_location(actor, location),
    )
    set_actor(price_list, actor)
    _save_unique(price_list, "name", price_list.name)
    return price_list


@transaction.atomic
def pricelist_update(*, actor, price_list, name: str, date: datetime.date, location=None):
    kind = kind_of(price_list)
    price_list = kind.model.objects.select_for_update().get(pk=price_list.pk)
    _require(may_change_pricelist(actor, price_list, "edit"))
    values = {
        "name": _clean_pricelist_name(kind, name, exclude_pk=price_list.pk),
        "date": _clean_date(date),
        "location": price_list.location
        if location == price_list.location
        else _clean_location(actor, location),
    }
    changed = [k for k, v in values.items() if getattr(price_list, k) != v]
    if changed:
        for key in changed:
            setattr(price_list, key, values[key])
        set_actor(price_list, actor)
        _save_unique(price_list, "name", price_list.name)
    return price_list


@transaction.atomic
def pricelist_retire(*, actor, price_list, now: datetime.datetime | None = None):
    kind = kind_of(price_list)
    price_list = kind.model.objects.select_for_update().get(pk=price_list.pk)
    _require(may_change_pricelist(actor, price_list, "retire"))
    return _retire(price_list, actor, now)


@transaction.atomic
def pricelist_duplicate(
    *, actor, price_list, name: str, date: datetime.date | None = None, location=SAME
):
    """A new list with a new name and the current members and price overrides of the source
    (openIMIS rights 121205 / 121305).  `location` defaults to the source's."""
    kind = kind_of(price_list)
    _require(may_change_pricelist(actor, price_list, "duplicate"))
    copy = kind.model(
        name=_clean_pricelist_name(kind, name),
        date=_clean_date(date or timezone.localdate()),
        location=_clean_location(actor, price_list.location if location is SAME else location),
    )
    set_actor(copy, actor, _("Duplicated from %(name)s") % {"name": price_list.name})
    _save_unique(copy, "name", copy.name)
    entries = [
        kind.entry_model(
            price_list=copy,
            price_override=entry.price_override,
            **{f"{kind.member_field}_id": getattr(entry, f"{kind.member_field}_id")},
        )
        for entry in kind.entries(price_list).current()
    ]
    bulk_create_with_history(
        entries,
        kind.entry_model,
        default_user=actor,
        default_change_reason=_("Duplicated from %(name)s") % {"name": price_list.name},
    )
    return copy


# --- price lists: members ---------------------------------------------------------------------


def _locked_for_members(actor, price_list):
    """Lock the header: two editors adding the same member must not both insert it."""
    kind = kind_of(price_list)
    price_list = kind.model.objects.select_for_update().get(pk=price_list.pk)
    _require(may_change_pricelist(actor, price_list, "edit"))
    return kind, price_list


@transaction.atomic
def pricelist_add_members(*, actor, price_list, members: Iterable) -> int:
    """Add services (items) to the list, without price override; those already members and the
    retired ones are skipped.  Returns how many were added."""
    kind, price_list = _locked_for_members(actor, price_list)
    ids = {m.pk for m in members}
    present = set(
        kind.entries(price_list).current().values_list(f"{kind.member_field}_id", flat=True)
    )
    addable = (
        kind.member_model.objects.current()
        .filter(pk__in=ids - present)
        .values_list("pk", flat=True)
    )
    entries = [
        kind.entry_model(price_list=price_list, **{f"{kind.member_field}_id": pk})
        for pk in sorted(addable)
    ]
    bulk_create_with_history(
        entries, kind.entry_model, default_user=actor, default_change_reason=_("Added")
    )
    return len(entries)


@transaction.atomic
def pricelist_remove_members(
    *, actor, price_list, entries: Iterable, now: datetime.datetime | None = None
) -> int:
    """Soft removal: the member's line is retired and stays in the history."""
    kind, price_list = _locked_for_members(actor, price_list)
    rows = list(kind.entries(price_list).current().filter(pk__in=[e.pk for e in entries]))
    when = now or timezone.now()
    for row in rows:
        row.retired_at = when
    bulk_update_with_history(
        rows,
        kind.entry_model,
        ["retired_at"],
        default_user=actor,
        default_change_reason=_("Removed"),
    )
    return len(rows)


@transaction.atomic
def pricelist_set_overrides(*, actor, price_list, overrides: dict) -> int:
    """Set the price overrides of members: {entry: amount or None (the register price)}.
    Only the lines whose override really changes are written.  Returns how many changed."""
    kind, price_list = _locked_for_members(actor, price_list)
    wanted = {}
    for entry, value in overrides.items():
        pk = entry.pk if hasattr(entry, "pk") else int(entry)
        wanted[pk] = _amount(value, f"override-{pk}", required=False)
    rows = list(kind.entries(price_list).current().filter(pk__in=wanted))
    changed = [row for row in rows if row.price_override != wanted[row.pk]]
    for row in changed:
        row.price_override = wanted[row.pk]
    bulk_update_with_history(
        changed,
        kind.entry_model,
        ["price_override"],
        default_user=actor,
        default_change_reason=_("Price changed"),
    )
    return len(changed)
