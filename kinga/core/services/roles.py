"""Operations that change roles ("user profiles"): create, update, duplicate, block, retire.

A role holds openIMIS right codes; a user who is not an IMIS Administrator only puts in (or takes
out of) a role rights he holds himself.  System roles keep openIMIS's rights."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import access
from ..errors import Refused
from ..history import set_actor
from ..models import Role
from ..queries.roles import ROLE, role_refusal, role_retire_refusal
from ..rights import Right
from ..unique import unique_or_refused

# --------------------------------------------------------------------------------------------
# Roles


def _check_name_free(name: str, exclude_pk: int | None = None) -> None:
    """Role names are unique among current roles whatever their case (a database constraint)."""
    others = Role.objects.filter(name__iexact=name.strip(), retired_at__isnull=True)
    if exclude_pk:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise Refused(_("A role with this name already exists."), "name")


def _save(role: Role) -> None:
    """Save; a concurrent save of the same name gets the refusal of the sequential check."""
    with unique_or_refused(lambda: _check_name_free(role.name, role.pk)):
        role.save()


def _check_role(
    actor, *, name: str, alt_language: str, rights: Iterable[int], exclude_pk: int | None = None
) -> list[int]:
    name = (name or "").strip()
    if not name:
        raise Refused(_("Enter the name of the role."), "name")
    if len(name) > 50:
        raise Refused(_("The name has at most 50 characters."), "name")
    if len(alt_language or "") > 50:
        raise Refused(_("The name has at most 50 characters."), "alt_language")
    _check_name_free(name, exclude_pk)
    codes = [int(r) for r in rights]
    unknown = sorted(set(codes) - set(Right.values))
    if unknown:
        raise Refused(
            _("Unknown right codes: %(codes)s.") % {"codes": ", ".join(map(str, unknown))},
            "rights",
        )
    if not codes:
        raise Refused(_("Choose at least one right."), "rights")
    if not access.is_imis_admin(actor):
        missing = set(codes) - access.rights_of(actor)
        if missing:
            raise Refused(
                _("You cannot put in a role rights you do not hold yourself: %(rights)s.")
                % {"rights": ", ".join(str(Right(c).label) for c in sorted(missing))},
                "rights",
            )
    return sorted(set(codes))


def _refuse(refusal: str | None) -> None:
    if refusal is not None:
        raise Refused(refusal)


@transaction.atomic
def role_create(*, actor, name: str, rights: Iterable[int], alt_language: str = "") -> Role:
    ROLE.require_right(actor, "add")
    codes = _check_role(actor, name=name, alt_language=alt_language, rights=rights)
    role = Role(name=name.strip(), alt_language=(alt_language or "").strip(), rights=codes)
    set_actor(role, actor)
    _save(role)
    return role


@transaction.atomic
def role_update(
    *, actor, role: Role, name: str, rights: Iterable[int], alt_language: str = ""
) -> Role:
    ROLE.require(actor, role, "edit")
    _refuse(role_refusal(role, "edit"))
    codes = _check_role(
        actor, name=name, alt_language=alt_language, rights=rights, exclude_pk=role.pk
    )
    if not access.is_imis_admin(actor):
        # Taking rights away is also a power over the role's holders: only within one's own.
        removed = set(role.rights) - set(codes)
        if removed - access.rights_of(actor):
            raise Refused(_("You cannot take away rights you do not hold yourself."), "rights")
    role.name = name.strip()
    role.alt_language = (alt_language or "").strip()
    role.rights = codes
    set_actor(role, actor)
    _save(role)
    return role


@transaction.atomic
def role_duplicate(*, actor, role: Role, name: str, alt_language: str = "") -> Role:
    """A new custom role with the rights of `role` (system roles included)."""
    ROLE.require(actor, role, "duplicate")
    codes = _check_role(actor, name=name, alt_language=alt_language, rights=role.rights)
    copy = Role(name=name.strip(), alt_language=(alt_language or "").strip(), rights=codes)
    set_actor(copy, actor, f"duplicate of {role.name}")
    _save(copy)
    return copy


@transaction.atomic
def role_block(*, actor, role: Role, blocked: bool = True) -> Role:
    """A blocked role grants nothing to its holders until it is unblocked.  Blocking a blocked
    role (unblocking an unblocked one) changes nothing: a double click does not toggle back."""
    action = "block" if blocked else "unblock"
    ROLE.require(actor, role, action)
    _refuse(role_refusal(role, action))
    role = Role.objects.select_for_update().get(pk=role.pk)
    if role.is_blocked == blocked:
        return role
    role.is_blocked = blocked
    set_actor(role, actor, "blocked" if blocked else "unblocked")
    role.save(update_fields=["is_blocked"])
    return role


@transaction.atomic
def role_retire(*, actor, role: Role) -> Role:
    ROLE.require(actor, role, "retire")
    _refuse(role_retire_refusal(role))
    role.retired_at = timezone.now()
    set_actor(role, actor, "retired")
    role.save(update_fields=["retired_at"])
    return role
