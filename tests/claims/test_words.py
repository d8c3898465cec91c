"""The amount in words of the payment voucher and the payment statement (kinga.claims.rules.words)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kinga.claims.rules.words import amount_in_words, number_in_words, rounded


@pytest.mark.parametrize(
    ("amount", "french"),
    [
        (22500, "vingt-deux mille cinq cents francs CFA"),
        (Decimal("22500.00"), "vingt-deux mille cinq cents francs CFA"),
        (12500, "douze mille cinq cents francs CFA"),
        (1, "un franc CFA"),
        (0, "zéro franc CFA"),
        (80, "quatre-vingts francs CFA"),
        (81, "quatre-vingt-un francs CFA"),
        (200, "deux cents francs CFA"),
        (201, "deux cent un francs CFA"),
        (1000000, "un million de francs CFA"),
        (2000000, "deux millions de francs CFA"),
        (1000500, "un million cinq cents francs CFA"),
    ],
)
def test_it_writes_francs_cfa_in_french(amount, french):
    assert amount_in_words(amount) == french


def test_it_writes_cfa_francs_in_english():
    assert amount_in_words(22500, "en") == "twenty-two thousand five hundred CFA francs"
    assert amount_in_words(1, "en-gb") == "one CFA franc"


def test_it_rounds_half_up_to_the_franc_first():
    assert rounded(Decimal("22500.50")) == Decimal(22501)
    assert rounded(Decimal("22500.49")) == Decimal(22500)
    assert amount_in_words(Decimal("22499.5")) == "vingt-deux mille cinq cents francs CFA"


def test_it_refuses_what_is_not_an_amount():
    for bad in ("abc", None, Decimal("NaN"), Decimal("Infinity")):
        with pytest.raises(ValueError):
            amount_in_words(bad)


def test_a_language_variant_is_its_language():
    assert amount_in_words(2, "fr-FR") == "deux francs CFA"


@given(st.integers(min_value=0, max_value=10**12))
def test_every_amount_is_words_then_the_currency(n):
    text = amount_in_words(n)
    assert text.startswith(number_in_words(n))
    assert text.endswith("CFA")
    assert not any(ch.isdigit() for ch in text)
    assert "," not in amount_in_words(n, "en")
