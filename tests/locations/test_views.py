import pytest
from django.urls import reverse

from kinga.core.models import Role
from kinga.locations import services
from kinga.locations.models import Location

from ..conftest import ROLE_BITS, login, make_location, make_user


def detail_url(loc):
    return reverse("locations:detail", args=[loc.uuid])


@pytest.mark.parametrize("role", sorted(ROLE_BITS))
def test_the_list_page_opens_only_for_roles_with_the_search_right(client, world, role):
    user = make_user(roles=[role], districts=[world.mfoundi])
    login(client, user)
    response = client.get(reverse("locations:list"))
    assert response.status_code == (200 if role == "imis_admin" else 403)


def test_pages_need_a_login(client, world):
    response = client.get(reverse("locations:list"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_the_list_searches_code_or_name(client, imis_admin, world):
    login(client, imis_admin)
    response = client.get(reverse("locations:list"), {"q": "douala"})
    assert "DLA1" in response.text
    assert "Nlongkak" not in response.text


def test_the_list_filters_by_level_and_parent(client, imis_admin, world):
    login(client, imis_admin)
    response = client.get(reverse("locations:list"), {"level": "V", "parent": world.centre.uuid})
    assert detail_url(world.nlongkak) in response.text
    assert detail_url(world.nkolpoblo) in response.text
    assert detail_url(world.akwa) not in response.text
    assert detail_url(world.obala) not in response.text


def test_a_retired_location_is_hidden_unless_asked_for(client, imis_admin, world):
    services.location_retire(actor=imis_admin, location=world.akwa)
    login(client, imis_admin)
    assert "Akwa" not in client.get(reverse("locations:list")).text
    shown = client.get(reverse("locations:list"), {"retired": "on"}).text
    assert "Akwa" in shown


def test_the_list_page_makes_a_bounded_number_of_queries(
    client, imis_admin, world, django_assert_max_num_queries
):
    for i in range(40):
        make_location(f"V{i:03}", f"Village {i}", "V", world.obala)
    login(client, imis_admin)
    client.get(reverse("locations:list"))  # warm the session
    with django_assert_max_num_queries(12):
        response = client.get(reverse("locations:list"))
    assert response.status_code == 200


def test_a_district_user_does_not_see_another_district(client, mfoundi_location_admin, world):
    login(client, mfoundi_location_admin)
    listing = client.get(reverse("locations:list")).text
    assert "Nlongkak" in listing
    assert "Akwa" not in listing and "Wouri" not in listing
    for name in ("detail", "edit", "move", "retire"):
        assert client.get(reverse(f"locations:{name}", args=[world.akwa.uuid])).status_code == 403
    response = client.post(
        reverse("locations:edit", args=[world.akwa.uuid]), {"code": "AKW", "name": "Hacked"}
    )
    assert response.status_code == 403
    assert client.post(reverse("locations:retire", args=[world.akwa.uuid])).status_code == 403
    world.akwa.refresh_from_db()
    assert world.akwa.name == "Akwa" and world.akwa.retired_at is None


def test_an_unknown_location_is_404(client, imis_admin):
    login(client, imis_admin)
    url = reverse("locations:detail", args=["00000000-0000-0000-0000-000000000000"])
    assert client.get(url).status_code == 404


def test_buttons_show_only_with_the_rights(client, world):
    searcher = make_user(
        roles=[Role.objects.create(name="Look only", rights=[121901])], districts=[world.mfoundi]
    )
    login(client, searcher)
    page = client.get(detail_url(world.nlongkak)).text
    assert reverse("locations:edit", args=[world.nlongkak.uuid]) not in page
    assert reverse("locations:retire", args=[world.nlongkak.uuid]) not in page
    assert reverse("locations:create") not in client.get(reverse("locations:list")).text
    assert client.get(reverse("locations:edit", args=[world.nlongkak.uuid])).status_code == 403
    assert client.get(reverse("locations:create")).status_code == 403


def test_a_district_user_sees_the_buttons_for_his_villages(client, mfoundi_location_admin, world):
    login(client, mfoundi_location_admin)
    page = client.get(detail_url(world.nlongkak)).text
    assert reverse("locations:edit", args=[world.nlongkak.uuid]) in page
    assert reverse("locations:move", args=[world.nlongkak.uuid]) in page
    # but not for his district (regions and districts need right 121906)
    district_page = client.get(detail_url(world.mfoundi)).text
    assert reverse("locations:edit", args=[world.mfoundi.uuid]) not in district_page


def test_creating_a_location_from_its_parent_page(client, mfoundi_location_admin, world):
    login(client, mfoundi_location_admin)
    form = client.get(reverse("locations:create"), {"parent": world.yaounde1.uuid})
    assert form.status_code == 200
    assert "Wouri" not in form.text and "Douala" not in form.text  # only what he can change
    response = client.post(
        reverse("locations:create"),
        {"type": "V", "parent": world.yaounde1.uuid, "code": "EMN", "name": "Emana"},
    )
    emana = Location.objects.get(code="EMN")
    assert response.status_code == 302 and response["Location"] == detail_url(emana)


def test_the_form_keeps_input_and_shows_the_error_by_field(client, imis_admin, world):
    login(client, imis_admin)
    response = client.post(
        reverse("locations:create"),
        {"type": "V", "parent": world.yaounde1.uuid, "code": "AKW", "name": "Akwa bis"},
    )
    assert response.status_code == 200
    assert 'value="Akwa bis"' in response.text
    assert 'id="id_code_error"' in response.text
    assert "already used" in response.text


def test_history_on_the_detail_page_names_who_and_what_changed(client, imis_admin, world):
    services.location_update(
        actor=imis_admin, location=world.nlongkak, code="NLK", name="Nlongkak Centre"
    )
    login(client, imis_admin)
    page = client.get(detail_url(world.nlongkak)).text
    assert "History of changes" in page
    assert imis_admin.full_name in page or imis_admin.username in page
    assert "Nlongkak Centre" in page and "<del>Nlongkak</del>" in page


def test_the_retire_page_shows_the_refusal(client, imis_admin, world):
    login(client, imis_admin)
    page = client.get(reverse("locations:retire", args=[world.yaounde1.uuid]))
    assert page.status_code == 200
    assert "current sub-location" in page.text
    client.post(reverse("locations:retire", args=[world.yaounde1.uuid]))
    world.yaounde1.refresh_from_db()
    assert world.yaounde1.retired_at is None


def test_retiring_after_confirmation(client, imis_admin, world):
    login(client, imis_admin)
    response = client.post(reverse("locations:retire", args=[world.akwa.uuid]))
    assert response.status_code == 302
    world.akwa.refresh_from_db()
    assert world.akwa.retired_at is not None


def test_moving_shows_the_level_change_before_doing_it(client, imis_admin, world):
    login(client, imis_admin)
    url = reverse("locations:move", args=[world.yaounde1.uuid])
    preview = client.post(url, {"parent": world.littoral.uuid})
    assert preview.status_code == 200
    assert "change level" in preview.text
    world.yaounde1.refresh_from_db()
    assert world.yaounde1.type == "W"
    done = client.post(url, {"parent": world.littoral.uuid, "confirm": "1"})
    assert done.status_code == 302
    world.yaounde1.refresh_from_db()
    assert (world.yaounde1.type, world.yaounde1.parent) == ("D", world.littoral)


def test_the_tree_opens_level_by_level_without_javascript(client, imis_admin, world):
    login(client, imis_admin)
    top = client.get(reverse("locations:tree")).text
    assert "Centre" in top and "Littoral" in top and "Mfoundi" not in top
    opened = client.get(reverse("locations:tree"), {"open": world.yaounde1.uuid}).text
    assert "Mfoundi" in opened and "Nlongkak" in opened and "Wouri" not in opened


def test_the_tree_fragment_lists_the_children(client, mfoundi_location_admin, world):
    login(client, mfoundi_location_admin)
    fragment = client.get(reverse("locations:children", args=[world.centre.uuid]))
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert "Mfoundi" in fragment.text and "Lekié" not in fragment.text
    assert client.get(reverse("locations:children", args=[world.littoral.uuid])).status_code == 403
