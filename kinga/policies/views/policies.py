"""Policies: the policy form of a family (with the preview before saving), the family's block of
policies, the policy page (members, contributions, history) and its suspension."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from kinga.core.errors import Refused
from kinga.core.history import Child, entries
from kinga.core.pages import form_page
from kinga.insurees.queries.families import FAMILY, get_family_for_user, may_family

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


def _typed_enroll_date(data, today):
    """The enrolment date the user typed (the products and officers the form offers depend on
    it), else today."""
    raw = data.get("enroll_date") if data else None
    try:
        return forms.DateField().clean(raw) if raw else today
    except forms.ValidationError:
        return today


def typed_start(data, start_date):
    """The start date the clerk typed, or None when the start date is to follow the product's
    rules: left empty, or still the one the page computed last (`computed_start`, a hidden
    input) — so that a start date computed for an earlier enrolment date, or product, follows
    the new one instead of staying."""
    if start_date is None:
        return None
    raw = data.get("computed_start") if data else None
    try:
        computed = forms.DateField().clean(raw) if raw else None
    except forms.ValidationError:
        computed = None
    return None if computed == start_date else start_date


def show_computed_start(form, data, preview) -> str:
    """Put the computed start date in the form's start date field unless the clerk typed one;
    the value of the hidden `computed_start` the page then carries."""
    if preview is None:
        return (data.get("computed_start") or "") if data else ""
    if typed_start(data, form.cleaned_data.get("start_date")) is None:
        form.data = form.data.copy()
        form.data["start_date"] = preview.start_date.isoformat()
    return preview.rule_start_date.isoformat() if preview.rule_start_date else ""


def _preview(form: PolicyForm, user, family, today):
    """(the policy as `policy_attach` would save it for the form's values, or None; the
    refusal of those values, or None)."""
    if not form.is_bound or not form.is_valid():
        return None, None
    d = form.cleaned_data
    try:
        preview = policy_services.policy_preview(
            actor=user,
            family=family,
            product=d["product"],
            enroll_date=d["enroll_date"],
            start_date=typed_start(form.data, d["start_date"]),
            today=today,
        )
    except Refused as refused:
        return None, refused
    return preview, None


def _attached(result) -> list:
    """The policy form's messages: the warnings of the preview, then what was saved."""
    return [
        *((messages.WARNING, warning) for warning in result.warnings),
        _("Policy saved: %(status)s.") % {"status": result.status_on(timezone.localdate()).label},
    ]


FORM = "policies/policy/form.html"


# The policy's page shows the history of its contributions and of its members' coverage too.
POLICY_LINES = (
    Child("contributions", gettext_lazy("Contribution receipt %(receipt)s")),
    Child("members", gettext_lazy("Coverage of %(insuree)s")),
)


@login_required
@require_http_methods(["GET", "POST"])
def policy_create(request: HttpRequest, family_uuid) -> HttpResponse:
    """The policy form: each POST shows the preview (dates, value, who is covered, what it
    replaces); the Save button attaches the policy, asking first to confirm a replacement."""
    user = request.user
    family = get_family_for_user(user, family_uuid, "add_policy")
    today = timezone.localdate()
    cancel = _back(request, reverse("families:detail", args=[family.uuid]))
    data = request.POST if request.method == "POST" else None
    form = PolicyForm(
        data,
        user=user,
        family=family,
        on_date=_typed_enroll_date(data, today),
        initial={"enroll_date": today},
    )
    preview, refused = _preview(form, user, family, today)
    if refused is not None:
        refused.add_to_form(form)
    computed_start = show_computed_start(form, data, preview)
    context = {
        "computed_start": computed_start,
        "title": _("Policy details"),
        "family": family,
        "preview": preview,
        "ask_confirm": False,
        "cancel_url": cancel,
    }
    if "save" not in request.POST:
        return render(request, FORM, {"form": form, **context})
    return form_page(
        request,
        form=form,
        save=lambda d: policy_services.policy_attach(
            actor=user, family=family, today=today, **_attach_values(d, data)
        ),
        template=FORM,
        context=context,
        on_refused=_asking_to_confirm(context),
        done_message=_attached,
        done_url=cancel,
    )


def _attach_values(d: dict, data) -> dict:
    names = ("product", "enroll_date", "officer", "confirm_replace")
    return {name: d[name] for name in names} | {"start_date": typed_start(data, d["start_date"])}


def _asking_to_confirm(context: dict):
    """`on_refused` of the policy form: a replacement to confirm brings the « Confirm and
    save » button, the confirmation going with the next POST."""

    def on_refused(refused: Refused, form: PolicyForm) -> None:
        if refused.code == "confirm_replace":
            context["ask_confirm"] = True
            form.data = form.data.copy()
            form.data["confirm_replace"] = "on"
        refused.add_to_form(form)

    return on_refused


@login_required
@require_GET
def policy_dates(request: HttpRequest, family_uuid) -> HttpResponse:
    """The computed expiry (and effective) date of the policy form (htmx fragment)."""
    user = request.user
    family = get_family_for_user(user, family_uuid, "preview_policy")
    today = timezone.localdate()
    form = PolicyForm(
        request.GET, user=user, family=family, on_date=_typed_enroll_date(request.GET, today)
    )
    form.fields["officer"].required = False
    preview, refused = _preview(form, user, family, today)
    follows = (
        preview is not None and typed_start(request.GET, form.cleaned_data["start_date"]) is None
    )
    computed_start = show_computed_start(form, request.GET, preview)
    if follows:
        form.fields["start_date"].widget.attrs["hx-swap-oob"] = "true"
    return render(
        request,
        "policies/policy/_dates.html",
        {
            "preview": preview,
            "message": refused.message if refused else "",
            "form": form,
            "follows": follows,
            "computed_start": computed_start,
        },
    )


@login_required
@require_GET
def family_policies(request: HttpRequest, family_uuid) -> HttpResponse:
    """The beneficiary page's block « Sélectionner un programme de santé »: the family's
    policies with the status the rules give today, and the green + to the policy form.  Empty
    for a user without the policy search right (htmx fragment)."""
    user = request.user
    if not FAMILY.may_right(user, "see_policies"):
        return HttpResponse("")
    family = get_family_for_user(user, family_uuid, "see_policies")
    today = timezone.localdate()
    back = _back(request, reverse("families:detail", args=[family.uuid]))
    policies = list(policy_queries.policies_of_family(user, family))
    may_renew = policy_queries.POLICY.may_right(user, "renew") and family.retired_at is None
    paid = contribution_queries.paid_totals(p.pk for p in policies)
    for p in policies:
        p.status_now = rules.expire(p.status, p.expiry_date, today)
        p.status_now_label = PolicyStatus(p.status_now).label
        p.may_renew = may_renew and policy_queries.renewable(p, today, p.renewed)
        p.free = p.may_renew and policy_services.is_free(p.product)
        p.surplus = max(0, (paid.get(p.pk) or 0) - p.value)
    return render(
        request,
        "policies/policy/_family_block.html",
        {
            "family": family,
            "policies": policies,
            "back": back,
            "may_add": may_family(user, family, "add_policy"),
        },
    )


@login_required
@require_http_methods(["GET"])
def policy_detail(request: HttpRequest, uuid) -> HttpResponse:
    user = request.user
    policy = policy_queries.get_policy_for_user(user, uuid)
    contributions = list(contribution_queries.contributions_of(policy))
    for c in contributions:
        c.may_edit = contribution_queries.may_contribution(user, c, "edit")
        c.may_delete = contribution_queries.may_contribution(
            user, c, "delete"
        ) and not contribution_services.contribution_locked(policy, c)
    return render(
        request,
        "policies/policy/detail.html",
        {
            "policy": policy,
            "members": policy_queries.coverage(policy, user),
            "contributions": contributions,
            "contribution_actions": contribution_queries.CONTRIBUTION.may_right(user, "edit")
            or contribution_queries.CONTRIBUTION.may_right(user, "delete"),
            # Its members' names are in its history: none for a masked family (issue 15).
            "history": None
            if getattr(policy.family.head, "confidential", False)
            else entries(policy, children=POLICY_LINES, page=request.GET.get("history")),
            "may_suspend": policy_queries.may_policy(user, policy, "suspend"),
            "status_now": PolicyStatus(
                rules.expire(policy.status, policy.expiry_date, timezone.localdate())
            ).label,
            "status_now_code": rules.expire(
                policy.status, policy.expiry_date, timezone.localdate()
            ),
            "may_edit": policy_queries.may_policy(user, policy, "edit"),
            "may_renew": policy_queries.may_policy(user, policy, "renew")
            and policy_queries.renewable(policy, timezone.localdate(), policy.renewed),
            "free": policy_services.is_free(policy.product),
            "may_pay": policy_queries.may_policy(user, policy, "pay")
            and not contribution_services.is_free(policy),
            "may_reactivate": policy.status == PolicyStatus.SUSPENDED
            and policy_queries.may_policy(user, policy, "edit"),
            "surplus": max(
                0, sum(c.amount for c in contributions if not c.is_photo_fee) - policy.value
            ),
        },
    )
