"""Every change to health facilities and their catchment villages (spec registers §4.2): the
only code that writes them.

Rules:
- a facility code has 1 to 8 characters, unique among current facilities (a retired one frees
  it); the facility lies in a district of the actor's scope;
- a contract has both dates or neither, and ends after it starts;
- the price lists offered are the national ones, those of the facility's region and those of
  its district (openIMIS GetPLItems / GetPLServices) — checked again when the district changes;
- a catchment village is a village of the facility's region that the actor may see (a facility
  near a district border serves villages of the neighbouring district), once per facility, with
  a percentage from 1 to 100;
- a facility is retired only when no current claim administrator is attached to it."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kinga.core import access
from kinga.core.errors import Refused
from kinga.core.history import set_actor
from kinga.core.registers import CareType
from kinga.locations.models import Location
from kinga.medical.models import ItemsPriceList, ServicesPriceList

from ..models import (
    Catchment,
    ClaimAdmin,
    FacilityLevel,
    FacilityStatus,
    HealthFacility,
    LegalForm,
    SubLevel,
)
from ..queries.facilities import FACILITY, catchment_villages_q
from ._checks import CODE_MAX_LENGTH, _choice, _email, _save, _text

# --- who may do what ----------------------------------------------------------------------


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
    FACILITY.require_right(actor, "add")
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
    FACILITY.require(actor, facility, "edit")
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
    FACILITY.require(actor, facility, "retire")
    refusal = facility_retire_refusal(facility)
    if refusal:
        raise Refused(refusal)
    facility.retired_at = timezone.now()
    set_actor(facility, actor, _("Retired"))
    facility.save()
    return facility


# --- catchment ------------------------------------------------------------------------------


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
    FACILITY.require(actor, facility, "edit")
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
    if catchment.is_retired:
        raise PermissionDenied
    FACILITY.require(actor, catchment.health_facility, "edit")
    catchment.percentage = _percentage(percentage)
    set_actor(catchment, actor)
    catchment.save()
    return catchment


@transaction.atomic
def catchment_remove(*, actor, catchment: Catchment) -> Catchment:
    catchment = Catchment.objects.select_for_update().get(pk=catchment.pk)
    if catchment.is_retired:
        raise PermissionDenied
    FACILITY.require(actor, catchment.health_facility, "edit")
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


def district_with_facilities_check(location: Location) -> str | None:
    """A location retire check: a district where current health facilities lie stays."""
    if location.type != "D":
        return None
    n = HealthFacility.objects.filter(district=location, retired_at__isnull=True).count()
    if n:
        return ngettext(
            "It still has %(n)d current health facility.",
            "It still has %(n)d current health facilities.",
            n,
        ) % {"n": n}
    return None
