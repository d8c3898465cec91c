"""Payers: list and search, detail with history, create, edit, retire."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kinga.core import transfer
from kinga.core.history import entries
from kinga.core.lists import paginate
from kinga.core.pages import confirm_page, form_page

from ..forms.payers import PayerForm, SearchForm
from ..queries import payers as queries
from ..services import payers as services

FORM = "policies/payers/form.html"


@login_required
@require_GET
def payer_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    queries.PAYER.require_right(user, "view")
    locations = list(queries.filter_locations(user))
    form = SearchForm(request.GET or None, locations=locations)
    data = form.cleaned_data if form.is_valid() else {}
    where = data.get("location") or ""
    payers = queries.search(
        user,
        q=data.get("q") or "",
        type=data.get("type") or "",
        national=where == "national",
        location=next((loc for loc in locations if str(loc.uuid) == where), None),
        include_retired=bool(data.get("retired")),
    )
    kind = transfer.KINDS.get("payers")
    return render(
        request,
        "policies/payers/list.html",
        {
            "form": form,
            "page_obj": paginate(request, payers),
            "may_add": queries.PAYER.may_right(user, "add"),
            "may_transfer": kind is not None and (kind.may_upload(user) or kind.may_download(user)),
        },
    )


@login_required
@require_GET
def payer_detail(request: HttpRequest, uuid) -> HttpResponse:
    payer = queries.get_payer_for_user(request.user, uuid)
    return render(
        request,
        "policies/payers/detail.html",
        {
            "payer": payer,
            "history": entries(payer, page=request.GET.get("history")),
            "may": {
                "edit": queries.may_payer(request.user, payer, "edit"),
                "retire": queries.may_payer(request.user, payer, "retire"),
            },
        },
    )


def _fields(data: dict) -> dict:
    return {k: data.get(k) for k in ("type", "name", "address", "location", "phone", "fax")} | {
        "email": data.get("email") or ""
    }


def _payer_url(payer) -> str:
    return reverse("payers:detail", args=[payer.uuid])


@login_required
@require_http_methods(["GET", "POST"])
def payer_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    queries.PAYER.require_right(user, "add")
    return form_page(
        request,
        form=PayerForm(request.POST or None, locations=queries.location_choices(user)),
        save=lambda data: services.payer_create(actor=user, **_fields(data)),
        template=FORM,
        context={"title": _("New payer"), "cancel_url": reverse("payers:list")},
        done_message=lambda payer: _("Payer %(payer)s created.") % {"payer": payer},
        done_url=_payer_url,
    )


@login_required
@require_http_methods(["GET", "POST"])
def payer_edit(request: HttpRequest, uuid) -> HttpResponse:
    user = request.user
    payer = queries.get_payer_for_user(user, uuid, "edit")
    form = PayerForm(
        request.POST or None,
        locations=queries.location_choices(user),
        initial={
            "type": payer.type,
            "name": payer.name,
            "address": payer.address,
            "location": payer.location.uuid if payer.location else None,
            "phone": payer.phone,
            "fax": payer.fax,
            "email": payer.email,
        },
    )
    return form_page(
        request,
        form=form,
        save=lambda data: services.payer_update(actor=user, payer=payer, **_fields(data)),
        template=FORM,
        context={
            "payer": payer,
            "title": _("Edit the payer %(payer)s") % {"payer": payer},
            "cancel_url": _payer_url(payer),
        },
        done_message=_("Changes saved."),
        done_url=_payer_url(payer),
    )


@login_required
@require_http_methods(["GET", "POST"])
def payer_retire(request: HttpRequest, uuid) -> HttpResponse:
    payer = queries.get_payer_for_user(request.user, uuid, "retire")
    return confirm_page(
        request,
        action=lambda: services.payer_retire(actor=request.user, payer=payer),
        title=_("Retire the payer %(payer)s") % {"payer": payer},
        question=_(
            "Retire the payer %(payer)s? It stays in the history and on past contributions, "
            "but is no longer offered for new ones."
        )
        % {"payer": payer},
        cancel_url=_payer_url(payer),
        done_message=_("Payer %(payer)s retired.") % {"payer": payer},
        done_url=reverse("payers:list"),
    )
