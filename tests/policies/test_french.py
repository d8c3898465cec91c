"""French ships complete for the policies and insurees apps, refusals included."""

import re
from pathlib import Path

import pytest
from django.utils import translation

from kinga.core.errors import Refused
from kinga.policies.services import payers as payer_services

ROOT = Path(__file__).resolve().parents[2] / "kinga"


@pytest.mark.parametrize("app", ["policies", "insurees"])
def test_every_message_of_the_app_has_a_french_translation(app):
    text = (ROOT / app / "locale/fr/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    empty = re.findall(r'\nmsgstr(?:\[\d\])? ""\n(?!")', text.split("\n\n", 1)[1] + "\n")
    assert not empty
    assert "#, fuzzy" not in text


def test_a_payer_name_taken_meanwhile_is_refused_in_french(world, imis_admin, monkeypatch):
    payer_services.payer_create(actor=imis_admin, type="G", name="Fonds", location=None)
    monkeypatch.setattr(payer_services, "clean_name", lambda value, exclude_pk=None: value)
    with translation.override("fr"), pytest.raises(Refused) as refused:
        payer_services.payer_create(actor=imis_admin, type="D", name="Fonds", location=None)
    assert refused.value.message == "Le nom Fonds est déjà utilisé par un autre payeur."
