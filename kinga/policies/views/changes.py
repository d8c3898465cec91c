"""A policy's renewal (spec §9.7) and its changes (§9.1): the renewal page shows the renewal's
product, dates, value and discount before it is saved; a free package renews in one click; an
Idle policy's dates and officer are changed, a policy in force has only its officer corrected,
with the reason."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kinga.core.errors import Refused
from kinga.core.pages import form_page
from kinga.insurees.queries.officers import renewal_officer

from ..forms.edit import PolicyCorrectForm, PolicyEditForm
from ..forms.renewals import RenewalForm
from ..models import PolicyStatus
from ..queries import policies as policy_queries
from ..services import policies as policy_services
from .policies import _back, _typed_enroll_date, show_computed_start, typed_start


def _saved_message(result, text: str) -> list:
    """The warnings, then what was saved, with the status the family's list shows for it."""
    policy = result.policy
    return [
        *((messages.WARNING, warning) for warning in result.warnings),
        text
        % {
            "status": result.status_on(timezone.localdate()).label,
            "start": policy.start_date.strftime("%d/%m/%Y"),
            "expiry": policy.expiry_date.strftime("%d/%m/%Y"),
        },
    ]


@login_required
@require_http_methods(["GET", "POST"])
def policy_renew(request: HttpRequest, uuid) -> HttpResponse:
    """The renewal page: GET shows the renewal as it would be saved (today, the policy's
    officer); « Compute » shows it again for the typed date and officer; « Renew » saves it.
    `quick=1` (the « Renew » button of a free package) saves at once with the free renewal date
    (`free_renewal_date`: no gap) and the policy's officer (or his substitute), or shows the
    page with the reason."""
    user = request.user
    policy = policy_queries.get_policy_for_user(user, uuid, "renew")
    family = policy.family
    today = timezone.localdate()
    free = policy_services.is_free(policy.product)
    back = _back(request, reverse("families:detail", args=[family.uuid]))
    data = request.POST if request.method == "POST" else None
    quick = data is not None and data.get("quick") == "1"
    if quick and not free:
        data = None  # a paying product is renewed from its page, after its preview
    default_date = policy_services.free_renewal_date(policy, today) if free else today
    # The policy's officer, or his substitute when he no longer works on the renewal date (the
    # officer the reminder list names).
    officer = renewal_officer(policy.officer, default_date) if policy.officer else None
    if data is not None and quick:
        data = data.copy()
        data["enroll_date"] = default_date.isoformat()
        data["officer"] = str(officer.uuid) if officer else ""
        data["save"] = "1"
    initial = {"enroll_date": default_date, "officer": officer}
    form = RenewalForm(
        data,
        user=user,
        family=family,
        on_date=_typed_enroll_date(data, default_date),
        initial=initial,
    )
    values = form.cleaned_data if data is not None and form.is_valid() else None
    preview = None
    enroll_date = values["enroll_date"] if values else (default_date if data is None else None)
    if enroll_date is not None:
        try:
            preview = policy_services.policy_renew_preview(
                actor=user, policy=policy, enroll_date=enroll_date, today=today
            )
        except Refused as refused:
            if data is not None:
                refused.add_to_form(form)
            else:
                form.refusal = refused.message
    context = {
        "title": _("Renew the policy"),
        "policy": policy,
        "family": family,
        "preview": preview,
        "free": free,
        "cancel_url": back,
        "refusal": getattr(form, "refusal", ""),
    }
    template = "policies/policy/renew.html"
    # Confirmed is what was shown: a renewal date changed since the preview shows the new
    # preview first.
    shown = (
        preview is not None
        and data is not None
        and (quick or data.get("previewed") == preview.enroll_date.isoformat())
    )
    if data is None or "save" not in data or (preview is not None and not shown):
        return render(request, template, {"form": form, **context})
    return form_page(
        request,
        form=form,
        save=lambda d: policy_services.policy_renew(
            actor=user,
            policy=policy,
            enroll_date=d["enroll_date"],
            officer=d["officer"],
            today=today,
        ),
        template=template,
        context=context,
        done_message=lambda result: _saved_message(
            result,
            _("Policy renewed: %(status)s, from %(start)s to %(expiry)s."),
        ),
        done_url=lambda result: reverse("policies:detail", args=[result.policy.uuid]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def policy_edit(request: HttpRequest, uuid) -> HttpResponse:
    """An Idle policy: its enrolment date, start date (following the product's rules unless
    typed) and officer, recomputed before saving.  A policy in force: its officer only, with
    the reason; the page says why its dates and product stay."""
    user = request.user
    policy = policy_queries.get_policy_for_user(user, uuid, "edit")
    if policy.status != PolicyStatus.IDLE:
        return _policy_correct(request, policy)
    family = policy.family
    today = timezone.localdate()
    detail = reverse("policies:detail", args=[policy.uuid])
    data = request.POST if request.method == "POST" else None
    form = PolicyEditForm(
        data,
        user=user,
        family=family,
        on_date=_typed_enroll_date(data, policy.enroll_date),
        initial={
            "enroll_date": policy.enroll_date,
            "start_date": policy.start_date,
            "officer": policy.officer,
        },
    )
    preview = None
    if data is not None and form.is_valid():
        d = form.cleaned_data
        try:
            preview = policy_services.policy_edit_preview(
                actor=user,
                policy=policy,
                enroll_date=d["enroll_date"],
                start_date=typed_start(data, d["start_date"]),
                today=today,
            )
        except Refused as refused:
            refused.add_to_form(form)
    computed = show_computed_start(form, data, preview)
    if data is None:
        computed = policy.start_date.isoformat()
    context = {
        "title": _("Change the policy"),
        "policy": policy,
        "preview": preview,
        "computed_start": computed,
        "cancel_url": detail,
    }
    template = "policies/policy/edit.html"
    if data is None or "save" not in data:
        return render(request, template, {"form": form, **context})
    return form_page(
        request,
        form=form,
        save=lambda d: policy_services.policy_update(
            actor=user,
            policy=policy,
            enroll_date=d["enroll_date"],
            product=policy.product,
            officer=d["officer"],
            start_date=typed_start(data, d["start_date"]),
            today=today,
        ),
        template=template,
        context=context,
        done_message=lambda result: _saved_message(
            result, _("Policy changed: %(status)s, from %(start)s to %(expiry)s.")
        ),
        done_url=detail,
    )


def _policy_correct(request: HttpRequest, policy) -> HttpResponse:
    user = request.user
    detail = reverse("policies:detail", args=[policy.uuid])
    form = PolicyCorrectForm(
        request.POST if request.method == "POST" else None,
        user=user,
        family=policy.family,
        on_date=policy.enroll_date,
        initial={"officer": policy.officer},
    )
    return form_page(
        request,
        form=form,
        save=lambda d: policy_services.policy_correct(
            actor=user, policy=policy, officer=d["officer"], reason=d["reason"]
        ),
        template="policies/policy/correct.html",
        context={"title": _("Correct the policy"), "policy": policy, "cancel_url": detail},
        done_message=lambda corrected: (
            _("Policy corrected: the enrolment officer is now %(officer)s.")
            % {"officer": corrected.officer}
        ),
        done_url=detail,
    )
