"""Every change to medical items, medical services and price lists (spec registers §5, §6).

Items and services are national registers: rights only, no location scope.  Price lists carry a
location (national, a region or a district); who may see and change one is decided here, in
`may_*`, and nowhere else (views ask these functions which buttons to show; the services refuse
with PermissionDenied when they say no):

* see: the search right of its kind, and a national list, or a region/district the user sees
  (`access.can_see_location`);
* change (edit, add/remove members, prices, retire) and create, duplicate into: the right of
  the action, and for a national list a user who sees everything; for a district list
  `access.can_change_location`; for a region list the region must be among the user's regions
  (`scope.region_ids`) — the same rule as adding a district under a region
  (`kinga.locations.services.may_create_under`) and openIMIS's allowed locations, which include
  the regions of the user's districts.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from kinga.core import access
from kinga.core.errors import Refused
from kinga.core.history import set_actor
from kinga.core.registers import ALL_PATIENTS, CareType, PatientCategory
from kinga.core.rights import Right

from .models import (
    Item,
    ItemsPriceList,
    ItemsPriceListEntry,
    ItemType,
    Service,
    ServiceCategory,
    ServiceLevel,
    ServicesPriceList,
    ServicesPriceListEntry,
    ServiceType,
)

CODE_MAX_LENGTH = 6
NAME_MAX_LENGTH = 100
PACKAGE_MAX_LENGTH = 255
MAX_FREQUENCY = 32767
# decimal(18, 2): 16 digits before the point.
MAX_AMOUNT = Decimal("9999999999999999.99")

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


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


# --- who may do what: items and services ----------------------------------------------------

REGISTER_RIGHTS: dict[type[models.Model], dict[str, Right]] = {
    Item: {
        "view": Right.ITEM_SEARCH,
        "add": Right.ITEM_ADD,
        "edit": Right.ITEM_EDIT,
        "retire": Right.ITEM_DELETE,
    },
    Service: {
        "view": Right.SERVICE_SEARCH,
        "add": Right.SERVICE_ADD,
        "edit": Right.SERVICE_EDIT,
        "retire": Right.SERVICE_DELETE,
    },
}


def may_register(actor, model: type[models.Model], action: str, obj=None) -> bool:
    """May `actor` do `action` (view, add, edit, retire) on items or services (or on `obj`)?"""
    if obj is not None and action in ("edit", "retire") and obj.is_retired:
        return False
    return access.has_right(actor, REGISTER_RIGHTS[model][action])


# --- validation -------------------------------------------------------------------------------


def _text(value, field: str, label: str, max_length: int, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise Refused(_("Enter %(field)s.") % {"field": label}, field)
    if len(value) > max_length:
        raise Refused(
            _("%(field)s may have at most %(n)d characters.")
            % {"field": label.capitalize(), "n": max_length},
            field,
        )
    return value


def _amount(value, field: str, *, required: bool) -> Decimal | None:
    """A price: a Decimal of 0 or more with at most 2 decimals (never a float)."""
    if value is None or value == "":
        if required:
            raise Refused(_("Enter an amount."), field)
        return None
    if isinstance(value, float):
        value = str(value)
    try:
        amount = Decimal(str(value).strip().replace(" ", "").replace("\u00a0", ""))
    except InvalidOperation:
        raise Refused(_("Enter an amount, for example 1500 or 1500.50."), field) from None
    if not amount.is_finite():
        raise Refused(_("Enter an amount, for example 1500 or 1500.50."), field)
    if amount < 0:
        raise Refused(_("The amount must be 0 or more."), field)
    if amount > MAX_AMOUNT:
        raise Refused(_("The amount is too large."), field)
    if amount != amount.quantize(Decimal("0.01")):
        raise Refused(_("The amount may have at most 2 decimals."), field)
    return amount.quantize(Decimal("0.01"))


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


def _save_unique(obj: models.Model, field: str, value: str) -> None:
    """Save, turning a clash with a concurrent writer (unique among current) into a refusal."""
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        raise Refused(_("The value %(value)s is already used.") % {"value": value}, field) from None


# --- items and services: one way to create, update and retire ---------------------------------

_CLEAN = {Item: _clean_item, Service: _clean_service}


def _register_create(actor, model: type[Item] | type[Service], values: dict[str, Any]):
    _require(may_register(actor, model, "add"))
    obj = model(**_CLEAN[model](values))
    set_actor(obj, actor)
    _save_unique(obj, "code", obj.code)
    return obj


def _register_update(actor, model: type[Item] | type[Service], obj, values: dict[str, Any]):
    """A complete update, as in openIMIS; a history row only when a field really changed."""
    obj = model.objects.select_for_update().get(pk=obj.pk)
    _require(may_register(actor, model, "edit", obj))
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
    _require(may_register(actor, model, "retire", obj))
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


def _retire(obj, actor, now):
    obj.retired_at = now or timezone.now()
    set_actor(obj, actor, _("Retired"))
    obj.save()
    return obj


# --- price lists: kinds -----------------------------------------------------------------------


@dataclass(frozen=True)
class PriceListKind:
    """What differs between the services and the items price lists."""

    key: str  # "services" / "items": URLs
    model: type[ServicesPriceList] | type[ItemsPriceList]
    entry_model: type[ServicesPriceListEntry] | type[ItemsPriceListEntry]
    member_model: type[Service] | type[Item]
    member_field: str  # "service" / "item"
    rights: dict[str, Right]
    title: Any  # lazy: "Services price lists"
    member_title: Any  # lazy: "Medical services"

    def entries(self, price_list) -> models.QuerySet:
        return self.entry_model.objects.filter(price_list=price_list)


SERVICES = PriceListKind(
    key="services",
    model=ServicesPriceList,
    entry_model=ServicesPriceListEntry,
    member_model=Service,
    member_field="service",
    rights={
        "view": Right.PL_SERVICES_SEARCH,
        "add": Right.PL_SERVICES_ADD,
        "edit": Right.PL_SERVICES_EDIT,
        "retire": Right.PL_SERVICES_DELETE,
        "duplicate": Right.PL_SERVICES_DUPLICATE,
    },
    title=gettext_lazy("Services price lists"),
    member_title=gettext_lazy("Medical services"),
)
ITEMS = PriceListKind(
    key="items",
    model=ItemsPriceList,
    entry_model=ItemsPriceListEntry,
    member_model=Item,
    member_field="item",
    rights={
        "view": Right.PL_ITEMS_SEARCH,
        "add": Right.PL_ITEMS_ADD,
        "edit": Right.PL_ITEMS_EDIT,
        "retire": Right.PL_ITEMS_DELETE,
        "duplicate": Right.PL_ITEMS_DUPLICATE,
    },
    title=gettext_lazy("Items price lists"),
    member_title=gettext_lazy("Medical items"),
)
PRICE_LIST_KINDS = {SERVICES.key: SERVICES, ITEMS.key: ITEMS}


def kind_of(price_list) -> PriceListKind:
    return SERVICES if isinstance(price_list, ServicesPriceList) else ITEMS


# --- price lists: who may do what --------------------------------------------------------------


def may_see_location(actor, location) -> bool:
    return location is None or access.can_see_location(actor, location)


def may_manage_location(actor, location) -> bool:
    """May `actor` create or change a price list of `location` (None: national)?"""
    scope = access.scope_of(actor)
    if scope.everything:
        return True
    if location is None:
        return False
    if location.type == "R":
        return location.id in scope.region_ids
    return access.can_change_location(actor, location)


def may_see_pricelist(actor, price_list) -> bool:
    return access.has_right(actor, kind_of(price_list).rights["view"]) and may_see_location(
        actor, price_list.location
    )


def may_change_pricelist(actor, price_list, action: str) -> bool:
    """`action`: edit (header, members, prices), retire, or duplicate (read the source: the
    copy's own location is checked by `pricelist_duplicate`)."""
    kind = kind_of(price_list)
    if not access.has_right(actor, kind.rights[action]) or price_list.is_retired:
        return False
    if action == "duplicate":
        return may_see_pricelist(actor, price_list)
    return may_manage_location(actor, price_list.location)


def may_add_pricelist(actor, kind: PriceListKind) -> bool:
    """The add button: the right, and at least one location (or national) to put a list."""
    return access.has_right(actor, kind.rights["add"]) and (
        access.scope_of(actor).everything or bool(access.scope_of(actor).district_ids)
    )


# --- price lists: validation -----------------------------------------------------------------


def _clean_pricelist_name(kind: PriceListKind, name, *, exclude_pk: int | None = None) -> str:
    name = _text(name, "name", _("a name"), NAME_MAX_LENGTH)
    if kind.model.objects.current().filter(name=name).exclude(pk=exclude_pk).exists():
        raise Refused(_("A current price list is already named %(name)s.") % {"name": name}, "name")
    return name


def _clean_location(actor, location):
    if location is None:
        if not may_manage_location(actor, None):
            raise Refused(
                _("Only a user who sees every location may make a national price list."),
                "location",
            )
        return None
    if location.type not in ("R", "D"):
        raise Refused(_("Choose a region or a district."), "location")
    if location.is_retired:
        raise Refused(_("This location is retired."), "location")
    if not may_manage_location(actor, location):
        raise Refused(_("This location is outside your districts."), "location")
    return location


def _clean_date(value) -> datetime.date:
    if not isinstance(value, datetime.date):
        raise Refused(_("Enter a date."), "date")
    return value


SAME = object()  # pricelist_duplicate: the location of the source

# --- price lists: header ----------------------------------------------------------------------


@transaction.atomic
def pricelist_create(*, actor, kind: PriceListKind, name: str, date: datetime.date, location=None):
    _require(access.has_right(actor, kind.rights["add"]))
    price_list = kind.model(
        name=_clean_pricelist_name(kind, name),
        date=_clean_date(date),
        location=_clean_location(actor, location),
    )
    set_actor(price_list, actor)
    _save_unique(price_list, "name", price_list.name)
    return price_list


@transaction.atomic
def pricelist_update(*, actor, price_list, name: str, date: datetime.date, location=None):
    kind = kind_of(price_list)
    price_list = kind.model.objects.select_for_update().get(pk=price_list.pk)
    _require(may_change_pricelist(actor, price_list, "edit"))
    values = {
        "name": _clean_pricelist_name(kind, name, exclude_pk=price_list.pk),
        "date": _clean_date(date),
        "location": price_list.location
        if location == price_list.location
        else _clean_location(actor, location),
    }
    changed = [k for k, v in values.items() if getattr(price_list, k) != v]
    if changed:
        for key in changed:
            setattr(price_list, key, values[key])
        set_actor(price_list, actor)
        _save_unique(price_list, "name", price_list.name)
    return price_list


@transaction.atomic
def pricelist_retire(*, actor, price_list, now: datetime.datetime | None = None):
    kind = kind_of(price_list)
    price_list = kind.model.objects.select_for_update().get(pk=price_list.pk)
    _require(may_change_pricelist(actor, price_list, "retire"))
    return _retire(price_list, actor, now)


@transaction.atomic
def pricelist_duplicate(
    *, actor, price_list, name: str, date: datetime.date | None = None, location=SAME
):
    """A new list with a new name and the current members and price overrides of the source
    (openIMIS rights 121205 / 121305).  `location` defaults to the source's."""
    kind = kind_of(price_list)
    _require(may_change_pricelist(actor, price_list, "duplicate"))
    copy = kind.model(
        name=_clean_pricelist_name(kind, name),
        date=_clean_date(date or timezone.localdate()),
        location=_clean_location(actor, price_list.location if location is SAME else location),
    )
    set_actor(copy, actor, _("Duplicated from %(name)s") % {"name": price_list.name})
    _save_unique(copy, "name", copy.name)
    entries = [
        kind.entry_model(
            price_list=copy,
            price_override=entry.price_override,
            **{f"{kind.member_field}_id": getattr(entry, f"{kind.member_field}_id")},
        )
        for entry in kind.entries(price_list).current()
    ]
    bulk_create_with_history(
        entries,
        kind.entry_model,
        default_user=actor,
        default_change_reason=_("Duplicated from %(name)s") % {"name": price_list.name},
    )
    return copy


# --- price lists: members ---------------------------------------------------------------------


def _locked_for_members(actor, price_list):
    """Lock the header: two editors adding the same member must not both insert it."""
    kind = kind_of(price_list)
    price_list = kind.model.objects.select_for_update().get(pk=price_list.pk)
    _require(may_change_pricelist(actor, price_list, "edit"))
    return kind, price_list


@transaction.atomic
def pricelist_add_members(*, actor, price_list, members: Iterable) -> int:
    """Add services (items) to the list, without price override; those already members and the
    retired ones are skipped.  Returns how many were added."""
    kind, price_list = _locked_for_members(actor, price_list)
    ids = {m.pk for m in members}
    present = set(
        kind.entries(price_list).current().values_list(f"{kind.member_field}_id", flat=True)
    )
    addable = (
        kind.member_model.objects.current()
        .filter(pk__in=ids - present)
        .values_list("pk", flat=True)
    )
    entries = [
        kind.entry_model(price_list=price_list, **{f"{kind.member_field}_id": pk})
        for pk in sorted(addable)
    ]
    bulk_create_with_history(
        entries, kind.entry_model, default_user=actor, default_change_reason=_("Added")
    )
    return len(entries)


@transaction.atomic
def pricelist_remove_members(
    *, actor, price_list, entries: Iterable, now: datetime.datetime | None = None
) -> int:
    """Soft removal: the member's line is retired and stays in the history."""
    kind, price_list = _locked_for_members(actor, price_list)
    rows = list(kind.entries(price_list).current().filter(pk__in=[e.pk for e in entries]))
    when = now or timezone.now()
    for row in rows:
        row.retired_at = when
    bulk_update_with_history(
        rows,
        kind.entry_model,
        ["retired_at"],
        default_user=actor,
        default_change_reason=_("Removed"),
    )
    return len(rows)


@transaction.atomic
def pricelist_set_overrides(*, actor, price_list, overrides: dict) -> int:
    """Set the price overrides of members: {entry: amount or None (the register price)}.
    Only the lines whose override really changes are written.  Returns how many changed."""
    kind, price_list = _locked_for_members(actor, price_list)
    wanted = {}
    for entry, value in overrides.items():
        pk = entry.pk if hasattr(entry, "pk") else int(entry)
        wanted[pk] = _amount(value, f"override-{pk}", required=False)
    rows = list(kind.entries(price_list).current().filter(pk__in=wanted))
    changed = [row for row in rows if row.price_override != wanted[row.pk]]
    for row in changed:
        row.price_override = wanted[row.pk]
    bulk_update_with_history(
        changed,
        kind.entry_model,
        ["price_override"],
        default_user=actor,
        default_change_reason=_("Price changed"),
    )
    return len(changed)
