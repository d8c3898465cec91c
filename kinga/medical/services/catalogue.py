"""Every change to the medical catalogue: medical items and medical services (spec registers §5),
two national registers of one shape (rights only, no location scope): create, update, retire."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kinga.core import bounds
from kinga.core.errors import Refused
from kinga.core.history import set_actor
from kinga.core.registers import ALL_PATIENTS, CareType, PatientCategory

from ..models import (
    Item,
    ItemType,
    Service,
    ServiceCategory,
    ServiceLevel,
    ServiceType,
)
from ..queries.catalogue import LOADERS
from ._checks import NAME_MAX_LENGTH, _amount, _retire, _save_unique, _text

CODE_MAX_LENGTH = 6

PACKAGE_MAX_LENGTH = 255
MAX_FREQUENCY = bounds.DAYS_MAX

# The fields of each register, in the order of its form (and of its import/export columns).
ITEM_FIELDS = (
    "code",
    "name",
    "type",
    "package",
    "price",
    "quantity",
    "care_type",
    "frequency",
    "patient_category",
    "maximum_amount",
)
SERVICE_FIELDS = (
    "code",
    "name",
    "type",
    "level",
    "category",
    "price",
    "care_type",
    "frequency",
    "patient_category",
    "maximum_amount",
)

GENDER_BITS = PatientCategory.MALE | PatientCategory.FEMALE
AGE_BITS = PatientCategory.ADULT | PatientCategory.CHILD


# --- validation -------------------------------------------------------------------------------


def _choice(value, field: str, choices, *, required: bool = True) -> str:
    value = value or ""
    if not value and not required:
        return ""
    if value not in {c for c, _label in choices}:
        raise Refused(_("Choose one of the proposed values."), field)
    return value


def _frequency(value) -> int:
    try:
        frequency = int(value or 0)
    except (TypeError, ValueError):
        raise Refused(_("Enter a whole number of days, 0 or more."), "frequency") from None
    if not 0 <= frequency <= MAX_FREQUENCY:
        raise Refused(
            _("Enter a whole number of days between 0 and %(n)d.") % {"n": MAX_FREQUENCY},
            "frequency",
        )
    return frequency


def clean_patient_category(mask) -> int:
    """The bits 1 man, 2 woman, 4 adult, 8 child.  A patient is allowed an item or service when
    his gender bit and his age bit are both set (spec §5.3): a mask without any gender or without
    any age group would match nobody, so it is refused."""
    try:
        mask = int(mask)
    except (TypeError, ValueError):
        mask = -1
    if not 0 < mask <= ALL_PATIENTS or not mask & GENDER_BITS or not mask & AGE_BITS:
        raise Refused(
            _("Tick at least one of Man or Woman and at least one of Adult or Child."),
            "patient_category",
        )
    return mask


def _clean_code(model, code, *, exclude_pk: int | None = None) -> str:
    """Compared exactly as typed; unique among the current records of the register."""
    code = _text(code, "code", _("a code"), CODE_MAX_LENGTH)
    clash = model.objects.current().filter(code=code).exclude(pk=exclude_pk).first()
    if clash is not None:
        raise Refused(
            _("The code %(code)s is already used by %(name)s.")
            % {"code": code, "name": clash.name},
            "code",
        )
    return code


def _clean_common(model, values: dict[str, Any], exclude_pk: int | None) -> dict[str, Any]:
    return {
        "code": _clean_code(model, values.get("code"), exclude_pk=exclude_pk),
        "name": _text(values.get("name"), "name", _("a name"), NAME_MAX_LENGTH),
        "price": _amount(values.get("price"), "price", required=True),
        "care_type": _choice(values.get("care_type"), "care_type", CareType.choices),
        "frequency": _frequency(values.get("frequency")),
        "patient_category": clean_patient_category(values.get("patient_category")),
        "maximum_amount": _amount(values.get("maximum_amount"), "maximum_amount", required=False),
    }


def _clean_item(values: dict[str, Any], exclude_pk: int | None = None) -> dict[str, Any]:
    cleaned = _clean_common(Item, values, exclude_pk)
    cleaned["type"] = _choice(values.get("type"), "type", ItemType.choices)
    cleaned["package"] = _text(
        values.get("package"), "package", _("a package"), PACKAGE_MAX_LENGTH, required=False
    )
    cleaned["quantity"] = _amount(values.get("quantity"), "quantity", required=False)
    return cleaned


def _clean_service(values: dict[str, Any], exclude_pk: int | None = None) -> dict[str, Any]:
    cleaned = _clean_common(Service, values, exclude_pk)
    cleaned["type"] = _choice(values.get("type"), "type", ServiceType.choices)
    cleaned["level"] = _choice(values.get("level"), "level", ServiceLevel.choices)
    cleaned["category"] = _choice(
        values.get("category"), "category", ServiceCategory.choices, required=False
    )
    return cleaned


# --- items and services: one way to create, update and retire ---------------------------------

_CLEAN = {Item: _clean_item, Service: _clean_service}


def _register_create(actor, model: type[Item] | type[Service], values: dict[str, Any]):
    LOADERS[model].require_right(actor, "add")
    obj = model(**_CLEAN[model](values))
    set_actor(obj, actor)
    _save_unique(obj, "code", obj.code)
    return obj


def _register_update(actor, model: type[Item] | type[Service], obj, values: dict[str, Any]):
    """A complete update, as in openIMIS; a history row only when a field really changed."""
    obj = model.objects.select_for_update().get(pk=obj.pk)
    LOADERS[model].require(actor, obj, "edit")
    cleaned = _CLEAN[model](values, exclude_pk=obj.pk)
    changed = [k for k, v in cleaned.items() if getattr(obj, k) != v]
    if not changed:
        return obj  # openIMIS saves a history copy only when a business field changed
    for key in changed:
        setattr(obj, key, cleaned[key])
    set_actor(obj, actor)
    _save_unique(obj, "code", obj.code)
    return obj


def _register_retire(actor, model: type[Item] | type[Service], obj, now):
    obj = model.objects.select_for_update().get(pk=obj.pk)
    LOADERS[model].require(actor, obj, "retire")
    return _retire(obj, actor, now)


# The public functions spell out their fields (keyword-only, as callers and forms use them);
# `locals()` hands them to the shared steps, whose cleaning reads only the register's fields.


@transaction.atomic
def item_create(
    *,
    actor,
    code: str,
    name: str,
    type: str,
    price,
    care_type: str,
    package: str = "",
    quantity=None,
    frequency: int = 0,
    patient_category: int = ALL_PATIENTS,
    maximum_amount=None,
) -> Item:
    return _register_create(actor, Item, locals())


@transaction.atomic
def item_update(
    *,
    actor,
    item: Item,
    code: str,
    name: str,
    type: str,
    price,
    care_type: str,
    package: str = "",
    quantity=None,
    frequency: int = 0,
    patient_category: int = ALL_PATIENTS,
    maximum_amount=None,
) -> Item:
    return _register_update(actor, Item, item, locals())


@transaction.atomic
def item_retire(*, actor, item: Item, now: datetime.datetime | None = None) -> Item:
    return _register_retire(actor, Item, item, now)


@transaction.atomic
def service_create(
    *,
    actor,
    code: str,
    name: str,
    type: str,
    level: str,
    price,
    care_type: str,
    category: str = "",
    frequency: int = 0,
    patient_category: int = ALL_PATIENTS,
    maximum_amount=None,
) -> Service:
    return _register_create(actor, Service, locals())


@transaction.atomic
def service_update(
    *,
    actor,
    service: Service,
    code: str,
    name: str,
    type: str,
    level: str,
    price,
    care_type: str,
    category: str = "",
    frequency: int = 0,
    patient_category: int = ALL_PATIENTS,
    maximum_amount=None,
) -> Service:
    return _register_update(actor, Service, service, locals())


@transaction.atomic
def service_retire(*, actor, service: Service, now: datetime.datetime | None = None) -> Service:
    return _register_retire(actor, Service, service, now)
