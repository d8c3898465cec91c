"""Login, lockout, password change, logout, sessions and the language switch."""

import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from kinga.core.middleware import SESSION_STARTED
from kinga.core.models import User

from ..conftest import PASSWORD, login, make_user

NEW_PASSWORD = "Nouveau#Mot2026"


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def post_login(client, username, password, **kwargs):
    return client.post(reverse("login"), {"username": username, "password": password}, **kwargs)


def logged_in_user_id(client):
    return client.session.get(SESSION_KEY)


# --- Login ---------------------------------------------------------------------------------


def test_the_login_page_is_in_french_by_default(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert '<html lang="fr">' in response.content.decode()
    assert response["Content-Language"] == "fr"


def test_the_language_cookie_chooses_the_language_of_the_login_page(client, db):
    response = english(client).get(reverse("login"))
    assert '<html lang="en">' in response.content.decode()
    assert response["Content-Language"] == "en"


def test_login_with_the_right_password_opens_a_session(client, mfoundi_clerk):
    response = post_login(client, "clerk.mfoundi", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert str(logged_in_user_id(client)) == str(mfoundi_clerk.pk)


def test_login_follows_a_local_next_but_not_an_off_site_one(client, mfoundi_clerk):
    url = reverse("login")
    data = {"username": "clerk.mfoundi", "password": PASSWORD}
    response = client.post(f"{url}?next=/profile/", data)
    assert response["Location"] == "/profile/"
    client.post(reverse("logout"))
    response = client.post(f"{url}?next=https://evil.example/", data)
    assert response["Location"] == reverse("home")


def test_login_sets_the_language_cookie_to_the_users_language(client, world):
    make_user("anglo", language="en")
    response = post_login(client, "anglo", PASSWORD)
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    home = client.get(reverse("home"))
    assert '<html lang="en">' in home.content.decode()


def test_login_with_a_wrong_password_shows_the_error_on_the_login_page(client, mfoundi_clerk):
    response = english(client).post(
        reverse("login"), {"username": "clerk.mfoundi", "password": "wrong"}
    )
    assert response.status_code == 200
    assert response.templates[0].name == "core/login.html"
    html = response.content.decode()
    assert "Wrong login name or password." in html
    assert 'value="clerk.mfoundi"' in html  # the form keeps what the user typed
    assert logged_in_user_id(client) is None


def test_a_retired_user_cannot_log_in(client, world):
    make_user("gone", is_active=False)
    response = post_login(client, "gone", PASSWORD)
    assert response.status_code == 200
    assert logged_in_user_id(client) is None


def test_login_gives_a_new_session_key(client, mfoundi_clerk):
    client.get(reverse("login"))
    session = client.session
    session["before"] = 1
    session.save()
    before = session.session_key
    post_login(client, "clerk.mfoundi", PASSWORD)
    assert client.session.session_key != before


def test_retiring_a_user_ends_his_open_session(client, mfoundi_clerk):
    login(client, mfoundi_clerk)
    assert client.get(reverse("home")).status_code == 200
    User.objects.filter(pk=mfoundi_clerk.pk).update(is_active=False, retired_at=timezone.now())
    assert client.get(reverse("home")).status_code == 302


def test_a_logged_in_user_going_to_the_login_page_lands_home(client, mfoundi_clerk):
    response = login(client, mfoundi_clerk).get(reverse("login"))
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


# --- Lockout -------------------------------------------------------------------------------


def fail_five_times(client, username="clerk.mfoundi"):
    return [post_login(client, username, "wrong").status_code for _ in range(5)]


def test_five_failed_logins_lock_the_login_name(client, mfoundi_clerk):
    assert settings.AXES_HANDLER == "axes.handlers.database.AxesDatabaseHandler"
    codes = fail_five_times(english(client))
    assert codes == [200, 200, 200, 200, 429]
    response = post_login(client, "clerk.mfoundi", PASSWORD)
    assert response.status_code == 429
    assert "core/locked_out.html" in [t.name for t in response.templates]
    assert "this account is locked for 5 minutes" in response.content.decode()
    assert logged_in_user_id(client) is None


def test_spaces_around_the_login_name_do_not_escape_the_lockout(client, mfoundi_clerk):
    fail_five_times(client)
    response = post_login(client, "  clerk.mfoundi ", PASSWORD)
    assert response.status_code == 429
    assert logged_in_user_id(client) is None


def test_the_lockout_is_by_login_name_so_others_can_still_log_in(client, mfoundi_clerk, world):
    make_user("colleague")
    fail_five_times(client)
    response = post_login(client, "colleague", PASSWORD)
    assert response.status_code == 302


def test_four_failures_then_the_right_password_logs_in_and_resets_the_count(client, mfoundi_clerk):
    for _ in range(4):
        post_login(client, "clerk.mfoundi", "wrong")
    assert post_login(client, "clerk.mfoundi", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    assert not AccessAttempt.objects.filter(username="clerk.mfoundi").exists()
    for _ in range(4):
        post_login(client, "clerk.mfoundi", "wrong")
    assert post_login(client, "clerk.mfoundi", PASSWORD).status_code == 302


def test_the_lock_lifts_after_five_minutes(client, mfoundi_clerk):
    fail_five_times(client)
    assert post_login(client, "clerk.mfoundi", PASSWORD).status_code == 429
    # Four minutes later: still locked.
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=4))
    assert post_login(client, "clerk.mfoundi", PASSWORD).status_code == 429
    # Six minutes after the last failure.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=6))
    response = post_login(client, "clerk.mfoundi", PASSWORD)
    assert response.status_code == 302
    assert str(logged_in_user_id(client)) == str(mfoundi_clerk.pk)


# --- Password change -----------------------------------------------------------------------


def change_password(client, new1, new2=None, old=PASSWORD):
    return client.post(
        reverse("password_change"),
        {"old_password": old, "new_password1": new1, "new_password2": new2 or new1},
    )


def error_codes(response, field):
    return {e.code for e in response.context["form"].errors.as_data().get(field, [])}


@pytest.mark.parametrize(
    "new_password, code",
    [
        ("Ab#1cd", "password_too_short"),
        ("nouveau#mot2026", "password_character_classes"),  # no upper-case letter
        ("NOUVEAU#MOT2026", "password_character_classes"),  # no lower-case letter
        ("Nouveau#MotDePasse", "password_character_classes"),  # no digit
        ("NouveauMot2026", "password_character_classes"),  # no symbol
        ("My-clerk.mfoundi-2026", "password_like_login"),
        ("CLERK.mfoundi#1", "password_like_login"),
    ],
)
def test_a_weak_password_is_refused_with_the_reason_on_the_field(
    client, mfoundi_clerk, new_password, code
):
    response = change_password(english(login(client, mfoundi_clerk)), new_password)
    assert response.status_code == 200
    assert code in error_codes(response, "new_password2")
    assert 'id="id_new_password2_error"' in response.content.decode()
    mfoundi_clerk.refresh_from_db()
    assert mfoundi_clerk.check_password(PASSWORD)


def test_accented_capitals_count_as_upper_case_letters(client, mfoundi_clerk):
    response = change_password(login(client, mfoundi_clerk), "Éléphant#2026")
    assert response.status_code == 302
    mfoundi_clerk.refresh_from_db()
    assert mfoundi_clerk.check_password("Éléphant#2026")


def test_accented_small_letters_are_not_upper_case_letters(client, mfoundi_clerk):
    response = change_password(login(client, mfoundi_clerk), "éléphant#2026")
    assert "password_character_classes" in error_codes(response, "new_password2")


def test_the_character_classes_error_names_what_is_missing(client, mfoundi_clerk):
    response = change_password(english(login(client, mfoundi_clerk)), "nouveau-mot-de-passe")
    html = response.content.decode()
    assert "The password must contain an upper-case letter, a digit." in html


def test_changing_the_password_requires_the_old_one(client, mfoundi_clerk):
    response = change_password(login(client, mfoundi_clerk), NEW_PASSWORD, old="Wrong#Old2026")
    assert response.status_code == 200
    assert error_codes(response, "old_password") == {"password_incorrect"}
    mfoundi_clerk.refresh_from_db()
    assert mfoundi_clerk.check_password(PASSWORD)


def test_the_two_new_passwords_must_match(client, mfoundi_clerk):
    response = change_password(login(client, mfoundi_clerk), NEW_PASSWORD, NEW_PASSWORD + "x")
    assert "password_mismatch" in error_codes(response, "new_password2")


def test_a_good_password_is_saved_and_replaces_the_old_one(client, mfoundi_clerk):
    english(login(client, mfoundi_clerk))
    response = change_password(client, NEW_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("profile")
    profile = client.get(reverse("profile"))  # still logged in
    assert profile.status_code == 200
    assert "Your password has been changed." in profile.content.decode()
    user = User.objects.get(pk=mfoundi_clerk.pk)
    assert user.password_changed_at is not None
    assert user.history.first().history_change_reason == "password changed"

    client.post(reverse("logout"))
    assert post_login(client, "clerk.mfoundi", PASSWORD).status_code == 200
    assert logged_in_user_id(client) is None
    assert post_login(client, "clerk.mfoundi", NEW_PASSWORD).status_code == 302


def test_changing_the_password_ends_the_users_other_sessions(client, mfoundi_clerk):
    from django.test import Client

    other = login(Client(), mfoundi_clerk)
    assert other.get(reverse("home")).status_code == 200
    change_password(login(client, mfoundi_clerk), NEW_PASSWORD)
    assert client.get(reverse("home")).status_code == 200
    assert other.get(reverse("home")).status_code == 302


def test_the_password_page_needs_a_login(client, db):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- Logout --------------------------------------------------------------------------------


def test_logout_by_get_is_refused(client, mfoundi_clerk):
    response = login(client, mfoundi_clerk).get(reverse("logout"))
    assert response.status_code == 405
    assert logged_in_user_id(client) is not None


def test_after_logout_pages_ask_for_a_login_again(client, mfoundi_clerk):
    login(client, mfoundi_clerk)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    response = client.get(reverse("profile"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/profile/"


# --- Sessions ------------------------------------------------------------------------------


def test_the_session_cookie_ends_with_the_browser(client, mfoundi_clerk):
    post_login(client, "clerk.mfoundi", PASSWORD)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["expires"] == "" and cookie["max-age"] == ""
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def stored_session(client):
    return Session.objects.get(session_key=client.session.session_key)


def test_an_hour_idle_ends_the_session(client, mfoundi_clerk):
    login(client, mfoundi_clerk).get(reverse("home"))
    expires = stored_session(client).expire_date
    assert abs((expires - timezone.now()) - timedelta(hours=1)) < timedelta(minutes=1)
    Session.objects.filter(pk=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_each_request_renews_the_idle_hour(client, mfoundi_clerk):
    login(client, mfoundi_clerk)
    Session.objects.filter(pk=client.session.session_key).update(
        expire_date=timezone.now() + timedelta(minutes=5)
    )
    assert client.get(reverse("home")).status_code == 200
    assert stored_session(client).expire_date > timezone.now() + timedelta(minutes=55)


def set_session_started(client, seconds_ago):
    session = client.session
    session[SESSION_STARTED] = time.time() - seconds_ago
    session.save()


def test_a_session_ends_after_eight_hours_whatever_the_activity(client, mfoundi_clerk):
    login(client, mfoundi_clerk)
    assert client.get(reverse("profile")).status_code == 200
    assert SESSION_STARTED in client.session
    set_session_started(client, settings.KINGA_SESSION_MAX_AGE - 60)
    assert client.get(reverse("profile")).status_code == 200
    set_session_started(client, settings.KINGA_SESSION_MAX_AGE + 1)
    response = client.get(reverse("profile"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/profile/"
    assert logged_in_user_id(client) is None
    assert client.get(reverse("home")).status_code == 302


def test_a_new_login_starts_a_new_eight_hours(client, mfoundi_clerk):
    login(client, mfoundi_clerk).get(reverse("home"))
    set_session_started(client, settings.KINGA_SESSION_MAX_AGE + 1)
    assert client.get(reverse("home")).status_code == 302
    assert post_login(client, "clerk.mfoundi", PASSWORD).status_code == 302
    assert client.get(reverse("home")).status_code == 200


# --- Language switch -----------------------------------------------------------------------


def test_the_language_switch_sets_the_cookie_and_goes_back(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/login/"})
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert '<html lang="en">' in client.get("/login/").content.decode()


def test_the_language_switch_keeps_the_choice_of_a_logged_in_user(client, mfoundi_clerk):
    login(client, mfoundi_clerk)
    client.post(reverse("set_language"), {"language": "en", "next": "/profile/"})
    mfoundi_clerk.refresh_from_db()
    assert mfoundi_clerk.language == "en"
    assert mfoundi_clerk.history.first().history_change_reason == "language"


def test_the_language_switch_refuses_an_off_site_next(client, db):
    for next_url in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        response = client.post(reverse("set_language"), {"language": "en", "next": next_url})
        assert response["Location"] == "/", next_url


def test_the_language_switch_ignores_an_unknown_language(client, mfoundi_clerk):
    login(client, mfoundi_clerk)
    response = client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    assert response.status_code == 302
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    mfoundi_clerk.refresh_from_db()
    assert mfoundi_clerk.language == "fr"


def test_the_language_switch_takes_only_post(client, db):
    assert client.get(reverse("set_language")).status_code == 405


def test_after_the_eight_hours_the_login_brings_back_to_the_same_page(client, mfoundi_clerk):
    login(client, mfoundi_clerk).get(reverse("home"))
    set_session_started(client, settings.KINGA_SESSION_MAX_AGE + 1)
    response = client.get("/profile/?a=1&b=2")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/profile/%3Fa%3D1%26b%3D2"


def test_activity_a_minute_after_the_last_renewal_renews_the_idle_hour_again(client, mfoundi_clerk):
    from kinga.core.middleware import SESSION_SEEN

    login(client, mfoundi_clerk).get(reverse("home"))
    session = client.session
    session[SESSION_SEEN] = time.time() - 120
    session.save()
    Session.objects.filter(pk=session.session_key).update(
        expire_date=timezone.now() + timedelta(minutes=5)
    )
    assert client.get(reverse("home")).status_code == 200
    assert stored_session(client).expire_date > timezone.now() + timedelta(minutes=55)
