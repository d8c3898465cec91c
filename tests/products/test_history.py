"""The product's page shows the history of its coverage lines (covered services and items):
who added, changed (old → new) or removed which line; a grid saved unchanged adds nothing."""

from decimal import Decimal

from django.conf import settings
from django.urls import reverse

from kinga.medical.models import Service
from kinga.products.models import Product, ProductItem, ProductService
from kinga.products.services import products as product_services

from ..factories import login
from ..querycount import page_queries
from .conftest import make_product
from .test_views import row_data, row_url


def history_of(client, product) -> str:
    page = client.get(reverse("products:detail", args=[product.uuid]))
    assert page.status_code == 200
    html = page.content.decode()
    return html[html.index('id="history"') :].replace("\xa0", " ")


def test_the_grid_changes_show_on_the_product_page_with_who_and_old_new(
    client, world, imis_admin, scheme_admin, medical
):
    product = make_product(imis_admin, location=world.centre)
    product_services.coverage_add(
        actor=imis_admin, product=product, services=[medical.consult, medical.test]
    )
    a, b = product.services.order_by("service__code")
    login(client, scheme_admin)
    assert client.post(row_url(product, a), row_data(a, limit_adult="70")).status_code == 302
    assert client.post(row_url(product, b), row_data(b, remove="on")).status_code == 302
    history = history_of(client, product)
    consult = "Covered service CONS Consultation générale</strong>"
    assert f"{consult}: Changed" in history
    assert "<strong>adult limit</strong>: <del>100</del> → <ins>70</ins>" in history
    assert "Covered service DVIH Dépistage VIH</strong>: Retired" in history
    assert f"{consult}: Added" in history
    assert str(scheme_admin) in history and str(imis_admin) in history
    # Newest first: the change and the removal above the additions.
    assert history.index(f"{consult}: Changed") < history.index(f"{consult}: Added")


def test_covered_items_show_too(client, imis_admin, medical):
    product = make_product(imis_admin)
    product_services.coverage_add(actor=imis_admin, product=product, items=[medical.tdf])
    row = product.items.get()
    product_services.coverage_update(
        actor=imis_admin, product=product, items={row.pk: {"limit_child": Decimal(50)}}
    )
    login(client, imis_admin)
    history = history_of(client, product)
    assert "Covered item TDF TDF/3TC/DTG</strong>: Changed" in history
    assert "<del>100</del> → <ins>50</ins>" in history
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    history = history_of(client, product)
    assert "Produit médical couvert TDF TDF/3TC/DTG</strong>: Modification" in history
    assert "<strong>limite enfant</strong>: <del>100</del> → <ins>50</ins>" in history


def test_a_grid_saved_unchanged_adds_no_history_row(client, imis_admin, medical):
    product = make_product(imis_admin)
    product_services.coverage_add(actor=imis_admin, product=product, services=[medical.consult])
    counts = ProductService.history.count(), Product.history.count()
    login(client, imis_admin)
    row = product.services.get()
    assert client.post(row_url(product, row), row_data(row)).status_code == 302
    assert (ProductService.history.count(), Product.history.count()) == counts
    # Nor does the product form saved as it is.
    edit = reverse("products:edit", args=[product.uuid])
    form = client.get(edit).context["form"]
    data = {
        name: "" if value is None else value
        for name, value in ((bf.name, bf.value()) for bf in form)
        if value not in (None, False)
    }
    assert client.post(edit, data).status_code == 302
    assert Product.history.count() == counts[1]


def test_the_history_of_many_lines_costs_a_fixed_number_of_queries(client, imis_admin, medical):
    product = make_product(imis_admin)
    login(client, imis_admin)
    url = reverse("products:detail", args=[product.uuid])
    client.get(url)
    few, _sqls, _page = page_queries(client, url)
    services = [
        Service.objects.create(
            code=f"S{i:02}", name=f"Soin {i}", price=1000, care_type="O", type="C", level="S"
        )
        for i in range(40)
    ]
    product_services.coverage_add(actor=imis_admin, product=product, services=services)
    product_services.coverage_add(actor=imis_admin, product=product, items=[medical.tdf])
    rows = {r.pk: {"limit_adult": Decimal(90)} for r in product.services.all()}
    product_services.coverage_update(actor=imis_admin, product=product, services=rows)
    assert ProductService.history.count() == 80 and ProductItem.history.count() == 1
    many, sqls, page = page_queries(client, url)
    text = page.content.decode()
    # The newest 50: 40 changes, 6 additions of services, the item's, three of the product's.
    assert text.count("Covered service S") == 46
    # Two queries per kind of line (services, items, distribution) and the product, one per
    # kind of record named: the services.
    assert many - few <= 7, "\n".join(sqls)
    second, _sqls, page2 = page_queries(client, url, {"history": 2})
    assert (
        second - few <= 8 and "Covered service S00 Soin 0</strong>: Added" in page2.content.decode()
    )


def test_a_scheme_admin_of_another_region_sees_no_history(client, imis_admin, scheme_admin, world):
    product = make_product(imis_admin, code="WOU", location=world.wouri)
    login(client, scheme_admin)
    assert client.get(reverse("products:detail", args=[product.uuid])).status_code in (403, 404)
