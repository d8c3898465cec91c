"""Login names and role names are unique whatever their case, in the database (issue 11,
item 5), and one logs in with his login name typed in any case."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from kinga.core.models import Role, User

from ..conftest import PASSWORD, login, make_user, system_role


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def test_a_login_differing_only_in_case_is_refused_by_the_page(client, imis_admin, world):
    make_user("paul.mbarga", roles=["clerk"], districts=[world.mfoundi])
    login(client, imis_admin)
    response = client.post(
        reverse("users:create"),
        {
            "username": "Paul.Mbarga",
            "last_name": "Mbarga",
            "other_names": "Paul",
            "language": "fr",
            "roles": [system_role(8).pk],
            "districts": [world.mfoundi.pk],
        },
    )
    assert response.status_code == 200
    assert "A user with this login name already exists" in str(
        response.context["form"].errors["username"]
    )
    assert User.objects.filter(username__iexact="paul.mbarga").count() == 1


def test_the_database_refuses_two_current_logins_differing_only_in_case(world):
    make_user("paul.mbarga")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="PAUL.MBARGA", last_name="M", other_names="P")


def test_the_database_refuses_two_current_roles_differing_only_in_case(db):
    Role.objects.create(name="Cashiers", rights=[101001])
    with pytest.raises(IntegrityError), transaction.atomic():
        Role.objects.create(name="CASHIERS", rights=[101001])


def test_one_logs_in_with_his_login_name_in_any_case(client, mfoundi_clerk):
    response = client.post(reverse("login"), {"username": "CLERK.Mfoundi", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"].pk == mfoundi_clerk.pk
