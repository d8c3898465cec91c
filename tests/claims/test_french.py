"""The claims app speaks French complete, in the glossary's words."""

import re
from pathlib import Path

import pytest
from django.utils import translation

from kinga.claims.codes import ClaimStatus, Rejection, ReviewStatus
from kinga.claims.services.claims import LineInput
from kinga.core.errors import Refused

from .conftest import enter

PO = Path(__file__).resolve().parents[2] / "kinga/claims/locale/fr/LC_MESSAGES/django.po"


def test_every_message_of_the_claims_app_has_a_french_translation():
    text = PO.read_text(encoding="utf-8")
    empty = re.findall(r'\nmsgstr(?:\[\d\])? ""\n(?!")', text.split("\n\n", 1)[1] + "\n")
    assert not empty
    assert "#, fuzzy" not in text


def test_statuses_and_reasons_use_the_glossary_words():
    with translation.override("fr"):
        assert [str(s.label) for s in ClaimStatus] == [
            "Rejetée",
            "Saisie",
            "Vérifiée",
            "Traitée",
            "Évaluée",
        ]
        assert str(Rejection.NOT_COVERED.label) == (
            "Le soin ou produit médical n'est pas couvert par une police active de l'assuré"
        )
        assert str(ReviewStatus.SELECTED.label) == "Sélectionnée"


def test_refusals_speak_french(claim_admin, care):
    with translation.override("fr"), pytest.raises(Refused) as refused:
        enter(claim_admin, care, lines=[LineInput(care.consultation, 0)])
    assert refused.value.message == "La quantité doit être un nombre entier d'au moins 1."
