"""Products tests: a few services and items, and helpers to build products through services."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import translation

from kinga.medical.models import Item, ItemsPriceList, ItemsPriceListEntry, Service
from kinga.products.services import products as product_services


@pytest.fixture(autouse=True)
def english(client):
    """Assertions read the English messages; the French test switches explicitly."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def values(**over) -> dict:
    base = {
        "code": "VIH_Soins",
        "name": "VIH soins",
        "location": None,
        "date_from": date(2026, 1, 1),
        "date_to": date(2026, 12, 31),
        "insurance_period": 12,
        "ceiling_type": "I",
        "ceiling_interpretation": "I",
    }
    base.update(over)
    return base


def make_product(actor, **over):
    distribution = over.pop("distribution", None)
    return product_services.product_create(actor=actor, distribution=distribution, **values(**over))


@pytest.fixture
def medical(db):
    class M:
        pass

    m = M()

    def service(code, name, category):
        return Service.objects.create(
            code=code,
            name=name,
            price=Decimal(2000),
            care_type="O",
            type="C",
            level="S",
            category=category,
        )

    def item(code, name):
        return Item.objects.create(
            code=code, name=name, price=Decimal(500), care_type="O", type="D"
        )

    m.consult = service("CONS", "Consultation générale", "C")
    m.consult2 = service("CONS2", "Consultation spécialisée", "C")
    m.test = service("DVIH", "Dépistage VIH", "O")
    m.surgery = service("CHIR", "Petite chirurgie", "S")
    m.tdf = item("TDF", "TDF/3TC/DTG")
    m.ctx = item("CTX", "Cotrimoxazole 960 mg")
    m.flu = item("FLU", "Fluconazole 200 mg")
    m.price_list = ItemsPriceList.objects.create(name="VIH", date=date(2026, 1, 1))
    ItemsPriceListEntry.objects.create(price_list=m.price_list, item=m.tdf)
    ItemsPriceListEntry.objects.create(price_list=m.price_list, item=m.ctx)
    return m
