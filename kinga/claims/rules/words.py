"""An amount of money in words, as a payment voucher or a payment statement writes its total
(glossary: « douze mille cinq cents francs CFA »).

Pure: a `Decimal` in, a text out (num2words does the counting).  The amount is rounded half-up
to the currency's unit first (the franc CFA has no minor unit, spec Q6), so what is written in
words is what is written in figures."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from num2words import num2words

# The currency's name after the number, by language (French first; English for the English
# pages and files).  « un franc CFA » / « one CFA franc » in the singular.
CURRENCY_NAMES = {
    "fr": ("franc CFA", "francs CFA"),
    "en": ("CFA franc", "CFA francs"),
}


def rounded(amount: Decimal | int | str) -> Decimal:
    """`amount` rounded half-up to the franc (12 500,50 -> 12 501)."""
    try:
        value = Decimal(amount)
    except (InvalidOperation, TypeError, ValueError):
        raise ValueError(f"not an amount: {amount!r}") from None
    if not value.is_finite():
        raise ValueError(f"not an amount: {amount!r}")
    return value.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def number_in_words(amount: Decimal | int | str, language: str = "fr") -> str:
    """The whole number of francs in words: 22500 -> « vingt-deux mille cinq cents »
    (English: "twenty-two thousand five hundred", without num2words' commas)."""
    lang = _language(language)
    value = int(rounded(amount))
    words = num2words(abs(value), lang=lang)
    if lang == "en":
        words = words.replace(",", "")
    if value < 0:
        words = ("moins " if lang == "fr" else "minus ") + words
    return words


def amount_in_words(amount: Decimal | int | str, language: str = "fr") -> str:
    """22500 -> « vingt-deux mille cinq cents francs CFA »; "twenty-two thousand five hundred
    CFA francs" in English.  French grammar: singular below two (« zéro franc CFA », « un franc
    CFA »), and « de » after a round million or milliard (« un million de francs CFA »)."""
    lang = _language(language)
    value = int(rounded(amount))
    singular, plural = CURRENCY_NAMES[lang]
    words = number_in_words(value, lang)
    if lang == "fr":
        name = singular if abs(value) < 2 else plural
        if words.split()[-1] in ("million", "millions", "milliard", "milliards"):
            name = "de " + name
    else:
        name = singular if abs(value) == 1 else plural
    return f"{words} {name}"


def _language(language: str | None) -> str:
    """ "fr", "fr-FR", "fr-ca" -> "fr"; anything not French is written in English."""
    return "fr" if (language or "fr").lower().startswith("fr") else "en"
