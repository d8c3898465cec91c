"""Reads of roles: the loader and the search of the roles page."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from ..loaders import Action, Loader, changing, national, viewing
from ..models import Role, User
from ..rights import Right

UserDistrict = User.districts.through
UserRole = User.roles.through


# --------------------------------------------------------------------------------------------
# Roles


ROLE = Loader(
    queryset=lambda: Role.objects.all(),
    actions={
        "view": viewing(Right.ROLE_SEARCH, Right.ROLE),
        "add": changing(Right.ROLE_ADD),
        "duplicate": viewing(Right.ROLE_DUPLICATE),
        # System and retired roles too: their pages say why it cannot be done (`role_refusal`).
        "edit": Action((Right.ROLE_EDIT,), retired_ok=True),
        "block": Action((Right.ROLE_EDIT,), retired_ok=True),
        "retire": Action((Right.ROLE_DELETE,), retired_ok=True),
    },
    in_scope=national,  # roles belong to no location
)


def get_role_for_user(user, key, action: str = "view") -> Role:
    """The role, loaded and authorised for `action` (kinga.core.loaders)."""
    return ROLE.get(user, key, action)


def role_refusal(role: Role, action: str, *, blocking: bool | None = None) -> str | None:
    """Why the role's state stops `action` (None: it does not), in one place for the buttons,
    the pages and the services: a system role keeps openIMIS's rights and is never retired, a
    retired role does not change, the IMIS Administrator role is never blocked.  `blocking`
    (block): block rather than unblock; by default the page's toggle."""
    if role.is_system and action == "edit":
        return _("A system role keeps openIMIS's rights: duplicate it to make a role of your own.")
    if role.is_system and action == "retire":
        return _("A system role cannot be retired.")
    if role.retired_at is not None and action == "retire":
        return _("This role is already retired.")
    if role.retired_at is not None and action in ("edit", "block"):
        return _("This role is retired and cannot be changed.")
    if action == "block" and role.is_imis_admin:
        if (not role.is_blocked) if blocking is None else blocking:
            return _("The IMIS Administrator role cannot be blocked.")
    return None


def role_retire_refusal(role: Role) -> str | None:
    """`role_refusal` for retiring, and the users still holding the role (one query)."""
    refusal = role_refusal(role, "retire")
    if refusal is None:
        holders = role.users.filter(is_active=True).count()
        if holders:
            refusal = _(
                "This role is still held by %(n)s user(s): take it away from them first."
            ) % {"n": holders}
    return refusal


def may_role(actor, role: Role, action: str) -> bool:
    """The buttons: the loader's answer and the role's state (not its holders: the retire page
    says who still holds it)."""
    return ROLE.may(actor, role, action) and role_refusal(role, action) is None


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
