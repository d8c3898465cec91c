"""Diagnoses: list and search, detail with history, create, edit, retire."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kinga.core import access, transfer
from kinga.core.errors import Refused
from kinga.core.history import entries
from kinga.core.lists import paginate
from kinga.core.pages import confirm_page

from ..forms.diagnoses import DiagnosisForm, SearchForm
from ..queries import diagnoses as queries
from ..services import diagnoses as services


def _transfer_kind(user):
    kind = transfer.KINDS.get("diagnoses")
    return kind if kind is not None and (kind.may_upload(user) or kind.may_download(user)) else None


@login_required
@require_GET
def diagnosis_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    access.require_right(user, *queries.VIEW_RIGHTS)
    form = SearchForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    qs = queries.search(user, q=data.get("q") or "", include_retired=bool(data.get("retired")))
    return render(
        request,
        "medical/diagnoses/list.html",
        {
            "form": form,
            "page_obj": paginate(request, qs),
            "may_add": queries.may_change(user),
            "transfer_kind": _transfer_kind(user),
        },
    )


@login_required
@require_GET
def diagnosis_detail(request: HttpRequest, uuid) -> HttpResponse:
    diagnosis = queries.get_diagnosis_for_user(request.user, uuid)
    may = queries.may_change(request.user, diagnosis)
    return render(
        request,
        "medical/diagnoses/detail.html",
        {
            "diagnosis": diagnosis,
            "history": entries(diagnosis),
            "may": {"edit": may, "retire": may},
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def diagnosis_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    access.require_right(user, *queries.CHANGE_RIGHTS)
    form = DiagnosisForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            diagnosis = services.diagnosis_create(actor=user, **form.cleaned_data)
        except Refused as refused:
            refused.add_to_form(form)
        else:
            messages.success(request, _("%(diagnosis)s created.") % {"diagnosis": diagnosis})
            return redirect("diagnoses:detail", uuid=diagnosis.uuid)
    return render(
        request,
        "medical/diagnoses/form.html",
        {"form": form, "title": _("New diagnosis"), "cancel_url": reverse("diagnoses:list")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def diagnosis_edit(request: HttpRequest, uuid) -> HttpResponse:
    diagnosis = queries.get_diagnosis_for_user(request.user, uuid, "edit")
    if request.method == "POST":
        form = DiagnosisForm(request.POST)
        if form.is_valid():
            try:
                services.diagnosis_update(
                    actor=request.user, diagnosis=diagnosis, **form.cleaned_data
                )
            except Refused as refused:
                refused.add_to_form(form)
            else:
                messages.success(request, _("Changes saved."))
                return redirect("diagnoses:detail", uuid=diagnosis.uuid)
    else:
        form = DiagnosisForm(
            initial={"code": diagnosis.code, "name": diagnosis.name, "name_fr": diagnosis.name_fr}
        )
    return render(
        request,
        "medical/diagnoses/form.html",
        {
            "form": form,
            "diagnosis": diagnosis,
            "title": _("Edit %(diagnosis)s") % {"diagnosis": diagnosis},
            "cancel_url": reverse("diagnoses:detail", args=[diagnosis.uuid]),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def diagnosis_retire(request: HttpRequest, uuid) -> HttpResponse:
    diagnosis = queries.get_diagnosis_for_user(request.user, uuid, "retire")
    return confirm_page(
        request,
        action=lambda: services.diagnosis_retire(actor=request.user, diagnosis=diagnosis),
        title=_("Retire %(diagnosis)s") % {"diagnosis": diagnosis},
        question=_(
            "Retire the diagnosis %(diagnosis)s? It stays in the history and on the claims "
            "that carry it, but can no longer be chosen."
        )
        % {"diagnosis": diagnosis},
        cancel_url=reverse("diagnoses:detail", args=[diagnosis.uuid]),
        done_message=_("%(diagnosis)s retired.") % {"diagnosis": diagnosis},
        done_url=reverse("diagnoses:list"),
    )
