"""Reads of medical items and services: national registers (rights only, no location scope)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from kinga.core import access

from ..models import Item, Service
from ..services import catalogue as catalogue_services
from ._common import _text_q, parse_uuid

# --- items and services -----------------------------------------------------------------------


def search_items(
    user,
    *,
    q: str = "",
    type: str = "",
    care_type: str = "",
    include_retired: bool = False,
) -> QuerySet[Item]:
    access.require_right(user, catalogue_services.REGISTER_RIGHTS[Item]["view"])
    qs = Item.objects.filter(_text_q(q))
    if type:
        qs = qs.filter(type=type)
    if care_type:
        qs = qs.filter(care_type=care_type)
    if not include_retired:
        qs = qs.filter(retired_at__isnull=True)
    return qs.order_by("code", "pk")


def search_services(
    user,
    *,
    q: str = "",
    type: str = "",
    level: str = "",
    category: str = "",
    care_type: str = "",
    include_retired: bool = False,
) -> QuerySet[Service]:
    access.require_right(user, catalogue_services.REGISTER_RIGHTS[Service]["view"])
    qs = Service.objects.filter(_text_q(q))
    for name, value in (("type", type), ("level", level), ("care_type", care_type)):
        if value:
            qs = qs.filter(**{name: value})
    if category:
        qs = qs.filter(category="" if category == "-" else category)
    if not include_retired:
        qs = qs.filter(retired_at__isnull=True)
    return qs.order_by("code", "pk")


def _get_register(user, model, uuid, action: str):
    access.require_right(user, catalogue_services.REGISTER_RIGHTS[model]["view"])
    key = parse_uuid(uuid)
    obj = model.objects.filter(uuid=key).first() if key else None
    if obj is None:
        raise Http404
    if action != "view" and not catalogue_services.may_register(user, model, action, obj):
        raise PermissionDenied
    return obj


def get_item_for_user(user, uuid, action: str = "view") -> Item:
    """Load an item and check the user may `action` it: 404 unknown, 403 not allowed."""
    return _get_register(user, Item, uuid, action)


def get_service_for_user(user, uuid, action: str = "view") -> Service:
    return _get_register(user, Service, uuid, action)
