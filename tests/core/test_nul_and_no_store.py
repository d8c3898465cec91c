"""A NUL character in a query string or a form field is refused with a 400 page that says so
(RefuseNulMiddleware); pages of a logged-in user and downloaded files are never cached
(NoStoreMiddleware)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kinga.policies.models import Payer

from ..conftest import login


@pytest.fixture(autouse=True)
def _english(english):
    return english


def test_a_nul_in_a_query_string_gets_a_400_that_says_so(client, mfoundi_clerk):
    login(client, mfoundi_clerk)
    response = client.get(reverse("families:list"), {"q": "Ngo\x00no"})
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()
    response = client.get(reverse("payers:list") + "?q%00=1")
    assert response.status_code == 400


def test_a_nul_in_a_form_field_gets_a_400_and_writes_nothing(client, imis_admin):
    login(client, imis_admin)
    response = client.post(reverse("payers:create"), {"name": "Caisse\x00", "type": "G"})
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()
    assert not Payer.objects.exists()


def test_the_400_page_speaks_french_too(client, mfoundi_clerk):
    login(client, mfoundi_clerk)
    client.cookies["kinga_language"] = "fr"
    response = client.get(reverse("families:list"), {"q": "\x00"})
    assert response.status_code == 400
    assert "caractère NUL" in response.content.decode()


def test_a_logged_in_users_pages_are_not_cached(client, mfoundi_clerk):
    login(client, mfoundi_clerk)
    for url in (reverse("home"), reverse("families:list")):
        response = client.get(url)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        assert "private" in response["Cache-Control"]


def test_a_downloaded_file_is_not_cached(client, mfoundi_clerk):
    login(client, mfoundi_clerk)
    response = client.get(reverse("families:export"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]


def test_a_form_body_that_cannot_be_read_is_a_400_page(client, imis_admin):
    login(client, imis_admin)
    response = client.generic(
        "POST", reverse("payers:create"), b"name=x", content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert "could not be read" in response.content.decode()
    assert not Payer.objects.exists()
