"""Reads of locations, always within the user's scope (access.location_q)."""

from __future__ import annotations

import uuid

from django.db.models import Q, QuerySet

from kinga.core import access

from . import rules
from .models import Location


def visible(user, *, include_retired: bool = False) -> QuerySet[Location]:
    qs = Location.objects.filter(access.location_q(user))
    if not include_retired:
        qs = qs.filter(retired_at__isnull=True)
    return qs


def search(
    user,
    *,
    q: str = "",
    level: str = "",
    parent: Location | None = None,
    include_retired: bool = False,
) -> QuerySet[Location]:
    """The list page: code or name contains `q`; `parent` matches any ancestor."""
    qs = visible(user, include_retired=include_retired).select_related("parent", "parent__parent")
    q = q.strip()
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q))
    if level in rules.LEVELS:
        qs = qs.filter(type=level)
    if parent is not None:
        qs = qs.filter(
            Q(parent=parent) | Q(parent__parent=parent) | Q(parent__parent__parent=parent)
        )
    return qs.order_by("code", "pk")


def children_of(user, location: Location | None, *, include_retired: bool = False):
    """The tree: regions when `location` is None, else its children the user may see."""
    qs = visible(user, include_retired=include_retired)
    if location is None:
        qs = qs.filter(type=rules.REGION)
    else:
        qs = qs.filter(parent=location)
    return qs.order_by("name", "code")


def parent_choices(user) -> QuerySet[Location]:
    """Locations under which the user may add a location (the parent select of the forms)."""
    from .services import has_level_right

    # Below regions the write scope equals the read scope (access.can_change_location); a
    # district may be added under any region the user sees (services.may_create_under).
    qs = visible(user).exclude(type=rules.VILLAGE)
    if not has_level_right(user, "add", rules.DISTRICT):
        qs = qs.exclude(type=rules.REGION)
    if not has_level_right(user, "add", rules.MUNICIPALITY):
        qs = qs.exclude(type__in=[rules.DISTRICT, rules.MUNICIPALITY])
    return qs.order_by("code")


def filter_parents(user) -> QuerySet[Location]:
    """Regions and districts for the list's parent filter."""
    return visible(user).filter(type__in=[rules.REGION, rules.DISTRICT]).order_by("type", "code")


def by_uuid(value) -> Location | None:
    try:
        key = uuid.UUID(str(value))
    except ValueError:
        return None
    return (
        Location.objects.select_related("parent", "parent__parent", "parent__parent__parent")
        .filter(uuid=key)
        .first()
    )


def _under_q(key) -> Q | None:
    """Q on Location: below the location of `key` (an id or a UUID); None when `key` is
    neither."""
    text = str(key).strip()
    if text.isdigit():
        field, value = "id", int(text)
    else:
        try:
            field, value = "uuid", uuid.UUID(text)
        except ValueError:
            return None
    return (
        Q(**{f"parent__{field}": value})
        | Q(**{f"parent__parent__{field}": value})
        | Q(**{f"parent__parent__parent__{field}": value})
    )


def pick(
    user, text: str = "", *, levels=(rules.VILLAGE,), under=None, limit: int = 20
) -> list[Location]:
    """Search-as-you-type: at most `limit` + 1 current locations of `levels` that the user sees
    (below `under` if given: an id or UUID) whose code starts with or whose name contains `text`
    — one query, with the two levels above for the labels.  One more than `limit` tells the
    caller there are more."""
    qs = visible(user).filter(type__in=[lvl for lvl in levels if lvl in rules.LEVELS])
    if under not in (None, ""):
        below = _under_q(under)
        if below is None:
            return []
        qs = qs.filter(below)
    text = (text or "").strip()
    if text:
        qs = qs.filter(Q(code__istartswith=text) | Q(name__icontains=text))
    return list(qs.select_related("parent__parent").order_by("name", "code", "pk")[: limit + 1])
