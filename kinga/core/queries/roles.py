"""Reads of roles: the loader and the search of the roles page."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from .. import access
from ..loaders import Action, Loader, changing, national, viewing
from ..models import Role, User
from ..rights import Right
from .users import visible_users

UserDistrict = User.districts.through
UserRole = User.roles.through


# --------------------------------------------------------------------------------------------
# Roles


def holders_within_reach(actor, role: Role) -> bool:
    """The scope of a role's change: a user who is not an IMIS Administrator changes a role only
    when every active holder of it is a user he sees (his districts' users) — a Mfoundi role
    manager does not change the role of the whole country's scheme administrators.  Never the
    IMIS Administrator role."""
    if access.is_imis_admin(actor):
        return True
    if role.is_imis_admin:
        return False
    return not (
        role.users.filter(is_active=True).exclude(pk__in=visible_users(actor).values("pk")).exists()
    )


def role_within_reach(actor, role: Role) -> bool:
    """Blocking or unblocking a role takes away (gives back) every right of it at once: the rule
    of editing (`holders_within_reach`, and only rights one holds put in or taken out, as
    kinga.core.services.roles checks) for all its rights."""
    if access.is_imis_admin(actor):
        return True
    held = access.rights_of(actor)
    return {int(c) for c in role.rights or ()} <= held and holders_within_reach(actor, role)


ROLE = Loader(
    queryset=lambda: Role.objects.all(),
    actions={
        "view": viewing(Right.ROLE_SEARCH, Right.ROLE),
        "add": changing(Right.ROLE_ADD),
        "duplicate": viewing(Right.ROLE_DUPLICATE),
        # System and retired roles too: their pages say why it cannot be done (`role_refusal`).
        "edit": Action((Right.ROLE_EDIT,), retired_ok=True, scope=holders_within_reach),
        "block": Action((Right.ROLE_EDIT,), retired_ok=True, scope=role_within_reach),
        "unblock": Action((Right.ROLE_EDIT,), retired_ok=True, scope=role_within_reach),
        "retire": Action((Right.ROLE_DELETE,), retired_ok=True),
    },
    in_scope=national,  # roles belong to no location
)


def get_role_for_user(user, key, action: str = "view") -> Role:
    """The role, loaded and authorised for `action` (kinga.core.loaders)."""
    return ROLE.get(user, key, action)


def role_refusal(role: Role, action: str) -> str | None:
    """Why the role's state stops `action` (None: it does not), in one place for the buttons,
    the pages and the services: a system role keeps openIMIS's rights and is never retired, a
    retired role does not change, the IMIS Administrator role is never blocked.  Blocking a
    blocked role (or unblocking an unblocked one) is no refusal: it does nothing, so that a
    second click does not undo the first."""
    if role.is_system and action == "edit":
        return _("A system role keeps openIMIS's rights: duplicate it to make a role of your own.")
    if role.is_system and action == "retire":
        return _("A system role cannot be retired.")
    if role.retired_at is not None and action == "retire":
        return _("This role is already retired.")
    if role.retired_at is not None and action in ("edit", "block", "unblock"):
        return _("This role is retired and cannot be changed.")
    if action == "block" and role.is_imis_admin:
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
