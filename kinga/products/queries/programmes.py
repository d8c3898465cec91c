"""Reads of health programmes."""

from __future__ import annotations

import uuid as uuid_lib

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from kinga.core import access
from kinga.core.rights import Right

from ..models import Programme

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


def get_programme_for_user(user, uuid, right: int = Right.PRODUCT_SEARCH) -> Programme:
    access.require_right(user, Right.PRODUCT_SEARCH)
    access.require_right(user, right)
    try:
        key = uuid_lib.UUID(str(uuid))
    except ValueError:
        raise Http404 from None
    programme = Programme.objects.filter(uuid=key).first()
    if programme is None:
        raise Http404
    return programme
