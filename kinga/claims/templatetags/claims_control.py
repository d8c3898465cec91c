"""Template helpers of the claims' control pages: money « 22 500 FCFA », and the address of a
claim's page (the entry pages' detail when it exists, else the review page)."""

from django import template
from django.urls import NoReverseMatch, reverse

from kinga.products.rules import money as money_text

register = template.Library()


@register.filter
def money(value) -> str:
    return "—" if value is None else money_text(value)


@register.filter
def options(field) -> list:
    """A choice field's options as its form lists them (kinga.claims.forms.control)."""
    return field.form.options(field.name)


@register.simple_tag
def claim_url(claim) -> str:
    """`claims_entry:detail` of the claim, falling back on its control page."""
    for name in ("claims_entry:detail", "claims_control:claim"):
        try:
            return reverse(name, kwargs={"uuid": claim.uuid})
        except NoReverseMatch:
            continue
    return ""


@register.simple_tag
def admin_check(claim) -> str:
    """The administrative check's badges: timeliness and completeness (a list row's cell; a
    tag rather than an include, as it is drawn for each of the page's rows)."""
    from django.utils.html import format_html
    from django.utils.safestring import mark_safe
    from django.utils.translation import gettext, ngettext

    if claim.timely is None and claim.complete is None:
        return mark_safe('<span class="muted">—</span>')  # noqa: S308 - a constant
    parts = []
    if claim.timely is True:
        parts.append(format_html('<span class="badge ok">{}</span>', gettext("in time")))
    elif claim.timely is False:
        days = claim.timeliness_days or 0
        text = ngettext("late (%(days)s day)", "late (%(days)s days)", days) % {"days": days}
        parts.append(format_html('<span class="badge bad">{}</span>', text))
    if claim.complete is True:
        parts.append(format_html('<span class="badge ok">{}</span>', gettext("complete")))
    elif claim.complete is False:
        parts.append(format_html('<span class="badge bad">{}</span>', gettext("incomplete")))
    return format_html(" ".join(["{}"] * len(parts)), *parts)
