"""Outils › Import and export of registers (every register with a `transfer.RegisterKind`)."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from .. import transfer
from ..errors import Refused


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


def _kind(user, key: str, *, upload: bool) -> transfer.RegisterKind:
    kind = transfer.KINDS.get(key)
    if kind is None:
        raise Http404
    if not (kind.may_upload(user) if upload else kind.may_download(user)):
        raise PermissionDenied
    return kind


@login_required
@require_GET
def transfer_index(request: HttpRequest) -> HttpResponse:
    kinds = transfer.kinds_for(request.user)
    if not kinds:
        raise PermissionDenied
    rows = [
        {
            "kind": k,
            "may_upload": k.may_upload(request.user),
            "may_download": k.may_download(request.user),
            "formats": k.formats(),
        }
        for k in sorted(kinds, key=lambda k: str(k.label))
    ]
    return render(request, "core/transfer/index.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def transfer_import(request: HttpRequest, key: str) -> HttpResponse:
    kind = _kind(request.user, key, upload=True)
    report = None
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = transfer.read_file(kind, upload.name, upload.read())
            report = transfer.run_import(
                actor=request.user,
                kind=kind,
                rows=rows,
                strategy=form.cleaned_data["strategy"],
                dry_run=form.cleaned_data["dry_run"],
            )
        except Refused as refused:
            refused.add_to_form(form)
    return render(
        request,
        "core/transfer/import.html",
        {
            "kind": kind,
            "form": form,
            "report": report,
            "columns": kind.columns,
            "optional": kind.optional_columns,
        },
        status=200 if report is None or report.success else 422,
    )


@login_required
@require_GET
def transfer_export(request: HttpRequest, key: str) -> HttpResponse:
    kind = _kind(request.user, key, upload=False)
    fmt = request.GET.get("format", "csv")
    if fmt not in kind.formats():
        raise Http404
    content, content_type, filename = transfer.export(actor=request.user, kind=kind, fmt=fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
