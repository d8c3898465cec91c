"""Reads of roles: the loader and the search of the roles page."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from .. import access
from ..models import Role, User
from ..rights import Right

UserDistrict = User.districts.through
UserRole = User.roles.through


# --------------------------------------------------------------------------------------------
# Roles


def get_role_for_user(actor, uuid, *rights: int) -> Role:
    access.require_right(actor, *(rights or (Right.ROLE_SEARCH, Right.ROLE)))
    return get_object_or_404(Role, uuid=uuid)


def search_roles(*, q: str = "", kind: str = "", status: str = "current") -> QuerySet[Role]:
    """Roles with their number of active holders; kind is "system" or "custom"; status is
    "current" (blocked included), "blocked", "retired" or "all"."""
    qs = Role.objects.all()
    if status == "retired":
        qs = qs.filter(retired_at__isnull=False)
    elif status == "blocked":
        qs = qs.filter(retired_at__isnull=True, is_blocked=True)
    elif status != "all":
        qs = qs.filter(retired_at__isnull=True)
    if kind == "system":
        qs = qs.exclude(is_system=0)
    elif kind == "custom":
        qs = qs.filter(is_system=0)
    for word in (q or "").split():
        qs = qs.filter(Q(name__icontains=word) | Q(alt_language__icontains=word))
    return qs.annotate(
        user_count=Count("users", filter=Q(users__is_active=True), distinct=True)
    ).order_by("name")
