"""Failed logins lock a login name from one address only (issue 11, item 2): nobody locks
`admin` out from elsewhere, the address is the proxy's last one only when KINGA_BEHIND_PROXY
says a proxy of ours is there, and the account owner lifts the lock by setting a new password
with a one-time code."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from kinga.core.services import login_codes

from ..conftest import PASSWORD

ATTACKER = "203.0.113.66"
OWNER = "192.0.2.10"
NEW = "Ndole#Plantain9"


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def post_login(client, username, password, **meta):
    return client.post(reverse("login"), {"username": username, "password": password}, **meta)


def attack(client, username="admin.imis", **meta):
    meta.setdefault("REMOTE_ADDR", ATTACKER)
    return [post_login(client, username, "wrong", **meta).status_code for _ in range(5)]


def test_five_failures_from_one_address_do_not_lock_the_owner_out_from_his(
    client, imis_admin, settings
):
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert attack(client) == [200, 200, 200, 200, 429]
    assert post_login(client, "admin.imis", PASSWORD, REMOTE_ADDR=ATTACKER).status_code == 429
    response = post_login(client, "admin.imis", PASSWORD, REMOTE_ADDR=OWNER)
    assert response.status_code == 302
    assert str(client.session[SESSION_KEY]) == str(imis_admin.pk)


def test_the_case_of_the_login_name_does_not_escape_the_lock(client, imis_admin):
    meta = {"REMOTE_ADDR": ATTACKER}
    for name in ("admin.imis", "ADMIN.imis", "Admin.Imis", "admin.IMIS"):
        post_login(client, name, "wrong", **meta)
    assert post_login(client, " ADMIN.IMIS ", "wrong", **meta).status_code == 429
    assert post_login(client, "admin.imis", PASSWORD, **meta).status_code == 429


def test_without_a_proxy_the_forwarded_header_is_not_believed(client, imis_admin, settings):
    settings.KINGA_BEHIND_PROXY = False
    for i in range(5):
        post_login(
            client,
            "admin.imis",
            "wrong",
            REMOTE_ADDR=ATTACKER,
            HTTP_X_FORWARDED_FOR=f"198.51.100.{i}",
        )
    response = post_login(
        client, "admin.imis", PASSWORD, REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR="198.51.100.99"
    )
    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}


def test_behind_our_proxy_the_address_it_saw_counts_and_not_what_the_client_sent(
    client, imis_admin, settings
):
    settings.KINGA_BEHIND_PROXY = True
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    for i in range(5):
        # The attacker sends a new forged address each time; the proxy appends the real one.
        post_login(
            client, "admin.imis", "wrong", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}, {ATTACKER}", **proxy
        )
    assert (
        post_login(
            client, "admin.imis", PASSWORD, HTTP_X_FORWARDED_FOR=f"10.0.0.9, {ATTACKER}", **proxy
        ).status_code
        == 429
    )
    response = post_login(client, "admin.imis", PASSWORD, HTTP_X_FORWARDED_FOR=OWNER, **proxy)
    assert response.status_code == 302


def test_the_owner_unlocks_his_account_with_a_one_time_code(
    client, imis_admin, mfoundi_clerk, django_capture_on_commit_callbacks
):
    meta = {"REMOTE_ADDR": OWNER}
    attack(client, "clerk.mfoundi", **meta)
    assert post_login(client, "clerk.mfoundi", PASSWORD, **meta).status_code == 429
    code = login_codes.issue_code(actor=imis_admin, user=mfoundi_clerk).code
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("activate"),
            {
                "username": "clerk.mfoundi",
                "code": code,
                "new_password": NEW,
                "new_password_confirm": NEW,
            },
            **meta,
        )
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="clerk.mfoundi").exists()
    assert post_login(client, "clerk.mfoundi", NEW, **meta).status_code == 302


def test_an_administrators_reset_unlocks_too(
    client, imis_admin, mfoundi_clerk, django_capture_on_commit_callbacks
):
    from django.test import Client

    meta = {"REMOTE_ADDR": OWNER}
    attack(client, "clerk.mfoundi", **meta)
    admin = Client()
    admin.force_login(imis_admin)
    url = reverse("users:password", kwargs={"uuid": mfoundi_clerk.uuid})
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(url, {"new_password": NEW, "new_password_confirm": NEW})
    assert response.status_code == 302
    assert post_login(client, "clerk.mfoundi", NEW, **meta).status_code == 302
