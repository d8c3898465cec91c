"""Health programmes: list, detail, create, edit, retire."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kinga.core.history import entries
from kinga.core.lists import paginate
from kinga.core.pages import confirm_page, form_page

from ..forms.programmes import ProgrammeForm
from ..queries import products as product_queries
from ..queries import programmes as queries
from ..services import programmes as services

# --- health programmes ----------------------------------------------------------------------


def _detail_url(programme) -> str:
    return reverse("programmes:detail", args=[programme.uuid])


@login_required
@require_GET
def programme_list(request: HttpRequest) -> HttpResponse:
    queries.PROGRAMME.require_right(request.user, "view")
    q = request.GET.get("q", "")
    qs = queries.programmes(q=q, include_retired=bool(request.GET.get("retired")))
    return render(
        request,
        "products/programme_list.html",
        {
            "page_obj": paginate(request, qs),
            "q": q,
            "retired": bool(request.GET.get("retired")),
            "may_add": queries.PROGRAMME.may_right(request.user, "add"),
        },
    )


@login_required
@require_GET
def programme_detail(request: HttpRequest, uuid) -> HttpResponse:
    user = request.user
    programme = queries.get_programme_for_user(user, uuid)
    products = product_queries.visible(user).filter(programme=programme).order_by("code")
    return render(
        request,
        "products/programme_detail.html",
        {
            "programme": programme,
            "products": products,
            "users": programme.users.order_by("last_name", "username"),
            "history": entries(programme, page=request.GET.get("history")),
            "may_edit": queries.may_programme(user, programme, "edit"),
            "may_retire": queries.may_programme(user, programme, "retire"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def programme_create(request: HttpRequest) -> HttpResponse:
    queries.PROGRAMME.require_right(request.user, "add")
    return form_page(
        request,
        form=ProgrammeForm(request.POST or None),
        save=lambda data: services.programme_create(actor=request.user, **data),
        template="products/simple_form.html",
        context={
            "title": _("New health programme"),
            "submit_label": _("Save"),
            "cancel_url": reverse("programmes:list"),
        },
        done_message=lambda programme: _("%(programme)s created.") % {"programme": programme},
        done_url=_detail_url,
    )


@login_required
@require_http_methods(["GET", "POST"])
def programme_edit(request: HttpRequest, uuid) -> HttpResponse:
    programme = queries.get_programme_for_user(request.user, uuid, "edit")
    initial = {
        "code": programme.code,
        "name": programme.name,
        "valid_from": programme.valid_from,
        "valid_to": programme.valid_to,
        "users": list(programme.users.all()),
        "confidential": programme.confidential,
    }
    return form_page(
        request,
        form=ProgrammeForm(request.POST or None, initial=initial),
        save=lambda data: services.programme_update(
            actor=request.user, programme=programme, **data
        ),
        template="products/simple_form.html",
        context={
            "title": _("Edit %(programme)s") % {"programme": programme},
            "submit_label": _("Save"),
            "cancel_url": _detail_url(programme),
        },
        done_message=_("Changes saved."),
        done_url=_detail_url(programme),
    )


@login_required
@require_http_methods(["GET", "POST"])
def programme_retire(request: HttpRequest, uuid) -> HttpResponse:
    programme = queries.get_programme_for_user(request.user, uuid, "retire")
    return confirm_page(
        request,
        action=lambda: services.programme_retire(actor=request.user, programme=programme),
        title=_("Retire %(programme)s") % {"programme": programme},
        question=_("Retire the health programme %(programme)s?") % {"programme": programme},
        cancel_url=_detail_url(programme),
        done_message=_("%(programme)s retired.") % {"programme": programme},
        done_url=reverse("programmes:list"),
    )
