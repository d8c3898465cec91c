"""Every change to health facilities, their catchment villages and claim administrators
(spec registers §4.2, §4.4): the only code that writes them.

Rules:
- a facility code has 1 to 8 characters, unique among current facilities (a retired one frees
  it); the facility lies in a district of the actor's scope;
- a contract has both dates or neither, and ends after it starts;
- the price lists offered are the national ones, those of the facility's region and those of
  its district (openIMIS GetPLItems / GetPLServices) — checked again when the district changes;
- a catchment village is a village of the facility's region that the actor may see (a facility
  near a district border serves villages of the neighbouring district), once per facility, with
  a percentage from 1 to 100;
- a facility is retired only when no current claim administrator is attached to it;
- a claim administrator submits for one facility of the actor's scope; his optional login
  (login name = his code, role Claim Administrator, district = the facility's) is created in the
  same transaction through `kinga.core.services.user_create`: if the login is refused, nothing
  is saved.  Retiring him retires his login too.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kinga.core import access
from kinga.core import services as core_services
from kinga.core.errors import Refused
from kinga.core.history import set_actor
from kinga.core.models import Language, Role
from kinga.core.registers import CareType
from kinga.core.rights import Right
from kinga.locations.models import Location
from kinga.medical.models import ItemsPriceList, ServicesPriceList

from .models import (
    Catchment,
    ClaimAdmin,
    FacilityLevel,
    FacilityStatus,
    HealthFacility,
    LegalForm,
    SubLevel,
)

CODE_MAX_LENGTH = 8
CLAIM_ADMIN_ROLE_BIT = 256

# --- who may do what ----------------------------------------------------------------------


def may_change_facility(actor, facility: HealthFacility, right: int = Right.HF_EDIT) -> bool:
    return (
        not facility.is_retired
        and access.has_right(actor, right)
        and access.scope_of(actor).covers_district(facility.district_id)
    )


def may_change_claim_admin(actor, claim_admin: ClaimAdmin, right: int = Right.CLAIM_ADMIN_EDIT):
    return (
        not claim_admin.is_retired
        and access.has_right(actor, right)
        and access.scope_of(actor).covers_district(claim_admin.health_facility.district_id)
    )


def may_create_login(actor) -> bool:
    """The claim-administrator rights let their holder create the login too (one step, with
    only the Claim Administrator role: kinga.core.services.LoginDelegation)."""
    return core_services.may_manage_login(actor, core_services.CLAIM_ADMIN_LOGIN, "add")


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


# --- validation helpers -------------------------------------------------------------------


def _text(value, field: str, max_length: int, *, required_message: str | None = None) -> str:
    value = (value or "").strip()
    if required_message and not value:
        raise Refused(required_message, field)
    if len(value) > max_length:
        raise Refused(
            _("At most %(n)d characters, please (this has %(length)d).")
            % {"n": max_length, "length": len(value)},
            field,
        )
    return value


def _email(value, field: str = "email", max_length: int = 100) -> str:
    value = _text(value, field, max_length)
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise Refused(_("Enter a valid e-mail address."), field) from None
    return value


def _choice(value, field: str, choices, *, blank: bool = False) -> str:
    value = (value or "").strip()
    if blank and not value:
        return ""
    if value not in {c for c, _label in choices}:
        raise Refused(_("Choose one of the proposed values."), field)
    return value


def _facility_code(code, *, exclude_pk: int | None = None) -> str:
    code = _text(code, "code", CODE_MAX_LENGTH, required_message=_("Enter a code."))
    clash = HealthFacility.objects.current().filter(code=code).exclude(pk=exclude_pk).first()
    if clash is not None:
        raise Refused(
            _("The code %(code)s is already used by the health facility %(name)s.")
            % {"code": code, "name": clash.name},
            "code",
        )
    return code


def _district(actor, district, *, current: HealthFacility | None = None) -> Location:
    if district is None:
        raise Refused(_("Choose a district."), "district")
    if district.type != "D":
        raise Refused(_("%(place)s is not a district.") % {"place": district}, "district")
    if district.is_retired and (current is None or current.district_id != district.pk):
        raise Refused(_("The district %(place)s is retired.") % {"place": district}, "district")
    if not access.scope_of(actor).covers_district(district.pk):
        raise Refused(
            _("The district %(place)s is not one of your districts.") % {"place": district},
            "district",
        )
    return district


def _contract(start: date | None, end: date | None) -> None:
    if (start is None) != (end is None):
        field = "contract_end_date" if end is None else "contract_start_date"
        raise Refused(_("Give both contract dates, or neither."), field)
    if start is not None and end is not None and end <= start:
        raise Refused(_("The contract must end after it starts."), "contract_end_date")


def price_list_q(district: Location) -> Q:
    """The price lists a facility of `district` may use: national, its region's, its own."""
    return Q(location__isnull=True) | Q(location_id=district.pk) | Q(location_id=district.parent_id)


def _price_list(price_list, district: Location, field: str, kind_label: str):
    if price_list is None:
        return None
    if price_list.is_retired:
        raise Refused(
            _("The %(kind)s %(name)s is retired.") % {"kind": kind_label, "name": price_list.name},
            field,
        )
    if price_list.location_id not in (None, district.pk, district.parent_id):
        raise Refused(
            _(
                "The %(kind)s %(name)s belongs to %(place)s: choose a national list, or one of "
                "the district %(district)s or of its region."
            )
            % {
                "kind": kind_label,
                "name": price_list.name,
                "place": price_list.location,
                "district": district.name,
            },
            field,
        )
    return price_list


def _facility_values(actor, values: dict, *, current: HealthFacility | None = None) -> dict:
    district = _district(actor, values.get("district"), current=current)
    start, end = values.get("contract_start_date"), values.get("contract_end_date")
    _contract(start, end)
    return {
        "code": _facility_code(values.get("code"), exclude_pk=current.pk if current else None),
        "name": _text(values.get("name"), "name", 100, required_message=_("Enter a name.")),
        "acc_code": _text(values.get("acc_code"), "acc_code", 25),
        "legal_form": _choice(values.get("legal_form"), "legal_form", LegalForm.choices),
        "level": _choice(values.get("level"), "level", FacilityLevel.choices),
        "sub_level": _choice(values.get("sub_level"), "sub_level", SubLevel.choices, blank=True),
        "district": district,
        "address": _text(values.get("address"), "address", 100),
        "phone": _text(values.get("phone"), "phone", 50),
        "fax": _text(values.get("fax"), "fax", 50),
        "email": _email(values.get("email")),
        "care_type": _choice(values.get("care_type"), "care_type", CareType.choices),
        "services_price_list": _price_list(
            values.get("services_price_list"),
            district,
            "services_price_list",
            _("services price list"),
        ),
        "items_price_list": _price_list(
            values.get("items_price_list"), district, "items_price_list", _("items price list")
        ),
        "contract_start_date": start,
        "contract_end_date": end,
        "status": _choice(
            values.get("status") or FacilityStatus.ACTIVE, "status", FacilityStatus.choices
        ),
    }


def _save(obj, code_field: str = "code") -> None:
    """Save, turning a unique clash with a concurrent writer into a refusal."""
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        raise Refused(
            _("The code %(code)s is already used.") % {"code": getattr(obj, code_field)},
            code_field,
        ) from None


# --- health facilities ----------------------------------------------------------------------

FACILITY_FIELDS = (
    "code",
    "name",
    "acc_code",
    "legal_form",
    "level",
    "sub_level",
    "district",
    "address",
    "phone",
    "fax",
    "email",
    "care_type",
    "services_price_list",
    "items_price_list",
    "contract_start_date",
    "contract_end_date",
    "status",
)


@transaction.atomic
def facility_create(
    *,
    actor,
    code: str,
    name: str,
    district: Location | None,
    legal_form: str = LegalForm.GOVERNMENT,
    level: str = FacilityLevel.HEALTH_CENTRE,
    care_type: str = CareType.BOTH,
    sub_level: str = "",
    acc_code: str = "",
    address: str = "",
    phone: str = "",
    fax: str = "",
    email: str = "",
    services_price_list: ServicesPriceList | None = None,
    items_price_list: ItemsPriceList | None = None,
    contract_start_date: date | None = None,
    contract_end_date: date | None = None,
    status: str = FacilityStatus.ACTIVE,
) -> HealthFacility:
    access.require_right(actor, Right.HF_ADD)
    values = _facility_values(actor, locals())
    facility = HealthFacility(**values)
    set_actor(facility, actor)
    _save(facility)
    return facility


@transaction.atomic
def facility_update(
    *,
    actor,
    facility: HealthFacility,
    code: str,
    name: str,
    district: Location | None,
    legal_form: str,
    level: str,
    care_type: str,
    sub_level: str = "",
    acc_code: str = "",
    address: str = "",
    phone: str = "",
    fax: str = "",
    email: str = "",
    services_price_list: ServicesPriceList | None = None,
    items_price_list: ItemsPriceList | None = None,
    contract_start_date: date | None = None,
    contract_end_date: date | None = None,
    status: str = FacilityStatus.ACTIVE,
) -> HealthFacility:
    """A complete update (an absent optional value becomes empty), as in openIMIS."""
    facility = HealthFacility.objects.select_for_update().get(pk=facility.pk)
    _require(may_change_facility(actor, facility))
    values = _facility_values(actor, locals(), current=facility)
    for key, value in values.items():
        setattr(facility, key, value)
    set_actor(facility, actor)
    _save(facility)
    return facility


def facility_retire_refusal(facility: HealthFacility) -> str | None:
    n = ClaimAdmin.objects.current().filter(health_facility=facility).count()
    if not n:
        return None
    return ngettext(
        "%(facility)s cannot be retired: %(n)d current claim administrator submits for it; "
        "retire him or attach him to another facility first.",
        "%(facility)s cannot be retired: %(n)d current claim administrators submit for it; "
        "retire them or attach them to another facility first.",
        n,
    ) % {"facility": facility, "n": n}


@transaction.atomic
def facility_retire(*, actor, facility: HealthFacility) -> HealthFacility:
    facility = HealthFacility.objects.select_for_update().get(pk=facility.pk)
    _require(may_change_facility(actor, facility, Right.HF_DELETE))
    refusal = facility_retire_refusal(facility)
    if refusal:
        raise Refused(refusal)
    facility.retired_at = timezone.now()
    set_actor(facility, actor, _("Retired"))
    facility.save()
    return facility


# --- catchment ------------------------------------------------------------------------------


def catchment_villages_q(actor, facility: HealthFacility) -> Q:
    """The villages that may be added to the facility's catchment (Q on Location)."""
    region_id = facility.district.parent_id
    return Q(
        type="V", retired_at__isnull=True, parent__parent__parent_id=region_id
    ) & access.location_q(actor)


def _percentage(value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Refused(_("Enter a whole number from 1 to 100."), "percentage") from None
    if not 1 <= number <= 100:
        raise Refused(_("Enter a whole number from 1 to 100."), "percentage")
    return number


@transaction.atomic
def catchment_add(
    *, actor, facility: HealthFacility, village: Location | None, percentage: int | str = 100
) -> Catchment:
    # Lock the facility: two clerks adding the same village must not both pass the check.
    facility = (
        HealthFacility.objects.select_for_update(of=("self",))
        .select_related("district")
        .get(pk=facility.pk)
    )
    _require(may_change_facility(actor, facility))
    if village is None:
        raise Refused(_("Choose a village."), "village")
    if village.type != "V":
        raise Refused(_("%(place)s is not a village.") % {"place": village}, "village")
    if village.is_retired:
        raise Refused(_("The village %(place)s is retired.") % {"place": village}, "village")
    if not Location.objects.filter(catchment_villages_q(actor, facility), pk=village.pk).exists():
        raise Refused(
            _(
                "The village %(place)s is not in the region of the facility, or not in your "
                "districts."
            )
            % {"place": village},
            "village",
        )
    pct = _percentage(percentage)
    if Catchment.objects.current().filter(health_facility=facility, village=village).exists():
        raise Refused(
            _("The village %(place)s is already in the catchment area of this facility.")
            % {"place": village},
            "village",
        )
    catchment = Catchment(health_facility=facility, village=village, percentage=pct)
    set_actor(catchment, actor)
    catchment.save()
    return catchment


@transaction.atomic
def catchment_update(*, actor, catchment: Catchment, percentage: int | str) -> Catchment:
    catchment = Catchment.objects.select_for_update().get(pk=catchment.pk)
    _require(not catchment.is_retired and may_change_facility(actor, catchment.health_facility))
    catchment.percentage = _percentage(percentage)
    set_actor(catchment, actor)
    catchment.save()
    return catchment


@transaction.atomic
def catchment_remove(*, actor, catchment: Catchment) -> Catchment:
    catchment = Catchment.objects.select_for_update().get(pk=catchment.pk)
    _require(not catchment.is_retired and may_change_facility(actor, catchment.health_facility))
    catchment.retired_at = timezone.now()
    set_actor(catchment, actor, _("Removed"))
    catchment.save()
    return catchment


def village_in_catchment_check(location: Location) -> str | None:
    """A location retire check: a village still in a current facility's catchment stays."""
    if location.type != "V":
        return None
    n = (
        Catchment.objects.current()
        .filter(village=location, health_facility__retired_at__isnull=True)
        .count()
    )
    if not n:
        return None
    return ngettext(
        "It is in the catchment area of %(n)d current health facility; remove it there first.",
        "It is in the catchment area of %(n)d current health facilities; remove it there first.",
        n,
    ) % {"n": n}


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
    access.require_right(actor, Right.CLAIM_ADMIN_ADD)
    values = _claim_admin_values(actor, locals())
    claim_admin = ClaimAdmin(**values)
    if with_login:
        if not may_create_login(actor):
            raise _login_refused(PermissionDenied())
        try:
            with transaction.atomic():
                claim_admin.user = core_services.user_create(
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
                    login_for=core_services.CLAIM_ADMIN_LOGIN,
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
            core_services.user_update(
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
                login_for=core_services.CLAIM_ADMIN_LOGIN,
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
    _require(may_change_claim_admin(actor, claim_admin))
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
    _require(may_change_claim_admin(actor, claim_admin, Right.CLAIM_ADMIN_DELETE))
    user = claim_admin.user
    if user is not None and user.retired_at is None:
        try:
            core_services.user_retire(
                actor=actor, user=user, login_for=core_services.CLAIM_ADMIN_LOGIN
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
