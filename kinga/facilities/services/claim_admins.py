"""Every change to claim administrators (spec registers §4.4): the only code that writes them.

A claim administrator submits for one facility of the actor's scope; his optional login (login
name = his code, role Claim Administrator, district = the facility's) is created in the same
transaction through `kinga.core.services.users.user_create`: if the login is refused, nothing is
saved.  Retiring him retires his login too."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kinga.core import access
from kinga.core.errors import Refused
from kinga.core.history import set_actor
from kinga.core.models import Language, Role
from kinga.core.services import users as user_services

from ..models import (
    ClaimAdmin,
    HealthFacility,
)
from ..queries.claim_admins import CLAIM_ADMIN
from ._checks import CODE_MAX_LENGTH, _email, _save, _text

CLAIM_ADMIN_ROLE_BIT = 256


def may_create_login(actor) -> bool:
    """The claim-administrator rights let their holder create the login too (one step, with
    only the Claim Administrator role: kinga.core.services.users.LoginDelegation)."""
    return user_services.may_manage_login(actor, user_services.CLAIM_ADMIN_LOGIN, "add")


def may_choose_login_password(actor) -> bool:
    """Only who holds every right of the Claim Administrator role chooses the password of a
    claim administrator's login; for others it gets a one-time activation code."""
    return user_services.may_choose_login_password(actor, user_services.CLAIM_ADMIN_LOGIN)


# --- claim administrators -------------------------------------------------------------------


def _claim_admin_code(code, *, exclude_pk: int | None = None) -> str:
    code = _text(code, "code", CODE_MAX_LENGTH, required_message=_("Enter a code."))
    clash = ClaimAdmin.objects.current().filter(code=code).exclude(pk=exclude_pk).first()
    if clash is not None:
        raise Refused(
            _("The code %(code)s is already used by the claim administrator %(name)s.")
            % {"code": code, "name": f"{clash.other_names} {clash.last_name}"},
            "code",
        )
    return code


def _claim_admin_facility(actor, facility, *, current: ClaimAdmin | None = None):
    if facility is None:
        raise Refused(_("Choose the health facility he submits claims for."), "health_facility")
    # Lock the facility: a concurrent facility_retire must not pass its "no claim
    # administrator" check while this one is being attached.
    facility = HealthFacility.objects.select_for_update().get(pk=facility.pk)
    unchanged = current is not None and current.health_facility_id == facility.pk
    if facility.is_retired and not unchanged:
        raise Refused(
            _("The health facility %(facility)s is retired.") % {"facility": facility},
            "health_facility",
        )
    if not access.scope_of(actor).covers_district(facility.district_id):
        raise Refused(
            _("The health facility %(facility)s is outside your districts.")
            % {"facility": facility},
            "health_facility",
        )
    return facility


def _claim_admin_values(actor, values: dict, *, current: ClaimAdmin | None = None) -> dict:
    dob = values.get("dob")
    if dob is not None and dob > timezone.localdate():
        raise Refused(_("The date of birth cannot be in the future."), "dob")
    return {
        "code": _claim_admin_code(values.get("code"), exclude_pk=current.pk if current else None),
        "last_name": _text(
            values.get("last_name"), "last_name", 100, required_message=_("Enter the last name.")
        ),
        "other_names": _text(
            values.get("other_names"),
            "other_names",
            100,
            required_message=_("Enter the other names."),
        ),
        "dob": dob,
        "phone": _text(values.get("phone"), "phone", 50),
        "email": _email(values.get("email"), max_length=200),
        "health_facility": _claim_admin_facility(
            actor, values.get("health_facility"), current=current
        ),
    }


def _claim_admin_role() -> Role:
    return Role.objects.get(is_system=CLAIM_ADMIN_ROLE_BIT, retired_at__isnull=True)


def _login_refused(exc: Exception) -> Refused:
    """A refusal of the login part, shown under the "create a login" box (or its own field)."""
    if isinstance(exc, Refused):
        field = {"username": "code"}.get(exc.field or "", exc.field)
        if field not in ("code", "password", "email", "last_name", "other_names"):
            field = "with_login"
        return Refused(_("The login cannot be created: %(why)s") % {"why": exc.message}, field)
    return Refused(
        _("You may not create logins: ask a user administrator to create it."), "with_login"
    )


@transaction.atomic
def claim_admin_create(
    *,
    actor,
    code: str,
    last_name: str,
    other_names: str,
    health_facility: HealthFacility | None,
    dob: date | None = None,
    phone: str = "",
    email: str = "",
    with_login: bool = False,
    password: str = "",
    language: str = Language.FR,
) -> ClaimAdmin:
    """The claim administrator and, if asked, his login, in one transaction: if the login is
    refused (login name taken, weak password, no right to create users), nothing is saved."""
    CLAIM_ADMIN.require_right(actor, "add")
    values = _claim_admin_values(actor, locals())
    claim_admin = ClaimAdmin(**values)
    if with_login:
        if not may_create_login(actor):
            raise _login_refused(PermissionDenied())
        try:
            with transaction.atomic():
                claim_admin.user = user_services.user_create(
                    actor=actor,
                    username=values["code"],
                    last_name=values["last_name"],
                    other_names=values["other_names"],
                    roles=[_claim_admin_role()],
                    districts=[values["health_facility"].district],
                    phone=values["phone"],
                    email=values["email"],
                    language=language,
                    health_facility=values["health_facility"],
                    password=password,
                    login_for=user_services.CLAIM_ADMIN_LOGIN,
                )
        except (Refused, PermissionDenied) as exc:
            raise _login_refused(exc) from None
    set_actor(claim_admin, actor)
    _save(claim_admin)
    return claim_admin


def _sync_login(actor, claim_admin: ClaimAdmin) -> None:
    """Keep the login's names, contacts, facility and district in line with the register."""
    user = claim_admin.user
    if user is None or user.retired_at is not None:
        return
    facility = claim_admin.health_facility
    same = (
        user.last_name == claim_admin.last_name
        and user.other_names == claim_admin.other_names
        and user.phone == claim_admin.phone
        and user.email == claim_admin.email
        and user.health_facility_id == facility.pk
    )
    districts = list(user.districts.all())
    if same and facility.district_id in {d.pk for d in districts}:
        return
    if facility.district_id not in {d.pk for d in districts}:
        districts = [facility.district]
    try:
        with transaction.atomic():
            user_services.user_update(
                actor=actor,
                user=user,
                username=user.username,
                last_name=claim_admin.last_name,
                other_names=claim_admin.other_names,
                roles=list(user.roles.all()),
                districts=districts,
                phone=claim_admin.phone,
                email=claim_admin.email,
                language=user.language,
                health_facility=facility,
                login_for=user_services.CLAIM_ADMIN_LOGIN,
            )
    except PermissionDenied:
        raise Refused(
            _(
                "He has a login, which you may not change: ask a user administrator, or keep "
                "his names, contacts and facility."
            )
        ) from None
    except Refused as refused:
        raise Refused(
            _("His login cannot be changed: %(why)s") % {"why": refused.message}
        ) from None


@transaction.atomic
def claim_admin_update(
    *,
    actor,
    claim_admin: ClaimAdmin,
    code: str,
    last_name: str,
    other_names: str,
    health_facility: HealthFacility | None,
    dob: date | None = None,
    phone: str = "",
    email: str = "",
) -> ClaimAdmin:
    claim_admin = (
        ClaimAdmin.objects.select_for_update(of=("self",))
        .select_related("health_facility", "user")
        .get(pk=claim_admin.pk)
    )
    CLAIM_ADMIN.require(actor, claim_admin, "edit")
    values = _claim_admin_values(actor, locals(), current=claim_admin)
    if claim_admin.user_id and values["code"] != claim_admin.code:
        raise Refused(
            _("His code is his login name: it cannot change once he has a login."), "code"
        )
    for key, value in values.items():
        setattr(claim_admin, key, value)
    set_actor(claim_admin, actor)
    _save(claim_admin)
    _sync_login(actor, claim_admin)
    return claim_admin


@transaction.atomic
def claim_admin_retire(*, actor, claim_admin: ClaimAdmin) -> ClaimAdmin:
    """Retire him and his login (he can no longer log in), in one transaction."""
    claim_admin = (
        ClaimAdmin.objects.select_for_update(of=("self",))
        .select_related("health_facility", "user")
        .get(pk=claim_admin.pk)
    )
    CLAIM_ADMIN.require(actor, claim_admin, "retire")
    user = claim_admin.user
    if user is not None and user.retired_at is None:
        try:
            user_services.user_retire(
                actor=actor, user=user, login_for=user_services.CLAIM_ADMIN_LOGIN
            )
        except PermissionDenied:
            raise Refused(
                _(
                    "He has a login, which you may not retire: ask a user administrator to "
                    "retire him."
                )
            ) from None
        except Refused as refused:
            raise Refused(
                _("His login cannot be retired: %(why)s") % {"why": refused.message}
            ) from None
    claim_admin.retired_at = timezone.now()
    set_actor(claim_admin, actor, _("Retired"))
    claim_admin.save()
    return claim_admin
