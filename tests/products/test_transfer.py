"""JSON export and import of one product with its coverage."""

import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kinga.core.errors import Refused
from kinga.medical.models import Item
from kinga.products.models import Product
from kinga.products.services import products as product_services

from ..conftest import login
from .conftest import make_product


def _full_product(actor, medical, world):
    product = make_product(
        actor,
        location=world.centre,
        lump_sum=Decimal(10000),
        threshold=4,
        max_members=8,
        premium_adult=Decimal(3000),
        premium_child=Decimal(1500),
        start_cycle_1="01-01",
        start_cycle_2="01-07",
        ceiling_ip=Decimal(400000),
        ceiling_op=Decimal(100000),
        period_rel_prices="Q",
        distribution={"B": [40, 20, 20, 20]},
        weight_population=Decimal(50),
        weight_number_visits=Decimal(50),
    )
    product_services.coverage_add(
        actor=actor,
        product=product,
        services=[medical.consult, medical.test],
        items=[medical.tdf],
        values=product_services.coverage_values(limit_adult=80, waiting_period_adult=3),
    )
    return product


def test_export_then_import_gives_the_same_product(imis_admin, medical, world):
    product = _full_product(imis_admin, medical, world)
    exported = product_services.product_export(product)
    data = json.loads(json.dumps(exported))
    copy = product_services.product_import(actor=imis_admin, data=data, code="FAM2")
    again = product_services.product_export(copy)
    assert again["product"].pop("code") == "FAM2"
    assert exported["product"].pop("code") == "VIH_Soins"
    assert again == exported
    assert copy.history.get().history_user == imis_admin


def test_import_refuses_what_is_missing_here_and_writes_nothing(imis_admin, medical, world):
    product = _full_product(imis_admin, medical, world)
    data = product_services.product_export(product)
    data["items"].append({**data["items"][0], "code": "NOPE"})
    data["product"]["programme"] = "XX"
    with pytest.raises(Refused) as excinfo:
        product_services.product_import(actor=imis_admin, data=data, code="OTHER")
    assert "NOPE" in excinfo.value.message and "XX" in excinfo.value.message
    assert not Product.objects.filter(code="OTHER").exists()


def test_import_refuses_an_existing_code_and_a_foreign_file(imis_admin, medical, world):
    product = _full_product(imis_admin, medical, world)
    with pytest.raises(Refused) as excinfo:
        product_services.product_import(
            actor=imis_admin, data=product_services.product_export(product)
        )
    assert excinfo.value.field == "code"
    with pytest.raises(Refused):
        product_services.product_import(actor=imis_admin, data={"format": "other"})


def test_export_and_import_pages(client, imis_admin, medical, world):
    product = _full_product(imis_admin, medical, world)
    login(client, imis_admin)
    response = client.get(reverse("products:export", args=[product.uuid]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    body = response.content
    upload = SimpleUploadedFile("p.json", body, content_type="application/json")
    response = client.post(reverse("products:import"), {"file": upload, "code": "COPY"})
    assert response.status_code == 302
    copy = Product.objects.get(code="COPY")
    assert copy.services.count() == 2 and copy.items.count() == 1
    Item.objects.filter(code="TDF").update(retired_at="2026-01-01T00:00Z")
    upload = SimpleUploadedFile("p.json", body, content_type="application/json")
    response = client.post(reverse("products:import"), {"file": upload, "code": "COPY2"})
    assert response.status_code == 200
    assert "TDF" in response.content.decode()
    bad = SimpleUploadedFile("p.json", b"{not json", content_type="application/json")
    response = client.post(reverse("products:import"), {"file": bad})
    assert "not valid JSON" in response.content.decode()
