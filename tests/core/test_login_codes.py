"""One-time codes (issue 11, item 2): shown once, kept hashed, expiring, used once, and given by
an administrator only to a user whose every right he holds."""

import html
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kinga.core.models import LoginCode
from kinga.core.services import login_codes

from ..conftest import PASSWORD, login, system_role

NEW = "Ndole#Plantain9"
# A code is three groups of four; the look-arounds keep the digit groups of a UUID out.
CODE = re.compile(r"(?<![\w-])[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}(?![\w-])")


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def activate(username, code, password=NEW):
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


def give(client, admin, user):
    login(client, admin)
    url = reverse("users:code", kwargs={"uuid": user.uuid})
    assert "One-time code for" in client.get(url).content.decode()
    response = client.post(url, follow=True)
    codes = CODE.findall(response.content.decode())
    assert len(codes) == 1
    return codes[0]


def test_an_administrator_gives_a_code_and_the_user_sets_his_password(
    client, imis_admin, mfoundi_clerk
):
    code = give(client, imis_admin, mfoundi_clerk)
    mfoundi_clerk.refresh_from_db()
    assert mfoundi_clerk.check_password(PASSWORD)  # his password works until he uses the code
    assert activate("clerk.mfoundi", code).status_code == 302
    mfoundi_clerk.refresh_from_db()
    assert mfoundi_clerk.check_password(NEW)
    assert mfoundi_clerk.history.filter(history_change_reason__contains="one-time code").exists()
    again = activate("clerk.mfoundi", code, "Other#Plantain8")
    assert "already used" in again.content.decode()


def test_the_activation_page_is_public_and_linked_from_the_login_page(client):
    assert reverse("activate") in client.get(reverse("login")).content.decode()
    page = client.get(reverse("activate"))
    assert page.status_code == 200 and "Activate my account" in page.content.decode()


def test_hf_admin_cannot_give_a_code_to_a_user_holding_rights_he_lacks(
    client, hf_admin, enrolment_officer
):
    login(client, hf_admin)
    url = reverse("users:code", kwargs={"uuid": enrolment_officer.uuid})
    page = client.get(reverse("users:detail", kwargs={"uuid": enrolment_officer.uuid}))
    assert url not in page.content.decode()
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert not LoginCode.objects.exists()


def test_nobody_gives_himself_a_code(client, imis_admin):
    login(client, imis_admin)
    response = client.post(reverse("users:code", kwargs={"uuid": imis_admin.uuid}))
    assert response.status_code == 200
    assert "Change my password" in response.content.decode()
    assert not LoginCode.objects.exists()


def test_the_code_is_kept_hashed(imis_admin, mfoundi_clerk):
    issued = login_codes.issue_code(actor=imis_admin, user=mfoundi_clerk)
    row = LoginCode.objects.get()
    raw = issued.code.replace("-", "")
    assert raw not in row.code_hash and issued.code not in row.code_hash


def test_an_expired_code_is_refused(imis_admin, mfoundi_clerk):
    issued = login_codes.issue_code(actor=imis_admin, user=mfoundi_clerk)
    LoginCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = activate("clerk.mfoundi", issued.code)
    assert response.status_code == 200
    assert "expired" in response.content.decode()
    mfoundi_clerk.refresh_from_db()
    assert mfoundi_clerk.check_password(PASSWORD)


def test_a_new_code_voids_the_older_one(imis_admin, mfoundi_clerk):
    old = login_codes.issue_code(actor=imis_admin, user=mfoundi_clerk)
    new = login_codes.issue_code(actor=imis_admin, user=mfoundi_clerk)
    assert activate("clerk.mfoundi", old.code).status_code == 200
    assert activate("clerk.mfoundi", new.code).status_code == 302


def test_a_code_serves_only_its_own_user(imis_admin, mfoundi_clerk, other_district_clerk):
    issued = login_codes.issue_code(actor=imis_admin, user=mfoundi_clerk)
    assert activate("clerk.wouri", issued.code).status_code == 200
    other_district_clerk.refresh_from_db()
    assert other_district_clerk.check_password(PASSWORD)


def test_a_retired_user_cannot_use_his_code(client, imis_admin, mfoundi_clerk):
    issued = login_codes.issue_code(actor=imis_admin, user=mfoundi_clerk)
    login(client, imis_admin)
    client.post(reverse("users:retire", kwargs={"uuid": mfoundi_clerk.uuid}))
    assert activate("clerk.mfoundi", issued.code).status_code == 200


def test_the_new_password_follows_the_policy_and_the_code_stays_usable(imis_admin, mfoundi_clerk):
    issued = login_codes.issue_code(actor=imis_admin, user=mfoundi_clerk)
    weak = activate("clerk.mfoundi", issued.code, "short")
    assert weak.status_code == 200
    assert "too short" in str(weak.context["form"].errors["new_password"])
    assert activate("clerk.mfoundi", issued.code).status_code == 302


def test_a_user_created_without_password_gets_a_code_shown_to_his_creator(
    client, imis_admin, world
):
    login(client, imis_admin)
    response = client.post(
        reverse("users:create"),
        {
            "username": "new.clerk",
            "last_name": "Mbarga",
            "other_names": "Paul",
            "language": "fr",
            "roles": [system_role(8).pk],
            "districts": [world.mfoundi.pk],
        },
        follow=True,
    )
    codes = CODE.findall(response.content.decode())
    assert len(codes) == 1
    assert activate("NEW.CLERK", codes[0]).status_code == 302
    logged = Client()
    assert (
        logged.post(reverse("login"), {"username": "new.clerk", "password": NEW}).status_code == 302
    )
    assert logged.session[SESSION_KEY]


def test_the_pages_speak_french(imis_admin, mfoundi_clerk):
    client = Client()  # French by default
    page = client.get(reverse("activate")).content.decode()
    assert "Activer mon compte" in page
    response = client.post(
        reverse("activate"),
        {
            "username": "clerk.mfoundi",
            "code": "AAAA-BBBB-CCCC",
            "new_password": NEW,
            "new_password_confirm": NEW,
        },
    )
    assert "Cet identifiant et ce code ne correspondent pas" in response.content.decode()
    login(client, imis_admin)
    code_page = client.get(reverse("users:code", kwargs={"uuid": mfoundi_clerk.uuid}))
    assert "Code à usage unique pour" in code_page.content.decode()
    shown = client.post(reverse("users:code", kwargs={"uuid": mfoundi_clerk.uuid}), follow=True)
    assert "Code à usage unique de l'identifiant clerk.mfoundi" in html.unescape(shown.text)


def test_a_code_lasts_as_long_as_the_setting_says(imis_admin, mfoundi_clerk, settings):
    settings.KINGA_LOGIN_CODE_HOURS = 2
    issued = login_codes.issue_code(actor=imis_admin, user=mfoundi_clerk)
    assert timedelta(hours=1, minutes=59) < issued.expires_at - timezone.now() <= timedelta(hours=2)
