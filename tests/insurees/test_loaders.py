"""Families, insurees and enrolment officers load through one loader each: the denials through
the pages (no right, another district, a retired record, an unknown or malformed key), and the
business refusals that the pages and the services share (who may be moved or removed)."""

from functools import partial

import pytest
from django.db import transaction
from django.urls import reverse

from kinga.core.errors import Refused
from kinga.core.models import Role
from kinga.core.rights import Right
from kinga.insurees.models import Family, Insuree
from kinga.insurees.services import families as services
from kinga.insurees.services import officers as officer_services

from ..conftest import login, make_user
from .conftest import new_officer
from .test_families_services import TODAY, add_member, new_family

GHOST = "00000000-0000-0000-0000-000000000000"
MALFORMED = "not-a-uuid"

FAMILY_PAGES = ("detail", "edit", "location", "head", "member_add", "retire")
FAMILY_CHANGES = ("edit", "location", "head", "member_add", "retire")
INSUREE_PAGES = ("insuree", "insuree_edit", "insuree_move", "insuree_detach", "insuree_retire")
INSUREE_CHANGES = ("insuree_edit", "insuree_move", "insuree_detach", "insuree_retire")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def url(name, obj):
    return reverse(f"families:{name}", kwargs={"uuid": obj.uuid})


@pytest.fixture
def family(mfoundi_clerk, world):
    return new_family(mfoundi_clerk, world.nlongkak, insurance_number="H001")


@pytest.fixture
def member(mfoundi_clerk, family):
    return add_member(mfoundi_clerk, family, insurance_number="M001")


@pytest.fixture
def receptionist(world):
    """Sees the families and insurees of Mfoundi, changes nothing."""
    return make_user("reception.mfoundi", roles=["receptionist"], districts=[world.mfoundi])


def role_with(*rights: int) -> Role:
    return Role.objects.create(
        name="+".join(str(int(r)) for r in rights), rights=[int(r) for r in rights]
    )


# --- families and insurees ------------------------------------------------------------------


def test_a_user_without_the_search_rights_gets_403_on_every_page(client, world, family, member):
    manager = make_user("manager.mfoundi", roles=["manager"], districts=[world.mfoundi])
    login(client, manager)
    for name in FAMILY_PAGES:
        assert client.get(url(name, family)).status_code == 403, name
    for name in (*INSUREE_PAGES, "insuree_photo"):
        assert client.get(url(name, member)).status_code == 403, name
    places = reverse("families:places")
    assert client.get(places, {"region": world.centre.pk}).status_code == 403
    assert client.get(reverse("families:export"), {"format": "csv"}).status_code == 403
    assert client.get(reverse("families:create")).status_code == 403


def test_a_reader_sees_the_pages_but_no_button_and_gets_403_on_the_changes(
    client, receptionist, family, member
):
    login(client, receptionist)
    page = client.get(url("detail", family))
    assert page.status_code == 200
    for name in FAMILY_CHANGES:
        assert url(name, family) not in page.text, name
        assert client.get(url(name, family)).status_code == 403, name
        assert client.post(url(name, family)).status_code == 403, name
    page = client.get(url("insuree", member))
    assert page.status_code == 200
    for name in INSUREE_CHANGES:
        assert url(name, member) not in page.text, name
        assert client.get(url(name, member)).status_code == 403, name
        assert client.post(url(name, member)).status_code == 403, name
    assert client.get(reverse("families:create")).status_code == 403
    member.refresh_from_db()
    assert member.family_id == family.pk and member.retired_at is None


def test_posts_of_another_district_are_403_and_change_nothing(
    client, other_district_clerk, family, member
):
    login(client, other_district_clerk)
    for name in FAMILY_CHANGES:
        assert client.post(url(name, family), {"village": 1}).status_code == 403, name
    for name in INSUREE_CHANGES:
        assert client.post(url(name, member), {"family_number": "H001"}).status_code == 403
    assert client.get(url("insuree_photo", member)).status_code == 403
    member.refresh_from_db()
    assert member.family_id == family.pk and member.retired_at is None
    assert Family.objects.current().count() == 1


def test_a_detached_insuree_belongs_to_the_district_of_his_current_village(
    client, mfoundi_clerk, other_district_clerk, member, family
):
    services.insuree_detach(actor=mfoundi_clerk, insuree=member, today=TODAY)
    login(client, other_district_clerk)
    assert client.get(url("insuree", member)).status_code == 403
    login(client, mfoundi_clerk)
    page = client.get(url("insuree", member))
    assert page.status_code == 200 and url("insuree_edit", member) in page.text


def test_a_retired_familys_page_stays_but_its_changes_are_403(client, mfoundi_clerk, family, world):
    services.family_retire(actor=mfoundi_clerk, family=family)
    login(client, mfoundi_clerk)
    page = client.get(url("detail", family))
    assert page.status_code == 200
    for name in FAMILY_CHANGES:
        assert url(name, family) not in page.text, name
        assert client.get(url(name, family)).status_code == 403, name
    assert client.post(url("location", family), {"village": world.nlongkak.pk}).status_code == 403
    head = Insuree.objects.get(pk=family.head_id)
    assert client.get(url("insuree", head)).status_code == 200
    for name in INSUREE_CHANGES:
        assert client.get(url(name, head)).status_code == 403, name


def test_a_retired_members_changes_are_403(client, mfoundi_clerk, member):
    services.insuree_retire(actor=mfoundi_clerk, insuree=member, today=TODAY)
    login(client, mfoundi_clerk)
    page = client.get(url("insuree", member))
    assert page.status_code == 200
    for name in INSUREE_CHANGES:
        assert url(name, member) not in page.text, name
        assert client.get(url(name, member)).status_code == 403, name


@pytest.mark.parametrize("key", [GHOST, MALFORMED])
@pytest.mark.parametrize("name", ["detail", "edit", "retire", "insuree", "insuree_photo"])
def test_unknown_and_malformed_keys_are_404(client, mfoundi_clerk, family, key, name):
    login(client, mfoundi_clerk)
    record = family.head if name.startswith("insuree") else family
    assert client.get(url(name, record).replace(str(record.uuid), key)).status_code == 404


def test_moving_needs_the_family_edit_right_too(client, world, family, member):
    """openIMIS guards the move with two rights: insuree edit and family edit."""
    editor = make_user(
        roles=[role_with(Right.FAMILY_SEARCH, Right.INSUREE_SEARCH, Right.INSUREE_EDIT)],
        districts=[world.mfoundi],
    )
    login(client, editor)
    page = client.get(url("insuree", member)).text
    assert url("insuree_edit", member) in page and url("insuree_move", member) not in page
    assert client.get(url("insuree_move", member)).status_code == 403
    assert client.get(url("insuree_detach", member)).status_code == 200
    editor.roles.add(role_with(Right.FAMILY_EDIT))
    assert url("insuree_move", member) in client.get(url("insuree", member)).text
    assert client.get(url("insuree_move", member)).status_code == 200


# --- who may be moved or removed: one rule for the page and the service ----------------------


@pytest.mark.parametrize("who", ["head", "member", "detached"])
def test_the_insuree_page_offers_to_move_and_remove_exactly_whom_the_services_accept(
    client, mfoundi_clerk, world, family, member, who
):
    other = new_family(mfoundi_clerk, world.nlongkak, insurance_number="H002")
    insuree = {"head": family.head, "member": member, "detached": member}[who]
    if who == "detached":
        services.insuree_detach(actor=mfoundi_clerk, insuree=member, today=TODAY)
    insuree = Insuree.objects.get(pk=insuree.pk)
    login(client, mfoundi_clerk)
    page = client.get(url("insuree", insuree)).text
    offers_move = url("insuree_move", insuree) in page
    offers_detach = url("insuree_detach", insuree) in page
    assert (offers_move, offers_detach) == {
        "head": (False, False),
        "member": (True, True),
        "detached": (True, False),
    }[who]
    detach = partial(services.insuree_detach, actor=mfoundi_clerk, insuree=insuree)
    assert _accepted(detach) == offers_detach
    move = partial(
        services.insuree_move,
        actor=mfoundi_clerk,
        insuree=insuree,
        family=other,
        relationship=7,
        today=TODAY,
    )
    assert _accepted(move) == offers_move


class _Undo(Exception):
    pass


def _accepted(operation) -> bool:
    """Whether the service accepts `operation`; what it wrote is rolled back either way."""
    try:
        with transaction.atomic():
            operation()
            raise _Undo
    except _Undo:
        return True
    except Refused:
        return False


def test_the_move_page_of_the_head_says_why_and_moves_nobody(client, mfoundi_clerk, world, family):
    new_family(mfoundi_clerk, world.nlongkak, insurance_number="H002")
    login(client, mfoundi_clerk)
    page = client.get(url("insuree_move", family.head))
    assert page.status_code == 200
    assert services.move_refusal(family.head) in page.text
    assert 'class="button">Save</button>' not in page.text
    posted = client.post(url("insuree_move", family.head), {"family_number": "H002"})
    assert posted.status_code == 200
    assert Insuree.objects.get(pk=family.head_id).family_id == family.pk


def test_the_move_page_names_an_unknown_family_number_under_its_field(
    client, mfoundi_clerk, member
):
    login(client, mfoundi_clerk)
    page = client.post(url("insuree_move", member), {"family_number": "NOPE", "relationship": "7"})
    assert page.status_code == 200
    assert "No current family of your districts has a member with this number." in page.text
    assert 'value="NOPE"' in page.text


# --- enrolment officers ---------------------------------------------------------------------


def officer_url(name, key):
    return reverse(f"officers:{name}", kwargs={"uuid": key})


@pytest.fixture
def officer(imis_admin, places):
    return new_officer(imis_admin, "EO001", places.mfoundi)


def test_a_user_with_the_officer_search_right_only_sees_but_changes_nothing(
    client, places, officer
):
    reader = make_user(roles=[role_with(Right.OFFICER_SEARCH)], districts=[places.mfoundi])
    login(client, reader)
    page = client.get(officer_url("detail", officer.uuid))
    assert page.status_code == 200
    for name in ("edit", "retire"):
        assert officer_url(name, officer.uuid) not in page.text
        assert client.get(officer_url(name, officer.uuid)).status_code == 403
        assert client.post(officer_url(name, officer.uuid)).status_code == 403
    assert client.get(reverse("officers:create")).status_code == 403
    officer.refresh_from_db()
    assert officer.retired_at is None


def test_a_retired_officers_page_stays_but_edit_and_retire_are_403(client, scheme_admin, officer):
    officer_services.officer_retire(actor=scheme_admin, officer=officer)
    login(client, scheme_admin)
    page = client.get(officer_url("detail", officer.uuid))
    assert page.status_code == 200
    for name in ("edit", "retire"):
        assert officer_url(name, officer.uuid) not in page.text
        assert client.get(officer_url(name, officer.uuid)).status_code == 403
        assert client.post(officer_url(name, officer.uuid)).status_code == 403


@pytest.mark.parametrize("key", [GHOST, MALFORMED])
@pytest.mark.parametrize("name", ["detail", "edit", "retire"])
def test_unknown_and_malformed_officer_keys_are_404(client, scheme_admin, officer, key, name):
    login(client, scheme_admin)
    path = officer_url(name, officer.uuid).replace(str(officer.uuid), key)
    assert client.get(path).status_code == 404
