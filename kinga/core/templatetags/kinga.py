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
