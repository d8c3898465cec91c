"""Medical items and services: rules, rights, pages, history, retire."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from kinga.core.errors import Refused
from kinga.medical.models import Item, Service
from kinga.medical.services import catalogue as catalogue_services

from ..conftest import login, make_user

pytestmark = pytest.mark.usefixtures("english")

ITEM = {
    "code": "ART01",
    "name": "Ténofovir/Lamivudine/Dolutégravir 300/300/50 mg",
    "type": "D",
    "package": "Boîte de 30 comprimés",
    "price": Decimal("4500"),
    "care_type": "B",
    "frequency": 30,
}
SERVICE = {
    "code": "CPN1",
    "name": "Consultation prénatale 1",
    "type": "P",
    "level": "V",
    "category": "A",
    "price": Decimal("2000"),
    "care_type": "O",
    "patient_category": 2 | 4 | 8,
}


def make_item(actor, **fields):
    return catalogue_services.item_create(actor=actor, **{**ITEM, **fields})


def make_service(actor, **fields):
    return catalogue_services.service_create(actor=actor, **{**SERVICE, **fields})


# --- rules ----------------------------------------------------------------------------------------


def test_an_item_is_created_with_a_history_row_naming_who(scheme_admin):
    item = make_item(scheme_admin)
    assert item.price == Decimal("4500.00") and item.patient_category == 15
    row = item.history.get()
    assert row.history_user == scheme_admin and row.history_type == "+"


def test_a_code_is_unique_among_current_items(scheme_admin):
    make_item(scheme_admin)
    with pytest.raises(Refused) as refused:
        make_item(scheme_admin, name="Autre")
    assert refused.value.field == "code"
    assert "ART01" in refused.value.message


def test_a_retired_item_frees_its_code(scheme_admin):
    old = make_item(scheme_admin)
    catalogue_services.item_retire(actor=scheme_admin, item=old)
    new = make_item(scheme_admin, name="Nouveau")
    assert new.pk != old.pk and Item.objects.filter(code="ART01").count() == 2


def test_codes_are_compared_exactly_as_typed(scheme_admin):
    make_item(scheme_admin)
    assert make_item(scheme_admin, code="art01").code == "art01"


def test_an_item_and_a_service_may_share_a_code(scheme_admin):
    make_item(scheme_admin, code="X1")
    assert make_service(scheme_admin, code="X1").code == "X1"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"code": "TOOLONG"}, "code"),
        ({"code": "  "}, "code"),
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"price": Decimal("-1")}, "price"),
        ({"price": None}, "price"),
        ({"price": "12,5,0"}, "price"),
        ({"price": Decimal("1.234")}, "price"),
        ({"maximum_amount": Decimal("-5")}, "maximum_amount"),
        ({"type": "Z"}, "type"),
        ({"care_type": ""}, "care_type"),
        ({"frequency": -1}, "frequency"),
        ({"patient_category": 0}, "patient_category"),
        ({"patient_category": 1 | 2}, "patient_category"),  # no age group: nobody
        ({"patient_category": 4}, "patient_category"),  # no gender: nobody
        ({"patient_category": 16}, "patient_category"),
    ],
)
def test_bad_values_are_refused_naming_the_field(scheme_admin, fields, field):
    with pytest.raises(Refused) as refused:
        make_item(scheme_admin, **fields)
    assert refused.value.field == field
    assert not Item.objects.exists()


def test_a_price_of_zero_is_allowed(scheme_admin):
    assert make_item(scheme_admin, price=Decimal("0")).price == 0


def test_a_service_needs_a_type_and_a_level_and_takes_an_optional_category(scheme_admin):
    with pytest.raises(Refused) as refused:
        make_service(scheme_admin, level="")
    assert refused.value.field == "level"
    with pytest.raises(Refused) as refused:
        make_service(scheme_admin, category="Z")
    assert refused.value.field == "category"
    assert make_service(scheme_admin, category="").category == ""


def test_an_update_writes_history_only_when_a_field_changes(scheme_admin):
    item = make_item(scheme_admin)
    catalogue_services.item_update(actor=scheme_admin, item=item, **ITEM)
    assert item.history.count() == 1
    catalogue_services.item_update(
        actor=scheme_admin, item=item, **{**ITEM, "price": Decimal("5000")}
    )
    assert item.history.count() == 2
    item.refresh_from_db()
    assert item.price == Decimal("5000")


def test_an_update_may_keep_its_own_code_but_not_take_another(scheme_admin):
    make_item(scheme_admin, code="A1")
    b = make_item(scheme_admin, code="B1")
    with pytest.raises(Refused):
        catalogue_services.item_update(actor=scheme_admin, item=b, **{**ITEM, "code": "A1"})


def test_a_retired_service_cannot_be_changed(scheme_admin):
    service = make_service(scheme_admin)
    catalogue_services.service_retire(actor=scheme_admin, service=service)
    with pytest.raises(PermissionDenied):
        catalogue_services.service_update(actor=scheme_admin, service=service, **SERVICE)


def test_a_clerk_may_not_create_items_or_services(mfoundi_clerk):
    with pytest.raises(PermissionDenied):
        make_item(mfoundi_clerk)
    with pytest.raises(PermissionDenied):
        make_service(mfoundi_clerk)


# --- rights on the pages --------------------------------------------------------------------------


@pytest.mark.parametrize("url_name", ["items:list", "services:list"])
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("scheme_admin", 200),
        ("imis_admin", 200),
        ("mfoundi_clerk", 403),
        ("medical_officer", 403),
        ("claim_admin", 403),
    ],
)
def test_who_may_open_the_list_pages(client, world, request, url_name, who, status):
    if who in ("scheme_admin", "imis_admin", "mfoundi_clerk"):
        user = request.getfixturevalue(who)
    else:
        user = make_user(roles=[who], districts=[world.mfoundi])
    assert login(client, user).get(reverse(url_name)).status_code == status


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, world):
    assert client.get(reverse("items:list")).status_code == 302


def test_a_clerk_cannot_open_an_item_by_url(client, scheme_admin, mfoundi_clerk):
    item = make_item(scheme_admin)
    login(client, mfoundi_clerk)
    assert client.get(reverse("items:detail", args=[item.uuid])).status_code == 403
    assert client.get(reverse("items:edit", args=[item.uuid])).status_code == 403
    assert client.post(reverse("items:retire", args=[item.uuid])).status_code == 403


def test_a_user_who_may_only_search_sees_no_buttons_and_cannot_edit(client, world, scheme_admin):
    from kinga.core.models import Role

    reader = make_user(roles=[Role.objects.create(name="Reader", rights=[122101, 121401])])
    item = make_item(scheme_admin)
    login(client, reader)
    page = client.get(reverse("items:detail", args=[item.uuid])).content.decode()
    assert "ART01" in page and reverse("items:edit", args=[item.uuid]) not in page
    assert client.get(reverse("items:edit", args=[item.uuid])).status_code == 403
    assert client.get(reverse("items:create")).status_code == 403
    assert reverse("items:create") not in client.get(reverse("items:list")).content.decode()


# --- pages ----------------------------------------------------------------------------------------


def test_the_list_searches_filters_and_hides_retired_by_default(client, scheme_admin):
    make_item(scheme_admin)
    make_item(scheme_admin, code="GANT", name="Gants d'examen", type="M", care_type="O")
    old = make_item(scheme_admin, code="OLD1", name="Ancien")
    catalogue_services.item_retire(actor=scheme_admin, item=old)
    login(client, scheme_admin)
    url = reverse("items:list")
    page = client.get(url).content.decode()
    assert "ART01" in page and "GANT" in page and "OLD1" not in page
    page = client.get(url, {"type": "M"}).content.decode()
    assert "GANT" in page and "ART01" not in page
    page = client.get(url, {"q": "gants"}).content.decode()
    assert "GANT" in page and "ART01" not in page
    assert "OLD1" in client.get(url, {"retired": "on"}).content.decode()


def test_the_services_list_filters_by_category_and_level(client, scheme_admin):
    make_service(scheme_admin)
    make_service(scheme_admin, code="CES", name="Césarienne", category="S", level="H")
    login(client, scheme_admin)
    page = client.get(reverse("services:list"), {"category": "S"}).content.decode()
    assert "CES" in page and "CPN1" not in page
    page = client.get(reverse("services:list"), {"level": "V"}).content.decode()
    assert "CPN1" in page and "Césarienne" not in page


def test_the_list_page_makes_a_bounded_number_of_queries(
    client, scheme_admin, django_assert_max_num_queries
):
    for i in range(30):
        make_service(scheme_admin, code=f"S{i}")
    login(client, scheme_admin)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("services:list")).status_code == 200


def test_creating_an_item_by_the_form_shows_it_with_its_history(client, scheme_admin):
    login(client, scheme_admin)
    response = client.post(
        reverse("items:create"),
        {
            "code": "PARA5",
            "name": "Paracétamol 500 mg",
            "type": "D",
            "package": "Plaquette de 10 comprimés",
            "price": "250",
            "care_type": "O",
            "frequency": "0",
            "patient_category": ["1", "2", "4", "8"],
        },
        follow=True,
    )
    page = response.content.decode()
    assert response.status_code == 200 and "Paracétamol 500 mg" in page
    assert "History of changes" in page and "Scheme.Admin" in page
    assert Item.objects.get(code="PARA5").patient_category == 15


def test_the_form_keeps_input_and_shows_the_error_under_the_field(client, scheme_admin):
    make_item(scheme_admin)
    login(client, scheme_admin)
    response = client.post(
        reverse("items:create"),
        {
            "code": "ART01",
            "name": "Doublon",
            "type": "D",
            "price": "-3",
            "care_type": "O",
            "frequency": "0",
            "patient_category": ["2", "8"],
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and 'value="Doublon"' in page
    assert "ART01 is already used" in page
    assert Item.objects.count() == 1


def form_data(values: dict, **extra) -> dict:
    return {"frequency": "0", **{k: str(v) for k, v in values.items()}, **extra}


def test_a_form_with_no_patient_category_is_refused(client, scheme_admin):
    login(client, scheme_admin)
    response = client.post(
        reverse("services:create"),
        form_data(SERVICE, patient_category=[]),
    )
    assert "Tick at least one of Man or Woman" in response.content.decode()
    assert not Service.objects.exists()


def test_editing_a_service_by_the_form(client, scheme_admin):
    service = make_service(scheme_admin)
    login(client, scheme_admin)
    url = reverse("services:edit", args=[service.uuid])
    assert 'value="CPN1"' in client.get(url).content.decode()
    data = form_data(SERVICE, patient_category=["2", "4"])
    data["price"] = "2500.50"
    assert client.post(url, data).status_code == 302
    service.refresh_from_db()
    assert service.price == Decimal("2500.50") and service.patient_category == 6


def test_in_french_an_amount_is_typed_with_a_decimal_comma(client, scheme_admin):
    service = make_service(scheme_admin)
    login(client, scheme_admin)
    client.cookies["kinga_language"] = "fr"
    url = reverse("services:edit", args=[service.uuid])
    response = client.post(url, form_data(SERVICE, price="1500,50", patient_category=["2", "4"]))
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.price == Decimal("1500.50")
    page = client.get(reverse("services:detail", args=[service.uuid])).content.decode()
    assert "1\xa0500,50\xa0FCFA" in page  # non-breaking spaces: thousands, currency


def test_retiring_a_service_by_its_page_keeps_it_and_hides_it(client, scheme_admin):
    service = make_service(scheme_admin)
    login(client, scheme_admin)
    url = reverse("services:retire", args=[service.uuid])
    assert "Retire" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    service.refresh_from_db()
    assert service.is_retired
    assert service.history.first().history_change_reason == "Retired"
    assert (
        reverse("services:detail", args=[service.uuid])
        not in client.get(reverse("services:list")).content.decode()
    )
    assert client.get(reverse("services:retire", args=[service.uuid])).status_code == 403


def test_an_unknown_uuid_is_404(client, scheme_admin):
    login(client, scheme_admin)
    url = reverse("items:detail", args=["00000000-0000-0000-0000-000000000000"])
    assert client.get(url).status_code == 404


def test_the_menu_shows_the_registers_to_the_scheme_administrator(client, scheme_admin):
    login(client, scheme_admin)
    page = client.get(reverse("items:list")).content.decode()
    for url in (
        reverse("services:list"),
        reverse("pricelists:services"),
        reverse("pricelists:items"),
    ):
        assert f'href="{url}"' in page
