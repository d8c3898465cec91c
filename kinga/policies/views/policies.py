"""Policies: the policy form of a family (with the preview before saving), the family's block of
policies, the policy page (members, contributions, history) and its suspension."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kinga.core import access
from kinga.core.errors import Refused
from kinga.core.history import entries
from kinga.core.rights import Right
from kinga.insurees.queries.families import get_family_for_user

from .. import rules
from ..forms.policies import PolicyForm
from ..models import PolicyStatus
from ..queries import contributions as contribution_queries
from ..queries import policies as policy_queries
from ..services import contributions as contribution_services
from ..services import policies as policy_services


def _back(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return default


def _on_date(form: forms.Form, today):
    raw = form.data.get("enroll_date") if form.is_bound else None
    try:
        return forms.DateField().clean(raw) if raw else today
    except forms.ValidationError:
        return today


@login_required
@require_http_methods(["GET", "POST"])
def policy_create(request: HttpRequest, family_uuid) -> HttpResponse:
    user = request.user
    family = get_family_for_user(user, family_uuid, Right.POLICY_ADD)
    today = timezone.localdate()
    cancel = _back(request, reverse("families:detail", args=[family.uuid]))
    data = request.POST if request.method == "POST" else None
    probe = PolicyForm(data, user=user, family=family, on_date=today)
    on_date = _on_date(probe, today)
    form = PolicyForm(
        data,
        user=user,
        family=family,
        on_date=on_date,
        initial={"enroll_date": today, "start_date": today},
    )
    preview = None
    ask_confirm = False
    if data is not None and form.is_valid():
        d = form.cleaned_data
        try:
            preview = policy_services.policy_preview(
                actor=user,
                family=family,
                product=d["product"],
                enroll_date=d["enroll_date"],
                start_date=d["start_date"],
                today=today,
            )
            if "save" in request.POST:
                result = policy_services.policy_attach(
                    actor=user,
                    family=family,
                    product=d["product"],
                    enroll_date=d["enroll_date"],
                    officer=d["officer"],
                    start_date=d["start_date"],
                    today=today,
                    confirm_replace=d["confirm_replace"],
                )
                for warning in result.warnings:
                    messages.warning(request, warning)
                messages.success(
                    request,
                    _("Policy saved: %(status)s.") % {"status": result.policy.get_status_display()},
                )
                return redirect(cancel)
        except Refused as refused:
            if refused.code == "confirm_replace":
                ask_confirm = True
                form.data = form.data.copy()
                form.data["confirm_replace"] = "on"
            refused.add_to_form(form)
    return render(
        request,
        "policies/policy/form.html",
        {
            "title": _("Policy details"),
            "family": family,
            "form": form,
            "preview": preview,
            "ask_confirm": ask_confirm,
            "cancel_url": cancel,
        },
    )


def _dates_preview(request: HttpRequest, user, family, today):
    """The preview of the dates of the policy form's current values, or None."""
    form = PolicyForm(request.GET, user=user, family=family, on_date=_on_date_get(request, today))
    form.fields["officer"].required = False
    if not form.is_valid():
        return None, ""
    d = form.cleaned_data
    try:
        preview = policy_services.policy_preview(
            actor=user,
            family=family,
            product=d["product"],
            enroll_date=d["enroll_date"],
            start_date=d["start_date"],
            today=today,
        )
    except Refused as refused:
        return None, refused.message
    return preview, ""


def _on_date_get(request: HttpRequest, today):
    raw = request.GET.get("enroll_date")
    try:
        return forms.DateField().clean(raw) if raw else today
    except forms.ValidationError:
        return today


@login_required
@require_GET
def policy_dates(request: HttpRequest, family_uuid) -> HttpResponse:
    """The computed expiry (and effective) date of the policy form (htmx fragment)."""
    user = request.user
    family = get_family_for_user(user, family_uuid, Right.POLICY_ADD, Right.POLICY_EDIT)
    preview, message = _dates_preview(request, user, family, timezone.localdate())
    return render(
        request,
        "policies/policy/_dates.html",
        {"preview": preview, "message": message},
    )


@login_required
@require_GET
def family_policies(request: HttpRequest, family_uuid) -> HttpResponse:
    """The beneficiary page's block « Sélectionner un programme de santé »: the family's
    policies with the status the rules give today, and the green + to the policy form.  Empty
    for a user without the policy search right (htmx fragment)."""
    user = request.user
    if not access.has_right(user, Right.POLICY_SEARCH):
        return HttpResponse("")
    family = get_family_for_user(user, family_uuid, Right.POLICY_SEARCH)
    today = timezone.localdate()
    back = _back(request, reverse("families:detail", args=[family.uuid]))
    policies = list(policy_queries.policies_of_family(user, family))
    for p in policies:
        p.status_now = rules.expire(p.status, p.expiry_date, today)
        p.status_now_label = PolicyStatus(p.status_now).label
    return render(
        request,
        "policies/policy/_family_block.html",
        {
            "family": family,
            "policies": policies,
            "back": back,
            "may_add": family.retired_at is None
            and policy_queries.may_family(user, family, Right.POLICY_ADD),
        },
    )


@login_required
@require_http_methods(["GET"])
def policy_detail(request: HttpRequest, uuid) -> HttpResponse:
    user = request.user
    policy = policy_queries.get_policy_for_user(user, uuid)
    contributions = list(contribution_queries.contributions_of(policy))
    may_edit = access.has_right(user, Right.CONTRIBUTION_EDIT)
    may_delete = access.has_right(user, Right.CONTRIBUTION_DELETE)
    for c in contributions:
        c.may_edit = may_edit
        c.may_delete = may_delete and not contribution_services.contribution_locked(policy, c)
    return render(
        request,
        "policies/policy/detail.html",
        {
            "policy": policy,
            "members": policy_queries.coverage(policy),
            "contributions": contributions,
            "contribution_actions": may_edit or may_delete,
            "history": entries(policy),
            "may_suspend": access.has_right(user, Right.POLICY_EDIT)
            and policy.status in (PolicyStatus.IDLE, PolicyStatus.ACTIVE, PolicyStatus.READY),
            "may_pay": access.has_right(user, Right.CONTRIBUTION_ADD),
        },
    )


@login_required
@require_POST
def policy_suspend(request: HttpRequest, uuid) -> HttpResponse:
    policy = policy_queries.get_policy_for_user(request.user, uuid, Right.POLICY_EDIT)
    try:
        policy_services.policy_suspend(actor=request.user, policy=policy)
        messages.success(request, _("The policy is suspended."))
    except Refused as refused:
        messages.error(request, refused.message)
    return redirect("policies:detail", uuid=policy.uuid)
