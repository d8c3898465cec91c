"""Issue 15: a health programme is marked confidential on its form, the change is in its
history, its page says so; only who may edit a programme may change it."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from kinga.products.models import Programme

from ..factories import login, make_user

FORM = {"code": "VIH", "name": "HIV User Fees", "valid_from": "2026-01-01"}


@pytest.fixture
def programme(client, imis_admin):
    login(client, imis_admin)
    client.post(reverse("programmes:create"), FORM)
    return Programme.objects.get(code="VIH")


def test_the_form_offers_the_checkbox_with_its_help(client, programme):
    page = client.get(reverse("programmes:edit", args=[programme.uuid])).content.decode()
    assert 'name="confidential"' in page
    assert "Confidential programme" in page
    assert "Who this programme covers is seen only by its users" in page


def test_marking_a_programme_confidential_is_saved_shown_and_in_its_history(client, programme):
    assert not programme.confidential
    response = client.post(
        reverse("programmes:edit", args=[programme.uuid]), {**FORM, "confidential": "on"}
    )
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.confidential
    page = client.get(reverse("programmes:detail", args=[programme.uuid])).content.decode()
    assert "Yes: only its users and the holders of the right" in page
    latest = programme.history.order_by("-history_id").first()
    assert latest.confidential is True and latest.prev_record.confidential is False
    assert latest.history_user is not None
    # The history on the page says what changed.
    assert "confidential" in page.split('id="history"', 1)[1].lower()
    # Unticked: no longer confidential.
    client.post(reverse("programmes:edit", args=[programme.uuid]), FORM)
    programme.refresh_from_db()
    assert not programme.confidential


def test_a_programme_created_confidential(client, imis_admin):
    login(client, imis_admin)
    client.post(reverse("programmes:create"), {**FORM, "confidential": "on"})
    assert Programme.objects.get(code="VIH").confidential


def test_the_french_form(client, programme):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    page = client.get(reverse("programmes:edit", args=[programme.uuid])).content.decode()
    assert "Programme confidentiel" in page
    assert "Données confidentielles" not in page  # the help text, not the mask
    programme.confidential = True
    programme.save()
    page = client.get(reverse("programmes:detail", args=[programme.uuid])).content.decode()
    assert "Oui : seuls ses utilisateurs" in page


def test_a_user_who_may_not_edit_programmes_cannot_mark_one(client, programme, world):
    clerk = make_user("clerk.vih", roles=["clerk"], districts=[world.mfoundi])
    login(client, clerk)
    url = reverse("programmes:edit", args=[programme.uuid])
    assert client.get(url).status_code == 403
    assert client.post(url, {**FORM, "confidential": "on"}).status_code == 403
    programme.refresh_from_db()
    assert not programme.confidential
