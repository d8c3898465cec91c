"""Pages of the medical items and medical services registers: they share their pages (a
`RegisterPages` says what differs); the URL confs pass which one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from kinga.core import access
from kinga.core.errors import Refused
from kinga.core.history import entries
from kinga.core.lists import paginate
from kinga.core.pages import confirm_page
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


REGISTERS = {
    "items": RegisterPages(
        key="items",
        model=Item,
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
    access.require_right(request.user, services.REGISTER_RIGHTS[pages.model]["view"])
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
            "may_add": services.may_register(request.user, pages.model, "add"),
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
            "history": entries(obj),
            "may": {
                "edit": services.may_register(request.user, pages.model, "edit", obj),
                "retire": services.may_register(request.user, pages.model, "retire", obj),
            },
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def register_create(request: HttpRequest, register: str) -> HttpResponse:
    pages = REGISTERS[register]
    if not services.may_register(request.user, pages.model, "add"):
        raise PermissionDenied
    form = pages.form(request.POST or None, initial=pages.form.initial_for())
    if request.method == "POST" and form.is_valid():
        try:
            obj = pages.create(actor=request.user, **form.cleaned_data)
        except Refused as refused:
            refused.add_to_form(form)
        else:
            messages.success(request, _("%(object)s created.") % {"object": obj})
            return redirect(f"{pages.key}:detail", uuid=obj.uuid)
    return render(
        request,
        f"medical/{pages.key}/form.html",
        {"form": form, "title": pages.new_title, "cancel_url": reverse(f"{pages.key}:list")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def register_edit(request: HttpRequest, register: str, uuid) -> HttpResponse:
    pages = REGISTERS[register]
    obj = pages.get(request.user, uuid, "edit")
    form = pages.form(request.POST or None, initial=pages.form.initial_for(obj))
    if request.method == "POST" and form.is_valid():
        try:
            pages.update(actor=request.user, **{pages.obj_kw: obj}, **form.cleaned_data)
        except Refused as refused:
            refused.add_to_form(form)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(f"{pages.key}:detail", uuid=obj.uuid)
    return render(
        request,
        f"medical/{pages.key}/form.html",
        {
            "form": form,
            "object": obj,
            "title": _("Edit %(object)s") % {"object": obj},
            "cancel_url": reverse(f"{pages.key}:detail", args=[obj.uuid]),
        },
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
        cancel_url=reverse(f"{pages.key}:detail", args=[obj.uuid]),
        done_message=_("%(object)s retired.") % {"object": obj},
        done_url=reverse(f"{pages.key}:list"),
    )
