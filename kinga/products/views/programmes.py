"""Health programmes: list, detail, create, edit, retire."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kinga.core import access
from kinga.core.errors import Refused
from kinga.core.history import entries
from kinga.core.lists import paginate
from kinga.core.pages import confirm_page
from kinga.core.rights import Right

from ..forms.programmes import ProgrammeForm
from ..queries import products as product_queries
from ..queries import programmes as queries
from ..services import programmes as services

# --- health programmes ----------------------------------------------------------------------


@login_required
@require_GET
def programme_list(request: HttpRequest) -> HttpResponse:
    access.require_right(request.user, Right.PRODUCT_SEARCH)
    q = request.GET.get("q", "")
    qs = queries.programmes(q=q, include_retired=bool(request.GET.get("retired")))
    return render(
        request,
        "products/programme_list.html",
        {
            "page_obj": paginate(request, qs),
            "q": q,
            "retired": bool(request.GET.get("retired")),
            "may_add": access.has_right(request.user, Right.PRODUCT_ADD),
        },
    )


@login_required
@require_GET
def programme_detail(request: HttpRequest, uuid) -> HttpResponse:
    programme = queries.get_programme_for_user(request.user, uuid)
    products = product_queries.visible(request.user).filter(programme=programme).order_by("code")
    return render(
        request,
        "products/programme_detail.html",
        {
            "programme": programme,
            "products": products,
            "users": programme.users.order_by("last_name", "username"),
            "history": entries(programme),
            "may_edit": not programme.is_retired
            and access.has_right(request.user, Right.PRODUCT_EDIT),
            "may_retire": not programme.is_retired
            and access.has_right(request.user, Right.PRODUCT_DELETE),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def programme_create(request: HttpRequest) -> HttpResponse:
    access.require_right(request.user, Right.PRODUCT_SEARCH)
    access.require_right(request.user, Right.PRODUCT_ADD)
    form = ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.programme_create(actor=request.user, **form.cleaned_data)
        except Refused as refused:
            refused.add_to_form(form)
        else:
            messages.success(request, _("%(programme)s created.") % {"programme": programme})
            return redirect("programmes:detail", uuid=programme.uuid)
    return render(
        request,
        "products/simple_form.html",
        {
            "form": form,
            "title": _("New health programme"),
            "submit_label": _("Save"),
            "cancel_url": reverse("programmes:list"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def programme_edit(request: HttpRequest, uuid) -> HttpResponse:
    programme = queries.get_programme_for_user(request.user, uuid, Right.PRODUCT_EDIT)
    if programme.is_retired:
        raise PermissionDenied
    initial = {
        "code": programme.code,
        "name": programme.name,
        "valid_from": programme.valid_from,
        "valid_to": programme.valid_to,
        "users": list(programme.users.all()),
    }
    form = ProgrammeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.programme_update(actor=request.user, programme=programme, **form.cleaned_data)
        except Refused as refused:
            refused.add_to_form(form)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("programmes:detail", uuid=programme.uuid)
    return render(
        request,
        "products/simple_form.html",
        {
            "form": form,
            "title": _("Edit %(programme)s") % {"programme": programme},
            "submit_label": _("Save"),
            "cancel_url": reverse("programmes:detail", args=[programme.uuid]),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def programme_retire(request: HttpRequest, uuid) -> HttpResponse:
    programme = queries.get_programme_for_user(request.user, uuid, Right.PRODUCT_DELETE)
    if programme.is_retired:
        raise PermissionDenied
    return confirm_page(
        request,
        action=lambda: services.programme_retire(actor=request.user, programme=programme),
        title=_("Retire %(programme)s") % {"programme": programme},
        question=_("Retire the health programme %(programme)s?") % {"programme": programme},
        cancel_url=reverse("programmes:detail", args=[programme.uuid]),
        done_message=_("%(programme)s retired.") % {"programme": programme},
        done_url=reverse("programmes:list"),
    )
