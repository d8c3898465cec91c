"""Template helpers of the claims' control pages: money « 22 500 FCFA », and the address of a
claim's page (the entry pages' detail when it exists, else the review page)."""

from django import template
from django.urls import NoReverseMatch, reverse

from kinga.products.rules import money as money_text

register = template.Library()


@register.filter
def money(value) -> str:
    return "—" if value is None else money_text(value)


@register.simple_tag
def claim_url(claim) -> str:
    """`claims_entry:detail` of the claim, falling back on its control page."""
    for name in ("claims_entry:detail", "claims_control:claim"):
        try:
            return reverse(name, kwargs={"uuid": claim.uuid})
        except NoReverseMatch:
            continue
    return ""
