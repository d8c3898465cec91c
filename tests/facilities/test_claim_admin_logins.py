"""The login created with a claim administrator (issue 11, item 2): who does not hold every right
of the Claim Administrator role (a scheme administrator does not hold the claim rights) may not
choose its password; the login gets a one-time activation code, shown once, with which the
claim administrator chooses his password on « Activate my account »."""

import re

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from kinga.core.models import LoginCode, Role, User
from kinga.core.rights import Right
from kinga.facilities.models import ClaimAdmin

from ..conftest import login, make_user

NEW = "Ndole#Plantain9"
CHOSEN = "Kinga#Claims2026"
# A code is three groups of four; the look-arounds keep the digit groups of a UUID out.
CODE = re.compile(r"(?<![\w-])[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}(?![\w-])")
CREATE = reverse("claim_admins:create")


def post(hcy, **changes):
    data = {
        "code": "HCY-CA1",
        "last_name": "Mvondo",
        "other_names": "Eric",
        "language": "fr",
        "health_facility": hcy.uuid,
        "with_login": "on",
    }
    data.update(changes)
    return data


def activate(code: str, password=NEW):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client.post(
        reverse("activate"),
        {
            "username": "HCY-CA1",
            "code": code,
            "new_password": password,
            "new_password_confirm": password,
        },
    )


def test_a_scheme_admin_is_not_offered_the_password_of_a_claim_admins_login(
    client, scheme_admin, hcy
):
    login(client, scheme_admin)
    page = client.get(CREATE).content.decode()
    assert 'name="with_login"' in page and 'name="password"' not in page


def test_a_password_he_sends_anyway_is_not_the_logins(client, scheme_admin, hcy):
    login(client, scheme_admin)
    response = client.post(CREATE, post(hcy, password=CHOSEN), follow=True)
    assert len(CODE.findall(response.content.decode())) == 1
    user = User.objects.get(username="HCY-CA1")
    assert not user.check_password(CHOSEN) and not user.has_usable_password()


def test_the_service_refuses_a_password_chosen_by_who_lacks_the_roles_rights(scheme_admin, hcy):
    from kinga.core.errors import Refused
    from kinga.facilities.services import claim_admins as services

    with pytest.raises(Refused) as refused:
        services.claim_admin_create(
            actor=scheme_admin,
            code="HCY-CA1",
            last_name="Mvondo",
            other_names="Eric",
            health_facility=hcy,
            with_login=True,
            password=CHOSEN,
        )
    assert refused.value.field == "password"
    assert "You may not choose the password of this login" in refused.value.message
    assert not ClaimAdmin.objects.exists()
    assert not User.objects.filter(username="HCY-CA1").exists()


def test_the_login_gets_a_one_time_code_and_the_claim_admin_chooses_his_password(
    client, scheme_admin, hcy
):
    login(client, scheme_admin)
    response = client.post(CREATE, post(hcy), follow=True)
    codes = CODE.findall(response.content.decode())
    assert len(codes) == 1
    user = ClaimAdmin.objects.get().user
    assert not user.has_usable_password()
    assert LoginCode.objects.get(user=user).purpose == "activate"

    assert activate(codes[0]).status_code == 302
    claims = Client()
    assert (
        claims.post(reverse("login"), {"username": "HCY-CA1", "password": NEW}).status_code == 302
    )
    assert str(claims.session[SESSION_KEY]) == str(user.pk)


def test_a_wrong_code_sets_nothing(client, scheme_admin, hcy):
    login(client, scheme_admin)
    client.post(CREATE, post(hcy))
    response = activate("AAAA-BBBB-CCCC")
    assert response.status_code == 200
    assert "do not match" in response.content.decode()
    assert not User.objects.get(username="HCY-CA1").has_usable_password()


def test_who_holds_every_right_of_the_role_may_choose_the_password(client, hcy, world):
    claim_role = Role.objects.get(is_system=256)
    both = Role.objects.create(
        name="Claims and their administrators",
        rights=sorted({*claim_role.rights, Right.CLAIM_ADMIN_SEARCH, Right.CLAIM_ADMIN_ADD}),
    )
    actor = make_user("claims.chief", roles=[both], districts=[world.mfoundi])
    login(client, actor)
    assert client.post(CREATE, post(hcy, password=CHOSEN)).status_code == 302
    user = ClaimAdmin.objects.get().user
    assert user.check_password(CHOSEN)
    assert not LoginCode.objects.filter(user=user).exists()
