"""Reads of price lists, filtered by the user's location scope (see services/pricelists.py), and
the history of their members."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from kinga.core import access
from kinga.locations.models import Location

from ..services import pricelists as pricelist_services
from ..services.pricelists import PriceListKind
from ._common import _text_q, parse_uuid

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
    access.require_right(user, kind.rights["view"])
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


def get_pricelist_for_user(user, kind: PriceListKind, uuid, action: str = "view"):
    """Load a price list and check the user may `action` it (view, edit, retire, duplicate):
    404 if unknown, 403 if not allowed (right or location scope)."""
    access.require_right(user, kind.rights["view"])
    key = parse_uuid(uuid)
    price_list = (
        kind.model.objects.select_related("location", "location__parent").filter(uuid=key).first()
        if key
        else None
    )
    if price_list is None:
        raise Http404
    if not pricelist_services.may_see_pricelist(user, price_list):
        raise PermissionDenied
    if action != "view" and not pricelist_services.may_change_pricelist(user, price_list, action):
        raise PermissionDenied
    return price_list


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
    kind = pricelist_services.kind_of(price_list)
    f = kind.member_field
    qs = kind.entries(price_list).current().select_related(f)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(**{f"{f}__code__icontains": q}) | Q(**{f"{f}__name__icontains": q}))
    return qs.order_by(f"{f}__code", "pk")


def candidates(price_list, *, q: str = "", **filters) -> QuerySet:
    """Current services (items) that are not yet members of the list; `filters` are the
    register's own (type, level, category, care_type)."""
    kind = pricelist_services.kind_of(price_list)
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
    kind = pricelist_services.kind_of(price_list)
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
