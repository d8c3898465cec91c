"""Every change to the services and items price lists (spec registers §6).

Who may see and change a price list is decided in `queries.pricelists` (its loaders, one per
kind, and `may_manage_location`) and nowhere else: views load through the loaders and ask them
which buttons to show; the services check the same loaders before they write."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from kinga.core.errors import Refused
from kinga.core.history import set_actor

from ..queries.pricelists import (  # noqa: F401 (the kinds, as callers know them from here)
    ITEMS,
    PRICE_LIST_KINDS,
    SERVICES,
    PriceListKind,
    kind_of,
    loader_of,
    may_manage_location,
)
from ._checks import NAME_MAX_LENGTH, _amount, _retire, _save_unique, _text

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
    loader_of(kind).require_right(actor, "add")
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
    loader_of(price_list).require(actor, price_list, "edit")
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
    loader_of(price_list).require(actor, price_list, "retire")
    return _retire(price_list, actor, now)


@transaction.atomic
def pricelist_duplicate(
    *, actor, price_list, name: str, date: datetime.date | None = None, location=SAME
):
    """A new list with a new name and the current members and price overrides of the source
    (openIMIS rights 121205 / 121305).  `location` defaults to the source's."""
    kind = kind_of(price_list)
    loader_of(price_list).require(actor, price_list, "duplicate")
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
    loader_of(price_list).require(actor, price_list, "edit")
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
