"""A user administrator acts on a user (password, edit, retire) only when he holds every right of
that user (issue 11, item 2): else setting the password would let him log in as the user and
use rights he lacks."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from kinga.core.models import Role
from kinga.core.services import users as services

from ..conftest import PASSWORD, login, make_user

STRONG = "Ndole#Plantain9"


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def desk_role(db):
    """A role whose rights the HF Administrator holds (users: search)."""
    return Role.objects.create(name="Desk", rights=[121701])


def test_hf_admin_cannot_reset_an_enrolment_officers_password_nor_log_in_as_him(
    client, hf_admin, enrolment_officer
):
    login(client, hf_admin)
    url = reverse("users:password", kwargs={"uuid": enrolment_officer.uuid})
    assert client.get(url).status_code == 403
    response = client.post(url, {"new_password": STRONG, "new_password_confirm": STRONG})
    assert response.status_code == 403
    enrolment_officer.refresh_from_db()
    assert enrolment_officer.check_password(PASSWORD)

    client.logout()
    attempt = client.post(
        reverse("login"), {"username": enrolment_officer.username, "password": STRONG}
    )
    assert attempt.status_code == 200  # the login form again: wrong password
    assert client.get(reverse("families:list")).status_code == 302  # still not logged in


def test_hf_admin_cannot_edit_or_retire_a_user_holding_rights_he_lacks(
    client, hf_admin, enrolment_officer
):
    login(client, hf_admin)
    page = client.get(reverse("users:detail", kwargs={"uuid": enrolment_officer.uuid}))
    assert page.status_code == 200  # he sees him, in his district
    assert page.context["can_reset"] is False
    assert page.context["can_edit"] is False
    assert page.context["can_retire"] is False
    for name in ("edit", "retire"):
        url = reverse(f"users:{name}", kwargs={"uuid": enrolment_officer.uuid})
        assert client.get(url).status_code == 403
        assert client.post(url, {"username": "taken.over"}).status_code == 403
    enrolment_officer.refresh_from_db()
    assert enrolment_officer.is_active and enrolment_officer.username == "enrolment.mfoundi"
    with pytest.raises(PermissionDenied):
        services.user_retire(actor=hf_admin, user=enrolment_officer)


def test_a_blocked_role_still_counts_among_the_users_rights(client, hf_admin, enrolment_officer):
    """Unblocking the role would give the rights back: the rule counts them."""
    role = enrolment_officer.roles.get()
    Role.objects.filter(pk=role.pk).update(is_blocked=True)
    login(client, hf_admin)
    url = reverse("users:password", kwargs={"uuid": enrolment_officer.uuid})
    assert client.get(url).status_code == 403


def test_hf_admin_resets_the_password_of_a_user_whose_rights_he_holds(
    client, hf_admin, desk_role, world
):
    desk = make_user("desk.mfoundi", roles=[desk_role], districts=[world.mfoundi])
    login(client, hf_admin)
    page = client.get(reverse("users:detail", kwargs={"uuid": desk.uuid}))
    assert page.context["can_reset"] is True
    url = reverse("users:password", kwargs={"uuid": desk.uuid})
    response = client.post(url, {"new_password": STRONG, "new_password_confirm": STRONG})
    assert response.status_code == 302
    desk.refresh_from_db()
    assert desk.check_password(STRONG)


def test_the_imis_administrator_acts_on_everyone(client, imis_admin, enrolment_officer):
    login(client, imis_admin)
    url = reverse("users:password", kwargs={"uuid": enrolment_officer.uuid})
    response = client.post(url, {"new_password": STRONG, "new_password_confirm": STRONG})
    assert response.status_code == 302
