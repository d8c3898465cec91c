"""The renewal-reminder page (spec §9.7)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ..queries.policies import POLICY


@login_required
@require_GET
def renewal_reminders(request: HttpRequest) -> HttpResponse:
    """The renewal-reminder list (spec §9.7): policies expiring within the renewal interval,
    grouped by the officer who must act; `print=1` renders one officer's list for printing."""
    from datetime import timedelta

    from ..queries import renewals

    user = request.user
    POLICY.require_right(user, "remind")
    try:
        days = max(0, min(int(request.GET.get("days") or renewals.RENEWAL_INTERVAL), 366))
    except ValueError:
        days = renewals.RENEWAL_INTERVAL
    today = timezone.localdate()
    every = renewals.renewal_reminders(user, today, days)
    officers = sorted(
        {r.acting_officer.pk: r.acting_officer for r in every if r.acting_officer}.values(),
        key=lambda o: o.code,
    )
    officer = None
    wanted = request.GET.get("officer") or ""
    if wanted:
        officer = next((o for o in officers if str(o.uuid) == wanted), None)
    rows = every
    if officer is not None:
        rows = [r for r in every if r.acting_officer and r.acting_officer.pk == officer.pk]
    elif wanted:
        rows = []
    printing = request.GET.get("print") == "1" and officer is not None
    return render(
        request,
        "policies/renewals.html",
        {
            "title": _("Renewal reminders"),
            "rows": rows,
            "officers": officers,
            "officer": officer,
            "days": days,
            "today": today,
            "until": today + timedelta(days=days),
            "printing": printing,
        },
    )
