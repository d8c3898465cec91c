"""The claim page's « Bon à payer » button: its address when the reader may print the claim's
payment voucher (right 111006, a Valuated claim within reach), else nothing."""

from django import template
from django.urls import reverse

from kinga.claims.queries import payment as queries

register = template.Library()


@register.simple_tag(takes_context=True)
def voucher_url(context, claim) -> str:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not queries.may_print_voucher(user, claim):
        return ""
    return reverse("claims_payment:voucher", kwargs={"uuid": claim.uuid})


@register.inclusion_tag("claims/payment/_claim_payment.html")
def claim_payment(claim) -> dict:
    """Where a Valuated claim stands for payment: in which statement, paid when and how (one
    query); nothing for a claim not yet valuated."""
    from kinga.claims.codes import ClaimStatus

    if claim.status != ClaimStatus.VALUATED:
        return {"statement": None}
    return {"statement": queries.payment_of(claim)}
