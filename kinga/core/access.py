"""The one place that answers "may this user do right R on this record?".

A user's rights are the union of the rights of his current, unblocked roles; a user holding
the IMIS Administrator role passes every right check and sees every location (openIMIS
`is_imis_admin`).  Location scope: the districts assigned to the user and everything below
them; their regions are visible (read only) so that the user can find his way down.

Views start with `require_right` / `get_*_for_user` helpers built on this module; 403 comes
from here, never from checks pasted in views.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
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


@dataclass(frozen=True)
class _Grants:
    """What a user holds through his current, unblocked roles (the IMIS Administrator role, the
    union of the rights) and his current districts as (id, parent_id), read in one query; with
    the names the home page shows: his current roles, blocked ones too, as (name, name in the
    other language), and his districts' names, each sorted by name."""

    imis_admin: bool
    rights: frozenset
    districts: tuple[tuple[int, int | None], ...]
    role_names: tuple[tuple[str, str], ...] = ()
    district_names: tuple[str, ...] = ()


def _grants(user) -> _Grants:
    """The user's roles and districts, read once per user object, i.e. once per request (the
    request's user is loaded afresh each time): never cached across requests, so a change of
    roles or districts shows on the next page.  The request's user comes with them already
    (kinga.core.backends reads them in the query that loads him); any other user object reads
    them here, in one UNION ALL query rather than two ORM queries."""
    cached = getattr(user, "_kinga_grants", None)
    if cached is None:
        cached = _load_grants(user.pk)
        user._kinga_grants = cached
    return cached


def _load_grants(user_pk) -> _Grants:
    with connection.cursor() as cursor:
        cursor.execute(grants_sql(connection.vendor), grants_params(user_pk))
        return grants_from_rows(cursor.fetchall())


def grants_from_rows(rows) -> _Grants:
    """What `grants_sql` rows say: (is_system, rights, is_blocked, NULL, NULL, name,
    alt_language) for a role, (NULL, NULL, NULL, district id, its region id, name, NULL) for a
    district; a row of NULLs (an outer join that found neither) is skipped."""
    roles = [row for row in rows if row[0] is not None]
    districts = sorted((row for row in rows if row[3] is not None), key=lambda row: row[5])
    granting = [(s, _json(rights) or ()) for s, rights, blocked, *_ in roles if not blocked]
    return _Grants(
        imis_admin=any(is_system & IMIS_ADMIN_BIT for is_system, _ in granting),
        rights=frozenset(code for _, rights in granting for code in rights),
        districts=tuple((row[3], row[4]) for row in districts),
        role_names=tuple(sorted((row[5], row[6] or "") for row in roles)),
        district_names=tuple(row[5] for row in districts),
    )


def prime(user, grants: _Grants) -> None:
    """Give a freshly loaded user object the grants read with it (kinga.core.backends)."""
    user._kinga_grants = grants


def grants_params(user_pk) -> list:
    return [user_pk, user_pk]


@cache
def grants_sql(vendor: str) -> str:
    """user.roles.filter(retired_at__isnull=True) UNION ALL
    user.districts.filter(retired_at__isnull=True, type="D"), written once from the models; its
    columns are g_system, g_rights, g_blocked, g_district, g_region, g_name, g_alt_name
    (`grants_from_rows`)."""
    from .models import Role, User

    qn = connection.ops.quote_name
    roles, districts = User._meta.get_field("roles"), User._meta.get_field("districts")
    # Reached through the relation so that core imports no app above it.
    Location = districts.related_model
    return (
        f"SELECT r.{qn('is_system')} AS g_system, r.{qn('rights')} AS g_rights,"
        f" r.{qn('is_blocked')} AS g_blocked, NULL AS g_district, NULL AS g_region,"
        f" r.{qn('name')} AS g_name, r.{qn('alt_language')} AS g_alt_name"
        f" FROM {qn(Role._meta.db_table)} r INNER JOIN {qn(roles.m2m_db_table())} ur"
        f" ON ur.{qn(roles.m2m_reverse_name())} = r.{qn('id')}"
        f" WHERE ur.{qn(roles.m2m_column_name())} = %s"
        f" AND r.{qn('retired_at')} IS NULL"
        " UNION ALL"
        f" SELECT NULL, NULL, NULL, d.{qn('id')}, d.{qn('parent_id')}, d.{qn('name')}, NULL"
        f" FROM {qn(Location._meta.db_table)} d INNER JOIN {qn(districts.m2m_db_table())} ud"
        f" ON ud.{qn(districts.m2m_reverse_name())} = d.{qn('id')}"
        f" WHERE ud.{qn(districts.m2m_column_name())} = %s"
        f" AND d.{qn('retired_at')} IS NULL AND d.{qn('type')} = 'D'"
    )


def _json(value):
    """A JSON column read by a raw query: text on some backends, already decoded on others."""
    return json.loads(value) if isinstance(value, str | bytes) else value


def is_imis_admin(user) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return _grants(user).imis_admin


def rights_of(user) -> frozenset[int]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    return _grants(user).rights


def has_right(user, *rights: int) -> bool:
    """True if the user holds any of `rights` (openIMIS `has_perms` is an OR)."""
    if is_imis_admin(user):
        return True
    held = rights_of(user)
    return any(int(r) in held for r in rights)


def require_right(user, *rights: int) -> None:
    if not has_right(user, *rights):
        raise PermissionDenied


def held_names(user) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
    """The names of the user's current roles (name, name in the other language) and of his
    current districts, as the home page lists them, without a query of their own."""
    if not getattr(user, "is_authenticated", False):
        return (), ()
    grants = _grants(user)
    return grants.role_names, grants.district_names


def scope_of(user) -> Scope:
    cached = getattr(user, "_kinga_scope", None)
    if cached is not None:
        return cached
    if is_imis_admin(user) or not settings.KINGA_ROW_SECURITY:
        scope = Scope(True, frozenset(), frozenset())
    elif not getattr(user, "is_authenticated", False):
        scope = Scope(False, frozenset(), frozenset())
    else:
        rows = _grants(user).districts
        scope = Scope(
            False,
            frozenset(d for d, _ in rows),
            frozenset(r for _, r in rows if r is not None),
        )
    user._kinga_scope = scope
    return scope


def forget(user) -> None:
    """Drop the per-request caches (after the user's roles or districts changed)."""
    for attr in (
        "_kinga_grants",
        "_kinga_scope",
        "_kinga_all_rights",
        "_kinga_hidden_programmes",
        "_kinga_works_for_confidential",
    ):
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
