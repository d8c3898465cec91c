"""Product and programme pages: rights, scope, the two pages, summary, history."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from kinga.products.models import Product, ProductService, Programme
from kinga.products.services import products as product_services

from ..conftest import login, make_user
from .conftest import make_product


def general_post(**over) -> dict:
    data = {
        "code": "FAM",
        "name": "Famille",
        "location": "",
        "programme": "",
        "date_from": "2026-01-01",
        "date_to": "2026-12-31",
        "conversion_product": "",
        "insurance_period": "12",
        "ceiling_type": "I",
        "ceiling_interpretation": "I",
    }
    data.update({k: str(v) for k, v in over.items()})
    return data


def test_the_list_shows_only_products_in_scope(client, imis_admin, scheme_admin, world):
    make_product(imis_admin, code="NAT")
    make_product(imis_admin, code="CEN", location=world.centre)
    make_product(imis_admin, code="LEK", location=world.lekie)
    make_product(imis_admin, code="WOU", location=world.wouri)
    login(client, scheme_admin)
    page = client.get(reverse("products:list")).content.decode()
    for code in ("NAT", "CEN", "LEK"):
        assert f">{code}<" in page
    assert ">WOU<" not in page


def test_the_list_makes_a_bounded_number_of_queries(
    client, imis_admin, medical, django_assert_max_num_queries
):
    for i in range(15):
        p = make_product(imis_admin, code=f"P{i}")
        product_services.coverage_add(actor=imis_admin, product=p, services=[medical.consult])
    login(client, imis_admin)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("products:list"))
    assert response.status_code == 200


def test_another_districts_product_is_forbidden_by_url(client, imis_admin, scheme_admin, world):
    product = make_product(imis_admin, code="WOU", location=world.wouri)
    login(client, scheme_admin)
    for name in ("detail", "edit", "coverage", "duplicate", "retire", "export"):
        assert client.get(reverse(f"products:{name}", args=[product.uuid])).status_code == 403


def test_a_national_product_is_read_only_for_a_scheme_admin(client, imis_admin, scheme_admin):
    product = make_product(imis_admin, code="NAT")
    login(client, scheme_admin)
    page = client.get(reverse("products:detail", args=[product.uuid]))
    assert page.status_code == 200
    assert reverse("products:edit", args=[product.uuid]) not in page.content.decode()
    assert client.get(reverse("products:edit", args=[product.uuid])).status_code == 403
    response = client.post(reverse("products:coverage", args=[product.uuid]), {"save": "1"})
    assert response.status_code == 403


def test_a_clerk_cannot_see_products(client, mfoundi_clerk):
    login(client, mfoundi_clerk)
    assert client.get(reverse("products:list")).status_code == 403
    assert client.get(reverse("products:create")).status_code == 403


def test_page_one_creates_a_product_then_leads_to_the_coverage(client, scheme_admin, world):
    login(client, scheme_admin)
    assert client.get(reverse("products:create")).status_code == 200
    response = client.post(
        reverse("products:create"),
        general_post(location=world.lekie.pk, premium_adult="2500", start_cycle_1="01-01"),
    )
    product = Product.objects.get(code="FAM")
    assert response.status_code == 302
    assert response["Location"] == reverse("products:coverage", args=[product.uuid])
    assert product.premium_adult == Decimal(2500) and product.max_installments == 1
    assert product.history.get().history_user == scheme_admin


def test_page_one_shows_every_error_by_field_and_keeps_the_input(client, imis_admin):
    login(client, imis_admin)
    response = client.post(
        reverse("products:create"),
        general_post(
            date_to="2025-12-31",
            ceiling="1000",
            ceiling_ip="500",
            start_cycle_1="31-02",
            weight_population="40",
            code="CODE_LONGER_THAN_16",
        ),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert {"date_to", "ceiling", "start_cycle_1", "weight_population", "code"} <= set(form.errors)
    assert 'value="31-02"' in response.content.decode()
    assert not Product.objects.exists()


def test_edit_page_saves_and_the_detail_shows_summary_and_history(client, imis_admin, medical):
    product = make_product(imis_admin)
    product_services.coverage_add(actor=imis_admin, product=product, services=[medical.consult])
    login(client, imis_admin)
    response = client.get(reverse("products:edit", args=[product.uuid]))
    assert response.status_code == 200
    data = general_post(code="VIH_Soins", name="VIH soins", premium_child="1000")
    response = client.post(reverse("products:edit", args=[product.uuid]), data)
    assert response.status_code == 302
    page = client.get(reverse("products:detail", args=[product.uuid])).content.decode()
    assert (
        "Covers one year from the start date; 1\u00a0000\u00a0FCFA per child; 1 service and 0 items; no ceiling"
        in page
    )
    assert "History of changes" in page and "contribution per child" in page


def test_coverage_page_adds_a_category_with_co_insurance_80(client, scheme_admin, world, medical):
    product = make_product(scheme_admin, location=world.mfoundi)
    login(client, scheme_admin)
    url = reverse("products:coverage", args=[product.uuid])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "add": "category",
            "category": "C",
            "price_origin": "P",
            "limitation_type": "C",
            "limit_adult": "80",
            "limit_child": "80",
        },
    )
    assert response.status_code == 302
    rows = ProductService.objects.filter(product=product)
    assert {r.service.code for r in rows} == {"CONS", "CONS2"}
    assert all(r.limit_adult == 80 and r.limit_child_r == 80 for r in rows)
    page = client.get(url).content.decode()
    assert "CONS" in page and "Covered services (2)" in page


def test_coverage_page_adds_a_price_list_and_ticked_rows(client, imis_admin, medical):
    product = make_product(imis_admin)
    login(client, imis_admin)
    url = reverse("products:coverage", args=[product.uuid])
    base = {"price_origin": "P", "limitation_type": "C", "limit_adult": "100", "limit_child": "100"}
    client.post(url, {**base, "add": "item_list", "items_price_list": medical.price_list.pk})
    assert set(product.items.values_list("item__code", flat=True)) == {"TDF", "CTX"}
    page = client.get(url, {"q": "VIH"}).content.decode()
    assert "Dépistage VIH" in page
    client.post(
        url, {**base, "add": "ticked", "service": [medical.test.pk], "item": [medical.flu.pk]}
    )
    assert product.services.count() == 1 and product.items.count() == 3


def test_coverage_page_refuses_a_co_insurance_over_100(client, imis_admin, medical):
    product = make_product(imis_admin)
    login(client, imis_admin)
    url = reverse("products:coverage", args=[product.uuid])
    response = client.post(
        url,
        {
            "add": "category",
            "category": "C",
            "price_origin": "P",
            "limitation_type": "C",
            "limit_adult": "120",
            "limit_child": "100",
        },
    )
    assert response.status_code == 200
    assert "at most 100 %" in response.content.decode()
    assert not product.services.exists()


def row_data(row, **changes) -> dict:
    """The POST of one row of the coverage grid as its form sends it, with `changes`."""
    prefix = f"s{row.pk}-" if isinstance(row, ProductService) else f"i{row.pk}-"
    data = {}
    for f in (
        "price_origin",
        "limitation_type",
        "limit_adult",
        "limit_child",
        "limitation_type_r",
        "limit_adult_r",
        "limit_child_r",
        "limitation_type_e",
        "limit_adult_e",
        "limit_child_e",
        "limit_no_adult",
        "limit_no_child",
        "waiting_period_adult",
        "waiting_period_child",
        "ceiling_exclusion_adult",
        "ceiling_exclusion_child",
    ):
        value = getattr(row, f)
        data[prefix + f] = "" if value is None else str(value)
    data.update({prefix + k: v for k, v in changes.items()})
    return data


def row_url(product, row) -> str:
    kind = "services" if isinstance(row, ProductService) else "items"
    return reverse("products:coverage_row", args=[product.uuid, kind, row.pk])


def test_the_grid_edits_and_removes(client, imis_admin, medical):
    product = make_product(imis_admin)
    product_services.coverage_add(
        actor=imis_admin, product=product, services=[medical.consult, medical.test]
    )
    a, b = product.services.order_by("service__code")
    login(client, imis_admin)
    response = client.post(row_url(product, a), row_data(a, limit_adult="70"))
    assert response.status_code == 302
    response = client.post(row_url(product, b), row_data(b, remove="on"))
    assert response.status_code == 302
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.limit_adult == 70 and b.is_retired
    response = client.post(row_url(product, a), row_data(a, limit_child_e="150"))
    assert response.status_code == 200
    assert "at most 100 %" in response.content.decode()


def test_duplicate_and_retire_pages(client, imis_admin, medical):
    product = make_product(imis_admin)
    product_services.coverage_add(actor=imis_admin, product=product, services=[medical.consult])
    login(client, imis_admin)
    response = client.post(
        reverse("products:duplicate", args=[product.uuid]), {"code": "VIH_Soins", "name": ""}
    )
    assert "already used" in response.content.decode()
    response = client.post(
        reverse("products:duplicate", args=[product.uuid]), {"code": "VIH_Soins_B", "name": ""}
    )
    copy = Product.objects.get(code="VIH_Soins_B")
    assert response["Location"] == reverse("products:detail", args=[copy.uuid])
    assert copy.services.count() == 1
    response = client.post(reverse("products:retire", args=[copy.uuid]))
    assert response.status_code == 302
    copy.refresh_from_db()
    assert copy.is_retired
    page = client.get(reverse("products:list")).content.decode()
    assert ">VIH_Soins_B<" not in page
    page = client.get(reverse("products:list"), {"retired": "on"}).content.decode()
    assert ">VIH_Soins_B<" in page


def test_another_district_scheme_admin_sees_a_region_product_of_his_region_only(
    client, imis_admin, world
):
    product = make_product(imis_admin, location=world.centre)
    wouri_admin = make_user(roles=["scheme_admin"], districts=[world.wouri])
    login(client, wouri_admin)
    assert client.get(reverse("products:detail", args=[product.uuid])).status_code == 403


def test_programme_pages(client, imis_admin, scheme_admin):
    login(client, imis_admin)
    response = client.post(
        reverse("programmes:create"),
        {
            "code": "VIH",
            "name": "HIV User Fees",
            "valid_from": "2026-01-01",
            "users": [scheme_admin.pk],
        },
    )
    programme = Programme.objects.get(code="VIH")
    assert response["Location"] == reverse("programmes:detail", args=[programme.uuid])
    make_product(imis_admin, programme=programme)
    page = client.get(reverse("programmes:detail", args=[programme.uuid])).content.decode()
    assert "VIH_Soins" in page and str(scheme_admin) in page
    assert "HIV User Fees" in client.get(reverse("programmes:list")).content.decode()
    response = client.post(
        reverse("programmes:edit", args=[programme.uuid]),
        {"code": "VIH", "name": "HIV", "valid_from": "2026-01-01", "valid_to": "2025-01-01"},
    )
    assert "ends before it starts" in response.content.decode()
    response = client.post(reverse("programmes:retire", args=[programme.uuid]))
    assert "VIH_Soins" in response.content.decode()


def test_the_menu_offers_products_and_programmes(client, scheme_admin, mfoundi_clerk):
    login(client, scheme_admin)
    page = client.get("/").content.decode()
    assert reverse("products:list") in page and reverse("programmes:list") in page
    client.logout()
    login(client, mfoundi_clerk)
    assert reverse("products:list") not in client.get("/").content.decode()


@pytest.mark.parametrize("language", ["fr"])
def test_the_detail_page_speaks_french(client, imis_admin, language):
    from django.conf import settings

    product = make_product(imis_admin, date_from=date(2026, 1, 1))
    login(client, imis_admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get(reverse("products:detail", args=[product.uuid])).content.decode()
    assert "Couvre un an à partir de la date de début" in page


def test_detail_and_coverage_pages_make_a_bounded_number_of_queries(
    client, imis_admin, medical, django_assert_max_num_queries
):
    product = make_product(imis_admin)
    product_services.coverage_add(
        actor=imis_admin,
        product=product,
        services=[medical.consult, medical.consult2, medical.test, medical.surgery],
        items=[medical.tdf, medical.ctx, medical.flu],
    )
    login(client, imis_admin)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("products:detail", args=[product.uuid])).status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get(reverse("products:coverage", args=[product.uuid])).status_code == 200
