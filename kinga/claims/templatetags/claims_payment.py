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
