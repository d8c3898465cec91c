"""Diagnoses: list and search, detail with history, create, edit, retire."""

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

from ..forms.diagnoses import DiagnosisForm, SearchForm
from ..queries import diagnoses as queries
from ..services import diagnoses as services


def _transfer_kind(user):
    """The diagnoses' import/export kind if the user may use it (the list's button)."""
    kind = transfer.KINDS.get("diagnoses")
    return kind if kind is not None and transfer.may_kind(user, kind, "view") else None


def _detail_url(diagnosis) -> str:
    return reverse("diagnoses:detail", args=[diagnosis.uuid])


@login_required
@require_GET
def diagnosis_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    queries.DIAGNOSIS.require_right(user, "view")
    form = SearchForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    qs = queries.search(user, q=data.get("q") or "", include_retired=bool(data.get("retired")))
    return render(
        request,
        "medical/diagnoses/list.html",
        {
            "form": form,
            "page_obj": paginate(request, qs),
            "may_add": queries.DIAGNOSIS.may_right(user, "add"),
            "transfer_kind": _transfer_kind(user),
        },
    )


@login_required
@require_GET
def diagnosis_detail(request: HttpRequest, uuid) -> HttpResponse:
    diagnosis = queries.get_diagnosis_for_user(request.user, uuid)
    return render(
        request,
        "medical/diagnoses/detail.html",
        {
            "diagnosis": diagnosis,
            "history": entries(diagnosis, page=request.GET.get("history")),
            "may": {
                action: queries.may_diagnosis(request.user, diagnosis, action)
                for action in ("edit", "retire")
            },
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def diagnosis_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    queries.DIAGNOSIS.require_right(user, "add")
    return form_page(
        request,
        form=DiagnosisForm(request.POST or None),
        save=lambda data: services.diagnosis_create(actor=user, **data),
        template="medical/diagnoses/form.html",
        context={"title": _("New diagnosis"), "cancel_url": reverse("diagnoses:list")},
        done_message=lambda diagnosis: _("%(diagnosis)s created.") % {"diagnosis": diagnosis},
        done_url=_detail_url,
    )


@login_required
@require_http_methods(["GET", "POST"])
def diagnosis_edit(request: HttpRequest, uuid) -> HttpResponse:
    user = request.user
    diagnosis = queries.get_diagnosis_for_user(user, uuid, "edit")
    initial = {"code": diagnosis.code, "name": diagnosis.name, "name_fr": diagnosis.name_fr}
    return form_page(
        request,
        form=DiagnosisForm(request.POST or None, initial=initial),
        save=lambda data: services.diagnosis_update(actor=user, diagnosis=diagnosis, **data),
        template="medical/diagnoses/form.html",
        context={
            "diagnosis": diagnosis,
            "title": _("Edit %(diagnosis)s") % {"diagnosis": diagnosis},
            "cancel_url": _detail_url(diagnosis),
        },
        done_message=_("Changes saved."),
        done_url=_detail_url(diagnosis),
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
        cancel_url=_detail_url(diagnosis),
        done_message=_("%(diagnosis)s retired.") % {"diagnosis": diagnosis},
        done_url=reverse("diagnoses:list"),
    )
