"""Reads of health programmes."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from kinga.core.loaders import Loader, changing, national, viewing
from kinga.core.rights import Right

from ..models import Programme

# Health programmes are national; their pages are the products' (the product rights).
PROGRAMME = Loader(
    queryset=lambda: Programme.objects.all(),
    actions={
        "view": viewing(Right.PRODUCT_SEARCH),
        "add": changing(Right.PRODUCT_ADD, all_of=(Right.PRODUCT_SEARCH,)),
        "edit": changing(Right.PRODUCT_EDIT, all_of=(Right.PRODUCT_SEARCH,)),
        "retire": changing(Right.PRODUCT_DELETE, all_of=(Right.PRODUCT_SEARCH,)),
    },
    in_scope=national,
)

# --- programmes ---------------------------------------------------------------------------


def programmes(*, q: str = "", include_retired: bool = False) -> QuerySet[Programme]:
    qs = Programme.objects.all()
    if not include_retired:
        qs = qs.filter(retired_at__isnull=True)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q))
    return qs.annotate(
        n_products=Count("products", filter=Q(products__retired_at__isnull=True))
    ).order_by("code", "pk")


def get_programme_for_user(user, key, action: str = "view") -> Programme:
    """The health programme, loaded and authorised for `action` (kinga.core.loaders)."""
    return PROGRAMME.get(user, key, action)


def may_programme(user, programme: Programme, action: str) -> bool:
    return PROGRAMME.may(user, programme, action)
