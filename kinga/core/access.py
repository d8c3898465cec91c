"""The one place that answers "may this user do right R on this record?".

A user's rights are the union of the rights of his current, unblocked roles; a user holding
the IMIS Administrator role passes every right check and sees every location (openIMIS
`is_imis_admin`).  Location scope: the districts assigned to the user and everything below
them; their regions are visible (read only) so that the user can find his way down.

Views start with `require_right` / `get_*_for_user` helpers built on this module; 403 comes
from here, never from checks pasted in views.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q

from .rights import IMIS_ADMIN_BIT, Right


@dataclass(frozen=True)
class Scope:
    """The districts a user may see; `everything` for the IMIS Administrator."""

    everything: bool
    district_ids: frozenset[int]
    region_ids: frozenset[int]

    def covers_district(self, district_id: int | None) -> bool:
        return self.everything or (district_id is not None and district_id in self.district_ids)


def _roles(user):
    cached = getattr(user, "_kinga_roles", None)
    if cached is None:
        cached = list(user.roles.filter(retired_at__isnull=True, is_blocked=False))
        user._kinga_roles = cached
    return cached


def is_imis_admin(user) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return any(role.is_system & IMIS_ADMIN_BIT for role in _roles(user))


def rights_of(user) -> frozenset[int]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_kinga_rights", None)
    if cached is None:
        cached = frozenset(code for role in _roles(user) for code in role.rights)
        user._kinga_rights = cached
    return cached


def has_right(user, *rights: int) -> bool:
    """True if the user holds any of `rights` (openIMIS `has_perms` is an OR)."""
    if is_imis_admin(user):
        return True
    held = rights_of(user)
    return any(int(r) in held for r in rights)


def require_right(user, *rights: int) -> None:
    if not has_right(user, *rights):
        raise PermissionDenied


def scope_of(user) -> Scope:
    cached = getattr(user, "_kinga_scope", None)
    if cached is not None:
        return cached
    if is_imis_admin(user) or not settings.KINGA_ROW_SECURITY:
        scope = Scope(True, frozenset(), frozenset())
    elif not getattr(user, "is_authenticated", False):
        scope = Scope(False, frozenset(), frozenset())
    else:
        rows = list(
            user.districts.filter(retired_at__isnull=True, type="D").values_list("id", "parent_id")
        )
        scope = Scope(
            False,
            frozenset(d for d, _ in rows),
            frozenset(r for _, r in rows if r is not None),
        )
    user._kinga_scope = scope
    return scope


def forget(user) -> None:
    """Drop the per-request caches (after the user's roles or districts changed)."""
    for attr in ("_kinga_roles", "_kinga_rights", "_kinga_scope"):
        if hasattr(user, attr):
            delattr(user, attr)


def location_q(user, prefix: str = "") -> Q:
    """Q filter on Location (or on a relation to it, through `prefix`, e.g. "village__") for the
    locations the user may see: his districts, what lies below them and their regions."""
    scope = scope_of(user)
    if scope.everything:
        return Q()
    ds, rs = scope.district_ids, scope.region_ids
    p = prefix
    return (
        Q(**{f"{p}type": "R", f"{p}id__in": rs})
        | Q(**{f"{p}type": "D", f"{p}id__in": ds})
        | Q(**{f"{p}type": "W", f"{p}parent_id__in": ds})
        | Q(**{f"{p}type": "V", f"{p}parent__parent_id__in": ds})
    )


def district_q(user, field: str) -> Q:
    """Q filter on any record attached to a district through `field` (e.g. "district_id",
    "village__parent__parent_id")."""
    scope = scope_of(user)
    if scope.everything:
        return Q()
    return Q(**{f"{field}__in": scope.district_ids})


def can_see_location(user, location) -> bool:
    scope = scope_of(user)
    if scope.everything:
        return True
    if location.type == "R":
        return location.id in scope.region_ids
    return scope.covers_district(location.district_id_or_none())


def can_change_location(user, location) -> bool:
    """Write scope: inside one of the user's districts.  Regions (and so the creation of
    districts under them) are changed only by users who see everything."""
    scope = scope_of(user)
    if scope.everything:
        return True
    if location.type == "R":
        return False
    return scope.covers_district(location.district_id_or_none())


def right_required(*rights: int):
    """View decorator: logged in and holding one of `rights`, else 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            require_right(request.user, *rights)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def user_rights_display(user) -> list[Right]:
    if is_imis_admin(user):
        return list(Right)
    held = rights_of(user)
    return [r for r in Right if r.value in held]


def all_codes(rights: Iterable[int]) -> list[int]:
    valid = set(Right.values)
    return sorted({int(r) for r in rights if int(r) in valid})
