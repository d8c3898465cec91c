"""« Suspendre » and « Réactiver » on the policy page: each behind a confirmation page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kinga.core.pages import confirm_page

from .. import rules
from ..models import PolicyStatus
from ..queries import policies as policy_queries
from ..services import policies as policy_services
from ..services import suspension


def _names(policy) -> dict[str, str]:
    return {"product": policy.product.code, "family": str(policy.family)}


@login_required
@require_http_methods(["GET", "POST"])
def policy_suspend(request: HttpRequest, uuid) -> HttpResponse:
    """Asks before suspending: a suspended policy covers nobody until it is reactivated."""
    policy = policy_queries.get_policy_for_user(request.user, uuid, "edit")
    back = reverse("policies:detail", args=[policy.uuid])
    refusal = None
    if policy.status not in rules.SUSPENDABLE:
        refusal = _("A %(status)s policy cannot be suspended.") % {
            "status": PolicyStatus(policy.status).label.lower()
        }
    return confirm_page(
        request,
        action=lambda: policy_services.policy_suspend(actor=request.user, policy=policy),
        title=_("Suspend the policy %(product)s") % _names(policy),
        question=_(
            "Suspend the policy %(product)s (%(family)s)? Its members are no longer covered "
            "until it is reactivated."
        )
        % _names(policy),
        cancel_url=back,
        done_message=_("The policy is suspended."),
        done_url=back,
        refusal=refusal,
        confirm_label=_("Suspend"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def policy_reactivate(request: HttpRequest, uuid) -> HttpResponse:
    """Asks before reactivating a suspended policy (the right to edit policies)."""
    policy = policy_queries.get_policy_for_user(request.user, uuid, "edit")
    back = reverse("policies:detail", args=[policy.uuid])
    today = timezone.localdate()
    return confirm_page(
        request,
        action=lambda: suspension.policy_reactivate(actor=request.user, policy=policy, today=today),
        title=_("Reactivate the policy %(product)s") % _names(policy),
        question=_(
            "Reactivate the policy %(product)s (%(family)s)? It takes back the status it had "
            "before its suspension."
        )
        % _names(policy),
        cancel_url=back,
        done_message=_("The policy is reactivated."),
        done_url=back,
        refusal=suspension.reactivate_refusal(policy, today),
        confirm_label=_("Reactivate"),
    )
