"""The policy status as a coloured badge: Active green, Idle (and Ready) amber, Suspended red,
Expired grey — the same colours on the family's block and on the policy's page."""

from django import template

from ..status import PolicyStatus

register = template.Library()

CLASSES = {
    PolicyStatus.ACTIVE: "ok",
    PolicyStatus.IDLE: "warn",
    PolicyStatus.READY: "warn",
    PolicyStatus.SUSPENDED: "bad",
    PolicyStatus.EXPIRED: "",
}


@register.filter
def status_class(status) -> str:
    """The badge's colour class of a policy status (grey, no class, when unknown)."""
    try:
        return CLASSES.get(int(status), "")
    except (TypeError, ValueError):
        return ""
