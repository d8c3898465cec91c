"""Filters of the claim pages: money in FCFA, a plain number for an input, a rejection reason
with its code."""

from decimal import Decimal

from django import template

from kinga.products.rules import money as money_text

from ..codes import Rejection

register = template.Library()


@register.filter
def money(value) -> str:
    """12500 -> « 12 500 FCFA »; "" for None."""
    return "" if value is None or value == "" else money_text(value)


@register.filter
def plain(value) -> str:
    """A number as an input holds it: 2500, 12.5 (no grouping); "" for None."""
    if value is None or value == "":
        return ""
    value = Decimal(value)
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return str(value.normalize())


@register.filter
def reason(code) -> str:
    """« 3 — Le soin ou produit médical n'est pas couvert par une police active de l'assuré »."""
    if code in (None, "", 0):
        return ""
    try:
        return f"{int(code)} — {Rejection(int(code)).label}"
    except ValueError:
        return str(code)
