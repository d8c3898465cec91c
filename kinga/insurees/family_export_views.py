"""Export of a family/insuree search result, in the families import's columns."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.views.decorators.http import require_GET

from kinga.core import access

from . import family_queries as queries
from .family_search import run_search
from .transfer_families import export_search

FORMATS = ("csv", "xlsx")


@login_required
@require_GET
def family_export(request: HttpRequest) -> HttpResponse:
    """The insurees the list page finds with the same criteria (every page of them), with
    their family's fields: a file the families import reads back."""
    actor = request.user
    access.require_right(actor, *queries.FAMILY_RIGHTS)
    fmt = request.GET.get("format", "csv")
    if fmt not in FORMATS:
        return HttpResponseBadRequest("format: csv or xlsx")
    _filters, found = run_search(actor, request.GET)
    content, content_type, filename = export_search(actor, found, fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
