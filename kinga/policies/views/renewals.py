"""The renewal-reminder page (spec §9.7)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kinga.core.lists import paginate

from ..forms.renewals import ReminderFilterForm
from ..queries import renewals
from ..queries.policies import POLICY
from ..services import policies as policy_services

# One officer's printed list shows at most this many reminders (a message says when more).
PRINT_LIMIT = 500


@login_required
@require_GET
def renewal_reminders(request: HttpRequest) -> HttpResponse:
    """The renewal-reminder list (spec §9.7): policies expiring within the renewal interval,
    grouped by the officer who must act, a page at a time; `print=1` renders one officer's list
    for printing (at most PRINT_LIMIT rows)."""
    user = request.user
    POLICY.require_right(user, "remind")
    form = ReminderFilterForm(request.GET or None)
    days = form.days_or_default()
    today = timezone.localdate()
    found = renewals.reminders(user, today, days)
    officers = found.acting_officers()
    officer = None
    wanted = request.GET.get("officer") or ""
    if wanted:
        officer = next((o for o in officers if str(o.uuid) == wanted), None)
    printing = request.GET.get("print") == "1" and officer is not None
    page_obj, rows, total = None, [], 0
    if officer is not None:
        found = found.for_officer(officer)
    if printing:
        policies = list(found.policies[: PRINT_LIMIT + 1])
        total = found.policies.count() if len(policies) > PRINT_LIMIT else len(policies)
        rows = found.rows(policies[:PRINT_LIMIT])
    elif officer is not None or not wanted:
        page_obj = paginate(request, found.policies)
        rows = found.rows(page_obj)
    may_renew = POLICY.may_right(user, "renew")
    for row in rows:
        row.free = policy_services.is_free(row.new_product)
    return render(
        request,
        "policies/renewals.html",
        {
            "title": _("Renewal reminders"),
            "form": form,
            "rows": rows,
            "page_obj": page_obj,
            "officers": officers,
            "officer": officer,
            "days": days,
            "max_days": renewals.MAX_DAYS,
            "today": today,
            "until": today + timedelta(days=days),
            "printing": printing,
            "print_total": total,
            "print_limit": PRINT_LIMIT,
            "may_renew": may_renew,
        },
    )
