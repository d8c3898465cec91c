"""Policies: the policy form of a family (with the preview before saving), the policy page
(members, contributions, history, suspend), the contribution form (add and change) and the
contribution's delete confirmation."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kinga.core import access
from kinga.core.confirm import confirm_page
from kinga.core.errors import Refused
from kinga.core.history import entries
from kinga.core.rights import Right
from kinga.insurees.models import Officer
from kinga.insurees.queries.families import get_family_for_user
from kinga.insurees.queries.officers import officers_for_enrolment
from kinga.products.models import Product

from . import enquiry as enquiry_module
from . import policy_queries, policy_services, rules
from .models import Payer, PayType, PolicyStatus
from .queries import payers_for_location

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PolicyForm(forms.Form):
    """Détail de la police, in the procedure's order."""

    enroll_date = forms.DateField(label=gettext_lazy("Enrolment date"), widget=DATE)
    product = forms.ModelChoiceField(
        label=gettext_lazy("Service package"), queryset=Product.objects.none(), to_field_name="uuid"
    )
    start_date = forms.DateField(label=gettext_lazy("Start date"), widget=DATE, required=False)
    officer = forms.ModelChoiceField(
        label=gettext_lazy("Enrolment officer"),
        queryset=Officer.objects.none(),
        to_field_name="uuid",
    )
    confirm_replace = forms.BooleanField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, family, on_date, **kwargs):
        super().__init__(*args, **kwargs)
        # The expiry date is computed, never typed: it follows the enrolment date, the product
        # and the start date through a small fragment (htmx, no inline script).
        computed = {
            "hx-get": reverse("policies:dates", args=[family.uuid]),
            "hx-trigger": "change",
            "hx-include": "closest form",
            "hx-target": "#expiry_date",
            "hx-swap": "outerHTML",
        }
        for name in ("enroll_date", "product", "start_date"):
            self.fields[name].widget.attrs.update(computed)
        self.fields["product"].queryset = policy_queries.products_on_sale(family, on_date)
        self.fields["product"].label_from_instance = lambda p: f"{p.code} {p.name}"
        district = family.village.parent.parent
        self.fields["officer"].queryset = officers_for_enrolment(user, district, on_date)


class ContributionForm(forms.Form):
    payer = forms.ModelChoiceField(
        label=gettext_lazy("Payer"),
        queryset=Payer.objects.none(),
        to_field_name="uuid",
        required=False,
        empty_label=gettext_lazy("(the family)"),
    )
    amount = forms.DecimalField(label=gettext_lazy("Amount"), max_digits=18, decimal_places=2)
    receipt = forms.CharField(label=gettext_lazy("Receipt"), max_length=50)
    pay_date = forms.DateField(label=gettext_lazy("Payment date"), widget=DATE)
    pay_type = forms.ChoiceField(label=gettext_lazy("Payment type"), choices=PayType.choices)
    is_photo_fee = forms.BooleanField(label=gettext_lazy("Photo fee"), required=False)

    def __init__(self, *args, user, family, contribution=None, locked=False, **kwargs):
        super().__init__(*args, **kwargs)
        payers = payers_for_location(user, family.village)
        if contribution is not None and contribution.payer_id is not None:
            # A contribution being changed keeps its payer even if he no longer pays there.
            payers = Payer.objects.filter(
                Q(pk__in=payers.values("pk")) | Q(pk=contribution.payer_id)
            ).order_by("name", "pk")
        self.fields["payer"].queryset = payers
        if locked:
            # The policy is no longer idle: what its status rests on cannot change here.
            for name in ("amount", "pay_date", "is_photo_fee"):
                self.fields[name].disabled = True
                self.fields[name].help_text = gettext_lazy("Locked: the policy is no longer idle.")


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
@require_GET
def enquiry(request: HttpRequest) -> HttpResponse:
    """Insuree enquiry by insurance number (spec §11.1, right 101105)."""
    user = request.user
    access.require_right(user, Right.INSUREE_ENQUIRE)
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
            "may_see_photo": access.has_right(user, Right.FAMILY_SEARCH, Right.INSUREE_SEARCH),
        },
    )


@login_required
@require_http_methods(["GET"])
def policy_detail(request: HttpRequest, uuid) -> HttpResponse:
    user = request.user
    policy = policy_queries.get_policy_for_user(user, uuid)
    contributions = list(policy_queries.contributions_of(policy))
    may_edit = access.has_right(user, Right.CONTRIBUTION_EDIT)
    may_delete = access.has_right(user, Right.CONTRIBUTION_DELETE)
    for c in contributions:
        c.may_edit = may_edit
        c.may_delete = may_delete and not policy_services.contribution_locked(policy, c)
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
            and policy.status in (rules.Status.IDLE, rules.Status.ACTIVE, rules.Status.READY),
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


@login_required
@require_http_methods(["GET", "POST"])
def contribution_add(request: HttpRequest, uuid) -> HttpResponse:
    user = request.user
    policy = policy_queries.get_policy_for_user(user, uuid, Right.CONTRIBUTION_ADD)
    today = timezone.localdate()
    data = request.POST if request.method == "POST" else None
    form = ContributionForm(
        data,
        user=user,
        family=policy.family,
        initial={"pay_date": today, "pay_type": PayType.CASH},
    )

    def save(d, action):
        return policy_services.contribution_add(
            actor=user, policy=policy, action=action, today=today, **d
        )

    return _contribution_page(request, policy, form, save, _("Contribution"))


def _contribution_page(request, policy, form, save, title: str, saved: str = "") -> HttpResponse:
    """The contribution form (add or edit): `save(cleaned_data, action)` calls the service; a
    payment that does not pay the policy in full comes back with the answers offered."""
    choices = ()
    if request.method == "POST" and form.is_valid():
        try:
            result = save(form.cleaned_data, request.POST.get("action") or None)
            if saved:
                messages.success(request, saved % {"receipt": result.contribution.receipt})
            for message in result.messages:
                messages.info(request, message)
            return redirect("policies:detail", uuid=policy.uuid)
        except policy_services.ChoiceNeeded as needed:
            choices = needed.choices
            form.add_error(None, needed.message)
        except Refused as refused:
            refused.add_to_form(form)
    return render(
        request,
        "policies/policy/contribution_form.html",
        {
            "title": title,
            "policy": policy,
            "form": form,
            "choices": _choice_buttons(choices),
            "cancel_url": reverse("policies:detail", args=[policy.uuid]),
        },
    )


def _choice_buttons(choices) -> list[tuple[str, str]]:
    labels = {
        rules.Action.WAIT: _("Save only"),
        rules.Action.SUSPEND: _("Suspend"),
        rules.Action.ENFORCE: _("Enforce"),
    }
    return [(c.value, labels[c]) for c in choices]


@login_required
@require_http_methods(["GET", "POST"])
def contribution_edit(request: HttpRequest, uuid) -> HttpResponse:
    user = request.user
    contribution = policy_queries.get_contribution_for_user(user, uuid, Right.CONTRIBUTION_EDIT)
    policy = contribution.policy
    today = timezone.localdate()
    data = request.POST if request.method == "POST" else None
    form = ContributionForm(
        data,
        user=user,
        family=policy.family,
        contribution=contribution,
        locked=policy_services.contribution_locked(policy, contribution),
        initial={
            "payer": contribution.payer.uuid if contribution.payer else None,
            "amount": contribution.amount,
            "receipt": contribution.receipt,
            "pay_date": contribution.pay_date,
            "pay_type": contribution.pay_type,
            "is_photo_fee": contribution.is_photo_fee,
        },
    )

    def save(d, action):
        return policy_services.contribution_update(
            actor=user, contribution=contribution, action=action, today=today, **d
        )

    return _contribution_page(
        request,
        policy,
        form,
        save,
        _("Edit the contribution %(receipt)s") % {"receipt": contribution.receipt},
        saved=_("Contribution %(receipt)s saved."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def contribution_delete(request: HttpRequest, uuid) -> HttpResponse:
    user = request.user
    contribution = policy_queries.get_contribution_for_user(user, uuid, Right.CONTRIBUTION_DELETE)
    policy = contribution.policy
    back = reverse("policies:detail", args=[policy.uuid])
    names = {
        "receipt": contribution.receipt,
        "amount": contribution.amount,
        "day": date_format(contribution.pay_date, "SHORT_DATE_FORMAT"),
    }
    return confirm_page(
        request,
        action=lambda: policy_services.contribution_retire(actor=user, contribution=contribution),
        title=_("Delete the contribution %(receipt)s") % names,
        question=_(
            "Delete the contribution %(receipt)s of %(amount)s paid on %(day)s? It stays in the "
            "history but no longer counts towards the policy."
        )
        % names,
        cancel_url=back,
        done_message=_("Contribution %(receipt)s deleted.") % names,
        done_url=back,
        refusal=policy_services.contribution_retire_refusal(policy, contribution),
        confirm_label=_("Delete"),
    )


@login_required
@require_GET
def renewal_reminders(request: HttpRequest) -> HttpResponse:
    """The renewal-reminder list (spec §9.7): policies expiring within the renewal interval,
    grouped by the officer who must act; `print=1` renders one officer's list for printing."""
    from datetime import timedelta

    from . import renewals

    user = request.user
    access.require_right(user, Right.POLICY_RENEW, Right.POLICY_SEARCH)
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
