"""Product services: create, update, validation by field, duplicate, conversion chain, retire,
coverage, scope, history."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from kinga.core.errors import Refused
from kinga.products.models import Product, ProductItem, ProductService, RelativeDistribution
from kinga.products.services import products as product_services
from kinga.products.services import programmes as programme_services

from ..conftest import make_user
from .conftest import make_product, values


def refused_fields(excinfo) -> list[str]:
    return [f for f, _ in excinfo.value.errors]


def test_a_scheme_admin_creates_a_district_product(scheme_admin, world):
    product = make_product(scheme_admin, location=world.mfoundi)
    assert product.code == "VIH_Soins"
    assert product.weight_insured_population == 100  # all weights zero -> insured population
    row = product.history.get()
    assert row.history_user == scheme_admin and row.history_type == "+"


def test_a_national_product_needs_a_user_who_sees_everything(scheme_admin, imis_admin):
    with pytest.raises(Refused) as excinfo:
        make_product(scheme_admin, location=None)
    assert refused_fields(excinfo) == ["location"]
    assert make_product(imis_admin).location is None


def test_a_region_product_needs_every_district_of_the_region(scheme_admin, world):
    assert make_product(scheme_admin, location=world.centre).location == world.centre
    mfoundi_only = make_user(roles=["scheme_admin"], districts=[world.mfoundi])
    with pytest.raises(Refused) as excinfo:
        make_product(mfoundi_only, code="X", location=world.centre)
    assert refused_fields(excinfo) == ["location"]


def test_another_districts_location_is_refused(scheme_admin, world):
    with pytest.raises(Refused) as excinfo:
        make_product(scheme_admin, location=world.wouri)
    assert "Wouri" in excinfo.value.message


def test_codes_are_unique_among_current_products_and_keep_their_case(imis_admin):
    make_product(imis_admin)
    with pytest.raises(Refused) as excinfo:
        make_product(imis_admin)
    assert refused_fields(excinfo) == ["code"]
    assert "VIH_Soins" in excinfo.value.message
    assert make_product(imis_admin, code="vih_soins").code == "vih_soins"


def test_every_problem_is_reported_with_its_field(imis_admin):
    with pytest.raises(Refused) as excinfo:
        make_product(
            imis_admin,
            ceiling=Decimal(10),
            ceiling_op=Decimal(5),
            start_cycle_1="31-04",
            weight_population=Decimal(30),
        )
    assert set(refused_fields(excinfo)) == {"ceiling", "start_cycle_1", "weight_population"}
    assert not Product.objects.exists()


def test_the_database_refuses_general_and_split_ceilings_too(imis_admin):
    product = make_product(imis_admin)
    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.filter(pk=product.pk).update(ceiling=1, ceiling_ip=1)


def test_update_changes_fields_and_writes_history(imis_admin, scheme_admin, world):
    product = make_product(scheme_admin, location=world.lekie)
    product_services.product_update(
        actor=scheme_admin, product=product, premium_adult=Decimal(3000), name="VIH soins 2"
    )
    product.refresh_from_db()
    assert product.premium_adult == Decimal(3000)
    latest = product.history.order_by("-history_id").first()
    assert latest.history_user == scheme_admin
    from kinga.core.history import entries

    changed = {c.field for c in entries(product)[0].changes}
    assert {"contribution per adult", "name"} <= changed


def test_a_scheme_admin_cannot_change_a_national_product(imis_admin, scheme_admin):
    product = make_product(imis_admin)
    with pytest.raises(PermissionDenied):
        product_services.product_update(actor=scheme_admin, product=product, name="x")


def test_a_product_cannot_be_its_own_conversion_product(imis_admin):
    product = make_product(imis_admin)
    with pytest.raises(Refused) as excinfo:
        product_services.product_update(
            actor=imis_admin, product=product, conversion_product=product
        )
    assert refused_fields(excinfo) == ["conversion_product"]


def test_a_chain_of_conversions_cannot_loop(imis_admin):
    a = make_product(imis_admin, code="A")
    b = make_product(imis_admin, code="B", conversion_product=a)
    c = make_product(imis_admin, code="C", conversion_product=b)
    with pytest.raises(Refused) as excinfo:
        product_services.product_update(actor=imis_admin, product=a, conversion_product=c)
    assert refused_fields(excinfo) == ["conversion_product"]
    assert "A → C → B → A" in excinfo.value.message
    d = make_product(imis_admin, code="D")
    product_services.product_update(actor=imis_admin, product=a, conversion_product=d)


def test_relative_distribution_is_stored_and_replaced(imis_admin):
    product = make_product(imis_admin, period_rel_prices="Q", distribution={"B": [25, 25, 25, 25]})
    assert list(product.distributions.values_list("share", flat=True)) == [25] * 4
    product_services.product_update(
        actor=imis_admin,
        product=product,
        period_rel_prices="",
        period_rel_prices_ip="Y",
        period_rel_prices_op="Y",
        distribution={"I": [100], "O": [100]},
    )
    rows = RelativeDistribution.objects.filter(product=product)
    assert sorted(rows.values_list("care_type", "periods", "share")) == [
        ("I", 1, Decimal(100)),
        ("O", 1, Decimal(100)),
    ]


def test_coverage_is_added_in_bulk_and_duplicates_are_skipped(imis_admin, medical):
    product = make_product(imis_admin)
    added = product_services.coverage_add(
        actor=imis_admin,
        product=product,
        services=[medical.consult, medical.consult2],
        items=[medical.tdf],
        values=product_services.coverage_values(limit_adult=80, limit_child=80),
    )
    assert added == (2, 1)
    again = product_services.coverage_add(
        actor=imis_admin, product=product, services=[medical.consult, medical.test]
    )
    assert again == (1, 0)
    row = ProductService.objects.get(product=product, service=medical.consult)
    assert row.limit_adult == 80 and row.limit_child_e == 80
    assert row.history.get().history_user == imis_admin
    assert "Coverage" in product.history.order_by("-history_id").first().history_change_reason


def test_co_insurance_over_100_is_refused_on_add_and_in_the_grid(imis_admin, medical):
    product = make_product(imis_admin)
    with pytest.raises(Refused) as excinfo:
        product_services.coverage_add(
            actor=imis_admin,
            product=product,
            services=[medical.consult],
            values=product_services.coverage_values(limit_adult=120),
        )
    assert excinfo.value.field == "limit_adult"
    product_services.coverage_add(actor=imis_admin, product=product, services=[medical.consult])
    row = ProductService.objects.get(product=product)
    with pytest.raises(Refused) as excinfo:
        product_services.coverage_update(
            actor=imis_admin, product=product, services={row.pk: {"limit_child_r": Decimal(101)}}
        )
    assert excinfo.value.field == "limit_child_r"
    assert "CONS" in excinfo.value.message


def test_the_database_refuses_a_co_insurance_over_100(imis_admin, medical):
    product = make_product(imis_admin)
    product_services.coverage_add(actor=imis_admin, product=product, items=[medical.tdf])
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductItem.objects.filter(product=product).update(limit_adult=150)
    ProductItem.objects.filter(product=product).update(limitation_type="F", limit_adult=150)


def test_the_grid_edits_and_removes_rows(imis_admin, medical):
    product = make_product(imis_admin)
    product_services.coverage_add(
        actor=imis_admin, product=product, services=[medical.consult], items=[medical.tdf]
    )
    s = ProductService.objects.get(product=product)
    i = ProductItem.objects.get(product=product)
    changed = product_services.coverage_update(
        actor=imis_admin,
        product=product,
        services={
            s.pk: {"limitation_type": "F", "limit_adult": Decimal(1500), "waiting_period_adult": 3}
        },
        remove_items=[i.pk],
    )
    assert changed == 2
    s.refresh_from_db()
    i.refresh_from_db()
    assert (s.limitation_type, s.limit_adult, s.waiting_period_adult) == ("F", 1500, 3)
    assert i.is_retired
    # A removed item can be covered again.
    assert product_services.coverage_add(
        actor=imis_admin, product=product, items=[medical.tdf]
    ) == (0, 1)


def test_duplicate_copies_fields_distribution_and_coverage_under_a_new_code(imis_admin, medical):
    product = make_product(
        imis_admin,
        premium_adult=Decimal(2500),
        period_rel_prices="Y",
        distribution={"B": [100]},
    )
    product_services.coverage_add(
        actor=imis_admin,
        product=product,
        services=[medical.consult],
        items=[medical.tdf, medical.ctx],
        values=product_services.coverage_values(limit_adult=80),
    )
    copy = product_services.product_duplicate(actor=imis_admin, product=product, code="VIH_Soins2")
    assert copy.pk != product.pk and copy.name == product.name
    assert copy.premium_adult == Decimal(2500)
    assert copy.distributions.count() == 1
    assert copy.services.count() == 1 and copy.items.count() == 2
    assert copy.services.get().limit_adult == 80
    assert product.services.count() == 1
    with pytest.raises(Refused) as excinfo:
        product_services.product_duplicate(actor=imis_admin, product=product, code="VIH_Soins")
    assert excinfo.value.field == "code"


def test_retire_is_soft_and_frees_the_code(imis_admin):
    product = make_product(imis_admin)
    product_services.product_retire(actor=imis_admin, product=product)
    product.refresh_from_db()
    assert product.is_retired
    assert Product.objects.current().count() == 0
    assert make_product(imis_admin).pk != product.pk


def test_a_product_others_convert_to_cannot_be_retired(imis_admin):
    target = make_product(imis_admin, code="NEW")
    make_product(imis_admin, code="OLD", conversion_product=target)
    with pytest.raises(Refused) as excinfo:
        product_services.product_retire(actor=imis_admin, product=target)
    assert "OLD" in excinfo.value.message


def test_a_clerk_cannot_create_products(mfoundi_clerk, world):
    with pytest.raises(PermissionDenied):
        make_product(mfoundi_clerk, location=world.mfoundi)


def test_programmes_are_created_with_their_users_and_products_join_them(imis_admin, scheme_admin):
    from datetime import date

    programme = programme_services.programme_create(
        actor=imis_admin,
        code="VIH",
        name="HIV User Fees",
        valid_from=date(2026, 1, 1),
        users=[scheme_admin],
    )
    assert list(programme.users.all()) == [scheme_admin]
    product = make_product(imis_admin, programme=programme)
    assert product.programme == programme
    with pytest.raises(Refused):
        programme_services.programme_retire(actor=imis_admin, programme=programme)
    with pytest.raises(Refused) as excinfo:
        programme_services.programme_create(
            actor=imis_admin, code="VIH", name="x", valid_from=date(2026, 1, 1)
        )
    assert excinfo.value.field == "code"
    with pytest.raises(Refused) as excinfo:
        programme_services.programme_update(
            actor=imis_admin, programme=programme, valid_to=date(2025, 1, 1)
        )
    assert excinfo.value.field == "valid_to"


def test_values_helper_is_a_valid_product():
    from kinga.products import rules

    assert rules.product_errors(values()) == []
