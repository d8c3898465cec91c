"""Pages of the medical items and medical services registers: they share their pages (a
`RegisterPages` says what differs); the URL confs pass which one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from kinga.core.history import entries
from kinga.core.lists import paginate
from kinga.core.loaders import Loader
from kinga.core.pages import confirm_page, form_page
from kinga.core.registers import patient_category_labels

from ..forms.catalogue import ItemFilterForm, ItemForm, ServiceFilterForm, ServiceForm
from ..models import Item, Service
from ..queries import catalogue as queries
from ..services import catalogue as services

# --- items and services ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterPages:
    key: str  # "items" / "services": URL namespace and template folder
    model: type[Item] | type[Service]
    loader: Loader  # queries.ITEM
    form: type
    filter_form: type
    search: Callable
    get: Callable  # queries.get_item_for_user
    create: Callable
    update: Callable
    retire: Callable
    obj_kw: str  # "item" / "service": the keyword of update / retire
    title: Any
    new_title: Any

    def detail_url(self, obj) -> str:
        return reverse(f"{self.key}:detail", args=[obj.uuid])


REGISTERS = {
    "items": RegisterPages(
        key="items",
        model=Item,
        loader=queries.ITEM,
        form=ItemForm,
        filter_form=ItemFilterForm,
        search=queries.search_items,
        get=queries.get_item_for_user,
        create=services.item_create,
        update=services.item_update,
        retire=services.item_retire,
        obj_kw="item",
        title=gettext_lazy("Medical items"),
        new_title=gettext_lazy("New medical item"),
    ),
    "services": RegisterPages(
        key="services",
        model=Service,
        loader=queries.SERVICE,
        form=ServiceForm,
        filter_form=ServiceFilterForm,
        search=queries.search_services,
        get=queries.get_service_for_user,
        create=services.service_create,
        update=services.service_update,
        retire=services.service_retire,
        obj_kw="service",
        title=gettext_lazy("Medical services"),
        new_title=gettext_lazy("New medical service"),
    ),
}


@login_required
@require_GET
def register_list(request: HttpRequest, register: str) -> HttpResponse:
    pages = REGISTERS[register]
    pages.loader.require_right(request.user, "view")
    form = pages.filter_form(request.GET or None)
    data = dict(form.cleaned_data) if form.is_valid() else {}
    include_retired = bool(data.pop("retired", False))
    qs = pages.search(
        request.user,
        include_retired=include_retired,
        **{k: v or "" for k, v in data.items()},
    )
    return render(
        request,
        f"medical/{pages.key}/list.html",
        {
            "form": form,
            "page_obj": paginate(request, qs),
            "title": pages.title,
            "may_add": pages.loader.may_right(request.user, "add"),
        },
    )


@login_required
@require_GET
def register_detail(request: HttpRequest, register: str, uuid) -> HttpResponse:
    pages = REGISTERS[register]
    obj = pages.get(request.user, uuid)
    return render(
        request,
        f"medical/{pages.key}/detail.html",
        {
            "object": obj,
            "categories": patient_category_labels(obj.patient_category),
            "history": entries(obj, page=request.GET.get("history")),
            "may": {
                action: pages.loader.may(request.user, obj, action) for action in ("edit", "retire")
            },
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def register_create(request: HttpRequest, register: str) -> HttpResponse:
    pages = REGISTERS[register]
    pages.loader.require_right(request.user, "add")
    return form_page(
        request,
        form=pages.form(request.POST or None, initial=pages.form.initial_for()),
        save=lambda data: pages.create(actor=request.user, **data),
        template=f"medical/{pages.key}/form.html",
        context={"title": pages.new_title, "cancel_url": reverse(f"{pages.key}:list")},
        done_message=lambda obj: _("%(object)s created.") % {"object": obj},
        done_url=pages.detail_url,
    )


@login_required
@require_http_methods(["GET", "POST"])
def register_edit(request: HttpRequest, register: str, uuid) -> HttpResponse:
    pages = REGISTERS[register]
    obj = pages.get(request.user, uuid, "edit")
    return form_page(
        request,
        form=pages.form(request.POST or None, initial=pages.form.initial_for(obj)),
        save=lambda data: pages.update(actor=request.user, **{pages.obj_kw: obj}, **data),
        template=f"medical/{pages.key}/form.html",
        context={
            "object": obj,
            "title": _("Edit %(object)s") % {"object": obj},
            "cancel_url": pages.detail_url(obj),
        },
        done_message=_("Changes saved."),
        done_url=pages.detail_url(obj),
    )


@login_required
@require_http_methods(["GET", "POST"])
def register_retire(request: HttpRequest, register: str, uuid) -> HttpResponse:
    pages = REGISTERS[register]
    obj = pages.get(request.user, uuid, "retire")
    return confirm_page(
        request,
        action=lambda: pages.retire(actor=request.user, **{pages.obj_kw: obj}),
        title=_("Retire %(object)s") % {"object": obj},
        question=_(
            "Retire %(object)s? It stays in the history and in the claims that used it, "
            "but can no longer be chosen; its code becomes free."
        )
        % {"object": obj},
        cancel_url=pages.detail_url(obj),
        done_message=_("%(object)s retired.") % {"object": obj},
        done_url=reverse(f"{pages.key}:list"),
    )
