"""Amounts as a Cameroonian reader expects them: « 22 500 FCFA » — thousands grouped by a
non-breaking space (the glossary's), the currency after a non-breaking space, no « ,00 » (the
franc CFA has no minor unit: a whole amount never shows decimals), never « 12500.00 ».  The one
formatting of money for every page (the `money` filter of `kinga/core/templatetags/kinga.py`),
for the summaries the registers write, and for the documents meant for reading (payment
statements, vouchers); files and APIs keep plain numbers."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import translation

CURRENCY = "FCFA"
SPACE = "\u00a0"  # the thousands separator and the space before the currency: never broken


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        return None


def number(value: Any, language: str | None = None) -> str:
    """12500 -> « 12 500 »; 12500.5 -> « 12 500,50 » in French, « 12 500.50 » in English."""
    value = _decimal(value)
    if value is None:
        return ""
    if value == value.to_integral_value():
        return f"{int(value):,}".replace(",", SPACE)
    whole, fraction = f"{value:,.2f}".split(".")
    separator = "," if (language or translation.get_language() or "fr").startswith("fr") else "."
    return whole.replace(",", SPACE) + separator + fraction


def money(value: Any, currency: str = CURRENCY, language: str | None = None) -> str:
    """12500 -> « 12 500 FCFA »; "" for nothing (None, "")."""
    text = number(value, language)
    return f"{text}{SPACE}{currency}" if text else ""
