"""The demo's medical registers: medical services (data/services.csv) and medical items
(data/items.csv) with FCFA prices, and the price lists of data/price_lists.json: a national
list of each kind with every member, and a Mfoundi district services list with some prices
overridden.  Idempotent: codes and price-list names that exist are skipped."""

from __future__ import annotations

import datetime
from decimal import Decimal

from kinga.core.registers import PatientCategory
from kinga.locations.models import Location
from kinga.medical.models import Item, Service
from kinga.medical.services import catalogue as catalogue_services
from kinga.medical.services import pricelists as pricelist_services

from . import data

SERVICES = data.rows("services.csv")
ITEMS = data.rows("items.csv")
PRICE_LISTS = data.document("price_lists.json")
NATIONAL_SERVICES = PRICE_LISTS["lists"]["national_services"]["name"]
NATIONAL_ITEMS = PRICE_LISTS["lists"]["national_items"]["name"]
MFOUNDI_SERVICES = PRICE_LISTS["lists"]["mfoundi_services"]["name"]

# The patient categories as letters, as in the register files: M man, F woman, A adult, C child.
CATEGORY_LETTERS = {
    "M": PatientCategory.MALE,
    "F": PatientCategory.FEMALE,
    "A": PatientCategory.ADULT,
    "C": PatientCategory.CHILD,
}
KINDS = {"services": pricelist_services.SERVICES, "items": pricelist_services.ITEMS}


def _patients(letters: str) -> int:
    return sum(CATEGORY_LETTERS[letter] for letter in letters)


def load(actor) -> int:
    """Create what is missing; return how many records (services, items, price lists and
    price-list members) were created."""
    created = 0
    existing = set(Service.objects.current().values_list("code", flat=True))
    for row in SERVICES:
        if row["code"] in existing:
            continue
        catalogue_services.service_create(
            actor=actor,
            code=row["code"],
            name=row["name"],
            type=row["type"],
            level=row["level"],
            category=row["category"],
            price=Decimal(row["price"]),
            care_type=row["care_type"],
            patient_category=_patients(row["patient_category"]),
            frequency=int(row["frequency"]),
        )
        created += 1
    existing = set(Item.objects.current().values_list("code", flat=True))
    for row in ITEMS:
        if row["code"] in existing:
            continue
        catalogue_services.item_create(
            actor=actor,
            code=row["code"],
            name=row["name"],
            type=row["type"],
            package=row["package"],
            price=Decimal(row["price"]),
            care_type=row["care_type"],
            patient_category=_patients(row["patient_category"]),
            frequency=int(row["frequency"]),
        )
        created += 1
    return created + _price_lists(actor)


def _price_lists(actor) -> int:
    """Each list of price_lists.json with every current member of its kind; the overrides
    are set when the list is created.  A district list whose district is missing is skipped."""
    created = 0
    on = datetime.date.fromisoformat(PRICE_LISTS["date"])
    members = {
        "services": list(Service.objects.current()),
        "items": list(Item.objects.current()),
    }
    for spec in PRICE_LISTS["lists"].values():
        kind = KINDS[spec["kind"]]
        location = None
        if spec["district"]:
            location = Location.objects.current().filter(type="D", name=spec["district"]).first()
            if location is None:
                continue
        price_list = kind.model.objects.current().filter(name=spec["name"]).first()
        new = price_list is None
        if new:
            price_list = pricelist_services.pricelist_create(
                actor=actor, kind=kind, name=spec["name"], date=on, location=location
            )
            created += 1
        created += pricelist_services.pricelist_add_members(
            actor=actor, price_list=price_list, members=members[spec["kind"]]
        )
        if new and spec["overrides"]:
            overrides = spec["overrides"]
            entries = kind.entries(price_list).current().select_related(kind.member_field)
            pricelist_services.pricelist_set_overrides(
                actor=actor,
                price_list=price_list,
                overrides={
                    e: Decimal(overrides[code])
                    for e in entries
                    if (code := getattr(e, kind.member_field).code) in overrides
                },
            )
    return created
