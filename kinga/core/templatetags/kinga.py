from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def query_replace(context, **kwargs) -> str:
    """The current query string with some parameters replaced (pagination links keep filters)."""
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        query[key] = value
    return query.urlencode()


@register.filter
def money(value) -> str:
    """12500 -> « 12 500 FCFA » (kinga.core.money, the one money format); "—" for nothing."""
    from kinga.core import money as money_module

    return money_module.money(value) or "—"


@register.filter
def holds(user, right: str) -> bool:
    """Whether `user` holds the right of that name (kinga.core.rights.Right), as
    kinga.core.access answers it: `{% if user|holds:"REPORT_USER_ACTIVITY" %}`."""
    from kinga.core import access
    from kinga.core.rights import Right

    return access.has_right(user, Right[right])
