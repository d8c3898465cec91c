"""The pages of users, roles and the Outils import/export load through one loader each: 403
without the right or out of scope, 404 for an unknown or malformed key, and the refusals
that the pages explain, which the services give too."""

import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from kinga.core.errors import Refused
from kinga.core.models import Role
from kinga.core.queries import roles as role_queries
from kinga.core.queries import users as user_queries
from kinga.core.rights import Right
from kinga.core.services import roles as role_services
from kinga.core.services import users as user_services

from ..conftest import login, make_user, system_role

USER_PAGES = ("users:detail", "users:edit", "users:password", "users:retire")
ROLE_PAGES = ("roles:detail", "roles:edit", "roles:duplicate", "roles:block", "roles:retire")


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def malformed(url: str, key) -> str:
    return url.replace(str(key), "not-a-uuid")


@pytest.fixture
def mfoundi_user(world):
    return make_user("cashier.mfoundi", roles=["receptionist"], districts=[world.mfoundi])


@pytest.fixture
def wouri_user(world):
    return make_user("cashier.wouri", roles=["receptionist"], districts=[world.wouri])


# --- users ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", USER_PAGES)
def test_a_user_page_is_403_without_the_user_rights(client, mfoundi_clerk, mfoundi_user, name):
    login(client, mfoundi_clerk)
    assert client.get(reverse(name, kwargs={"uuid": mfoundi_user.uuid})).status_code == 403


@pytest.mark.parametrize("name", USER_PAGES)
def test_a_user_of_another_district_is_403_even_by_post(client, hf_admin, wouri_user, name):
    login(client, hf_admin)
    url = reverse(name, kwargs={"uuid": wouri_user.uuid})
    assert client.get(url).status_code == 403
    assert client.post(url, {"username": "x", "new_password": "x"}).status_code == 403
    wouri_user.refresh_from_db()
    assert wouri_user.is_active and wouri_user.username == "cashier.wouri"


@pytest.mark.parametrize("name", USER_PAGES)
def test_an_unknown_or_malformed_user_is_404(client, imis_admin, name):
    login(client, imis_admin)
    key = uuid.uuid4()
    url = reverse(name, kwargs={"uuid": key})
    assert client.get(url).status_code == 404
    assert client.get(malformed(url, key)).status_code == 404


@pytest.mark.parametrize("name", ("users:edit", "users:password"))
def test_a_retired_users_edit_and_password_pages_are_403(client, imis_admin, mfoundi_user, name):
    user_services.user_retire(actor=imis_admin, user=mfoundi_user)
    login(client, imis_admin)
    assert client.get(reverse(name, kwargs={"uuid": mfoundi_user.uuid})).status_code == 403
    page = client.get(reverse("users:detail", kwargs={"uuid": mfoundi_user.uuid}))
    assert page.status_code == 200
    assert reverse(name, kwargs={"uuid": mfoundi_user.uuid}) not in page.content.decode()


def test_the_retire_page_and_the_service_agree_that_a_retired_user_stays_retired(
    client, imis_admin, mfoundi_user
):
    user_services.user_retire(actor=imis_admin, user=mfoundi_user)
    login(client, imis_admin)
    url = reverse("users:retire", kwargs={"uuid": mfoundi_user.uuid})
    assert "This user is already retired." in client.get(url).content.decode()
    assert client.post(url).status_code == 200  # the refusal again, nothing done
    with pytest.raises(Refused) as refused:
        user_services.user_retire(actor=imis_admin, user=mfoundi_user)
    assert refused.value.message == "This user is already retired."


def test_the_retire_page_and_the_service_agree_that_nobody_retires_himself(client, imis_admin):
    login(client, imis_admin)
    url = reverse("users:retire", kwargs={"uuid": imis_admin.uuid})
    assert "You cannot retire yourself." in client.get(url).content.decode()
    client.post(url)
    imis_admin.refresh_from_db()
    assert imis_admin.is_active
    assert not user_queries.may_user(imis_admin, imis_admin, "retire")


def test_nobody_resets_his_own_password_on_the_users_pages(client, imis_admin, mfoundi_user):
    assert user_queries.may_user(imis_admin, mfoundi_user, "password")
    assert not user_queries.may_user(imis_admin, imis_admin, "password")
    login(client, imis_admin)
    own = client.get(reverse("users:detail", kwargs={"uuid": imis_admin.uuid})).content.decode()
    assert reverse("users:password", kwargs={"uuid": imis_admin.uuid}) not in own
    strong = "Ndole#Plantain9"
    response = client.post(
        reverse("users:password", kwargs={"uuid": imis_admin.uuid}),
        {"new_password": strong, "new_password_confirm": strong},
    )
    assert "Change my password" in str(response.context["form"].errors["new_password"])


# --- roles ----------------------------------------------------------------------------------


@pytest.fixture
def custom_role(imis_admin):
    return role_services.role_create(actor=imis_admin, name="Searchers", rights=[101001])


@pytest.mark.parametrize("name", ROLE_PAGES)
def test_a_role_page_is_403_without_the_role_rights(client, hf_admin, custom_role, name):
    login(client, hf_admin)  # a user administrator, not a role administrator
    assert client.get(reverse(name, kwargs={"uuid": custom_role.uuid})).status_code == 403
    assert client.post(reverse(name, kwargs={"uuid": custom_role.uuid})).status_code == 403
    custom_role.refresh_from_db()
    assert custom_role.retired_at is None and not custom_role.is_blocked


@pytest.mark.parametrize("name", ROLE_PAGES)
def test_an_unknown_or_malformed_role_is_404(client, imis_admin, name):
    login(client, imis_admin)
    key = uuid.uuid4()
    url = reverse(name, kwargs={"uuid": key})
    assert client.get(url).status_code == 404
    assert client.get(malformed(url, key)).status_code == 404


def test_a_retired_role_is_not_edited_blocked_or_retired_again(client, imis_admin, custom_role):
    role_services.role_retire(actor=imis_admin, role=custom_role)
    login(client, imis_admin)
    edit = client.get(reverse("roles:edit", kwargs={"uuid": custom_role.uuid}), follow=True)
    assert edit.redirect_chain[-1][0] == reverse("roles:detail", kwargs={"uuid": custom_role.uuid})
    assert "This role is retired and cannot be changed." in edit.content.decode()
    block = client.get(reverse("roles:block", kwargs={"uuid": custom_role.uuid}))
    assert "This role is retired and cannot be changed." in block.content.decode()
    retire = client.get(reverse("roles:retire", kwargs={"uuid": custom_role.uuid}))
    assert "This role is already retired." in retire.content.decode()
    html = client.get(reverse("roles:detail", kwargs={"uuid": custom_role.uuid})).content.decode()
    for name in ("roles:edit", "roles:block", "roles:retire"):
        assert reverse(name, kwargs={"uuid": custom_role.uuid}) not in html
    assert reverse("roles:duplicate", kwargs={"uuid": custom_role.uuid}) in html


def test_the_pages_and_the_services_give_the_same_refusals_for_system_roles(client, imis_admin):
    clerk, admin = system_role(8), system_role(64)
    login(client, imis_admin)
    retire = client.get(reverse("roles:retire", kwargs={"uuid": clerk.uuid}))
    assert "A system role cannot be retired." in retire.content.decode()
    with pytest.raises(Refused) as refused:
        role_services.role_retire(actor=imis_admin, role=clerk)
    assert refused.value.message == role_queries.role_refusal(clerk, "retire")

    block = client.get(reverse("roles:block", kwargs={"uuid": admin.uuid}))
    assert "The IMIS Administrator role cannot be blocked." in block.content.decode()
    client.post(reverse("roles:block", kwargs={"uuid": admin.uuid}))
    admin.refresh_from_db()
    assert not admin.is_blocked
    with pytest.raises(Refused) as refused:
        role_services.role_block(actor=imis_admin, role=admin)
    assert refused.value.message == role_queries.role_refusal(admin, "block")


def test_a_role_manager_without_the_delete_right_cannot_retire_through_the_service(
    world, custom_role
):
    managers = Role.objects.create(name="Role editors", rights=[Right.ROLE_SEARCH, Right.ROLE_EDIT])
    editor = make_user(roles=[managers], districts=[world.mfoundi])
    assert role_queries.may_role(editor, custom_role, "edit")
    assert not role_queries.may_role(editor, custom_role, "retire")
    with pytest.raises(PermissionDenied):
        role_services.role_retire(actor=editor, role=custom_role)
    custom_role.refresh_from_db()
    assert custom_role.retired_at is None


# --- Outils: import and export of registers -------------------------------------------------


@pytest.fixture
def diagnoses_downloader(world):
    role = Role.objects.create(name="Downloaders", rights=[Right.DIAGNOSES_DOWNLOAD])
    return make_user("diag.down", roles=[role], districts=[world.mfoundi])


def test_the_outils_page_is_403_for_a_user_who_may_transfer_nothing(client, world):
    searchers = Role.objects.create(name="Searchers", rights=[Right.LOCATION_SEARCH])
    login(client, make_user(roles=[searchers], districts=[world.mfoundi]))
    assert client.get(reverse("transfer_index")).status_code == 403


def test_an_unknown_kind_is_404(client, imis_admin):
    login(client, imis_admin)
    assert client.get(reverse("transfer_import", args=["nothing"])).status_code == 404
    assert client.get(reverse("transfer_export", args=["nothing"])).status_code == 404


def test_a_kind_is_exported_but_not_imported_with_the_download_right_only(
    client, diagnoses_downloader
):
    login(client, diagnoses_downloader)
    index = client.get(reverse("transfer_index"))
    assert [row["kind"].key for row in index.context["rows"]] == ["diagnoses"]
    assert client.get(reverse("transfer_import", args=["diagnoses"])).status_code == 403
    assert client.post(reverse("transfer_import", args=["diagnoses"])).status_code == 403
    export = client.get(reverse("transfer_export", args=["diagnoses"]), {"format": "csv"})
    assert export.status_code == 200
    assert client.get(reverse("transfer_export", args=["items"])).status_code == 403
