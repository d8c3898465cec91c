from datetime import date

import pytest
from django.urls import reverse

from kinga.core.models import User
from kinga.insurees.models import Officer
from kinga.insurees.services import officers as services

from ..conftest import PASSWORD, ROLE_BITS, login, make_user
from .conftest import new_officer

LIST = reverse("officers:list")
CREATE = reverse("officers:create")


def url(name, officer):
    return reverse(f"officers:{name}", kwargs={"uuid": officer.uuid})


def form_data(places, **changes):
    data = {
        "code": "EO001",
        "last_name": "Ateba",
        "other_names": "Paul",
        "district": places.mfoundi.pk,
        "villages": [places.nlongkak.pk, places.tsinga.pk],
        "phone": "677 10 20 30",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("role", sorted(ROLE_BITS))
def test_only_the_scheme_and_imis_administrators_open_the_pages(client, places, role):
    officer = new_officer(make_user(roles=["imis_admin"]), "EO001", places.mfoundi)
    login(client, make_user(roles=[role], districts=[places.mfoundi]))
    allowed = role in ("scheme_admin", "imis_admin")
    for page in (
        LIST,
        CREATE,
        url("detail", officer),
        url("edit", officer),
        url("retire", officer),
    ):
        assert client.get(page).status_code == (200 if allowed else 403), page


def test_pages_need_a_login(client, places):
    response = client.get(LIST)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_menu_offers_the_officers_to_the_scheme_administrator(client, scheme_admin):
    login(client, scheme_admin)
    assert LIST in client.get(reverse("home")).text


def test_an_officer_is_created_from_the_form_and_shown_with_his_history(
    client, scheme_admin, places
):
    login(client, scheme_admin)
    page = client.get(CREATE).text
    assert "Yaoundé II" in page and "Tsinga" in page  # villages grouped by municipality
    assert 'name="create_login"' in page  # the officer rights include his login
    response = client.post(CREATE, form_data(places))
    officer = Officer.objects.get(code="EO001")
    assert response.status_code == 302 and response["Location"] == url("detail", officer)
    detail = client.get(url("detail", officer)).text
    assert "Nlongkak" in detail and "Tsinga" in detail and "Mfoundi" in detail
    assert "History of changes" in detail and "Created" in detail


def test_the_form_keeps_the_input_and_shows_errors_by_field(client, scheme_admin, places):
    new_officer(scheme_admin, "EO001", places.mfoundi)
    login(client, scheme_admin)
    response = client.post(
        CREATE, form_data(places, code="EO002", last_name="Biloa", villages=[places.nkolpoblo.pk])
    )
    assert response.status_code == 200
    assert 'value="Biloa"' in response.text
    assert "Nkolpoblo is not a current village of the district Mfoundi" in response.text
    response = client.post(CREATE, form_data(places, villages=[]))
    assert "The code EO001 is already used" in response.text


def test_substitute_and_works_to_are_both_marked_when_one_is_missing(client, scheme_admin, places):
    sub = new_officer(scheme_admin, "EO009", places.mfoundi)
    login(client, scheme_admin)
    response = client.post(CREATE, form_data(places, substitute=sub.pk))
    form = response.context["form"]
    assert set(form.errors) == {"substitute", "works_to"}
    response = client.post(CREATE, form_data(places, works_to="2026-12-31"))
    assert set(response.context["form"].errors) == {"substitute", "works_to"}
    response = client.post(CREATE, form_data(places, substitute=sub.pk, works_to="2026-12-31"))
    assert response.status_code == 302
    assert Officer.objects.get(code="EO001").substitute == sub


def test_the_login_is_created_with_the_officer_from_the_form(client, imis_admin, places):
    login(client, imis_admin)
    assert 'name="create_login"' in client.get(CREATE).text
    response = client.post(
        CREATE,
        form_data(places, create_login="on", password=PASSWORD, password_confirm=PASSWORD),
    )
    assert response.status_code == 302
    officer = Officer.objects.get(code="EO001")
    assert officer.user.username == "EO001"
    client.logout()
    assert (
        client.post(reverse("login"), {"username": "EO001", "password": PASSWORD}).status_code
        == 302
    )


def test_a_refused_login_saves_nothing_and_says_why(client, imis_admin, places):
    login(client, imis_admin)
    response = client.post(
        CREATE, form_data(places, create_login="on", password="abc", password_confirm="abc")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["password"]
    assert not Officer.objects.exists() and not User.objects.filter(username="EO001").exists()


def test_the_edit_form_is_filled_and_saves(client, scheme_admin, places):
    officer = new_officer(scheme_admin, "EO001", places.mfoundi, villages=[places.nlongkak])
    login(client, scheme_admin)
    page = client.get(url("edit", officer)).text
    assert 'value="EO001"' in page
    response = client.post(url("edit", officer), form_data(places, last_name="Mbarga"))
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.last_name == "Mbarga"
    assert {v.code for v in officer.villages.all()} == {"NLK", "TSG"}
    detail = client.get(url("detail", officer)).text
    assert "Changed" in detail and "Mbarga" in detail


def test_another_districts_officer_is_forbidden_by_url_and_absent_from_the_list(
    client, imis_admin, scheme_admin, places
):
    officer = new_officer(imis_admin, "EOW01", places.wouri)
    login(client, scheme_admin)
    assert "EOW01" not in client.get(LIST).text
    for name in ("detail", "edit", "retire"):
        assert client.get(url(name, officer)).status_code == 403
    assert client.post(url("edit", officer), form_data(places)).status_code == 403
    assert client.post(url("retire", officer)).status_code == 403
    officer.refresh_from_db()
    assert officer.retired_at is None and officer.code == "EOW01"


def test_an_unknown_officer_is_404(client, scheme_admin):
    login(client, scheme_admin)
    assert client.get("/officers/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_the_list_searches_and_filters(client, imis_admin, places):
    new_officer(imis_admin, "EO001", places.mfoundi, last_name="Ndzana", phone="699111")
    new_officer(imis_admin, "EO002", places.lekie, create_login=True, password=PASSWORD)
    gone = new_officer(imis_admin, "EO003", places.mfoundi)
    services.officer_retire(actor=imis_admin, officer=gone)
    login(client, imis_admin)

    def listed(**params):
        text = client.get(LIST, params).text
        return {c for c in ("EO001", "EO002", "EO003") if f">{c}<" in text}

    assert listed() == {"EO001", "EO002"}
    assert listed(q="ndzana") == {"EO001"}
    assert listed(q="699111") == {"EO001"}
    assert listed(district=places.lekie.pk) == {"EO002"}
    assert listed(login="with") == {"EO002"}
    assert listed(login="without") == {"EO001"}
    assert listed(retired="on") == {"EO001", "EO002", "EO003"}


def test_the_list_makes_a_bounded_number_of_queries(
    client, imis_admin, places, django_assert_max_num_queries
):
    sub = new_officer(imis_admin, "EO000", places.mfoundi)
    for i in range(1, 30):
        new_officer(
            imis_admin,
            f"EO{i:03}",
            places.mfoundi,
            villages=[places.nlongkak, places.etoudi],
            substitute=sub,
            works_to=date(2026, 12, 31),
        )
    login(client, imis_admin)
    client.get(LIST)
    with django_assert_max_num_queries(12):
        response = client.get(LIST)
    assert response.status_code == 200


def test_retire_asks_for_confirmation_then_retires(client, scheme_admin, places):
    officer = new_officer(scheme_admin, "EO001", places.mfoundi)
    login(client, scheme_admin)
    page = client.get(url("retire", officer)).text
    assert "will no longer be offered" in page
    officer.refresh_from_db()
    assert officer.retired_at is None
    response = client.post(url("retire", officer))
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.retired_at is not None
    detail = client.get(url("detail", officer)).text
    assert "retired" in detail and url("edit", officer) not in detail


def test_retire_is_refused_on_the_page_while_named_as_substitute(client, scheme_admin, places):
    sub = new_officer(scheme_admin, "EO001", places.mfoundi)
    new_officer(scheme_admin, "EO002", places.mfoundi, substitute=sub, works_to=date(2026, 1, 1))
    login(client, scheme_admin)
    response = client.post(url("retire", sub))
    assert response.status_code == 200 and "EO002" in response.text
    sub.refresh_from_db()
    assert sub.retired_at is None


def test_pages_are_in_french_by_default(client, scheme_admin, places, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    login(client, scheme_admin)
    text = client.get(LIST).text
    assert "Agents d'affiliation" in text or "Agents d&#x27;affiliation" in text
    assert "Nouvel agent d" in text
