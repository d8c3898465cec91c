"""The family and insuree pages: rights and scope by URL, forms, operations, search."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from kinga.insurees.models import Family, Insuree

from ..conftest import ROLE_BITS, login, make_user
from .test_families_services import PNG, add_member, new_family

LIST = reverse("families:list")
CREATE = reverse("families:create")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def url(name, obj):
    return reverse(f"families:{name}", kwargs={"uuid": obj.uuid})


@pytest.fixture
def family(mfoundi_clerk, world):
    return new_family(mfoundi_clerk, world.nlongkak, insurance_number="H001")


def create_data(world, **changes):
    data = {
        "village": world.nlongkak.pk,
        "family_type": "H",
        "address": "Derrière la chapelle",
        "insurance_number": "CM0001",
        "last_name": "Ngono",
        "other_names": "Paul",
        "dob": "1975-01-31",
        "gender": "M",
        "status": "AC",
        "phone": "699 12 34 56",
    }
    data.update(changes)
    return data


def test_pages_need_a_login(client, world):
    response = client.get(LIST)
    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize("role", sorted(ROLE_BITS))
def test_the_search_opens_to_roles_with_the_family_or_insuree_search_right(client, world, role):
    login(client, make_user(roles=[role], districts=[world.mfoundi]))
    allowed = role in ("enrolment_officer", "accountant", "clerk", "imis_admin", "receptionist")
    allowed = allowed or role == "claim_admin"
    assert client.get(LIST).status_code == (200 if allowed else 403)


def test_the_menu_offers_families_to_the_clerk(client, mfoundi_clerk):
    login(client, mfoundi_clerk)
    assert LIST in client.get(reverse("home")).text


def test_a_family_is_created_with_its_head_from_one_form(
    client, mfoundi_clerk, world, django_capture_on_commit_callbacks
):
    login(client, mfoundi_clerk)
    page = client.get(CREATE).text
    assert "Mfoundi › Yaoundé I" in page and "Nlongkak" in page and "Akwa" not in page
    assert "hx-get" in page and "<script" not in page.split("</head>")[1]
    assert 'style="' not in page
    photo = SimpleUploadedFile("p.png", PNG, content_type="image/png")
    with django_capture_on_commit_callbacks(execute=True):  # the photo is written on commit
        response = client.post(CREATE, {**create_data(world), "photo": photo})
    family = Family.objects.get()
    assert response.status_code == 302 and response["Location"] == url("detail", family)
    assert family.head.last_name == "Ngono" and family.head.photo
    detail = client.get(url("detail", family)).text
    assert "Centre › Mfoundi › Yaoundé I › Nlongkak" in detail and "CM0001" in detail
    assert "History of changes" in detail
    insuree_page = client.get(url("insuree", family.head)).text
    assert url("insuree_photo", family.head) in insuree_page
    response = client.get(url("insuree_photo", family.head))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"


def test_the_form_keeps_the_input_and_shows_errors_by_field(client, mfoundi_clerk, world):
    login(client, mfoundi_clerk)
    response = client.post(CREATE, create_data(world, village=world.akwa.pk, dob="2099-01-01"))
    assert response.status_code == 200 and not Family.objects.exists()
    assert 'value="CM0001"' in response.text
    assert "Select a valid choice" in response.text  # Akwa is not offered to a Mfoundi clerk
    response = client.post(CREATE, create_data(world, dob="2099-01-01"))
    assert "cannot be in the future" in response.text and not Family.objects.exists()


def test_the_place_pickers_offer_only_the_users_places(client, mfoundi_clerk, world):
    login(client, mfoundi_clerk)
    places = reverse("families:places")
    assert "Mfoundi" in client.get(places, {"region": world.centre.pk}).text
    assert "Lekié" not in client.get(places, {"region": world.centre.pk}).text
    assert "Douala" not in client.get(places, {"district": world.wouri.pk}).text
    assert "Nlongkak" in client.get(places, {"municipality": world.yaounde1.pk}).text


def emptied_selects(response) -> list[str]:
    """The ids of the selects that an htmx fragment empties out of band."""
    return re.findall(
        r'<select id="(\w+)" hx-swap-oob="innerHTML"><option value="">—</option></select>',
        response.text,
    )


def test_choosing_a_place_empties_the_selects_below_it(client, mfoundi_clerk, world):
    login(client, mfoundi_clerk)
    places = reverse("families:places")
    response = client.get(places, {"region": world.centre.pk})
    assert f'<option value="{world.mfoundi.pk}">Mfoundi</option>' in response.text
    assert emptied_selects(response) == ["id_municipality", "id_village"]
    response = client.get(places, {"district": world.mfoundi.pk})
    assert "Yaoundé I" in response.text
    assert emptied_selects(response) == ["id_village"]
    response = client.get(places, {"municipality": world.yaounde1.pk})
    assert "Nlongkak" in response.text and emptied_selects(response) == []
    # Back to "—": the next select is empty too, and so are those below it.
    response = client.get(places, {"region": ""})
    assert response.text.count("<option") == 3
    assert emptied_selects(response) == ["id_municipality", "id_village"]


def test_the_chain_of_place_selects_targets_the_next_one(client, mfoundi_clerk, world):
    """The ids the fragments fill and empty are those of the family form's selects; without
    JavaScript the village select still offers every village of the user's districts."""
    login(client, mfoundi_clerk)
    page = client.get(CREATE).text
    assert 'hx-target="#id_district" id="id_region"' in page
    assert 'hx-target="#id_municipality" id="id_district"' in page
    assert 'hx-target="#id_village"' in page and 'id="id_municipality"' in page
    assert '<select name="village" required id="id_village">' in page
    assert f'<option value="{world.nlongkak.pk}">Nlongkak</option>' in page


def test_a_wouri_clerk_gets_403_on_every_page_of_a_mfoundi_family(
    client, family, other_district_clerk
):
    member = add_member(family.head.history.first().history_user, family)
    login(client, other_district_clerk)
    for name in ("detail", "edit", "location", "head", "member_add", "retire"):
        assert client.get(url(name, family)).status_code == 403, name
    for name in ("insuree", "insuree_edit", "insuree_move", "insuree_detach", "insuree_retire"):
        assert client.get(url(name, member)).status_code == 403, name
    assert "H001" not in client.get(LIST).text
    assert client.post(url("retire", family)).status_code == 403
    assert Family.objects.current().count() == 1


def test_unknown_records_are_404(client, mfoundi_clerk, world):
    login(client, mfoundi_clerk)
    ghost = "00000000-0000-0000-0000-000000000000"
    assert client.get(reverse("families:detail", kwargs={"uuid": ghost})).status_code == 404


def test_a_member_is_added_edited_moved_removed_and_retired_through_the_pages(
    client, mfoundi_clerk, family, world
):
    login(client, mfoundi_clerk)
    response = client.post(
        url("member_add", family),
        {
            "insurance_number": "M001",
            "last_name": "Ngono",
            "other_names": "Alice",
            "dob": "2012-05-05",
            "gender": "F",
            "relationship": "4",
            "status": "AC",
        },
    )
    assert response.status_code == 302
    alice = Insuree.objects.get(insurance_number="M001")
    assert alice.family == family and alice.relationship == 4
    data = {
        "insurance_number": "M001",
        "last_name": "Ngono",
        "other_names": "Alice Claire",
        "dob": "2012-05-05",
        "gender": "F",
        "relationship": "4",
        "status": "AC",
    }
    assert client.post(url("insuree_edit", alice), data).status_code == 302
    alice.refresh_from_db()
    assert alice.other_names == "Alice Claire"
    other = new_family(mfoundi_clerk, world.nlongkak, insurance_number="H002")
    response = client.post(
        url("insuree_move", alice), {"family_number": "H002", "relationship": "7"}
    )
    assert response.status_code == 302 and response["Location"] == url("detail", other)
    alice.refresh_from_db()
    assert alice.family == other
    assert client.post(url("insuree_detach", alice)).status_code == 302
    alice.refresh_from_db()
    assert alice.family is None
    assert client.post(url("insuree_retire", alice)).status_code == 302
    alice.refresh_from_db()
    assert alice.retired_at is not None


def test_the_head_cannot_be_moved_nor_retired_from_the_pages(client, mfoundi_clerk, family):
    login(client, mfoundi_clerk)
    page = client.get(url("insuree", family.head)).text
    assert url("insuree_move", family.head) not in page
    assert "cannot be moved" in client.get(url("insuree_move", family.head)).text
    response = client.post(url("insuree_retire", family.head))
    assert response.status_code == 200 and "change the head of family first" in response.text
    family.head.refresh_from_db()
    assert family.head.retired_at is None


def test_the_head_is_changed_and_the_location_too(client, mfoundi_clerk, family, world):
    wife = add_member(mfoundi_clerk, family, relationship=8)
    login(client, mfoundi_clerk)
    response = client.post(url("head", family), {"new_head": wife.pk, "old_head_relationship": "8"})
    assert response.status_code == 302
    family.refresh_from_db()
    assert family.head == wife
    response = client.post(url("location", family), {"village": world.nkolpoblo.pk})
    assert response.status_code == 200  # Lekié is not the clerk's
    family.refresh_from_db()
    assert family.village == world.nlongkak


def test_a_family_with_members_shows_the_refusal_then_is_retired(client, mfoundi_clerk, family):
    member = add_member(mfoundi_clerk, family)
    login(client, mfoundi_clerk)
    response = client.post(url("retire", family))
    assert response.status_code == 200 and "1 member" in response.text
    member.retired_at = timezone.now()
    member.save()
    assert client.post(url("retire", family)).status_code == 302
    family.refresh_from_db()
    assert family.retired_at is not None


def test_the_search_filters_and_stays_bounded(
    client, mfoundi_clerk, family, django_assert_max_num_queries
):
    for i in range(30):
        add_member(mfoundi_clerk, family, last_name=f"Member{i}")
    login(client, mfoundi_clerk)
    with django_assert_max_num_queries(12):
        page = client.get(LIST).text
    assert "Member1" in page
    page = client.get(LIST, {"number": "H001"}).text
    assert "H001" in page and "Member1" not in page
    assert "No insuree matches" in client.get(LIST, {"status": "DE"}).text
