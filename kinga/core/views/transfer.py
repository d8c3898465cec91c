"""Outils › Import and export of registers (every register with a `transfer.RegisterKind`)."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from .. import transfer
from ..pages import import_report


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File"))
    strategy = forms.ChoiceField(
        label=_("What to do"),
        choices=list(transfer.STRATEGY_LABELS.items()),
        initial="insert_update",
    )
    dry_run = forms.BooleanField(
        label=_("Dry run: check the file and report, without saving anything"),
        required=False,
        initial=True,
    )


@login_required
@require_GET
def transfer_index(request: HttpRequest) -> HttpResponse:
    user = request.user
    rows = [
        {
            "kind": k,
            "may_upload": transfer.may_kind(user, k, "upload"),
            "may_download": transfer.may_kind(user, k, "download"),
            "formats": k.formats(),
        }
        for k in sorted(transfer.require_some_kind(user), key=lambda k: str(k.label))
    ]
    return render(request, "core/transfer/index.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def transfer_import(request: HttpRequest, key: str) -> HttpResponse:
    kind = transfer.get_kind_for_user(request.user, key, "upload")
    form = ImportForm(request.POST or None, request.FILES or None)
    report = import_report(request, actor=request.user, kind=kind, form=form)
    return render(
        request,
        "core/transfer/import.html",
        {
            "kind": kind,
            "form": form,
            "report": report,
            "columns": kind.columns,
            "optional": kind.optional_columns,
            "bounds": transfer.Bounds.of(),
        },
        status=200 if report is None or report.success else 422,
    )


@login_required
@require_GET
def transfer_export(request: HttpRequest, key: str) -> HttpResponse:
    kind = transfer.get_kind_for_user(request.user, key, "download")
    fmt = request.GET.get("format", "csv")
    if fmt not in kind.formats():
        raise Http404
    content, content_type, filename = transfer.export(actor=request.user, kind=kind, fmt=fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
