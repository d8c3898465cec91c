import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from kinga.core.errors import Refused
from kinga.facilities.services import facilities as facility_services

from ..conftest import login
from .conftest import make_facility

PO = Path(__file__).resolve().parents[2] / "kinga/facilities/locale/fr/LC_MESSAGES/django.po"


def test_every_message_of_the_facilities_app_has_a_french_translation():
    text = PO.read_text(encoding="utf-8")
    empty = re.findall(r'\nmsgstr(?:\[\d\])? ""\n(?!")', text.split("\n\n", 1)[1] + "\n")
    assert not empty
    assert "#, fuzzy" not in text


def test_the_pages_speak_french_with_the_glossary_words(client, scheme_admin, hcy):
    login(client, scheme_admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    page = client.get(reverse("facilities:list")).text
    assert "Formations sanitaires" in page and "Nouvelle formation sanitaire" in page
    page = client.get(reverse("claim_admins:list")).text
    assert "Gestionnaires des prestations" in page


def test_refusals_speak_french(scheme_admin, world, hcy):
    with translation.override("fr"):
        try:
            make_facility(scheme_admin, world.mfoundi, code="HCY")
        except Refused as refused:
            assert "est déjà utilisé par la formation sanitaire" in refused.message
        else:
            raise AssertionError("refused expected")
        with pytest.raises(Refused, match="n'est pas dans la région"):
            facility_services.catchment_add(actor=scheme_admin, facility=hcy, village=world.akwa)
