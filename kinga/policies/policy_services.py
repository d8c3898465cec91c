"""Policies, member coverage and contributions (spec registers §9, §10 and the decisions at the
top of that file): the only code that writes them.

Every operation is keyword-only, takes the acting user, runs in one transaction, checks the
right and the district of the family's village, names the actor on the history rows and refuses
with `Refused(message, field)`.  The rules themselves (dates, value, covered members, status
after a payment, expiry) are `kinga.policies.rules`; this module only reads the records, calls
them and writes what they return.

Health programmes: a family holds at most one current policy per programme.  Attaching a product
of the programme of a policy in force (not expired, overlapping the new dates) needs
`confirm_replace=True`; the old policy then ends the day before the new start date, and so does
its members' coverage.  A same-programme policy that starts on or after the new start date
(e.g. VIH_Test and VIH_Soins attached the same day) cannot end the day before it starts: once
confirmed it is cancelled instead — the policy and its coverage rows are retired, with the
reason "Replaced by <code> from <day>" on their history — unless contributions were paid for
it: then the new policy is refused, naming the paid policy (money is never dropped silently).
The same product twice over overlapping dates is refused.

Contributions may be changed (`contribution_update`, right 101303) and deleted
(`contribution_retire`, right 101304; soft delete) with these rules, chosen so that the policy's
status always matches its payments (spec §9.1: only an Idle policy may be changed; §10.2:
openIMIS deletes a premium without reverting the status, which would leave an Active policy
that is not paid; we refuse instead):
* While the policy is Idle every field may change and a contribution may be deleted.  A
  change of the amount, payment date or category is checked again like a new payment over the
  other contributions (a full payment activates; a partial, late or last-instalment one asks
  the same question as `contribution_add`); a deletion leaves the policy Idle (it was not paid
  in full).
* Once the policy is no longer Idle (Active, Ready, Suspended, Expired: its status rests on the
  payments), the amount, payment date and category of a counted contribution are locked and it
  cannot be deleted; its receipt, payer and payment type may still be corrected.  A photo fee
  never counts towards the value: it may be changed or deleted whatever the status, but not
  turned into a contribution.
* The receipt stays unique among the current contributions of the product (the contribution
  itself excepted), under the same lock as `contribution_add`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from kinga.core.errors import Refused
from kinga.core.history import set_actor
from kinga.core.rights import Right
from kinga.insurees.models import Family, Insuree, Officer
from kinga.insurees.queries.officers import officers_for_enrolment
from kinga.products.models import Product

from . import policy_queries as queries
from . import rules
from .models import Contribution, InsureePolicy, Payer, PayType, Policy, PolicyStatus
from .queries import payers_for_location

RECEIPT_MAX_LENGTH = 50
EXPIRY_BATCH = 2000
CURRENT_STATUSES = (
    rules.Status.IDLE,
    rules.Status.ACTIVE,
    rules.Status.SUSPENDED,
    rules.Status.READY,
)


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def _day(value: date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


def _majority() -> int:
    return getattr(settings, "KINGA_AGE_OF_MAJORITY", 18)


def activation_option() -> int:
    return getattr(settings, "KINGA_ACTIVATION_OPTION", rules.ActivationOption.ON_CONTRIBUTION)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _require_family(actor, family: Family, *rights: int) -> None:
    _require(queries.may_family(actor, family, *rights))


def _policy_label(policy: Policy) -> str:
    return _("%(product)s from %(start)s to %(expiry)s (%(status)s)") % {
        "product": policy.product.code,
        "start": _day(policy.start_date),
        "expiry": _day(policy.expiry_date),
        "status": PolicyStatus(policy.status).label,
    }


# --- the form before saving -----------------------------------------------------------------


@dataclass(frozen=True)
class Preview:
    """What the policy form shows before saving: dates, value, who is covered and who is not,
    the same-programme policies the new one would replace, warnings."""

    stage: str
    enroll_date: date
    start_date: date
    expiry_date: date
    last_payment_date: date
    value: Decimal
    breakdown: rules.ValueBreakdown
    covered: list[Insuree]
    not_covered: list[Insuree]
    replaces: list[Policy] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def status(self) -> int:
        return rules.status_on_save(self.value, self.start_date)[0]


def _members(family: Family) -> list[rules.Member]:
    return [
        rules.Member(dob=i.dob, relationship=i.relationship, ref=i)
        for i in queries.enrolled_members(family)
    ]


def checked_period(
    terms: rules.ProductTerms,
    enroll_date: date,
    start_date: date | None,
    stage: str = rules.NEW,
    previous_expiry: date | None = None,
) -> rules.Period:
    """The policy's dates (spec §9.4); a start date given by the user replaces the computed one
    for products without cycles, never before the enrolment date."""
    period = rules.policy_period(terms, enroll_date, stage, previous_expiry)
    if start_date is not None and start_date != period.start_date:
        if terms.has_cycles:
            raise Refused(
                _("The start date of a product with cycles is computed; it cannot be changed."),
                "start_date",
            )
        if start_date < enroll_date:
            raise Refused(_("The start date cannot be before the enrolment date."), "start_date")
        period = rules.Period(start_date, rules.expiry_date(start_date, terms.insurance_period))
    return period


def _compute(
    family: Family,
    product: Product,
    enroll_date: date,
    *,
    start_date: date | None = None,
    stage: str = rules.NEW,
    previous: Policy | None = None,
) -> Preview:
    terms = rules.ProductTerms.of(product)
    previous_expiry = previous.expiry_date if previous is not None else None
    period = checked_period(terms, enroll_date, start_date, stage, previous_expiry)
    breakdown = rules.value_breakdown(
        terms,
        _members(family),
        enroll_date,
        stage,
        previous_expiry,
        start_date=period.start_date,
        majority=_majority(),
    )
    warnings = []
    not_covered = [m.ref for m in breakdown.not_covered]
    if not_covered:
        warnings.append(
            _("The product covers at most %(n)d members: %(names)s will not be covered.")
            % {
                "n": terms.max_members,
                "names": ", ".join(i.full_name for i in not_covered),
            }
        )
    if stage == rules.RENEWAL and previous_expiry is not None:
        if rules.is_renewal_late(previous_expiry, enroll_date, terms):
            warnings.append(
                _("Late renewal: the renewal grace period ended on %(day)s.")
                % {"day": _day(rules.last_renewal_date(previous_expiry, terms))}
            )
    return Preview(
        stage=stage,
        enroll_date=enroll_date,
        start_date=period.start_date,
        expiry_date=period.expiry_date,
        last_payment_date=rules.last_date_for_payment(
            terms, stage, period.start_date, enroll_date, previous_expiry
        ),
        value=breakdown.value,
        breakdown=breakdown,
        covered=[m.ref for m in breakdown.covered],
        not_covered=not_covered,
        warnings=warnings,
    )


def check_enroll_date(enroll_date: date | None, today: date) -> None:
    if enroll_date is None:
        raise Refused(_("Enter the enrolment date."), "enroll_date")
    if enroll_date > today:
        raise Refused(_("The enrolment date cannot be in the future."), "enroll_date")


def _check_product(family: Family, product: Product | None, on_date: date) -> None:
    if product is None:
        raise Refused(_("Choose a product."), "product")
    if not queries.products_on_sale(family, on_date).filter(pk=product.pk).exists():
        raise Refused(
            _("The product %(code)s is not on sale in %(village)s on %(day)s.")
            % {"code": product.code, "village": family.village.name, "day": _day(on_date)},
            "product",
        )


def _check_officer(actor, family: Family, officer: Officer | None, on_date: date) -> None:
    if officer is None:
        raise Refused(_("Choose the enrolment officer."), "officer")
    district = family.village.parent.parent
    if not officers_for_enrolment(actor, district, on_date).filter(pk=officer.pk).exists():
        raise Refused(
            _("The officer %(officer)s does not work in the district of %(district)s on %(day)s.")
            % {"officer": officer.code, "district": district.name, "day": _day(on_date)},
            "officer",
        )


def _conflicts(
    family: Family, product: Product, start: date, expiry: date, exclude_pk: int | None = None
) -> tuple[list[Policy], list[Policy]]:
    """(same product overlapping, same programme in force overlapping) among the family's
    current policies."""
    qs = (
        Policy.objects.current()
        .filter(family=family)
        .exclude(pk=exclude_pk)
        .select_related("product")
        .order_by("start_date", "id")
    )
    if product.programme_id is not None:
        qs = qs.filter(product__programme_id=product.programme_id) | qs.filter(product=product)
    else:
        qs = qs.filter(product=product)
    same, programme = [], []
    for p in qs:
        if not rules.periods_overlap(p.start_date, p.expiry_date, start, expiry):
            continue
        if p.product_id == product.pk:
            same.append(p)
        elif p.status != rules.Status.EXPIRED:
            programme.append(p)
    return same, programme


def policy_preview(
    *,
    actor,
    family: Family,
    product: Product,
    enroll_date: date,
    start_date: date | None = None,
    today: date | None = None,
) -> Preview:
    """The new policy as it would be saved (for the form before saving): the checks of
    `policy_attach` except the officer, then dates, value, covered and not covered members and
    the same-programme policies it would replace."""
    _require_family(actor, family, Right.POLICY_ADD, Right.POLICY_EDIT, Right.POLICY_SEARCH)
    today = _today(today)
    check_enroll_date(enroll_date, today)
    _check_product(family, product, enroll_date)
    preview = _compute(family, product, enroll_date, start_date=start_date)
    same, programme = _conflicts(family, product, preview.start_date, preview.expiry_date)
    if same:
        raise Refused(_same_product_message(same[0]), "product")
    _refuse_paid_cancellations(_starting_later(programme, preview.start_date))
    preview.replaces.extend(programme)
    for p in programme:
        preview.warnings.append(_replace_message(p, preview.start_date))
    return preview


def _same_product_message(policy: Policy) -> str:
    return _("The family already holds the product %(code)s over these dates: %(policy)s.") % {
        "code": policy.product.code,
        "policy": _policy_label(policy),
    }


def _replace_message(policy: Policy, start: date) -> str:
    if policy.start_date >= start:
        return _(
            "The family holds %(policy)s in the same health programme; it starts on or after "
            "the new start date and will be cancelled."
        ) % {"policy": _policy_label(policy)}
    return _(
        "The family holds %(policy)s in the same health programme; it will end on %(day)s."
    ) % {"policy": _policy_label(policy), "day": _day(start - rules.ONE_DAY)}


def _starting_later(programme: list[Policy], start: date) -> list[Policy]:
    """The same-programme policies a new policy starting on `start` cancels rather than ends."""
    return [p for p in programme if p.start_date >= start]


def _refuse_paid_cancellations(policies: list[Policy]) -> None:
    """A policy that would be cancelled must have no current contributions: refused otherwise,
    naming it (cancelling would drop money paid for it)."""
    if not policies:
        return
    paid = set(
        Contribution.objects.current()
        .filter(policy__in=policies)
        .values_list("policy_id", flat=True)
    )
    for p in policies:
        if p.pk in paid:
            raise Refused(
                _(
                    "%(policy)s starts on or after the new start date and contributions were "
                    "paid for it: it cannot be cancelled."
                )
                % {"policy": _policy_label(p)},
                "start_date",
            )


# --- writing coverage -------------------------------------------------------------------------


def _coverage_rows(policy: Policy, insurees: list[Insuree]) -> list[InsureePolicy]:
    return [
        InsureePolicy(
            policy=policy,
            insuree=i,
            enrollment_date=policy.enroll_date,
            start_date=policy.start_date,
            effective_date=policy.effective_date,
            expiry_date=policy.expiry_date,
        )
        for i in insurees
    ]


def _sync_coverage(actor, policy: Policy, covered: list[Insuree], reason: str) -> None:
    """Make the policy's current rows exactly the covered members, with the policy's dates (an
    Idle policy: nobody is covered before it is paid)."""
    rows = {r.insuree_id: r for r in policy.members.filter(retired_at__isnull=True)}
    wanted = {i.pk for i in covered}
    now = timezone.now()
    changed = []
    for insuree_id, row in rows.items():
        if insuree_id not in wanted:
            row.retired_at = now
        else:
            row.enrollment_date = policy.enroll_date
            row.start_date = policy.start_date
            row.effective_date = policy.effective_date
            row.expiry_date = policy.expiry_date
        changed.append(row)
    if changed:
        bulk_update_with_history(
            changed,
            InsureePolicy,
            ["retired_at", "enrollment_date", "start_date", "effective_date", "expiry_date"],
            default_user=actor,
            default_change_reason=reason,
        )
    new = [i for i in covered if i.pk not in rows]
    if new:
        bulk_create_with_history(
            _coverage_rows(policy, new),
            InsureePolicy,
            default_user=actor,
            default_change_reason=reason,
        )


def _cancel_policy(actor, policy: Policy, reason: str) -> Policy:
    """Cancel a same-programme policy that starts on or after its replacement's start date: the
    policy and its members' coverage are retired (soft delete, with history)."""
    now = timezone.now()
    rows = list(policy.members.filter(retired_at__isnull=True))
    for row in rows:
        row.retired_at = now
    if rows:
        bulk_update_with_history(
            rows,
            InsureePolicy,
            ["retired_at"],
            default_user=actor,
            default_change_reason=reason,
        )
    policy.retired_at = now
    set_actor(policy, actor, reason)
    policy.save(update_fields=["retired_at"])
    return policy


def _end_policy(actor, policy: Policy, last_day: date, today: date, reason: str) -> Policy:
    """End a policy (and its members' coverage) on `last_day`."""
    policy.expiry_date = last_day
    policy.status = rules.expire(policy.status, last_day, today)
    set_actor(policy, actor, reason)
    policy.save(update_fields=["expiry_date", "status"])
    rows = list(policy.members.filter(retired_at__isnull=True, expiry_date__gt=last_day))
    for row in rows:
        row.expiry_date = last_day
    if rows:
        bulk_update_with_history(
            rows,
            InsureePolicy,
            ["expiry_date"],
            default_user=actor,
            default_change_reason=reason,
        )
    return policy


# --- attach, update, suspend, renew ---------------------------------------------------------


@dataclass(frozen=True)
class AttachResult:
    policy: Policy
    not_covered: list[Insuree]
    warnings: list[str]
    ended: list[Policy]
    cancelled: list[Policy] = field(default_factory=list)


def _save_new_policy(
    actor,
    *,
    family: Family,
    product: Product,
    officer: Officer,
    preview: Preview,
    previous: Policy | None,
    today: date,
    confirm_replace: bool,
) -> AttachResult:
    same, programme = _conflicts(family, product, preview.start_date, preview.expiry_date)
    if same:
        raise Refused(_same_product_message(same[0]), "product")
    later = {p.pk for p in _starting_later(programme, preview.start_date)}
    # Lock (and re-read) the policies to cancel before looking at their contributions: a clerk
    # taking a contribution for one of them (contribution_add locks the policy) either commits
    # first and is seen here, or waits until the policy is retired and is refused.
    to_cancel = {
        p.pk: p
        for p in Policy.objects.select_for_update(of=("self",))
        .select_related("product")
        .filter(pk__in=later, retired_at__isnull=True)
    }
    _refuse_paid_cancellations(list(to_cancel.values()))
    if programme and not confirm_replace:
        raise Refused(
            " ".join(_replace_message(p, preview.start_date) for p in programme)
            + " "
            + _("Confirm to replace it."),
            "product",
            code="confirm_replace",
        )
    ended, cancelled = [], []
    reason = _("Replaced by %(code)s from %(day)s") % {
        "code": product.code,
        "day": _day(preview.start_date),
    }
    for old in programme:
        if old.pk in to_cancel:
            cancelled.append(_cancel_policy(actor, to_cancel[old.pk], reason))
        elif old.pk not in later:
            ended.append(_end_policy(actor, old, preview.start_date - rules.ONE_DAY, today, reason))
    status, effective = rules.status_on_save(preview.value, preview.start_date)
    policy = Policy(
        family=family,
        product=product,
        officer=officer,
        stage=preview.stage,
        status=status,
        enroll_date=preview.enroll_date,
        start_date=preview.start_date,
        effective_date=effective,
        expiry_date=preview.expiry_date,
        value=preview.value,
        previous=previous,
    )
    set_actor(policy, actor, _("Renewed") if previous is not None else _("Created"))
    policy.save()
    bulk_create_with_history(
        _coverage_rows(policy, preview.covered),
        InsureePolicy,
        default_user=actor,
        default_change_reason=_("Covered by the policy"),
    )
    return AttachResult(policy, preview.not_covered, preview.warnings, ended, cancelled)


@transaction.atomic
def policy_attach(
    *,
    actor,
    family: Family,
    product: Product,
    enroll_date: date,
    officer: Officer | None,
    start_date: date | None = None,
    today: date | None = None,
    confirm_replace: bool = False,
) -> AttachResult:
    """Attach a new policy (stage N) to a family (spec §9.2–§9.6, decision 16).

    Refused: enrolment date in the future; product not on sale at the family's location on the
    enrolment date; officer not current, not of the family's district or no longer working;
    the same product over overlapping dates; a policy of the same programme in force unless
    `confirm_replace` (it then ends the day before the new start, or is cancelled when it
    starts on or after the new start and has no contributions)."""
    family = _lock_family(family.pk)
    _require_family(actor, family, Right.POLICY_ADD)
    today = _today(today)
    check_enroll_date(enroll_date, today)
    _check_product(family, product, enroll_date)
    _check_officer(actor, family, officer, enroll_date)
    preview = _compute(family, product, enroll_date, start_date=start_date)
    return _save_new_policy(
        actor,
        family=family,
        product=product,
        officer=officer,
        preview=preview,
        previous=None,
        today=today,
        confirm_replace=confirm_replace,
    )


def _lock_family(pk: int) -> Family:
    return (
        Family.objects.select_for_update(of=("self",))
        .select_related("village__parent__parent")
        .get(pk=pk)
    )


def _lock_policy(policy: Policy) -> Policy:
    return (
        Policy.objects.select_for_update(of=("self",))
        .select_related("family__village__parent__parent", "product", "previous")
        .get(pk=policy.pk, retired_at__isnull=True)
    )


@transaction.atomic
def policy_update(
    *,
    actor,
    policy: Policy,
    enroll_date: date,
    product: Product,
    officer: Officer | None,
    start_date: date | None = None,
    today: date | None = None,
) -> AttachResult:
    """Change an Idle policy (only Idle ones, spec §9.1): dates, value and coverage are
    recomputed."""
    policy = _lock_policy(policy)
    family = policy.family
    _require_family(actor, family, Right.POLICY_EDIT)
    if policy.status != rules.Status.IDLE:
        raise Refused(_("Only an idle policy can be changed."))
    today = _today(today)
    check_enroll_date(enroll_date, today)
    if product.pk != policy.product_id or enroll_date != policy.enroll_date:
        _check_product(family, product, enroll_date)
    _check_officer(actor, family, officer, enroll_date)
    preview = _compute(
        family,
        product,
        enroll_date,
        start_date=start_date,
        stage=policy.stage,
        previous=policy.previous,
    )
    same, programme = _conflicts(
        family, product, preview.start_date, preview.expiry_date, exclude_pk=policy.pk
    )
    if same:
        raise Refused(_same_product_message(same[0]), "product")
    if programme:
        raise Refused(_replace_message(programme[0], preview.start_date), "product")
    status, effective = rules.status_on_save(preview.value, preview.start_date)
    policy.product = product
    policy.officer = officer
    policy.enroll_date = enroll_date
    policy.start_date = preview.start_date
    policy.expiry_date = preview.expiry_date
    policy.value = preview.value
    policy.status = status
    policy.effective_date = effective
    set_actor(policy, actor, _("Changed"))
    policy.save()
    _sync_coverage(actor, policy, preview.covered, _("Policy changed"))
    return AttachResult(policy, preview.not_covered, preview.warnings, [])


@transaction.atomic
def policy_suspend(*, actor, policy: Policy) -> Policy:
    """Suspend a policy by hand (spec §9.8, right 101203): Idle, Active or Ready only."""
    policy = _lock_policy(policy)
    _require_family(actor, policy.family, Right.POLICY_EDIT)
    if policy.status not in (rules.Status.IDLE, rules.Status.ACTIVE, rules.Status.READY):
        raise Refused(
            _("A %(status)s policy cannot be suspended.")
            % {"status": PolicyStatus(policy.status).label.lower()}
        )
    policy.status = rules.Status.SUSPENDED
    set_actor(policy, actor, _("Suspended"))
    policy.save(update_fields=["status"])
    return policy


def members_changed(*, actor, policy: Policy, today: date | None = None) -> Policy:
    """After a member joined or left the family: an Idle policy's value and coverage are
    recomputed (spec §9.1, §8.4).  Policies in other statuses are left as they are."""
    with transaction.atomic():
        policy = _lock_policy(policy)
        if policy.status != rules.Status.IDLE:
            return policy
        preview = _compute(
            policy.family,
            policy.product,
            policy.enroll_date,
            start_date=policy.start_date,
            stage=policy.stage,
            previous=policy.previous,
        )
        if preview.value != policy.value:
            policy.value = preview.value
            status, effective = rules.status_on_save(preview.value, policy.start_date)
            policy.status, policy.effective_date = status, effective
            set_actor(policy, actor, _("Value recomputed: the members changed"))
            policy.save(update_fields=["value", "status", "effective_date"])
        _sync_coverage(actor, policy, preview.covered, _("The members changed"))
        return policy


def family_members_changed(*, actor, family: Family, today: date | None = None) -> None:
    """members_changed for each current Idle policy of the family (the insurees' hook)."""
    for policy in Policy.objects.current().filter(family=family, status=rules.Status.IDLE):
        members_changed(actor=actor, policy=policy, today=today)


@transaction.atomic
def policy_renew(
    *,
    actor,
    policy: Policy,
    enroll_date: date,
    officer: Officer | None,
    today: date | None = None,
) -> AttachResult:
    """Renew a policy (spec §9.7): a new stage-R policy of the same family, for the same
    product or, once the product's sale window has ended, its conversion product; dates from
    the previous expiry (rules.policy_period), renewal discount, no registration fee; a late
    renewal is accepted with a warning."""
    previous = _lock_policy(policy)
    family = _lock_family(previous.family_id)
    _require_family(actor, family, Right.POLICY_RENEW)
    if previous.status not in (rules.Status.ACTIVE, rules.Status.EXPIRED):
        raise Refused(_("Only an active or expired policy can be renewed."))
    if previous.renewals.filter(retired_at__isnull=True).exists():
        raise Refused(_("This policy has already been renewed."))
    today = _today(today)
    check_enroll_date(enroll_date, today)
    product = previous.product
    if enroll_date > product.date_to:
        if product.conversion_product is None:
            raise Refused(
                _("The product %(code)s is no longer on sale and has no conversion product.")
                % {"code": product.code},
                "product",
            )
        product = product.conversion_product
    _check_product(family, product, enroll_date)
    _check_officer(actor, family, officer, enroll_date)
    preview = _compute(family, product, enroll_date, stage=rules.RENEWAL, previous=previous)
    return _save_new_policy(
        actor,
        family=family,
        product=product,
        officer=officer,
        preview=preview,
        previous=previous,
        today=today,
        confirm_replace=False,
    )


# --- contributions --------------------------------------------------------------------------


class ChoiceNeeded(Refused):
    """The contribution does not pay the policy in full: the user must answer with one of
    `choices` (rules.Action) — nothing has been saved."""

    def __init__(self, message: str, check: rules.PaymentCheck):
        super().__init__(message, "action", code="choose_action")
        self.check = check
        self.choices = check.choices


@dataclass(frozen=True)
class ContributionResult:
    contribution: Contribution
    policy: Policy
    outcome: rules.PaymentOutcome
    check: rules.PaymentCheck | None
    messages: list[str]


def _terms_dates(policy: Policy) -> date:
    terms = rules.ProductTerms.of(policy.product)
    previous_expiry = policy.previous.expiry_date if policy.previous_id else None
    return rules.last_date_for_payment(
        terms, policy.stage, policy.start_date, policy.enroll_date, previous_expiry
    )


def _paid_rows(policy: Policy, exclude_pk: int | None = None) -> list[rules.Contribution]:
    return [
        rules.Contribution(c.amount, c.pay_date, c.is_photo_fee)
        for c in policy.contributions.filter(retired_at__isnull=True).exclude(pk=exclude_pk)
    ]


def payment_check(
    policy: Policy,
    amount: Decimal,
    pay_date: date,
    is_photo_fee: bool = False,
    exclude_pk: int | None = None,
) -> rules.PaymentCheck:
    """What the contribution form tells the user before saving (spec §10.2); `exclude_pk` is
    the contribution being changed, counted with its new values instead of its old ones."""
    return rules.check_payment(
        policy.value,
        [*_paid_rows(policy, exclude_pk), rules.Contribution(amount, pay_date, is_photo_fee)],
        pay_date,
        _terms_dates(policy),
        rules.ProductTerms.of(policy.product).max_installments,
    )


def clean_amount(value) -> Decimal:
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise Refused(_("Enter an amount."), "amount") from None
    if not amount.is_finite() or amount <= 0:
        raise Refused(_("The amount must be more than 0."), "amount")
    if amount != rules.money(amount):
        raise Refused(_("At most 2 decimal places."), "amount")
    return amount


def check_pay_date(pay_date: date | None, today: date) -> date:
    if pay_date is None:
        raise Refused(_("Enter the payment date."), "pay_date")
    if pay_date > today:
        raise Refused(_("The payment date cannot be in the future."), "pay_date")
    return pay_date


def _check_pay_type(pay_type: str) -> str:
    if pay_type not in PayType.values:
        raise Refused(_("Choose a payment type."), "pay_type")
    return pay_type


def _action(action) -> rules.Action | None:
    if action in (None, ""):
        return None
    try:
        return rules.Action(action)
    except ValueError:
        raise Refused(_("Unknown answer."), "action") from None


def clean_receipt(receipt: str) -> str:
    """The receipt number as saved (spaces collapsed), or Refused."""
    receipt = " ".join(str(receipt or "").split())
    if not receipt:
        raise Refused(_("Enter the receipt number."), "receipt")
    if len(receipt) > RECEIPT_MAX_LENGTH:
        raise Refused(_("At most %(n)d characters.") % {"n": RECEIPT_MAX_LENGTH}, "receipt")
    return receipt


def receipt_taken_message(receipt: str, product: Product) -> str:
    return _("The receipt %(receipt)s is already used for the product %(code)s.") % {
        "receipt": receipt,
        "code": product.code,
    }


def _check_receipt(receipt: str, product: Product, exclude_pk: int | None = None) -> str:
    receipt = clean_receipt(receipt)
    # Unique among the current contributions of the policies of this product (spec §10.1).  The
    # product row is locked first so that two clerks cannot save the same receipt at once.
    Product.objects.select_for_update().filter(pk=product.pk).first()
    taken = (
        Contribution.objects.current()
        .filter(policy__product=product, receipt=receipt)
        .exclude(pk=exclude_pk)
        .exists()
    )
    if taken:
        raise Refused(receipt_taken_message(receipt, product), "receipt")
    return receipt


def _check_payer(actor, family: Family, payer: Payer | None) -> None:
    if payer is None:
        return
    if not payers_for_location(actor, family.village).filter(pk=payer.pk).exists():
        raise Refused(
            _("The payer %(name)s does not pay for families of %(village)s.")
            % {"name": payer.name, "village": family.village.name},
            "payer",
        )


def _apply_outcome(actor, policy: Policy, outcome: rules.PaymentOutcome, reason: str) -> None:
    changed = outcome.status != policy.status or outcome.effective_date != policy.effective_date
    if changed:
        policy.status = outcome.status
        policy.effective_date = outcome.effective_date
        set_actor(policy, actor, reason)
        policy.save(update_fields=["status", "effective_date"])
    rows = list(policy.members.filter(retired_at__isnull=True))
    if outcome.activated:
        # On activation every member takes the policy's dates (spec §10.2 UpdatePolicyInsuree).
        for row in rows:
            row.start_date = policy.start_date
            row.effective_date = policy.effective_date
            row.expiry_date = policy.expiry_date
    elif outcome.member_effective_date is not None:
        # Members added since the policy came into force, now paid for (ActivateInsuree).
        rows = [r for r in rows if r.effective_date is None]
        for row in rows:
            row.effective_date = outcome.member_effective_date
    else:
        rows = []
    if rows:
        bulk_update_with_history(
            rows,
            InsureePolicy,
            ["start_date", "effective_date", "expiry_date"],
            default_user=actor,
            default_change_reason=reason,
        )


def _payment_outcome(
    policy: Policy,
    *,
    amount: Decimal,
    pay_date: date,
    action: rules.Action | None,
    ask: bool = True,
    exclude_pk: int | None = None,
) -> tuple[rules.PaymentOutcome, rules.PaymentCheck, list[str]]:
    """The policy after a counted (non-photo-fee) payment, with the messages for the user.
    A partial, late or last-instalment payment needs the user's answer when `ask`: without one
    ChoiceNeeded is raised; an answer not offered is refused.  Without `ask` (a contribution
    whose amount, date and category did not change) nothing is asked and nothing is enforced."""
    check = payment_check(policy, amount, pay_date, exclude_pk=exclude_pk)
    if check.choices and policy.status != rules.Status.EXPIRED and ask:
        if action is None:
            raise ChoiceNeeded(_choice_message(check), check)
        if action not in check.choices:
            raise Refused(_("This answer is not offered for this payment."), "action")
    outcome = rules.status_after_payment(
        value=policy.value,
        paid=check.paid,
        pay_date=pay_date,
        start_date=policy.start_date,
        status=policy.status,
        effective_date=policy.effective_date,
        activation_option=activation_option(),
        action=action if check.choices and ask else None,
    )
    messages: list[str] = []
    if outcome.overpaid:
        messages.append(
            _("Over-payment of %(surplus)s accepted; nothing is refunded.")
            % {"surplus": outcome.surplus}
        )
    if outcome.activated:
        messages.append(
            _("The policy is %(status)s from %(day)s.")
            % {
                "status": PolicyStatus(outcome.status).label.lower(),
                "day": _day(outcome.effective_date),
            }
        )
    elif check.paid < check.value and outcome.status == rules.Status.IDLE:
        messages.append(
            _("The policy is not covered yet: %(balance)s remain to be paid.")
            % {"balance": check.balance}
        )
    return outcome, check, messages


def _unchanged(policy: Policy) -> rules.PaymentOutcome:
    return rules.PaymentOutcome(status=policy.status, effective_date=policy.effective_date)


@transaction.atomic
def contribution_add(
    *,
    actor,
    policy: Policy,
    payer: Payer | None,
    amount,
    receipt: str,
    pay_date: date,
    pay_type: str,
    is_photo_fee: bool = False,
    action: rules.Action | str | None = None,
    today: date | None = None,
) -> ContributionResult:
    """Take a contribution for a policy (spec §10.1–§10.3, decision 6).

    Full payment activates (Active, or Ready under activation option 3) with effective = the
    later of the pay date and the start date; a partial, late or last-instalment payment needs
    the user's answer (`action`): without one `ChoiceNeeded` is raised with the choices offered
    and nothing is saved; WAIT saves only, SUSPEND suspends, ENFORCE activates.  Photo fees
    never count.  Over-payment is accepted with a message."""
    policy = _lock_policy(policy)
    family = policy.family
    _require_family(actor, family, Right.CONTRIBUTION_ADD)
    today = _today(today)
    amount = clean_amount(amount)
    check_pay_date(pay_date, today)
    _check_pay_type(pay_type)
    action = _action(action)
    _check_payer(actor, family, payer)
    receipt = _check_receipt(receipt, policy.product)
    if is_photo_fee:
        outcome, check = _unchanged(policy), None
        messages = [_("Photo fee saved: it does not count towards the policy value.")]
    else:
        outcome, check, messages = _payment_outcome(
            policy, amount=amount, pay_date=pay_date, action=action
        )
    contribution = Contribution(
        policy=policy,
        payer=payer,
        amount=amount,
        receipt=receipt,
        pay_date=pay_date,
        pay_type=pay_type,
        is_photo_fee=bool(is_photo_fee),
    )
    set_actor(contribution, actor, _("Created"))
    contribution.save()
    _apply_outcome(actor, policy, outcome, _("Contribution %(receipt)s") % {"receipt": receipt})
    return ContributionResult(contribution, policy, outcome, check, messages)


# --- changing and deleting a contribution (the rules are in the module docstring) -------------

CONTRIBUTION_FIELDS = ("payer", "amount", "receipt", "pay_date", "pay_type", "is_photo_fee")


def _access_contribution(
    actor, contribution: Contribution, right: int
) -> tuple[Contribution, Policy]:
    """The contribution and its policy, both locked (the policy first, in contribution_add's
    order, so that two clerks paying and changing the same policy queue up), once the actor's
    right and district are checked; a deleted contribution is refused."""
    try:
        policy = _lock_policy(Policy(pk=contribution.policy_id))
    except Policy.DoesNotExist:
        raise Refused(_("This policy has been deleted.")) from None
    _require_family(actor, policy.family, right)
    row = (
        Contribution.objects.select_for_update(of=("self",))
        .select_related("payer")
        .get(pk=contribution.pk, policy=policy)
    )
    if row.retired_at is not None:
        raise Refused(_("This contribution has been deleted."))
    return row, policy


def _status_word(policy: Policy) -> str:
    return PolicyStatus(policy.status).label.lower()


def contribution_locked(policy: Policy, contribution: Contribution) -> bool:
    """Whether the amount, payment date and category of `contribution` are locked: it counts
    towards the value of a policy that is no longer Idle."""
    return policy.status != rules.Status.IDLE and not contribution.is_photo_fee


def contribution_retire_refusal(policy: Policy, contribution: Contribution) -> str | None:
    """Why `contribution` cannot be deleted (None if it can): the pages say so beforehand."""
    if contribution_locked(policy, contribution):
        return _(
            "The policy is %(status)s: its contributions can only be deleted while it is idle."
        ) % {"status": _status_word(policy)}
    return None


@transaction.atomic
def contribution_update(
    *, actor, contribution: Contribution, today: date | None = None, **values
) -> ContributionResult:
    """Change a contribution (right 101303): `values` among payer, amount, receipt, pay_date,
    pay_type, is_photo_fee (those left out keep their value) and `action`, the user's answer
    when the changed payment does not pay the policy in full (as in `contribution_add`).

    Refused: the amount, payment date or category of a counted contribution of a policy that
    is no longer Idle; a receipt already used for the product by another contribution; the
    checks of `contribution_add`.  An Idle policy whose payments now reach its value
    activates."""
    unknown = set(values) - {*CONTRIBUTION_FIELDS, "action"}
    if unknown:
        raise TypeError(f"contribution_update() got unexpected fields {sorted(unknown)}")
    row, policy = _access_contribution(actor, contribution, Right.CONTRIBUTION_EDIT)
    family = policy.family
    today = _today(today)
    new = {name: values.get(name, getattr(row, name)) for name in CONTRIBUTION_FIELDS}
    new["amount"] = clean_amount(new["amount"])
    check_pay_date(new["pay_date"], today)
    _check_pay_type(new["pay_type"])
    new["is_photo_fee"] = bool(new["is_photo_fee"])
    action = _action(values.get("action"))
    payer = new["payer"]
    if (payer.pk if payer else None) != row.payer_id:
        _check_payer(actor, family, payer)
    money = [f for f in ("amount", "pay_date", "is_photo_fee") if new[f] != getattr(row, f)]
    counted = not (row.is_photo_fee and new["is_photo_fee"])
    if money and counted and policy.status != rules.Status.IDLE:
        raise Refused(
            _(
                "The policy is %(status)s: the amount, the payment date and the category of "
                "its contributions can only be changed while it is idle."
            )
            % {"status": _status_word(policy)},
            money[0],
        )
    new["receipt"] = _check_receipt(new["receipt"], policy.product, exclude_pk=row.pk)
    messages: list[str] = []
    outcome, check = _unchanged(policy), None
    if policy.status == rules.Status.IDLE and not new["is_photo_fee"]:
        outcome, check, messages = _payment_outcome(
            policy,
            amount=new["amount"],
            pay_date=new["pay_date"],
            action=action,
            ask=bool(money),
            exclude_pk=row.pk,
        )
    changed = [f for f in CONTRIBUTION_FIELDS if new[f] != getattr(row, f)]
    if changed:
        for name in changed:
            setattr(row, name, new[name])
        set_actor(row, actor, _("Changed"))
        row.save(update_fields=changed)
    _apply_outcome(
        actor,
        policy,
        outcome,
        _("Contribution %(receipt)s changed") % {"receipt": row.receipt},
    )
    return ContributionResult(row, policy, outcome, check, messages)


@transaction.atomic
def contribution_retire(
    *, actor, contribution: Contribution, today: date | None = None
) -> Contribution:
    """Delete a contribution (right 101304): soft delete, the row is retired with a history
    row naming the actor.  Refused once the policy is no longer Idle, unless it is a photo
    fee; the policy then stays Idle (it was not paid in full)."""
    row, policy = _access_contribution(actor, contribution, Right.CONTRIBUTION_DELETE)
    refusal = contribution_retire_refusal(policy, row)
    if refusal:
        raise Refused(refusal)
    row.retired_at = timezone.now()
    set_actor(row, actor, pgettext("contribution history", "Deleted"))
    row.save(update_fields=["retired_at"])
    return row


def _choice_message(check: rules.PaymentCheck) -> str:
    if check.late:
        return _("The payment is late and does not pay the policy in full (%(balance)s left).") % {
            "balance": check.balance
        }
    if check.last_instalment:
        return _(
            "This is the last instalment allowed and the policy is not paid in full "
            "(%(balance)s left)."
        ) % {"balance": check.balance}
    return _("The policy is not covered: %(balance)s remain to be paid.") % {
        "balance": check.balance
    }


# --- the expiry job -------------------------------------------------------------------------


def expire_policies(*, today: date | None = None, actor=None) -> int:
    """Expire the current Active, Ready, Idle and Suspended policies whose expiry date has
    passed (spec §9.8, decision 11: with history rows).  Idempotent: a second run finds
    nothing.  Returns how many policies were expired."""
    today = _today(today)
    expirable = [int(s) for s in rules.EXPIRABLE]
    reason = _("Expired")
    total = 0
    while True:
        with transaction.atomic():
            batch = list(
                Policy.objects.select_for_update(skip_locked=True)
                .filter(retired_at__isnull=True, status__in=expirable, expiry_date__lt=today)
                .order_by("id")[:EXPIRY_BATCH]
            )
            if not batch:
                return total
            for p in batch:
                p.status = rules.expire(p.status, p.expiry_date, today)
            done = [p for p in batch if p.status == rules.Status.EXPIRED]
            Policy.objects.filter(
                pk__in=[p.pk for p in done], status__in=expirable, expiry_date__lt=today
            ).update(status=rules.Status.EXPIRED)
            Policy.history.bulk_history_create(
                done, update=True, default_user=actor, default_change_reason=reason
            )
            total += len(done)
            if len(batch) < EXPIRY_BATCH:
                return total
