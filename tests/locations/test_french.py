import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from kinga.core.errors import Refused
from kinga.locations import services

from ..conftest import login

PO = Path(__file__).resolve().parents[2] / "kinga/locations/locale/fr/LC_MESSAGES/django.po"


def test_every_message_of_the_locations_app_has_a_french_translation():
    text = PO.read_text(encoding="utf-8")
    empty = re.findall(r'\nmsgstr(?:\[\d\])? ""\n(?!")', text.split("\n\n", 1)[1] + "\n")
    assert not empty
    assert "#, fuzzy" not in text


def test_the_list_page_speaks_french(client, imis_admin, world):
    login(client, imis_admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    page = client.get(reverse("locations:list")).text
    assert "Nouveau lieu" in page and "Commune" in page


def test_refusals_speak_french(imis_admin, world):
    with translation.override("fr"), pytest.raises(Refused) as refused:
        services.location_retire(actor=imis_admin, location=world.yaounde1)
    assert "1 lieu rattaché actif" in refused.value.message
