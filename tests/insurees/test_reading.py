"""French as a Cameroonian clerk reads it on the family pages (issue 14, item 6): elision
(« Famille d'Alain »), agreement with a woman (« Marthe Owona a été ajoutée », « retirée »),
an insuree « Inactif »; the history of a family in the feminine (« Créée »)."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from kinga.insurees.models import Insuree, InsureeStatus

from ..conftest import login
from .test_families_services import add_member, new_family

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def _french(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    with translation.override("fr"):
        yield


def url(name, obj):
    return reverse(f"families:{name}", kwargs={"uuid": obj.uuid})


def test_the_family_of_a_head_whose_name_starts_with_a_vowel_elides(client, mfoundi_clerk, world):
    alain = new_family(mfoundi_clerk, world.nlongkak, other_names="Alain", last_name="Ebene")
    jean = new_family(mfoundi_clerk, world.nlongkak, other_names="Jean", last_name="Mballa")
    emile = new_family(mfoundi_clerk, world.nlongkak, other_names="Émile", last_name="Abega")
    assert str(alain) == "Famille d'Alain Ebene" and str(emile) == "Famille d'Émile Abega"
    assert str(jean) == "Famille de Jean Mballa"
    login(client, mfoundi_clerk)
    page = client.get(url("detail", alain)).text
    assert "Famille d&#x27;Alain Ebene" in page and "Famille de Alain" not in page
    history = page[page.index('id="history"') :]
    assert "<td>Créée</td>" in history  # « la famille »


def test_a_woman_is_added_then_retired_in_the_feminine(client, mfoundi_clerk, world):
    family = new_family(mfoundi_clerk, world.nlongkak, other_names="Jean", last_name="Owona")
    login(client, mfoundi_clerk)
    response = client.post(
        url("member_add", family),
        {
            "insurance_number": "M0042",
            "last_name": "Owona",
            "other_names": "Marthe",
            "dob": "1988-02-10",
            "gender": "F",
            "relationship": "8",
            "status": "AC",
        },
        follow=True,
    )
    assert "Marthe Owona a été ajoutée à la famille." in response.text
    marthe = Insuree.objects.get(insurance_number="M0042")
    response = client.post(url("insuree_detach", marthe), follow=True)
    assert "Marthe Owona a été retirée de la famille." in response.text
    response = client.post(url("insuree_retire", marthe), follow=True)
    assert "Marthe Owona a été retirée." in response.text
    # A man keeps the masculine.
    paul = add_member(mfoundi_clerk, family, other_names="Paul", gender="M")
    response = client.post(url("insuree_retire", paul), follow=True)
    assert f"{paul.full_name} a été retiré." in response.text


def test_an_inactive_insuree_reads_inactif(client, mfoundi_clerk, world):
    family = new_family(mfoundi_clerk, world.nlongkak)
    member = add_member(mfoundi_clerk, family, other_names="Luc", gender="M")
    Insuree.objects.filter(pk=member.pk).update(status=InsureeStatus.INACTIVE)
    login(client, mfoundi_clerk)
    page = client.get(url("insuree", member)).text
    assert "Inactif" in page and "Inactive" not in page
