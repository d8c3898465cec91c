"""Roles: list, system roles read-only, custom roles created, duplicated, edited, blocked,
retired; history."""

import pytest
from django.urls import reverse

from kinga.core.errors import Refused
from kinga.core.models import Role
from kinga.core.rights import SYSTEM_ROLES, Right
from kinga.core.services import roles as services
from kinga.core.services import users as user_services

from ..conftest import login, make_user, system_role


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def test_the_list_shows_the_twelve_system_roles_with_their_rights_and_users(
    client, imis_admin, mfoundi_clerk, other_district_clerk
):
    login(client, imis_admin)
    response = client.get(reverse("roles:list"), {"kind": "system"})
    assert response.status_code == 200
    roles = {r.name: r for r in response.context["page_obj"]}
    assert set(roles) == {name for name, *_ in SYSTEM_ROLES}
    assert roles["Clerk"].user_count == 2
    html = response.content.decode()
    assert "Agent de saisie" in html


def test_the_role_page_lists_rights_by_module_with_labels(client, imis_admin):
    login(client, imis_admin)
    response = client.get(reverse("roles:detail", kwargs={"uuid": system_role(8).uuid}))
    html = response.content.decode()
    assert "Family" in html and "101001" in html and "Insurees and policies" in html
    assert "Claims" not in [g["label"] for g in response.context["groups"]]
    # A system role is not edited: no button, and the edit page sends back to the role.
    assert reverse("roles:edit", kwargs={"uuid": system_role(8).uuid}) not in html
    edit = client.get(reverse("roles:edit", kwargs={"uuid": system_role(8).uuid}))
    assert edit.status_code == 302


def test_an_admin_creates_a_custom_role_with_rights_chosen_by_module(client, imis_admin):
    login(client, imis_admin)
    form = client.get(reverse("roles:create"))
    assert 'name="rights" value="101001"' in form.content.decode()
    response = client.post(
        reverse("roles:create"),
        {"name": "Data entry", "alt_language": "Saisie", "rights": ["101001", "101002"]},
    )
    role = Role.objects.get(name="Data entry")
    assert response.status_code == 302
    assert role.rights == [101001, 101002]
    assert role.is_system == 0


def test_the_role_form_keeps_the_input_and_names_the_fields_at_fault(client, imis_admin):
    login(client, imis_admin)
    response = client.post(
        reverse("roles:create"), {"name": "Clerk", "alt_language": "X", "rights": ["101001"]}
    )
    assert "A role with this name already exists." in response.context["form"].errors["name"]
    assert 'value="101001" checked' in response.content.decode()
    response = client.post(reverse("roles:create"), {"name": "Empty", "rights": []})
    assert "Choose at least one right." in response.context["form"].errors["rights"]


def test_a_custom_role_is_edited_and_its_history_lists_the_change(client, imis_admin):
    role = services.role_create(actor=imis_admin, name="Searchers", rights=[101001])
    login(client, imis_admin)
    response = client.post(
        reverse("roles:edit", kwargs={"uuid": role.uuid}),
        {"name": "Searchers", "alt_language": "Chercheurs", "rights": ["101001", "101101"]},
    )
    assert response.status_code == 302
    role.refresh_from_db()
    assert role.rights == [101001, 101101]
    page = client.get(reverse("roles:detail", kwargs={"uuid": role.uuid}))
    latest = page.context["history"][0]
    assert latest.user == imis_admin
    assert {c.field for c in latest.changes} >= {"rights", "name in the other language"}


def test_a_system_role_is_duplicated_into_a_custom_role(client, imis_admin):
    clerk = system_role(8)
    login(client, imis_admin)
    response = client.post(
        reverse("roles:duplicate", kwargs={"uuid": clerk.uuid}), {"name": "Clerk Mfoundi"}
    )
    copy = Role.objects.get(name="Clerk Mfoundi")
    assert response.status_code == 302
    assert copy.rights == sorted(clerk.rights)
    assert copy.is_system == 0
    again = client.post(
        reverse("roles:duplicate", kwargs={"uuid": clerk.uuid}), {"name": "clerk mfoundi"}
    )
    assert "already exists" in str(again.context["form"].errors["name"])


def test_a_blocked_role_stops_granting_its_rights(client, imis_admin, world):
    role = services.role_create(actor=imis_admin, name="User searchers", rights=[Right.USER_SEARCH])
    user = make_user(roles=[role], districts=[world.mfoundi])
    login(client, user)
    assert client.get(reverse("users:list")).status_code == 200

    login(client, imis_admin)
    block_url = reverse("roles:block", kwargs={"uuid": role.uuid})
    assert "lose the rights" in client.get(block_url).content.decode()
    assert client.post(block_url).status_code == 302
    role.refresh_from_db()
    assert role.is_blocked

    login(client, user)
    assert client.get(reverse("users:list")).status_code == 403

    services.role_block(actor=imis_admin, role=role, blocked=False)
    assert client.get(reverse("users:list")).status_code == 200


def test_the_imis_administrator_role_cannot_be_blocked(imis_admin):
    with pytest.raises(Refused):
        services.role_block(actor=imis_admin, role=system_role(64))


def test_a_role_still_held_cannot_be_retired(client, imis_admin, world):
    role = services.role_create(actor=imis_admin, name="Temporary", rights=[101001])
    holder = make_user(roles=[role], districts=[world.mfoundi])
    login(client, imis_admin)
    url = reverse("roles:retire", kwargs={"uuid": role.uuid})
    assert "still held by 1 user" in client.get(url).content.decode()
    client.post(url)
    role.refresh_from_db()
    assert role.retired_at is None

    user_services.user_retire(actor=imis_admin, user=holder)
    assert client.post(url).status_code == 302
    role.refresh_from_db()
    assert role.retired_at is not None
    current = client.get(reverse("roles:list")).context["page_obj"]
    assert "Temporary" not in [r.name for r in current]
    retired = client.get(reverse("roles:list"), {"status": "retired"}).context["page_obj"]
    assert [r.name for r in retired] == ["Temporary"]


def test_a_system_role_cannot_be_retired(imis_admin):
    with pytest.raises(Refused):
        services.role_retire(actor=imis_admin, role=system_role(8))


def test_a_role_manager_cannot_put_in_a_role_rights_he_does_not_hold(world):
    managers = Role.objects.create(
        name="Role managers", rights=[Right.ROLE_SEARCH, Right.ROLE_ADD, Right.ROLE_EDIT]
    )
    actor = make_user(roles=[managers], districts=[world.mfoundi])
    with pytest.raises(Refused) as refused:
        services.role_create(actor=actor, name="Power", rights=[Right.USER_ADD])
    assert refused.value.field == "rights"
    with pytest.raises(Refused):
        services.role_update(
            actor=actor,
            role=managers,
            name="Role managers",
            rights=[Right.ROLE_SEARCH, Right.ROLE_ADD, Right.ROLE_EDIT, Right.CLAIM_PROCESS],
        )


def test_buttons_show_only_what_the_user_may_do(client, world):
    searchers = Role.objects.create(name="Role readers", rights=[Right.ROLE_SEARCH])
    reader = make_user(roles=[searchers], districts=[world.mfoundi])
    login(client, reader)
    custom = Role.objects.create(name="Custom", rights=[101001])
    html = client.get(reverse("roles:detail", kwargs={"uuid": custom.uuid})).content.decode()
    for name in ("roles:edit", "roles:duplicate", "roles:block", "roles:retire"):
        url = reverse(name, kwargs={"uuid": custom.uuid})
        assert url not in html
        assert client.get(url).status_code == 403
    assert reverse("roles:create") not in client.get(reverse("roles:list")).content.decode()
    assert client.get(reverse("roles:create")).status_code == 403


def test_the_role_list_makes_a_bounded_number_of_queries(
    client, imis_admin, django_assert_max_num_queries
):
    for i in range(20):
        Role.objects.create(name=f"Custom {i}", rights=[101001])
    login(client, imis_admin)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("roles:list")).status_code == 200
