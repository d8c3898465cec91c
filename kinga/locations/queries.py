"""Reads of locations, always within the user's scope (access.location_q), and who may do
what: the `LOCATION` loader and the rules it is built on, which the services check too."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from kinga.core import access
from kinga.core.loaders import Loader, changing, parse_id, parse_uuid, viewing
from kinga.core.rights import Right

from . import rules
from .models import Location

# --- who may do what ----------------------------------------------------------------------

_ACTION_RIGHTS = {
    "add": Right.LOCATION_ADD,
    "edit": Right.LOCATION_EDIT,
    "retire": Right.LOCATION_DELETE,
    "move": Right.LOCATION_MOVE,
}


def has_level_right(actor, action: str, type_code: str) -> bool:
    """Regions and districts need right 121906; municipalities and villages the action's own
    right (121902 add, 121903 edit, 121904 retire, 121905 move)."""
    if rules.is_district_or_above(type_code):
        return access.has_right(actor, Right.LOCATION_REGION_DISTRICT)
    return access.has_right(actor, _ACTION_RIGHTS[action])


def may_create_under(actor, parent: Location | None) -> bool:
    """Scope for a new child of `parent`: a region needs a user who sees everything; a district
    may be added under one of the user's regions (he then gets the district, as in openIMIS
    `_ensure_user_belongs_to_district`); anything else must fall in one of his districts."""
    if parent is None:
        return access.scope_of(actor).everything
    if parent.is_retired or parent.type == rules.VILLAGE:
        return False
    if parent.type == rules.REGION:
        return access.can_see_location(actor, parent)
    return access.can_change_location(actor, parent)


def may_create(actor, type_code: str, parent: Location | None) -> bool:
    """May `actor` add a location of `type_code` under `parent` (None: a region)?"""
    return has_level_right(actor, "add", type_code) and may_create_under(actor, parent)


def require_create(actor, type_code: str, parent: Location | None) -> None:
    """The services' check before a location is created (PermissionDenied)."""
    if not may_create(actor, type_code, parent):
        raise PermissionDenied


def _may_add_child(actor, parent: Location) -> bool:
    child = rules.child_type_of(parent.type)
    return child is not None and may_create(actor, child, parent)


def _changes(action: str):
    """The scope of a change: the right of the location's level, and the write scope."""

    def check(actor, location: Location) -> bool:
        return has_level_right(actor, action, location.type) and access.can_change_location(
            actor, location
        )

    return check


def _changing(action: str, right: int):
    # Every page of the register needs its search right (121901) besides the action's own.
    return changing(
        right,
        Right.LOCATION_REGION_DISTRICT,
        all_of=(Right.LOCATION_SEARCH,),
        scope=_changes(action),
    )


LOCATION = Loader(
    queryset=lambda: Location.objects.select_related(
        "parent", "parent__parent", "parent__parent__parent"
    ),
    actions={
        "view": viewing(Right.LOCATION_SEARCH),
        # The creation page (any level) and, on a location's page, the creation of its child.
        "add": changing(
            Right.LOCATION_ADD, Right.LOCATION_REGION_DISTRICT, all_of=(Right.LOCATION_SEARCH,)
        ),
        "add_child": changing(
            Right.LOCATION_ADD,
            Right.LOCATION_REGION_DISTRICT,
            all_of=(Right.LOCATION_SEARCH,),
            scope=_may_add_child,
        ),
        "edit": _changing("edit", Right.LOCATION_EDIT),
        "move": _changing("move", Right.LOCATION_MOVE),
        "retire": _changing("retire", Right.LOCATION_DELETE),
        "transfer": viewing(Right.LOCATIONS_UPLOAD, Right.LOCATIONS_DOWNLOAD),
    },
    in_scope=access.can_see_location,
)


def get_location_for_user(user, key, action: str = "view") -> Location:
    """The location, loaded and authorised for `action` (kinga.core.loaders): 404 unknown, 403
    without the right (of its level, for a change) or outside the user's (write) scope."""
    return LOCATION.get(user, key, action)


def may_location(user, location: Location, action: str) -> bool:
    return LOCATION.may(user, location, action)


def seen_location(user, key) -> Location | None:
    """The location `key` names if the user may see it, else None (an optional ?parent=)."""
    location = by_uuid(key) if key else None
    return location if location is not None and may_location(user, location, "view") else None


# --- reads --------------------------------------------------------------------------------


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
    # Below regions the write scope equals the read scope (access.can_change_location); a
    # district may be added under any region the user sees (`may_create_under`).
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
    key = parse_uuid(value)
    if key is None:
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
    if parse_id(text) is not None:
        field, value = "id", parse_id(text)
    elif parse_uuid(text) is not None:
        field, value = "uuid", parse_uuid(text)
    else:
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
