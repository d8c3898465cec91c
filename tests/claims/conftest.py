"""Claims: the Hôpital Central (HCY, Mfoundi) with its price lists, the VIH_Soins product covering
its services and items, the Mballa family of Nlongkak with an Active VIH_Soins policy, and
Ngono, a registered person of Nlongkak without any policy; a facility of Wouri (DLA) for the
scope tests.  Nothing here is autouse."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from kinga.claims.services import claims as claim_services
from kinga.claims.services.claims import LineInput
from kinga.medical.models import (
    Diagnosis,
    Item,
    ItemsPriceList,
    ItemsPriceListEntry,
    Service,
    ServicesPriceList,
    ServicesPriceListEntry,
)
from kinga.policies.models import InsureePolicy, Policy, PolicyStatus
from kinga.products.models import Product, ProductItem, ProductService, Programme

from ..factories import make_facility, make_family

TODAY = date(2026, 3, 20)
CARE = date(2026, 3, 10)


def make_product(code: str, **fields) -> Product:
    values = {
        "name": code.replace("_", " "),
        "date_from": date(2025, 1, 1),
        "date_to": date(2027, 12, 31),
        "insurance_period": 12,
        "ceiling_type": "I",
        "ceiling_interpretation": "I",
    }
    values.update(fields)
    return Product.objects.create(code=code, **values)


def cover_family(family, product, start: date, expiry: date, status=PolicyStatus.ACTIVE) -> Policy:
    """A policy of `family` for `product` covering every member from `start` (straight into the
    tables: the policies' own tests cover how a policy gets there)."""
    policy = Policy.objects.create(
        family=family,
        product=product,
        stage="N",
        status=status,
        enroll_date=start,
        start_date=start,
        effective_date=start,
        expiry_date=expiry,
    )
    for member in family.members.all():
        InsureePolicy.objects.create(
            policy=policy,
            insuree=member,
            enrollment_date=start,
            start_date=start,
            effective_date=start,
            expiry_date=expiry,
        )
    return policy


@pytest.fixture
def care(world, imis_admin, hcy):
    """The claims' world, as a namespace (see the module docstring)."""

    class C:
        pass

    c = C()
    c.hcy = hcy
    c.consultation = Service.objects.create(
        code="CONS",
        name="Consultation",
        price=Decimal(2000),
        care_type="O",
        type="C",
        level="S",
        category="C",
    )
    c.cd4 = Service.objects.create(
        code="CD4",
        name="Numération CD4",
        price=Decimal(5000),
        care_type="B",
        type="C",
        level="S",
        frequency=30,
    )
    c.arv = Item.objects.create(
        code="ARV1",
        name="Ténofovir/Lamivudine/Dolutégravir",
        price=Decimal(3000),
        care_type="B",
        type="D",
    )
    c.gloves = Item.objects.create(
        code="GANT", name="Gants", price=Decimal(100), care_type="B", type="M"
    )
    c.uncovered = Service.objects.create(
        code="CHIR",
        name="Chirurgie",
        price=Decimal(50000),
        care_type="B",
        type="C",
        level="S",
        category="S",
    )
    services = ServicesPriceList.objects.create(name="PL soins HCY", date=date(2025, 1, 1))
    items = ItemsPriceList.objects.create(name="PL produits HCY", date=date(2025, 1, 1))
    for service in (c.consultation, c.cd4, c.uncovered):
        ServicesPriceListEntry.objects.create(price_list=services, service=service)
    ItemsPriceListEntry.objects.create(price_list=items, item=c.arv, price_override=Decimal(2500))
    ItemsPriceListEntry.objects.create(price_list=items, item=c.gloves)
    hcy.services_price_list = services
    hcy.items_price_list = items
    hcy.save()
    c.vih = Programme.objects.create(code="VIH", name="VIH", valid_from=date(2025, 1, 1))
    c.vih_soins = make_product("VIH_Soins", programme=c.vih)
    for service in (c.consultation, c.cd4):
        ProductService.objects.create(product=c.vih_soins, service=service)
    ProductItem.objects.create(product=c.vih_soins, item=c.arv)
    ProductItem.objects.create(product=c.vih_soins, item=c.gloves, price_origin="O")
    c.family = make_family(
        world.nlongkak,
        ("Jean", date(1980, 5, 1), None),
        ("Marie", date(1985, 6, 1), 8),
    )
    c.jean = c.family.head
    c.policy = cover_family(c.family, c.vih_soins, date(2026, 1, 1), date(2026, 12, 31))
    c.nobody_family = make_family(world.nlongkak, ("Ngono", date(1990, 2, 2), None))
    c.ngono = c.nobody_family.head
    c.malaria = Diagnosis.objects.create(code="B54", name="Malaria", name_fr="Paludisme")
    c.hiv = Diagnosis.objects.create(code="B24", name="HIV disease", name_fr="Infection VIH")
    c.dla = make_facility(imis_admin, world.wouri, code="DLA", name="Hôpital de Douala")
    return c


def enter(actor, care, insuree=None, *, lines=None, facility=None, **fields):
    """A claim entered through the services: a consultation and ARVs for Jean at HCY on CARE."""
    fields.setdefault("date_from", CARE)
    fields.setdefault("icd", care.hiv)
    fields.setdefault("today", TODAY)
    if lines is None:
        lines = [LineInput(care.consultation, 1), LineInput(care.arv, 2)]
    return claim_services.claim_create(
        actor=actor,
        health_facility=facility or care.hcy,
        insuree=insuree or care.jean,
        lines=lines,
        **fields,
    )
