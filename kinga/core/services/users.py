"""Operations that change users: the only code that writes them.

Each operation is one transaction, takes the acting user first, checks his rights and district
scope (PermissionDenied) and the business rules (Refused, naming the field at fault), then
saves with the actor named on the history row.

Rules (openIMIS be-core userServices.py, schema.py; vb User.aspx.vb; docs register/user.po):
- a login name is unique (retired users keep theirs), 3 to 50 characters;
- a user holds at least one role, and at least one district unless he is an IMIS Administrator;
- a user without the IMIS Administrator role (a "scoped" actor) only assigns districts among his
  own, never grants the IMIS Administrator role nor a role holding rights he does not hold;
- an IMIS Administrator cannot remove the IMIS Administrator role from himself;
- nobody retires himself; retiring is soft (`is_active = False`, `retired_at`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import access, lockout
from ..errors import Refused
from ..history import set_actor
from ..models import Language, LoginCode, Role, User, login_name_validator
from ..queries.users import USER, holds_every_right_of, user_refusal, user_visible_to
from ..rights import Right
from ..unique import unique_or_refused
from . import login_codes

# --------------------------------------------------------------------------------------------
# Logins of register records


@dataclass(frozen=True)
class LoginDelegation:
    """A register whose records may have a login (openIMIS user types OFFICER and CLAIM_ADMIN).
    The register's own rights let its administrator create, change and retire that login —
    with exactly the register's one system role and districts within his own scope — without
    holding the user rights or the role's rights himself: openIMIS creates both in one step."""

    role_bit: int
    add: int
    edit: int
    delete: int

    def role(self) -> Role | None:
        return Role.objects.filter(is_system=self.role_bit, retired_at__isnull=True).first()


OFFICER_LOGIN = LoginDelegation(1, Right.OFFICER_ADD, Right.OFFICER_EDIT, Right.OFFICER_DELETE)
CLAIM_ADMIN_LOGIN = LoginDelegation(
    256, Right.CLAIM_ADMIN_ADD, Right.CLAIM_ADMIN_EDIT, Right.CLAIM_ADMIN_DELETE
)
_USER_RIGHT = {"add": Right.USER_ADD, "edit": Right.USER_EDIT, "delete": Right.USER_DELETE}


def may_manage_login(actor, delegation: LoginDelegation, action: str = "add") -> bool:
    return access.has_right(actor, _USER_RIGHT[action], getattr(delegation, action))


def _delegated(
    actor, action: str, login_for: LoginDelegation | None, user: User | None = None
) -> bool:
    """True when only the register's right allows the operation (a user administrator does
    not need the delegation); PermissionDenied when neither does.  A user administrator acts
    on an existing `user` only when he holds every right of that user
    (`holds_every_right_of`)."""
    if access.has_right(actor, _USER_RIGHT[action]) and (
        user is None or holds_every_right_of(actor, user)
    ):
        return False
    if login_for is not None and may_manage_login(actor, login_for, action):
        return True
    raise PermissionDenied


def _may_choose_password(actor, roles: list[Role]) -> bool:
    """Whoever chooses a login's password may log in with it: only one who holds every right of
    its roles may (else the login gets a one-time activation code)."""
    if access.is_imis_admin(actor):
        return True
    held = access.rights_of(actor)
    return all(not r.is_imis_admin and {int(c) for c in r.rights} <= held for r in roles)


def may_choose_login_password(actor, delegation: LoginDelegation) -> bool:
    """Whether `actor` may choose the password of a register's login (else it gets a one-time
    activation code): he holds every right of its role."""
    role = delegation.role()
    return role is not None and _may_choose_password(actor, [role])


def _check_delegated_roles(roles: list[Role], login_for: LoginDelegation) -> int:
    """The id of the one role a delegated login may hold (Refused for any other set)."""
    role = login_for.role()
    if role is None or [r.pk for r in roles] != [role.pk]:
        raise Refused(_("This login may only hold the role %(role)s.") % {"role": role}, "roles")
    return role.pk


# --------------------------------------------------------------------------------------------
# Users: validation


def _check_login_free(username: str, exclude_pk: int | None = None) -> None:
    """Login names are unique whatever their case (a database constraint among current users;
    retired users keep theirs, checked here)."""
    others = User.objects.filter(username__iexact=username)
    if exclude_pk:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise Refused(
            _("A user with this login name already exists (a retired user keeps his login name)."),
            "username",
        )


def _check_fields(
    *,
    username: str,
    last_name: str,
    other_names: str,
    email: str,
    language: str,
    exclude_pk: int | None = None,
) -> None:
    if not username or len(username) < 3 or len(username) > 50:
        raise Refused(_("The login name must have 3 to 50 characters."), "username")
    try:
        login_name_validator(username)
    except ValidationError as e:
        raise Refused(str(e.messages[0]), "username") from e
    _check_login_free(username, exclude_pk)
    if not last_name.strip():
        raise Refused(_("Enter the last name."), "last_name")
    if not other_names.strip():
        raise Refused(_("Enter the other names."), "other_names")
    if email:
        try:
            validate_email(email)
        except ValidationError as e:
            raise Refused(_("Enter a valid e-mail address."), "email") from e
    if language not in Language.values:
        raise Refused(_("Choose French or English."), "language")


def _check_roles_and_districts(
    actor,
    *,
    user: User | None,
    roles: list[Role],
    districts: list,
    health_facility,
    delegated_role_id: int | None = None,
) -> None:
    scope = access.scope_of(actor)
    previous_roles = set(user.roles.values_list("id", flat=True)) if user else set()
    previous_districts = set(user.districts.values_list("id", flat=True)) if user else set()

    if not roles:
        raise Refused(_("Choose at least one role."), "roles")
    for role in roles:
        if role.retired_at is not None and role.id not in previous_roles:
            raise Refused(_("The role %(role)s is retired.") % {"role": role}, "roles")
    gets_admin = any(r.is_imis_admin for r in roles)
    if not gets_admin and not districts:
        raise Refused(
            _("Choose at least one district (only an IMIS Administrator may have none)."),
            "districts",
        )
    for d in districts:
        if d.type != "D":
            raise Refused(_("%(place)s is not a district.") % {"place": d}, "districts")

    if user is not None and user.pk == actor.pk and access.is_imis_admin(actor) and not gets_admin:
        raise Refused(_("You cannot remove the IMIS Administrator role from yourself."), "roles")

    if not scope.everything:
        held = access.rights_of(actor)
        for role in roles:
            if role.id in previous_roles or role.id == delegated_role_id:
                continue  # kept as it was, or the register's own login role
            if role.is_imis_admin:
                raise Refused(
                    _("Only an IMIS Administrator may grant the IMIS Administrator role."),
                    "roles",
                )
            if not set(role.rights) <= held:
                raise Refused(
                    _("You cannot grant the role %(role)s: it holds rights you do not hold.")
                    % {"role": role},
                    "roles",
                )
        for d in districts:
            if d.id not in scope.district_ids and d.id not in previous_districts:
                raise Refused(
                    _("You cannot assign the district %(district)s: it is not one of yours.")
                    % {"district": d},
                    "districts",
                )
        if health_facility is not None and not scope.covers_district(health_facility.district_id):
            if user is None or user.health_facility_id != health_facility.id:
                raise Refused(
                    _("This health facility is outside your districts."), "health_facility"
                )


def _check_password(password: str, user: User, field: str = "password") -> None:
    try:
        validate_password(password, user)
    except ValidationError as e:
        raise Refused(" ".join(str(m) for m in e.messages), field) from e


def _record(user: User, actor, reason: str, *, created: bool) -> None:
    """Write one history row holding the fields *and* the roles and districts as they now are
    (simple-history would otherwise write a row per save and per m2m change)."""
    set_actor(user, actor, reason)
    user.save()
    if created:
        last = user.history.order_by("-history_id").values_list("history_id", flat=True)[:1]
        User.history.filter(history_id__in=list(last)).update(history_type="+")


# --------------------------------------------------------------------------------------------
# Users: operations


@transaction.atomic
def user_create(
    *,
    actor,
    username: str,
    last_name: str,
    other_names: str,
    roles: Iterable[Role],
    districts: Iterable = (),
    phone: str = "",
    email: str = "",
    language: str = Language.FR,
    health_facility=None,
    password: str = "",
    login_for: LoginDelegation | None = None,
) -> User:
    delegated = _delegated(actor, "add", login_for)
    username = (username or "").strip()
    roles, districts = list(roles), list(districts)
    delegated_role_id = _check_delegated_roles(roles, login_for) if delegated else None
    _check_fields(
        username=username,
        last_name=last_name,
        other_names=other_names,
        email=email,
        language=language,
    )
    _check_roles_and_districts(
        actor,
        user=None,
        roles=roles,
        districts=districts,
        health_facility=health_facility,
        delegated_role_id=delegated_role_id,
    )
    user = User(
        username=username,
        last_name=last_name.strip(),
        other_names=other_names.strip(),
        phone=phone.strip(),
        email=email.strip(),
        language=language,
        health_facility=health_facility,
    )
    if password:
        if delegated and not _may_choose_password(actor, roles):
            raise Refused(
                _(
                    "You may not choose the password of this login: it would let you log in "
                    "with rights you do not hold. Leave it empty: the login gets a one-time "
                    "activation code."
                ),
                "password",
            )
        _check_password(password, user)
        user.set_password(password)
        user.password_changed_at = timezone.now()
    else:
        # No login until the person chooses his password with the one-time code given below
        # (or an administrator sets one).
        user.set_unusable_password()
    user.skip_history_when_saving = True
    try:
        with unique_or_refused(lambda: _check_login_free(username)):
            user.save()
        user.roles.set(roles)
        user.districts.set(districts)
    finally:
        del user.skip_history_when_saving
    _record(user, actor, "", created=True)
    if not password:
        # Shown once to the creator (the views read it from the returned user).
        user.login_code = login_codes.give_code(
            user, actor=actor, purpose=LoginCode.Purpose.ACTIVATE
        )
    return user


@transaction.atomic
def user_update(
    *,
    actor,
    user: User,
    username: str,
    last_name: str,
    other_names: str,
    roles: Iterable[Role],
    districts: Iterable = (),
    phone: str = "",
    email: str = "",
    language: str = Language.FR,
    health_facility=None,
    login_for: LoginDelegation | None = None,
) -> User:
    delegated = _delegated(actor, "edit", login_for, user)
    if not user_visible_to(actor, user):
        raise PermissionDenied
    if user.retired_at is not None:
        raise Refused(_("This user is retired and cannot be changed."))
    username = (username or "").strip()
    roles, districts = list(roles), list(districts)
    if delegated and {r.pk for r in roles} != set(user.roles.values_list("pk", flat=True)):
        raise Refused(_("Only a user administrator may change the roles of this login."), "roles")
    _check_fields(
        username=username,
        last_name=last_name,
        other_names=other_names,
        email=email,
        language=language,
        exclude_pk=user.pk,
    )
    _check_roles_and_districts(
        actor,
        user=user,
        roles=roles,
        districts=districts,
        health_facility=health_facility,
    )
    user.username = username
    user.last_name = last_name.strip()
    user.other_names = other_names.strip()
    user.phone = phone.strip()
    user.email = email.strip()
    user.language = language
    user.health_facility = health_facility
    user.skip_history_when_saving = True
    try:
        user.roles.set(roles)
        user.districts.set(districts)
    finally:
        del user.skip_history_when_saving
    with unique_or_refused(lambda: _check_login_free(username, user.pk)):
        _record(user, actor, "", created=False)
    access.forget(user)
    if user.pk == actor.pk:
        access.forget(actor)
    return user


@transaction.atomic
def user_reset_password(*, actor, user: User, new_password: str) -> User:
    """An administrator (right 121703) sets another user's password, without the old one."""
    USER.require(actor, user, "password")
    refusal = user_refusal(actor, user, "password")
    if refusal is not None:
        raise refusal
    _check_password(new_password, user, "new_password")
    user.set_password(new_password)
    user.password_changed_at = timezone.now()
    set_actor(user, actor, "password reset")
    user.save(update_fields=["password", "password_changed_at"])

    # A user locked out by failed logins can use his new password at once.
    transaction.on_commit(lambda: lockout.unlock(user.username))
    return user


@transaction.atomic
def user_retire(*, actor, user: User, login_for: LoginDelegation | None = None) -> User:
    _delegated(actor, "delete", login_for, user)
    if not user_visible_to(actor, user):
        raise PermissionDenied
    refusal = user_refusal(actor, user, "retire")
    if refusal is not None:
        raise refusal
    user.is_active = False
    user.retired_at = timezone.now()
    set_actor(user, actor, "retired")
    user.save(update_fields=["is_active", "retired_at"])
    return user
