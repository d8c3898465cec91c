"""Payers: rules, location scope (lists and URLs), history, retire, payers_for_location."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from kinga.core import menu
from kinga.core.errors import Refused
from kinga.demo import payers as demo
from kinga.policies.models import Payer
from kinga.policies.queries import payers as queries
from kinga.policies.services import payers as services

from ..conftest import login, make_user

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def payers(world, imis_admin):
    """One payer of each kind of place: national, Centre (region), Mfoundi, Lekié, Wouri."""

    def make(type_, name, location):
        return services.payer_create(actor=imis_admin, type=type_, name=name, location=location)

    class P:
        ministry = make("G", "Ministère de la Santé Publique", None)
        centre = make("O", "Fonds Régional du Centre", world.centre)
        mfoundi = make("L", "Commune de Yaoundé I", world.mfoundi)
        lekie = make("C", "Coopérative de la Lekié", world.lekie)
        littoral = make("O", "Fonds Régional du Littoral", world.littoral)
        wouri = make("P", "Port autonome de Douala", world.wouri)

    return P


@pytest.fixture
def mfoundi_admin(world):
    """A scheme administrator of Mfoundi only."""
    return make_user("scheme.mfoundi", roles=["scheme_admin"], districts=[world.mfoundi])


def names(qs) -> set[str]:
    return {p.name for p in qs}


# --- rules ----------------------------------------------------------------------------------


def test_creating_a_payer_keeps_its_fields_and_a_history_row_naming_the_actor(world, scheme_admin):
    payer = services.payer_create(
        actor=scheme_admin,
        type="C",
        name=" Coopérative  des planteurs ",
        location=world.lekie,
        address="BP 12, Obala",
        phone="+237 600 00 00 00",
        email="coop@example.cm",
    )
    assert payer.name == "Coopérative des planteurs" and payer.location == world.lekie
    row = payer.history.get()
    assert row.history_user == scheme_admin and row.history_type == "+"


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"type": "X"}, "type", "Choose a payer type."),
        ({"name": "  "}, "name", "Enter a name."),
        ({"name": "N" * 101}, "name", "At most 100 characters."),
        ({"email": "not-an-address"}, "email", "Enter a valid e-mail address."),
        ({"phone": "1" * 51}, "phone", "At most 50 characters."),
    ],
)
def test_invalid_fields_are_refused_by_field(world, imis_admin, fields, field, message):
    values = {"type": "G", "name": "Payer", "location": None} | fields
    with pytest.raises(Refused) as excinfo:
        services.payer_create(actor=imis_admin, **values)
    assert (excinfo.value.field, excinfo.value.message) == (field, message)


def test_a_payer_name_is_unique_among_current_payers(imis_admin, payers):
    with pytest.raises(Refused) as excinfo:
        services.payer_create(actor=imis_admin, type="G", name="Ministère de la Santé Publique")
    assert excinfo.value.field == "name"
    assert "Ministère de la Santé Publique is already used" in excinfo.value.message
    services.payer_retire(actor=imis_admin, payer=payers.ministry)
    again = services.payer_create(actor=imis_admin, type="G", name="Ministère de la Santé Publique")
    assert again.pk != payers.ministry.pk


@pytest.mark.parametrize("place", ["yaounde1", "nlongkak"])
def test_a_payer_location_must_be_a_region_or_a_district(world, imis_admin, place):
    with pytest.raises(Refused) as excinfo:
        services.payer_create(
            actor=imis_admin, type="L", name="Commune", location=getattr(world, place)
        )
    assert excinfo.value.field == "location"
    assert excinfo.value.message == "A payer's location must be a region or a district."


def test_a_district_administrator_adds_payers_in_his_district_only(world, mfoundi_admin):
    payer = services.payer_create(
        actor=mfoundi_admin, type="L", name="Commune", location=world.mfoundi
    )
    assert payer.location == world.mfoundi
    for location, message in [
        (None, "Only a user who sees every location may add or change a national payer."),
        (world.centre, "Only a user who sees every location may attach a payer to a region."),
        (world.wouri, "This district is outside the locations you may change."),
    ]:
        with pytest.raises(Refused) as excinfo:
            services.payer_create(actor=mfoundi_admin, type="G", name="Other", location=location)
        assert (excinfo.value.field, excinfo.value.message) == ("location", message)


def test_a_user_without_the_payer_rights_is_refused(world, mfoundi_clerk, payers):
    with pytest.raises(PermissionDenied):
        services.payer_create(actor=mfoundi_clerk, type="L", name="X", location=world.mfoundi)
    with pytest.raises(PermissionDenied):
        services.payer_retire(actor=mfoundi_clerk, payer=payers.mfoundi)


def test_updating_records_who_changed_what(world, mfoundi_admin, payers):
    services.payer_update(
        actor=mfoundi_admin,
        payer=payers.mfoundi,
        type="L",
        name="Commune d'arrondissement de Yaoundé I",
        location=world.mfoundi,
        phone="222 00 00 00",
    )
    payer = Payer.objects.get(pk=payers.mfoundi.pk)
    assert payer.name == "Commune d'arrondissement de Yaoundé I"
    latest = payer.history.order_by("-history_id").first()
    assert latest.history_user == mfoundi_admin and latest.history_type == "~"


def test_an_update_that_changes_nothing_writes_no_history_row(world, imis_admin, payers):
    services.payer_update(
        actor=imis_admin,
        payer=payers.lekie,
        type="C",
        name="Coopérative de la Lekié",
        location=world.lekie,
    )
    assert payers.lekie.history.count() == 1


def test_a_district_administrator_cannot_move_his_payer_out_of_his_district(
    world, mfoundi_admin, payers
):
    with pytest.raises(Refused) as excinfo:
        services.payer_update(
            actor=mfoundi_admin,
            payer=payers.mfoundi,
            type="L",
            name="Commune de Yaoundé I",
            location=world.wouri,
        )
    assert excinfo.value.field == "location"


def test_retiring_is_soft_and_hides_the_payer(imis_admin, payers):
    services.payer_retire(actor=imis_admin, payer=payers.wouri)
    payer = Payer.objects.get(pk=payers.wouri.pk)
    assert payer.is_retired
    assert payer.history.order_by("-history_id").first().history_change_reason == "Retired"
    assert "Port autonome de Douala" not in names(queries.search(imis_admin))
    assert "Port autonome de Douala" in names(queries.search(imis_admin, include_retired=True))


# --- scope ----------------------------------------------------------------------------------


def test_the_list_holds_national_payers_and_those_of_the_users_districts_and_regions(
    mfoundi_admin, imis_admin, payers
):
    assert names(queries.search(mfoundi_admin)) == {
        "Ministère de la Santé Publique",
        "Fonds Régional du Centre",
        "Commune de Yaoundé I",
    }
    assert len(names(queries.search(imis_admin))) == 6


def test_the_list_filters_by_type_place_and_text(world, imis_admin, payers):
    assert names(queries.search(imis_admin, type="C")) == {"Coopérative de la Lekié"}
    assert names(queries.search(imis_admin, national=True)) == {"Ministère de la Santé Publique"}
    assert names(queries.search(imis_admin, location=world.centre)) == {
        "Fonds Régional du Centre",
        "Commune de Yaoundé I",
        "Coopérative de la Lekié",
    }
    assert names(queries.search(imis_admin, q="douala")) == {"Port autonome de Douala"}


def test_the_list_page_shows_only_payers_in_scope(client, mfoundi_admin, payers):
    response = login(client, mfoundi_admin).get(reverse("payers:list"))
    assert response.status_code == 200
    assert "Commune de Yaoundé I" in response.text
    assert "Coopérative de la Lekié" not in response.text
    assert "Port autonome de Douala" not in response.text


def test_the_list_page_makes_a_bounded_number_of_queries(
    client, imis_admin, payers, django_assert_max_num_queries
):
    login(client, imis_admin)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("payers:list"))
    assert response.status_code == 200


@pytest.mark.parametrize("action", ["detail", "edit", "retire"])
def test_another_districts_payer_is_403_by_url(client, mfoundi_admin, payers, action):
    url = reverse(f"payers:{action}", args=[payers.wouri.uuid])
    assert login(client, mfoundi_admin).get(url).status_code == 403


@pytest.mark.parametrize("payer", ["ministry", "centre"])
def test_a_district_administrator_sees_but_cannot_change_national_or_regional_payers(
    client, mfoundi_admin, payers, payer
):
    login(client, mfoundi_admin)
    target = getattr(payers, payer)
    detail = client.get(reverse("payers:detail", args=[target.uuid]))
    assert detail.status_code == 200
    assert reverse("payers:edit", args=[target.uuid]) not in detail.text
    assert client.get(reverse("payers:edit", args=[target.uuid])).status_code == 403
    assert client.post(reverse("payers:retire", args=[target.uuid])).status_code == 403


def test_a_user_without_payer_search_gets_403(client, mfoundi_clerk, payers):
    login(client, mfoundi_clerk)
    assert client.get(reverse("payers:list")).status_code == 403
    assert client.get(reverse("payers:detail", args=[payers.mfoundi.uuid])).status_code == 403
    assert client.get(reverse("payers:create")).status_code == 403


def test_the_menu_offers_payers_to_payer_searchers_only(mfoundi_admin, mfoundi_clerk):
    def urls(user):
        return [i["url_name"] for g in menu.visible_menu(user) for i in g["items"]]

    assert "payers:list" in urls(mfoundi_admin)
    assert "payers:list" not in urls(mfoundi_clerk)


# --- pages ----------------------------------------------------------------------------------


def test_creating_through_the_page_keeps_input_and_shows_errors_by_field(
    client, world, mfoundi_admin
):
    login(client, mfoundi_admin)
    response = client.post(
        reverse("payers:create"),
        {"type": "L", "name": "Commune", "address": "Mairie", "email": "x@", "location": ""},
    )
    assert response.status_code == 200
    assert "Only a user who sees every location" in response.text
    assert 'value="Mairie"' in response.text

    response = client.post(
        reverse("payers:create"),
        {"type": "L", "name": "Commune", "location": str(world.mfoundi.uuid)},
    )
    payer = Payer.objects.get(name="Commune")
    assert response.status_code == 302
    assert response.url == reverse("payers:detail", args=[payer.uuid])
    assert payer.location == world.mfoundi


def test_the_form_offers_only_the_users_districts(client, world, mfoundi_admin):
    response = login(client, mfoundi_admin).get(reverse("payers:create"))
    assert str(world.mfoundi.uuid) in response.text
    assert str(world.wouri.uuid) not in response.text
    assert str(world.centre.uuid) not in response.text


def test_editing_through_the_page_shows_the_change_in_the_history(
    client, world, imis_admin, payers
):
    login(client, imis_admin)
    response = client.post(
        reverse("payers:edit", args=[payers.lekie.uuid]),
        {
            "type": "C",
            "name": "Coopérative de la Lekié",
            "location": str(world.lekie.uuid),
            "phone": "699 11 22 33",
        },
    )
    assert response.status_code == 302
    detail = client.get(reverse("payers:detail", args=[payers.lekie.uuid]))
    assert "699 11 22 33" in detail.text and str(imis_admin) in detail.text


def test_retiring_through_the_page_asks_first(client, imis_admin, payers):
    login(client, imis_admin)
    url = reverse("payers:retire", args=[payers.lekie.uuid])
    assert "Retire the payer" in client.get(url).text
    response = client.post(url, follow=True)
    assert "Payer Coopérative de la Lekié retired." in response.text
    assert Payer.objects.get(pk=payers.lekie.pk).is_retired


# --- payers of a place (contributions) ------------------------------------------------------


def test_payers_for_a_village_are_national_regional_and_district_ones(world, mfoundi_clerk, payers):
    assert names(queries.payers_for_location(mfoundi_clerk, world.nlongkak)) == {
        "Ministère de la Santé Publique",
        "Fonds Régional du Centre",
        "Commune de Yaoundé I",
    }


def test_payers_for_a_district_leave_out_other_districts_and_retired_payers(
    world, imis_admin, payers
):
    services.payer_retire(actor=imis_admin, payer=payers.ministry)
    assert names(queries.payers_for_location(imis_admin, world.lekie)) == {
        "Fonds Régional du Centre",
        "Coopérative de la Lekié",
    }
    assert names(queries.payers_for_location(imis_admin, world.akwa)) == {
        "Fonds Régional du Littoral",
        "Port autonome de Douala",
    }


# --- demo -----------------------------------------------------------------------------------


def test_the_demo_payers_load_once(imis_admin, world):
    from kinga.locations.models import Location

    Location.objects.filter(code="MFO").update(code="MFD")
    created = demo.load(imis_admin)
    assert created == len(demo.PAYERS)
    assert demo.load(imis_admin) == 0
    assert Payer.objects.get(name="Coopérative des planteurs de la Lekié").location == world.lekie
    assert Payer.objects.get(name="Fonds mondial").location is None


def test_the_payer_pages_speak_french(client, imis_admin, payers):
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    login(client, imis_admin)
    text = client.get(reverse("payers:list")).text
    assert "Nouveau payeur" in text and "Gouvernement" in text
    response = client.post(reverse("payers:create"), {"type": "G", "name": payers.ministry.name})
    assert "est déjà utilisé par un autre payeur" in response.text
