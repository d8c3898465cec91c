"""Valuation on the claims control pages (Claims II, spec §4): the claim page's « Valoriser »
button and amounts explained line by line, and the claim search's bulk action « Valoriser ».
The control pages (kinga.claims.views.control) call in here; the rules are the service's."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kinga.core.errors import Refused
from kinga.products.rules import money

from ..codes import ClaimStatus
from ..queries import claims as claim_queries
from ..queries import valuation as queries
from ..services import valuation as services

VALUED = (ClaimStatus.PROCESSED, ClaimStatus.VALUATED)


def may_value_right(actor) -> bool:
    return queries.VALUE.may_right(actor, "value")


def require_value_right(actor) -> None:
    queries.VALUE.require_right(actor, "value")


def _money(value) -> str:
    return "—" if value is None else money(value)


def claim_context(actor, claim) -> dict:
    """What the claim page shows of the valuation: the button, and once valued the totals."""
    context = {"can_value": queries.may_value(actor, claim)}
    context["value_waits"] = (
        claim.status == ClaimStatus.CHECKED
        and queries.is_awaiting(claim)
        and may_value_right(actor)
    )
    if claim.processed_at is not None or claim.status in VALUED:
        context["amounts"] = [
            (_("Claimed"), claim.claimed),
            (_("Approved"), claim.approved if claim.approved is not None else claim.claimed),
            (_("Deductible"), claim.deductible_amount),
            (_("Above the fixed limit"), claim.fixed_limit_excess),
            (_("Co-payment"), claim.coinsurance_amount),
            (_("Above the category ceiling"), claim.exceed_category_amount),
            (_("Above the ceiling"), claim.exceed_ceiling_amount),
            (_("Amount valuated"), claim.valuated),
            (_("Amount remunerated"), claim.remunerated),
        ]
        context["valued_lines"] = explained(claim_queries.lines_of(claim))
    return context


def explained(lines) -> list[dict]:
    """The claim's lines with their amounts in plain words (the claim page's amounts)."""
    return [
        {
            "line": line,
            "asked": None
            if line.price_adjusted is None
            else (line.qty_approved if line.qty_approved is not None else line.quantity)
            * line.price_adjusted,
            "words": queries.explain_line(line, _money),
        }
        for line in lines
        if line.price_valuated is not None
    ]


@login_required
@require_POST
def value(request: HttpRequest, uuid) -> HttpResponse:
    """« Valoriser » on the claim page: value this Checked claim (right 111011)."""
    actor = request.user
    claim = claim_queries.get_claim_for_user(actor, uuid)
    try:
        report = services.claim_value(claim, actor)
    except Refused as refused:
        messages.error(request, refused.message)
    else:
        result = report.results[claim.pk]
        messages.success(
            request,
            _("The claim is %(status)s: %(amount)s valuated.")
            % {"status": ClaimStatus(result.status).label, "amount": money(result.valuated)},
        )
    return redirect(reverse("claims_control:claim", kwargs={"uuid": claim.uuid}))


def bulk_value(request: HttpRequest, claims: list) -> None:
    """The search's bulk action: value the ticked claims; say what was done and what waits."""
    report = services.claims_value(claims, request.user)
    messages.success(
        request,
        _(
            "Valued: %(valued)d — valuated %(valuated)d, processed (relative prices) "
            "%(processed)d, rejected %(rejected)d; unchanged (not checked): %(unchanged)d."
        )
        % {
            "valued": report.valued,
            "valuated": report.valuated,
            "processed": report.processed,
            "rejected": report.rejected,
            "unchanged": report.unchanged,
        },
    )
    if report.awaiting:
        codes = {c.pk: c.code for c in claims}
        messages.warning(
            request,
            _("Selected for review or feedback, to deliver or bypass before valuing: %(codes)s.")
            % {"codes": ", ".join(codes.get(pk, str(pk)) for pk in report.awaiting)},
        )
