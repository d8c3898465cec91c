"""The login created with an enrolment officer (issue 11, item 2): who does not hold every right
of the Enrolment Officer role (a scheme administrator holds the officer rights, not the family
rights) may not choose its password — he could log in with it and use the family rights he
lacks.  The login gets a one-time activation code instead, shown once to him; the officer
chooses his password with it on « Activate my account »."""

import html
import re

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from kinga.core.models import LoginCode, Role
from kinga.core.rights import Right
from kinga.insurees.models import Officer

from ..conftest import PASSWORD, login, make_user

CREATE = reverse("officers:create")
NEW = "Ndole#Plantain9"
# A code is three groups of four; the look-arounds keep the digit groups of a UUID out.
CODE = re.compile(r"(?<![\w-])[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}(?![\w-])")


def form_data(places, **changes):
    data = {
        "code": "EO001",
        "last_name": "Ateba",
        "other_names": "Paul",
        "district": places.mfoundi.pk,
        "villages": [places.nlongkak.pk],
    }
    data.update(changes)
    return data


def shown_code(response) -> str:
    """The one-time code in the page the creator lands on."""
    found = CODE.findall(response.content.decode())
    assert len(found) == 1, response.content.decode()
    return found[0]


def activate(code: str, username="EO001", password=NEW):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client.post(
        reverse("activate"),
        {
            "username": username,
            "code": code,
            "new_password": password,
            "new_password_confirm": password,
        },
    )


def test_a_scheme_admin_is_not_offered_the_password_of_an_officers_login(
    client, scheme_admin, places
):
    login(client, scheme_admin)
    page = client.get(CREATE).text
    assert 'name="create_login"' in page
    assert 'name="password"' not in page
    assert "one-time activation code" in page


def test_a_password_he_sends_anyway_is_not_the_logins(client, scheme_admin, places):
    """A forged form: the login still gets a code, never the password he chose."""
    login(client, scheme_admin)
    response = client.post(
        CREATE,
        form_data(places, create_login="on", password=PASSWORD, password_confirm=PASSWORD),
        follow=True,
    )
    shown_code(response)
    user = Officer.objects.get(code="EO001").user
    assert not user.check_password(PASSWORD) and not user.has_usable_password()
    outsider = Client()
    outsider.post(reverse("login"), {"username": "EO001", "password": PASSWORD})
    assert SESSION_KEY not in outsider.session


def test_the_service_refuses_a_password_chosen_by_who_lacks_the_roles_rights(scheme_admin, places):
    from kinga.core.errors import Refused
    from kinga.insurees.services import officers as services

    with pytest.raises(Refused) as refused:
        services.officer_create(
            actor=scheme_admin,
            code="EO001",
            last_name="Ateba",
            other_names="Paul",
            district=places.mfoundi,
            create_login=True,
            password=PASSWORD,
        )
    assert refused.value.field == "password"
    assert not Officer.objects.exists()


def test_the_login_gets_a_one_time_code_shown_once_and_the_officer_activates_it(
    client, scheme_admin, places
):
    login(client, scheme_admin)
    response = client.post(CREATE, form_data(places, create_login="on"), follow=True)
    code = shown_code(response)
    officer = Officer.objects.get(code="EO001")
    user = officer.user
    assert not user.has_usable_password()
    # Shown this once: not on the next page, and only its hash is kept.
    assert not CODE.findall(client.get(reverse("officers:detail", args=[officer.uuid])).text)
    stored = LoginCode.objects.get(user=user)
    assert code not in stored.code_hash and code.replace("-", "") not in stored.code_hash
    assert stored.purpose == "activate" and stored.created_by == scheme_admin

    # The scheme administrator cannot log in as the officer: no password works.
    outsider = Client()
    assert (
        outsider.post(reverse("login"), {"username": "EO001", "password": PASSWORD}).status_code
        == 200
    )

    assert activate(code).status_code == 302
    officer_client = Client()
    assert (
        officer_client.post(reverse("login"), {"username": "eo001", "password": NEW}).status_code
        == 302
    )
    assert str(officer_client.session[SESSION_KEY]) == str(user.pk)
    # The code serves once.
    response = activate(code, password="Other#Plantain8")
    assert response.status_code == 200
    assert "the code has expired or was already used" in response.content.decode()


def test_who_holds_every_right_of_the_role_may_choose_the_password(client, places):
    officer_role = Role.objects.get(is_system=1)
    chooser = Role.objects.create(
        name="Officers and families",
        rights=sorted({*officer_role.rights, Right.OFFICER_SEARCH, Right.OFFICER_ADD}),
    )
    actor = make_user("chooser", roles=[chooser], districts=[places.mfoundi])
    login(client, actor)
    response = client.post(
        CREATE,
        form_data(places, create_login="on", password=NEW, password_confirm=NEW),
        follow=True,
    )
    assert response.status_code == 200
    assert not CODE.findall(response.content.decode())
    user = Officer.objects.get(code="EO001").user
    assert user.check_password(NEW)
    assert not LoginCode.objects.filter(user=user).exists()


def test_a_login_added_to_an_existing_officer_gets_a_code_too(client, scheme_admin, places):
    login(client, scheme_admin)
    client.post(CREATE, form_data(places))
    officer = Officer.objects.get(code="EO001")
    response = client.post(
        reverse("officers:edit", args=[officer.uuid]),
        form_data(places, create_login="on"),
        follow=True,
    )
    code = shown_code(response)
    assert activate(code).status_code == 302


@pytest.mark.parametrize("typed", ["lower", "spaces"])
def test_the_code_is_read_as_typed_from_paper(client, scheme_admin, places, typed):
    login(client, scheme_admin)
    code = shown_code(client.post(CREATE, form_data(places, create_login="on"), follow=True))
    written = code.lower() if typed == "lower" else code.replace("-", " ")
    assert activate(written).status_code == 302


def test_the_login_box_speaks_french(scheme_admin, places):
    client = Client()  # French by default
    login(client, scheme_admin)
    assert "code d'activation à usage unique" in html.unescape(client.get(CREATE).text)
