"""Every change to enrolment officers: create (with his login in the same step), update, retire
(spec registers §4.1).

Rules (openIMIS vb Officer.aspx.vb, be-core userServices.py, mssql uspPolicyRenewalInserts.sql):
- the code has at most 8 characters and is unique among current officers;
- the district is one of the actor's districts; the villages served are villages of it;
- a substitute and a "works to" date go together; the substitute is a current officer of the
  same district, not the officer himself, and no substitution circle (A → B → A) is allowed;
- the optional login is a user whose login name is the officer's code, with the Enrolment
  Officer role and the officer's district.  It is made by `kinga.core.services.users`, with the
  actor's own rights over users: creating a login needs the right to add users and to grant
  the Enrolment Officer role (a scheme administrator without them saves officers without login);
  a refusal there leaves nothing saved;
- an officer still named as substitute by current officers cannot be retired; retiring him
  retires his login.

The checks are split into `check_*` functions so that the import (transfer.py) applies the
very same rules row by row.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kinga.core import access
from kinga.core.errors import Refused
from kinga.core.history import set_actor
from kinga.core.models import Role
from kinga.core.services import users as user_services
from kinga.locations.models import Location

from ..models import Officer
from ..queries.officers import OFFICER

CODE_MAX_LENGTH = 8
NAME_MAX_LENGTH = 100
ENROLMENT_OFFICER_BIT = 1  # openIMIS IsSystem of the Enrolment Officer role
MAX_SUBSTITUTION_HOPS = 20  # mssql uspPolicyRenewalInserts: guard against loops

# Fields of the login Refusals of kinga.core.services.users → fields of the officer form.
_LOGIN_FIELDS = {
    "username": "code",
    "password": "password",
    "last_name": "last_name",
    "other_names": "other_names",
    "email": "email",
    "districts": "district",
    "roles": "create_login",
}

TEXT_FIELDS = {
    "phone": 50,
    "address": 100,
    "veo_code": 8,
    "veo_last_name": 100,
    "veo_other_names": 100,
    "veo_phone": 50,
}


# --- who may do what ----------------------------------------------------------------------


def may_manage_logins(actor) -> bool:
    """The officer rights let their holder create the login too (one step, with only the
    Enrolment Officer role: kinga.core.services.users.LoginDelegation)."""
    return enrolment_officer_role() is not None and user_services.may_manage_login(
        actor, user_services.OFFICER_LOGIN, "add"
    )


def may_choose_login_password(actor) -> bool:
    """Only who holds every right of the Enrolment Officer role chooses the password of an
    officer's login; for others it gets a one-time activation code."""
    return user_services.may_choose_login_password(actor, user_services.OFFICER_LOGIN)


def enrolment_officer_role() -> Role | None:
    return Role.objects.filter(is_system=ENROLMENT_OFFICER_BIT, retired_at__isnull=True).first()


# --- checks (shared with the import) ------------------------------------------------------


def check_code(code: str, *, exclude_pk: int | None = None) -> str:
    code = (code or "").strip()
    if not code:
        raise Refused(_("Enter a code."), "code")
    if len(code) > CODE_MAX_LENGTH:
        raise Refused(
            _("The code may have at most %(n)d characters.") % {"n": CODE_MAX_LENGTH}, "code"
        )
    clash = Officer.objects.current().filter(code=code).exclude(pk=exclude_pk).first()
    if clash is not None:
        raise Refused(
            _("The code %(code)s is already used by the enrolment officer %(officer)s.")
            % {"code": code, "officer": clash},
            "code",
        )
    return code


def check_name(value: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        message = _("Enter the last name.") if field == "last_name" else _("Enter the other names.")
        raise Refused(message, field)
    if len(value) > NAME_MAX_LENGTH:
        raise Refused(
            _("This field may have at most %(n)d characters.") % {"n": NAME_MAX_LENGTH}, field
        )
    return value


def check_email(email: str) -> str:
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError as e:
            raise Refused(_("Enter a valid e-mail address."), "email") from e
        if len(email) > 200:
            raise Refused(_("This field may have at most %(n)d characters.") % {"n": 200}, "email")
    return email


def check_texts(values: dict) -> dict:
    cleaned = {}
    for field, limit in TEXT_FIELDS.items():
        value = (values.get(field) or "").strip()
        if len(value) > limit:
            raise Refused(_("This field may have at most %(n)d characters.") % {"n": limit}, field)
        cleaned[field] = value
    return cleaned


def check_dates(dob: date | None, veo_dob: date | None, today: date) -> None:
    if dob is not None and dob > today:
        raise Refused(_("The date of birth cannot be in the future."), "dob")
    if veo_dob is not None and veo_dob > today:
        raise Refused(_("The date of birth cannot be in the future."), "veo_dob")


def check_district(actor, district: Location | None, *, previous_id: int | None = None) -> None:
    if district is None:
        raise Refused(_("Choose the district."), "district")
    if district.type != "D":
        raise Refused(_("%(place)s is not a district.") % {"place": district.name}, "district")
    if district.retired_at is not None and district.pk != previous_id:
        raise Refused(
            _("The district %(district)s is retired.") % {"district": district.name}, "district"
        )
    if not access.scope_of(actor).covers_district(district.pk):
        raise Refused(
            _("You cannot choose the district %(district)s: it is not one of yours.")
            % {"district": district.name},
            "district",
        )


def check_villages(district: Location, villages: Iterable[Location]) -> list[Location]:
    villages = list({v.pk: v for v in villages}.values())
    ids = [v.pk for v in villages]
    good = set(
        Location.objects.filter(
            pk__in=ids, type="V", retired_at__isnull=True, parent__parent_id=district.pk
        ).values_list("pk", flat=True)
    )
    for v in villages:
        if v.pk not in good:
            raise Refused(
                _("%(village)s is not a current village of the district %(district)s.")
                % {"village": v.name, "district": district.name},
                "villages",
            )
    return villages


def check_substitution(
    officer: Officer | None,
    district: Location,
    substitute: Officer | None,
    works_to: date | None,
) -> None:
    """A substitute and a "works to" date go together; the substitute is a current officer of
    the same district, not the officer himself, and does not lead back to him."""
    if substitute is not None and works_to is None:
        raise Refused(
            _("Enter the last working day: the substitute takes over after it."), "works_to"
        )
    if works_to is not None and substitute is None:
        raise Refused(
            _("Choose the substitute who takes over after the last working day."), "substitute"
        )
    if substitute is None:
        return
    if officer is not None and substitute.pk == officer.pk:
        raise Refused(_("An officer cannot be his own substitute."), "substitute")
    if substitute.retired_at is not None:
        raise Refused(
            _("%(officer)s is retired and cannot be a substitute.") % {"officer": substitute},
            "substitute",
        )
    if substitute.district_id != district.pk:
        raise Refused(
            _("The substitute must work in the same district (%(district)s).")
            % {"district": district.name},
            "substitute",
        )
    if officer is None or officer.pk is None:
        return  # a new officer is nobody's substitute yet: no circle possible
    seen = {substitute.pk}
    node = substitute
    # Walk the chain of substitutes (one query per hop, bounded): it must not reach the officer.
    for _hop in range(MAX_SUBSTITUTION_HOPS * 5):
        next_id = node.substitute_id
        if next_id is None or next_id in seen:
            return
        if next_id == officer.pk:
            raise Refused(
                _(
                    "%(substitute)s already hands over to %(officer)s (directly or through "
                    "others): choose another substitute to avoid a circle."
                )
                % {"substitute": substitute, "officer": officer},
                "substitute",
            )
        seen.add(next_id)
        node = Officer.objects.only("pk", "substitute_id").get(pk=next_id)


# --- login --------------------------------------------------------------------------------


def _login_refused(refusal: Refused) -> Refused:
    field = _LOGIN_FIELDS.get(refusal.field or "", "create_login")
    return Refused(_("Login: %(reason)s") % {"reason": refusal.message}, field)


def _no_login_right() -> Refused:
    return Refused(
        _(
            "Only a user administrator allowed to grant the Enrolment Officer role can create or "
            "change the login of an officer: save the officer without a login and ask one."
        ),
        "create_login",
    )


def _create_login(actor, officer: Officer, password: str):
    """The officer's login: with `password` when the actor may choose it (he holds every right
    of the Enrolment Officer role), else with a one-time activation code (`user.login_code`,
    kinga.core.services.login_codes) that the officer uses to choose his password."""
    role = enrolment_officer_role()
    if role is None:
        raise Refused(_("The Enrolment Officer role is missing."), "create_login")
    try:
        return user_services.user_create(
            actor=actor,
            username=officer.code,
            last_name=officer.last_name,
            other_names=officer.other_names,
            roles=[role],
            districts=[officer.district],
            phone=officer.phone,
            email=officer.email,
            password=password,
            login_for=user_services.OFFICER_LOGIN,
        )
    except PermissionDenied:
        raise _no_login_right() from None
    except Refused as refusal:
        raise _login_refused(refusal) from None


def _sync_login(actor, officer: Officer) -> None:
    """The login name is the officer's code and his district the login's district."""
    user = officer.user
    if user is None or user.retired_at is not None:
        return
    districts = list(user.districts.all())
    if user.username == officer.code and [d.pk for d in districts] == [officer.district_id]:
        return
    try:
        user_services.user_update(
            actor=actor,
            user=user,
            username=officer.code,
            last_name=user.last_name,
            other_names=user.other_names,
            roles=list(user.roles.all()),
            districts=[officer.district],
            phone=user.phone,
            email=user.email,
            language=user.language,
            health_facility=user.health_facility,
            login_for=user_services.OFFICER_LOGIN,
        )
    except PermissionDenied:
        raise _no_login_right() from None
    except Refused as refusal:
        raise _login_refused(refusal) from None


# --- operations ---------------------------------------------------------------------------


def _record(officer: Officer, villages: list[Location], actor, reason: str, created: bool) -> None:
    """One history row holding the fields and the villages as they now are."""
    officer.skip_history_when_saving = True
    try:
        officer.save()
        officer.villages.set(villages)
    finally:
        del officer.skip_history_when_saving
    set_actor(officer, actor, reason)
    officer.save()
    if created:
        last = officer.history.order_by("-history_id").values_list("history_id", flat=True)[:1]
        Officer.history.filter(history_id__in=list(last)).update(history_type="+")


def _clean(actor, officer: Officer | None, values: dict, today: date) -> dict:
    district = values.get("district")
    check_district(actor, district, previous_id=officer.district_id if officer else None)
    cleaned = {
        "code": check_code(values.get("code", ""), exclude_pk=officer.pk if officer else None),
        "last_name": check_name(values.get("last_name", ""), "last_name"),
        "other_names": check_name(values.get("other_names", ""), "other_names"),
        "email": check_email(values.get("email", "")),
        **check_texts(values),
        "dob": values.get("dob"),
        "veo_dob": values.get("veo_dob"),
        "district": district,
        "substitute": values.get("substitute"),
        "works_to": values.get("works_to"),
        "phone_communication": bool(values.get("phone_communication")),
    }
    check_dates(cleaned["dob"], cleaned["veo_dob"], today)
    villages = check_villages(district, values.get("villages") or [])
    check_substitution(officer, district, cleaned["substitute"], cleaned["works_to"])
    return {**cleaned, "villages": villages}


def _lock(officer: Officer) -> None:
    """Lock the row and reload it: two editors saving at once would each check the substitution
    chain (or the officers naming him) alone."""
    Officer.objects.select_for_update().filter(pk=officer.pk).values_list("pk").first()
    officer.refresh_from_db()


@transaction.atomic
def officer_create(
    *,
    actor,
    code: str,
    last_name: str,
    other_names: str,
    district: Location | None,
    villages: Iterable[Location] = (),
    dob: date | None = None,
    phone: str = "",
    email: str = "",
    address: str = "",
    substitute: Officer | None = None,
    works_to: date | None = None,
    veo_code: str = "",
    veo_last_name: str = "",
    veo_other_names: str = "",
    veo_dob: date | None = None,
    veo_phone: str = "",
    phone_communication: bool = False,
    create_login: bool = False,
    password: str = "",
    today: date | None = None,
) -> Officer:
    """A new officer and, with `create_login`, his login — both or nothing."""
    OFFICER.require_right(actor, "add")
    values = _clean(actor, None, locals(), today or timezone.localdate())
    villages_ = values.pop("villages")
    officer = Officer(**values)
    if create_login:
        officer.user = _create_login(actor, officer, password)
    _record(officer, villages_, actor, "", created=True)
    return officer


@transaction.atomic
def officer_update(
    *,
    actor,
    officer: Officer,
    code: str,
    last_name: str,
    other_names: str,
    district: Location | None,
    villages: Iterable[Location] = (),
    dob: date | None = None,
    phone: str = "",
    email: str = "",
    address: str = "",
    substitute: Officer | None = None,
    works_to: date | None = None,
    veo_code: str = "",
    veo_last_name: str = "",
    veo_other_names: str = "",
    veo_dob: date | None = None,
    veo_phone: str = "",
    phone_communication: bool = False,
    create_login: bool = False,
    password: str = "",
    today: date | None = None,
) -> Officer:
    """Change an officer; his login follows his code and district.  `create_login` adds a
    login to an officer who has none."""
    _lock(officer)
    if officer.retired_at is not None:
        raise Refused(_("This officer is retired and cannot be changed."))
    OFFICER.require(actor, officer, "edit")
    values = _clean(actor, officer, locals(), today or timezone.localdate())
    villages_ = values.pop("villages")
    if values["district"].pk != officer.district_id:
        named_by = list(officer.substituted.current().exclude(district_id=values["district"].pk))
        if named_by:
            raise Refused(
                _(
                    "%(officers)s name this officer as substitute and work in his present "
                    "district: choose another substitute for them first."
                )
                % {"officers": ", ".join(str(o) for o in named_by)},
                "district",
            )
    for field, value in values.items():
        setattr(officer, field, value)
    if officer.user_id is not None:
        _sync_login(actor, officer)
    elif create_login:
        officer.user = _create_login(actor, officer, password)
    _record(officer, villages_, actor, "", created=False)
    return officer


@transaction.atomic
def officer_retire(*, actor, officer: Officer) -> Officer:
    _lock(officer)
    OFFICER.require(actor, officer, "retire")
    check_retire(officer)
    if officer.user is not None and officer.user.retired_at is None:
        try:
            user_services.user_retire(
                actor=actor, user=officer.user, login_for=user_services.OFFICER_LOGIN
            )
        except PermissionDenied:
            raise _no_login_right() from None
        except Refused as refusal:
            raise _login_refused(refusal) from None
    officer.retired_at = timezone.now()
    set_actor(officer, actor, "retired")
    officer.save(update_fields=["retired_at"])
    return officer


def check_retire(officer: Officer) -> None:
    """Refused while current officers name him as substitute (they would hand over to nobody)."""
    if officer.retired_at is not None:
        raise Refused(_("This officer is already retired."))
    named_by = list(officer.substituted.current().order_by("code"))
    if named_by:
        raise Refused(
            _(
                "%(officers)s still name this officer as substitute: choose another substitute "
                "for them first."
            )
            % {"officers": ", ".join(str(o) for o in named_by)}
        )
