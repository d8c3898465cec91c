"""Contributions: the contribution form (add and change) and the delete confirmation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kinga.core.errors import Refused
from kinga.core.pages import confirm_page, form_page

from .. import rules
from ..forms.contributions import ContributionForm
from ..models import PayType
from ..queries import contributions as contribution_queries
from ..queries import policies as policy_queries
from ..services import contributions as contribution_services


@login_required
@require_http_methods(["GET", "POST"])
def contribution_add(request: HttpRequest, uuid) -> HttpResponse:
    user = request.user
    policy = policy_queries.get_policy_for_user(user, uuid, "pay")
    if contribution_services.is_free(policy):
        # A free programme takes no contribution: the policy page offers none; say why.
        try:
            contribution_services.check_not_free(policy)
        except Refused as refused:
            messages.error(request, refused.message)
        return redirect("policies:detail", uuid=policy.uuid)
    today = timezone.localdate()
    form = ContributionForm(
        _posted(request),
        user=user,
        family=policy.family,
        initial={"pay_date": today, "pay_type": PayType.CASH},
    )
    return _contribution_page(
        request,
        policy=policy,
        form=form,
        save=lambda d, action: contribution_services.contribution_add(
            actor=user, policy=policy, action=action, today=today, **d
        ),
        title=_("Contribution"),
    )


def _posted(request: HttpRequest):
    """The data of a POST, even an empty one (its errors are shown), else None."""
    return request.POST if request.method == "POST" else None


def _contribution_page(request, *, policy, form, save, title: str, saved: str = "") -> HttpResponse:
    """The contribution form (add or edit) on `form_page`: `save(cleaned_data, action)` calls
    the service with the answer the user chose; a payment that does not pay the policy in full
    comes back with the answers offered (ChoiceNeeded)."""
    back = reverse("policies:detail", args=[policy.uuid])
    context = {"title": title, "policy": policy, "choices": [], "cancel_url": back}

    def offer_choices(refused: Refused, form: ContributionForm) -> None:
        if isinstance(refused, contribution_services.ChoiceNeeded):
            context["choices"] = _choice_buttons(refused.choices)
        if isinstance(refused, contribution_services.OverpaymentToConfirm):
            context["confirm_overpayment"] = True
        refused.add_to_form(form)

    def said(result) -> list:
        done = [saved % {"receipt": result.contribution.receipt}] if saved else []
        return done + [(messages.INFO, message) for message in result.messages]

    return form_page(
        request,
        form=form,
        save=lambda d: save(
            {**d, "confirm_overpayment": request.POST.get("confirm_overpayment") == "1"},
            request.POST.get("action") or None,
        ),
        template="policies/policy/contribution_form.html",
        context=context,
        on_refused=offer_choices,
        done_message=said,
        done_url=back,
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
    contribution = contribution_queries.get_contribution_for_user(user, uuid, "edit")
    policy = contribution.policy
    today = timezone.localdate()
    form = ContributionForm(
        _posted(request),
        user=user,
        family=policy.family,
        contribution=contribution,
        locked=contribution_services.contribution_locked(policy, contribution),
        initial={
            "payer": contribution.payer.uuid if contribution.payer else None,
            "amount": contribution.amount,
            "receipt": contribution.receipt,
            "pay_date": contribution.pay_date,
            "pay_type": contribution.pay_type,
            "is_photo_fee": contribution.is_photo_fee,
        },
    )
    return _contribution_page(
        request,
        policy=policy,
        form=form,
        save=lambda d, action: contribution_services.contribution_update(
            actor=user, contribution=contribution, action=action, today=today, **d
        ),
        title=_("Edit the contribution %(receipt)s") % {"receipt": contribution.receipt},
        saved=_("Contribution %(receipt)s saved."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def contribution_delete(request: HttpRequest, uuid) -> HttpResponse:
    user = request.user
    contribution = contribution_queries.get_contribution_for_user(user, uuid, "delete")
    policy = contribution.policy
    back = reverse("policies:detail", args=[policy.uuid])
    names = {
        "receipt": contribution.receipt,
        "amount": contribution.amount,
        "day": date_format(contribution.pay_date, "SHORT_DATE_FORMAT"),
    }
    return confirm_page(
        request,
        action=lambda: contribution_services.contribution_retire(
            actor=user, contribution=contribution
        ),
        title=_("Delete the contribution %(receipt)s") % names,
        question=_(
            "Delete the contribution %(receipt)s of %(amount)s paid on %(day)s? It stays in the "
            "history but no longer counts towards the policy."
        )
        % names,
        cancel_url=back,
        done_message=_("Contribution %(receipt)s deleted.") % names,
        done_url=back,
        refusal=contribution_services.contribution_retire_refusal(policy, contribution),
        confirm_label=_("Delete"),
    )
