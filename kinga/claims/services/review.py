"""Technical control (issue 12 step 4, spec claims §3): selection for review or feedback, the
medical officer's review, and the patient's feedback.

- `claims_select`: over the claims of a search, the Idle ones (for review or for feedback)
  become Selected or Not selected by one of the rules of kinga.claims.rules.selection (all,
  random share with a seed, above a value, above the diagnosis's average by a variance); right
  111010, claims within reach, Entered or Checked only (§3.1);
- `claim_review`: line by line, approve quantity and price or reject with a justification
  (reason −1); a line the system rejected stays rejected (Q15); the claim is Rejected when no
  line passes; `deliver` marks the review done (status Delivered).  Right 111008, Checked
  claims only;
- `feedback_deliver`: the answers collected by the enrolment officer (one feedback per claim, a
  database constraint); right 111009, Checked claims only.

Each runs in one transaction under the claims' row locks (kinga.core.locks: Claim), so a
submission or a return running at the same moment is waited for and its result seen.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Avg
from django.utils import timezone
from django.utils.translation import gettext as _

from kinga.core import bulk, locks
from kinga.core.errors import Refused
from kinga.core.history import set_actor
from kinga.insurees.models import Officer

from ..codes import ClaimStatus, LineStatus, ReviewStatus
from ..models import Claim, Feedback
from ..queries import claims as queries
from ..rules import review as review_rules
from ..rules import selection

REVIEW, FEEDBACK = "review", "feedback"
STATUS_FIELD = {REVIEW: "review_status", FEEDBACK: "feedback_status"}
SELECTABLE = (ClaimStatus.ENTERED, ClaimStatus.CHECKED)
VARIANCE_HISTORY_DAYS = 365


def diagnosis_averages(icd_ids: Iterable[int], today: date) -> dict[int, Decimal]:
    """The average claimed amount per main diagnosis over the processed and valuated claims
    claimed in the year up to yesterday (§3.2 "Variance")."""
    rows = (
        Claim.objects.filter(
            icd_id__in=list(set(icd_ids)),
            retired_at__isnull=True,
            status__in=(ClaimStatus.PROCESSED, ClaimStatus.VALUATED),
            date_claimed__gte=today - timedelta(days=VARIANCE_HISTORY_DAYS),
            date_claimed__lt=today,
        )
        .values("icd_id")
        .annotate(average=Avg("claimed"))
    )
    return {row["icd_id"]: Decimal(row["average"]) for row in rows}


def claims_select(
    *,
    actor,
    claims: Iterable,
    kind: str = REVIEW,
    rule: selection.Rule = selection.Rule.ALL,
    value: Decimal = Decimal(0),
    share: Decimal = Decimal(100),
    seed: int | None = None,
    variance: Decimal = Decimal(0),
    today: date | None = None,
) -> selection.Selection:
    """Select for review (or feedback) among `claims` (Claim objects or ids); returns which
    were selected and which not.  The random rule's `seed` (default: drawn from the clock) is
    recorded in the history's reason so the draw can be repeated."""
    if kind not in STATUS_FIELD:
        raise ValueError(kind)
    queries.CLAIM.require_right(actor, "select")
    ids = list(dict.fromkeys(c if isinstance(c, int) else c.pk for c in claims))
    today = today or timezone.localdate()
    seed = int(timezone.now().timestamp()) if seed is None else seed
    field = STATUS_FIELD[kind]
    with transaction.atomic():
        locked = locks.lock_all(
            Claim.objects.filter(pk__in=ids, retired_at__isnull=True).only(
                "pk", "status", "claimed", "icd_id", field, "health_facility_id"
            )
        )
        reach = set(
            Claim.objects.filter(queries.reach_q(actor), pk__in=ids).values_list("pk", flat=True)
        )
        if any(claim.pk not in reach for claim in locked):
            raise PermissionDenied
        candidates = [
            selection.Candidate(
                claim.pk,
                claim.claimed,
                claim.icd_id,
                idle=claim.status in SELECTABLE and getattr(claim, field) == ReviewStatus.IDLE,
            )
            for claim in locked
        ]
        averages = (
            diagnosis_averages((c.icd_ref for c in candidates), today)
            if rule == selection.Rule.VARIANCE
            else {}
        )
        chosen = selection.select(
            candidates,
            rule,
            value=value,
            share=share,
            seed=seed,
            variance=variance,
            averages=averages,
        )
        now = timezone.now()
        reason = (
            _("review selection: %(rule)s") if kind == REVIEW else _("feedback selection: %(rule)s")
        ) % {"rule": f"{rule}"}
        if rule == selection.Rule.RANDOM:
            reason += f" (seed {seed})"
        rows = [
            {"id": pk, field: ReviewStatus.SELECTED, "updated_at": now} for pk in chosen.selected
        ]
        rows += [
            {"id": pk, field: ReviewStatus.NOT_SELECTED, "updated_at": now}
            for pk in chosen.not_selected
        ]
        bulk.update_rows(Claim, rows, [field, "updated_at"], user=actor, reason=reason, when=now)
    return chosen


def _lock_for(actor, claim: Claim, action: str) -> Claim:
    try:
        locked = locks.lock_one(
            Claim.objects.select_related("health_facility", "insuree__family__village__parent"),
            claim.pk,
        )
    except Claim.DoesNotExist:
        raise Refused(_("This claim no longer exists.")) from None
    queries.CLAIM.require_right(actor, action)
    if not queries.in_reach(actor, locked) or locked.retired_at is not None:
        raise PermissionDenied
    if locked.status != ClaimStatus.CHECKED:
        raise Refused(
            _("This claim is %(status)s: only a checked claim can be reviewed.")
            % {"status": ClaimStatus(locked.status).label}
        )
    return locked


REVIEW_MESSAGES = {
    "system_rejected": lambda: _("A line rejected by the checks cannot be passed again."),
    "quantity": lambda: _("The approved quantity must be between 0 and the quantity claimed."),
    "price": lambda: _("The approved price must be between 0 and the price asked."),
    "justification": lambda: _("Give the reason for rejecting this line."),
}


@transaction.atomic
def claim_review(
    *,
    actor,
    claim: Claim,
    decisions: Sequence[review_rules.Decision],
    adjustment: str = "",
    deliver: bool = True,
) -> Claim:
    """The medical officer's review of a Checked claim: `decisions` by line id (lines left out
    keep their state).  The claim's approved amount and status follow (kinga.claims.rules.review);
    `deliver` sets the review status to Delivered."""
    claim = _lock_for(actor, claim, "review")
    lines = list(claim.lines.filter(retired_at__isnull=True).order_by("id"))
    by_id = {line.pk: line for line in lines}
    states = [
        review_rules.LineState(line.pk, line.quantity, line.price_asked, line.rejection_reason)
        for line in lines
    ]
    wanted = {d.ref: d for d in decisions}
    if set(wanted) - set(by_id):
        raise Refused(_("This line is not one of the claim's."))
    reviewed = []
    for state in states:
        line = by_id[state.ref]
        decision = wanted.get(state.ref)
        if decision is None:
            reviewed.append(
                review_rules.Reviewed(
                    state.ref,
                    state.rejection,
                    line.qty_approved,
                    line.price_approved,
                    line.justification,
                )
            )
            continue
        try:
            reviewed.append(review_rules.review_line(state, decision))
        except review_rules.ReviewError as error:
            raise Refused(REVIEW_MESSAGES[error.code](), f"lines-{error.ref}") from None
    for result in reviewed:
        line = by_id[result.ref]
        new = (
            LineStatus.PASSED if result.passed else LineStatus.REJECTED,
            result.rejection,
            result.qty_approved,
            result.price_approved,
            result.justification,
        )
        old = (
            line.status,
            line.rejection_reason,
            line.qty_approved,
            line.price_approved,
            line.justification,
        )
        if new != old:
            (
                line.status,
                line.rejection_reason,
                line.qty_approved,
                line.price_approved,
                line.justification,
            ) = new
            set_actor(line, actor, _("reviewed"))
            line.save()
    claim.approved = review_rules.approved_amount(states, reviewed)
    claim.status = review_rules.claim_status_after(reviewed)
    claim.adjustment = str(adjustment or "").strip()
    if deliver:
        claim.review_status = ReviewStatus.DELIVERED
    set_actor(claim, actor, _("reviewed"))
    claim.save()
    return claim


@transaction.atomic
def feedback_deliver(
    *,
    actor,
    claim: Claim,
    officer: Officer | None,
    feedback_date: date,
    care_rendered: bool | None,
    payment_asked: bool | None,
    drug_prescribed: bool | None,
    drug_received: bool | None,
    assessment: int | None,
    today: date | None = None,
) -> Feedback:
    """The patient's feedback, once per claim; the claim's feedback status becomes
    Delivered."""
    claim = _lock_for(actor, claim, "feedback")
    today = today or timezone.localdate()
    if Feedback.objects.filter(claim=claim).exists():
        raise Refused(_("The feedback of this claim has already been entered."))
    if feedback_date is None or feedback_date > today:
        raise Refused(_("Enter the date of the feedback, not in the future."), "feedback_date")
    if feedback_date < claim.date_from:
        raise Refused(_("The feedback cannot be dated before the care."), "feedback_date")
    if assessment is not None and not 0 <= int(assessment) <= 5:
        raise Refused(_("The satisfaction is a mark from 0 to 5."), "assessment")
    if officer is not None and officer.is_retired:
        raise Refused(_("This enrolment officer is retired."), "officer")
    feedback = Feedback(
        claim=claim,
        officer=officer,
        feedback_date=feedback_date,
        care_rendered=care_rendered,
        payment_asked=payment_asked,
        drug_prescribed=drug_prescribed,
        drug_received=drug_received,
        assessment=assessment,
        created_by=actor,
    )
    set_actor(feedback, actor, _("feedback"))
    feedback.save()
    claim.feedback_status = ReviewStatus.DELIVERED
    set_actor(claim, actor, _("feedback delivered"))
    claim.save()
    return feedback


def claims_bypass(*, actor, claims: Iterable, kind: str = REVIEW) -> list[int]:
    """openIMIS's `bypassClaimsReview` / `bypassClaimsFeedback` (§3.1): the claims Selected for
    review (or feedback) go on without it and become Bypassed; the others are left alone.
    Right 111010, claims within reach; returns the ids bypassed."""
    if kind not in STATUS_FIELD:
        raise ValueError(kind)
    queries.CLAIM.require_right(actor, "select")
    ids = list(dict.fromkeys(c if isinstance(c, int) else c.pk for c in claims))
    field = STATUS_FIELD[kind]
    with transaction.atomic():
        locked = locks.lock_all(
            Claim.objects.filter(pk__in=ids, retired_at__isnull=True).only(
                "pk", field, "health_facility_id"
            )
        )
        reach = set(
            Claim.objects.filter(queries.reach_q(actor), pk__in=ids).values_list("pk", flat=True)
        )
        if any(claim.pk not in reach for claim in locked):
            raise PermissionDenied
        now = timezone.now()
        bypassed = [c.pk for c in locked if getattr(c, field) == ReviewStatus.SELECTED]
        rows = [{"id": pk, field: ReviewStatus.BYPASSED, "updated_at": now} for pk in bypassed]
        bulk.update_rows(
            Claim,
            rows,
            [field, "updated_at"],
            user=actor,
            reason=_("review bypassed") if kind == REVIEW else _("feedback bypassed"),
            when=now,
        )
    return bypassed
