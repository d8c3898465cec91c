"""The demo's products (data/products.json): the HIV programme's free packages VIH_Test and
VIH_Soins (Centre region) and a contributory family product FAM that exercises every rule.
Idempotent: a product or programme whose code exists is left alone.  Services and items are
picked from the medical registers at run time (by words of their name or code, or by
category); what is not there is skipped."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Q

from kinga.locations.models import Location
from kinga.medical.models import Item, Service
from kinga.products.models import Product, Programme
from kinga.products.services import products as product_services
from kinga.products.services import programmes as programme_services

from . import data

PRODUCTS = data.document("products.json")


def _typed(model, values: dict[str, Any]) -> dict[str, Any]:
    """JSON values as the model's fields want them: dates from ISO text, money as Decimal."""
    typed = {}
    for name, value in values.items():
        field = model._meta.get_field(name)
        if isinstance(field, models.DateField) and isinstance(value, str):
            value = datetime.date.fromisoformat(value)
        elif isinstance(field, models.DecimalField) and value is not None:
            value = Decimal(str(value))
        typed[name] = value
    return typed


def _pick(model, choice: dict[str, Any]) -> list:
    """The current services or items a coverage line names, by code order."""
    found = model.objects.current()
    if "words" in choice:
        q = Q()
        for word in choice["words"]:
            q |= Q(name__icontains=word) | Q(code__iexact=word)
        found = found.filter(q)
    if "categories" in choice:
        found = found.filter(category__in=choice["categories"])
    if "exclude_categories" in choice:
        found = found.exclude(category__in=choice["exclude_categories"])
    return list(found.order_by("code"))


def _programme(actor, spec) -> int:
    if Programme.objects.current().filter(code=spec["code"]).exists():
        return 0
    programme_services.programme_create(actor=actor, **_typed(Programme, spec))
    return 1


def _product(actor, spec, region: Location | None) -> int:
    if Product.objects.current().filter(code=spec["code"]).exists():
        return 0
    programme = None
    if spec["programme"]:
        programme = Programme.objects.current().get(code=spec["programme"])
    product = product_services.product_create(
        actor=actor,
        code=spec["code"],
        name=spec["name"],
        location=region,
        programme=programme,
        distribution=spec.get("distribution"),
        **_typed(Product, spec["values"]),
    )
    for line in spec["coverage"]:
        chosen = {}
        if "services" in line:
            chosen["services"] = _pick(Service, line["services"])
        if "items" in line:
            chosen["items"] = _pick(Item, line["items"])
        values = product_services.coverage_values(**line["values"]) if "values" in line else None
        product_services.coverage_add(actor=actor, product=product, values=values, **chosen)
    return 1


def load(actor) -> int:
    """Create what is missing; returns the number of programmes and products created."""
    created = sum(_programme(actor, spec) for spec in PRODUCTS["programmes"])
    for spec in PRODUCTS["products"]:
        region = Location.objects.current().filter(code=spec["region"], type="R").first()
        created += _product(actor, spec, region)
    return created
