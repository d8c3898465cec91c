"""Query counts of the products' list pages: the same with 30 rows as with 60."""

import itertools
from datetime import date

import pytest
from django.urls import reverse

from kinga.products.services import products as product_services
from kinga.products.services import programmes as programme_services

from ..conftest import login
from ..querycount import assert_flat
from .conftest import make_product

_seq = itertools.count()


@pytest.fixture(autouse=True)
def _one_page(settings):
    settings.KINGA_PAGE_SIZE = 100  # every row on the page: a query per row would show


def rows(response) -> int:
    return len(response.context["page_obj"])


def test_the_product_list_with_30_or_60_products(client, imis_admin, world, medical):
    programme = programme_services.programme_create(
        actor=imis_admin, code="VIH", name="VIH", valid_from=date(2026, 1, 1)
    )
    places = [None, world.centre, world.mfoundi, world.lekie]

    def add(n=30):
        for _ in range(n):
            i = next(_seq)
            product = make_product(
                imis_admin,
                code=f"P{i:03}",
                location=places[i % 4],
                programme=programme if i % 2 else None,
            )
            product_services.coverage_add(
                actor=imis_admin, product=product, services=[medical.consult]
            )

    add()
    login(client, imis_admin)
    assert_flat(client, reverse("products:list"), add, at_most=8, shown=rows)


def test_the_product_list_of_a_district_administrator(client, imis_admin, scheme_admin, world):
    places = [None, world.centre, world.mfoundi, world.lekie, world.wouri]

    def add(n=40):  # a fifth in Wouri, which he does not see
        for _ in range(n):
            i = next(_seq)
            make_product(imis_admin, code=f"P{i:03}", location=places[i % 5])

    add()
    login(client, scheme_admin)
    assert_flat(client, reverse("products:list"), add, at_most=8, shown=rows)


def test_the_programme_list_with_30_or_60_programmes(client, imis_admin):
    def add(n=30):
        for _ in range(n):
            i = next(_seq)
            programme = programme_services.programme_create(
                actor=imis_admin,
                code=f"PG{i:03}",
                name=f"Programme {i}",
                valid_from=date(2026, 1, 1),
            )
            make_product(imis_admin, code=f"P{i:03}", programme=programme)

    add()
    login(client, imis_admin)
    assert_flat(client, reverse("programmes:list"), add, at_most=6, shown=rows)


def test_a_products_detail_and_coverage_with_30_or_60_services_and_items(client, imis_admin):
    from decimal import Decimal

    from kinga.medical.models import Item, Service

    product = make_product(imis_admin, code="COVER")

    def add(n=30):
        services, items = [], []
        for _ in range(n):
            i = next(_seq)
            services.append(
                Service.objects.create(
                    code=f"S{i:03}",
                    name=f"Acte {i}",
                    price=Decimal(2000),
                    care_type="O",
                    type="C",
                    level="S",
                    category="C",
                )
            )
            items.append(
                Item.objects.create(
                    code=f"I{i:03}",
                    name=f"Produit {i}",
                    price=Decimal(500),
                    care_type="O",
                    type="D",
                )
            )
        product_services.coverage_add(
            actor=imis_admin, product=product, services=services, items=items
        )

    add()
    login(client, imis_admin)

    # 10: the history of the product and of its lines (services, items, distribution).
    assert_flat(client, reverse("products:detail", args=[product.uuid]), add, at_most=10)
    assert_flat(
        client,
        reverse("products:coverage", args=[product.uuid]),
        add,
        at_most=9,
        # 60, then 90 rows covered: a page of 50 shown each time.
        shown=lambda response: response.context["services_grid"]["page"].paginator.count,
    )


def test_a_programmes_page_with_30_or_60_products(client, imis_admin):
    programme = programme_services.programme_create(
        actor=imis_admin, code="VIH", name="VIH", valid_from=date(2026, 1, 1)
    )

    def add(n=30):
        for _ in range(n):
            make_product(imis_admin, code=f"P{next(_seq):03}", programme=programme)

    add()
    login(client, imis_admin)
    assert_flat(
        client,
        reverse("programmes:detail", args=[programme.uuid]),
        add,
        at_most=8,
        shown=lambda response: len(response.context["products"]),
    )
