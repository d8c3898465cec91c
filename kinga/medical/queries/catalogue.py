"""Reads of medical items and services: national registers (rights only, no location scope)."""

from __future__ import annotations

from django.db.models import QuerySet

from kinga.core.loaders import Loader, changing, national, viewing
from kinga.core.rights import Right

from ..models import Item, Service
from ._common import _text_q

# --- who may do what ----------------------------------------------------------------------------


def _register_loader(model, *, view: int, add: int, edit: int, retire: int) -> Loader:
    """Items and services have the same actions, each with the register's own rights; a change
    needs the search right too (the page shows the record)."""
    return Loader(
        queryset=lambda: model.objects.all(),
        actions={
            "view": viewing(view),
            "add": changing(add),
            "edit": changing(edit, all_of=(view,)),
            "retire": changing(retire, all_of=(view,)),
        },
        in_scope=national,
    )


ITEM = _register_loader(
    Item,
    view=Right.ITEM_SEARCH,
    add=Right.ITEM_ADD,
    edit=Right.ITEM_EDIT,
    retire=Right.ITEM_DELETE,
)
SERVICE = _register_loader(
    Service,
    view=Right.SERVICE_SEARCH,
    add=Right.SERVICE_ADD,
    edit=Right.SERVICE_EDIT,
    retire=Right.SERVICE_DELETE,
)
LOADERS: dict[type, Loader] = {Item: ITEM, Service: SERVICE}


def get_item_for_user(user, key, action: str = "view") -> Item:
    """The item, loaded and authorised for `action` (kinga.core.loaders)."""
    return ITEM.get(user, key, action)


def get_service_for_user(user, key, action: str = "view") -> Service:
    """The service, loaded and authorised for `action` (kinga.core.loaders)."""
    return SERVICE.get(user, key, action)


def may_item(user, item: Item, action: str) -> bool:
    return ITEM.may(user, item, action)


def may_service(user, service: Service, action: str) -> bool:
    return SERVICE.may(user, service, action)


# --- items and services -----------------------------------------------------------------------


def search_items(
    user,
    *,
    q: str = "",
    type: str = "",
    care_type: str = "",
    include_retired: bool = False,
) -> QuerySet[Item]:
    ITEM.require_right(user, "view")
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
    SERVICE.require_right(user, "view")
    qs = Service.objects.filter(_text_q(q))
    for name, value in (("type", type), ("level", level), ("care_type", care_type)):
        if value:
            qs = qs.filter(**{name: value})
    if category:
        qs = qs.filter(category="" if category == "-" else category)
    if not include_retired:
        qs = qs.filter(retired_at__isnull=True)
    return qs.order_by("code", "pk")
