"""Issue 14, item 8: the coverage grid is paginated and searchable, and each row is edited on
its own (htmx): saved and drawn again alone, or shown again with its error; the page stays
small with a coverage of the demo's size."""

from decimal import Decimal

from django.urls import reverse

from kinga.medical.models import Item, Service
from kinga.products.models import ProductService

from ..conftest import login
from .conftest import make_product
from .test_views import row_data, row_url

HTMX = {"HX-Request": "true"}


def _cover(actor, product, n_services: int, n_items: int = 0):
    from kinga.products.services import products as product_services

    services = Service.objects.bulk_create(
        Service(
            code=f"S{i:04}",
            name=f"Acte médical numéro {i}",
            price=Decimal(2000),
            care_type="O",
            type="C",
            level="S",
            category="C",
        )
        for i in range(n_services)
    )
    items = Item.objects.bulk_create(
        Item(
            code=f"I{i:04}",
            name=f"Produit pharmaceutique {i}",
            price=Decimal(500),
            care_type="O",
            type="D",
        )
        for i in range(n_items)
    )
    product_services.coverage_add(actor=actor, product=product, services=services, items=items)


def test_the_grid_shows_a_page_of_rows_and_finds_by_code_or_name(client, imis_admin):
    product = make_product(imis_admin)
    _cover(imis_admin, product, 60, 3)
    login(client, imis_admin)
    url = reverse("products:coverage", args=[product.uuid])
    page = client.get(url).content.decode()
    assert "Covered services (60)" in page and "Covered items (3)" in page
    assert "S0049 Acte" in page and "S0050 Acte" not in page
    assert "Page 1 of 2" in page and "sp=2" in page
    second = client.get(url, {"sp": 2}).content.decode()
    assert "S0050 Acte" in second and "S0049 Acte" not in second
    assert "I0002 Produit" in second  # the items keep their own page
    found = client.get(url, {"search": "numéro 12"}).content.decode()
    assert "Covered services (1)" in found and "S0012 Acte" in found
    assert "Covered items (0)" in found
    assert "S0013" not in found
    none = client.get(url, {"search": "radiographie"}).content.decode()
    assert "Nothing found." in none


def test_a_row_is_edited_alone_and_drawn_again_saved(client, imis_admin, medical):
    product = make_product(imis_admin)
    _cover(imis_admin, product, 2)
    row = product.services.order_by("service__code").first()
    login(client, imis_admin)
    grid = client.get(reverse("products:coverage", args=[product.uuid])).content.decode()
    assert f'hx-get="{row_url(product, row)}"' in grid
    form = client.get(row_url(product, row), headers=HTMX)
    html = form.content.decode()
    assert html.lstrip().startswith("<tr") and "<html" not in html
    assert f'name="s{row.pk}-limit_adult"' in html and f'form="form-row-s{row.pk}"' in html
    response = client.post(row_url(product, row), row_data(row, limit_adult="75"), headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith("<tr") and "<html" not in html
    assert "S0000 Acte médical numéro 0 saved." in html and "<td>75</td>" in html
    assert "<input" not in html
    row.refresh_from_db()
    assert row.limit_adult == 75
    # Cancel draws the row as text again.
    shown = client.get(row_url(product, row), {"show": 1}, headers=HTMX).content.decode()
    assert "<td>75</td>" in shown and "<input" not in shown


def test_a_bad_value_shows_its_error_in_the_row_and_nothing_is_saved(client, imis_admin):
    product = make_product(imis_admin)
    _cover(imis_admin, product, 1)
    row = product.services.get()
    login(client, imis_admin)
    url = row_url(product, row)
    response = client.post(url, row_data(row, limit_adult="150"), headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith("<tr") and "has-error" in html
    assert "at most 100 %" in html and 'value="150"' in html
    response = client.post(url, row_data(row, limit_child="beaucoup"), headers=HTMX)
    assert response.status_code == 200 and "Enter a number." in response.content.decode()
    row.refresh_from_db()
    assert row.limit_adult == 100 and row.limit_child == 100


def test_a_row_removed_leaves_the_grid(client, imis_admin):
    product = make_product(imis_admin)
    _cover(imis_admin, product, 2)
    a, b = product.services.order_by("service__code")
    login(client, imis_admin)
    response = client.post(row_url(product, a), row_data(a, remove="on"), headers=HTMX)
    assert "S0000 Acte médical numéro 0 removed from the coverage." in response.content.decode()
    page = client.get(reverse("products:coverage", args=[product.uuid])).content.decode()
    assert "Covered services (1)" in page and "S0000" not in page


def test_the_page_stays_small_with_a_coverage_of_the_demos_size(client, imis_admin):
    product = make_product(imis_admin)
    _cover(imis_admin, product, 250, 120)
    login(client, imis_admin)
    response = client.get(reverse("products:coverage", args=[product.uuid]))
    assert response.status_code == 200
    assert "Covered services (250)" in response.content.decode()
    assert len(response.content) < 200_000
    assert response.content.count(b"<input") < 50


def test_a_row_is_not_changed_without_the_right(client, imis_admin, scheme_admin, medical):
    national = make_product(imis_admin)
    _cover(imis_admin, national, 1)
    row = national.services.get()
    login(client, scheme_admin)  # reads national products, changes only his district's
    page = client.get(reverse("products:coverage", args=[national.uuid])).content.decode()
    assert "S0000 Acte" in page and row_url(national, row) not in page
    assert client.get(row_url(national, row), headers=HTMX).status_code == 403
    response = client.post(row_url(national, row), row_data(row, limit_adult="10"))
    assert response.status_code == 403
    assert ProductService.objects.get(pk=row.pk).limit_adult == 100
    # Another product's row is not reached through this product.
    other = make_product(imis_admin, code="OTHER")
    login(client, imis_admin)
    wrong = reverse("products:coverage_row", args=[other.uuid, "services", row.pk])
    assert client.post(wrong, row_data(row, limit_adult="10")).status_code == 404


def test_the_products_list_counts_each_products_services_and_items(client, imis_admin, medical):
    from kinga.products.services import products as product_services

    product = make_product(imis_admin)
    product_services.coverage_add(
        actor=imis_admin,
        product=product,
        services=[medical.consult, medical.test, medical.surgery],
        items=[medical.tdf, medical.ctx],
    )
    make_product(imis_admin, code="EMPTY")
    row = product.services.get(service=medical.surgery)
    product_services.coverage_update(actor=imis_admin, product=product, remove_services=[row.pk])
    login(client, imis_admin)
    page = client.get(reverse("products:list")).content.decode()
    assert "2 services, 2 items" in page  # not 2 × 2 rows, not the removed one
    assert "0 services, 0 items" in page


def test_without_htmx_a_row_is_a_page_of_its_own_and_goes_back_to_the_grid(client, imis_admin):
    product = make_product(imis_admin)
    _cover(imis_admin, product, 1)
    row = product.services.get()
    login(client, imis_admin)
    page = client.get(row_url(product, row)).content.decode()
    assert "<html" in page and f'name="s{row.pk}-limit_adult"' in page
    response = client.post(row_url(product, row), row_data(row, limit_adult="150"))
    assert response.status_code == 200 and "at most 100 %" in response.content.decode()
    response = client.post(row_url(product, row), row_data(row, limit_adult="60"), follow=True)
    assert response.redirect_chain[-1][0].startswith(
        reverse("products:coverage", args=[product.uuid])
    )
    assert "S0000 Acte médical numéro 0 saved." in response.content.decode()
