"""Numbers past their real bounds (kinga.core.bounds) get a message on the form and the import,
never a database error: an insurance period of 40 000 months, a threshold of 2 147 483 648."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse

from kinga.core import bounds
from kinga.core.errors import Refused
from kinga.products.models import Product, ProductService
from kinga.products.services import products as product_services

from ..conftest import login
from .conftest import make_product
from .test_views import general_post


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("insurance_period", "40000"),
        ("insurance_period", "121"),
        ("threshold", "2147483648"),
        ("max_members", "1000"),
        ("grace_period_payment", "99999999999999999999"),
        ("max_no_visits", "2147483648"),
        ("premium_adult", "1" + "0" * 17),
    ],
)
def test_the_product_form_refuses_a_number_out_of_bounds(client, imis_admin, field, value):
    login(client, imis_admin)
    response = client.post(reverse("products:create"), general_post(**{field: value}))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Product.objects.exists()


def test_the_form_shows_the_bound_and_accepts_it(client, imis_admin):
    login(client, imis_admin)
    response = client.post(reverse("products:create"), general_post(insurance_period="121"))
    assert "less than or equal to 120" in str(response.context["form"].errors["insurance_period"])
    response = client.post(reverse("products:create"), general_post(insurance_period="120"))
    assert response.status_code == 302
    assert Product.objects.get().insurance_period == bounds.MONTHS_MAX
    page = client.get(reverse("products:create")).content.decode()
    assert 'name="insurance_period"' in page and 'max="120"' in page


def test_the_service_refuses_out_of_bounds_whatever_the_caller(imis_admin, world):
    with pytest.raises(Refused) as refused:
        make_product(imis_admin, insurance_period=40000, threshold=2147483648)
    fields = {field for field, _message in refused.value.errors}
    assert fields == {"insurance_period", "threshold"}
    assert "between 1 and 120" in refused.value.errors[0][1]
    assert not Product.objects.exists()


def test_the_import_refuses_out_of_bounds_numbers_and_writes_nothing(client, imis_admin, world):
    product = make_product(imis_admin)
    data = product_services.product_export(product)
    data["product"]["insurance_period"] = 40000
    data["product"]["threshold"] = 2147483648
    login(client, imis_admin)
    upload = SimpleUploadedFile("p.json", json.dumps(data).encode(), "application/json")
    response = client.post(reverse("products:import"), {"file": upload, "code": "COPY"})
    assert response.status_code == 200
    assert "between 1 and 120" in response.content.decode()
    assert not Product.objects.filter(code="COPY").exists()


def test_the_import_refuses_an_infinite_or_huge_coverage_number(imis_admin, medical, world):
    product = make_product(imis_admin)
    product_services.coverage_add(actor=imis_admin, product=product, services=[medical.consult])
    data = product_services.product_export(product)
    data["services"][0]["waiting_period_adult"] = 1e308
    with pytest.raises(Refused):
        product_services.product_import(actor=imis_admin, data=data, code="COPY")
    data["services"][0]["waiting_period_adult"] = float("inf")
    with pytest.raises(Refused):
        product_services.product_import(actor=imis_admin, data=data, code="COPY")
    assert not Product.objects.filter(code="COPY").exists()
    assert ProductService.objects.count() == 1


def test_the_database_refuses_a_period_past_its_bound(imis_admin, world):
    product = make_product(imis_admin)
    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.filter(pk=product.pk).update(insurance_period=121)
    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.filter(pk=product.pk).update(threshold=1000)
