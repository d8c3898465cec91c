"""The insuree enquiry page (spec §11.1, right 101105)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kinga.insurees.queries.families import INSUREE

from ..queries import enquiry as enquiry_module


@login_required
@require_GET
def enquiry(request: HttpRequest) -> HttpResponse:
    """Insuree enquiry by insurance number (spec §11.1, right 101105)."""
    user = request.user
    INSUREE.require_right(user, "enquire")
    number = enquiry_module.clean_number(request.GET.get("number"))
    result = None
    if number:
        result = enquiry_module.enquire(user, number, timezone.localdate())
    return render(
        request,
        "policies/enquiry.html",
        {
            "title": _("Insuree enquiry"),
            "number": number,
            "result": result,
            "searched": bool(number),
            "may_see_photo": INSUREE.may_right(user, "view"),
        },
    )
