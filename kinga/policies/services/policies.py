"""Policies and member coverage (spec registers §9 and the decisions at the top of that file):
attach, preview, update, suspend, renew, and coverage following the members.

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
The same product twice over overlapping dates is refused."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from kinga.core import access, bulk, locks
from kinga.core.errors import Refused
from kinga.core.history import set_actor
from kinga.insurees.models import Family, Insuree, Officer
from kinga.insurees.queries.families import FAMILY
from kinga.insurees.queries.officers import officers_for_enrolment, works_for_enrolment
from kinga.locations.models import Location
from kinga.products.models import Product

from .. import rules
from ..models import Contribution, InsureePolicy, Policy, PolicyStatus
from ..queries import policies as queries
from . import contributions as contribution_services
from ._common import (
    NewPolicy,
    _day,
    _lock_family,
    _lock_family_and_policy,
    _lock_policy,
    _majority,
    _policy_label,
    _today,
)

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
    # The start date the product's rules give for the enrolment date (the form puts it in its
    # start date field until the clerk types another one) and, for a renewal, its product.
    rule_start_date: date | None = None
    product: Product | None = None

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


def _period_and_value(
    terms: rules.ProductTerms,
    members: list[rules.Member],
    enroll_date: date,
    start_date: date | None,
    stage: str = rules.NEW,
    previous_expiry: date | None = None,
) -> tuple[rules.Period, rules.ValueBreakdown]:
    """The policy's dates (`checked_period`) and value (rules.value_breakdown): what the page
    and the families import compute alike."""
    period = checked_period(terms, enroll_date, start_date, stage, previous_expiry)
    breakdown = rules.value_breakdown(
        terms,
        members,
        enroll_date,
        stage,
        previous_expiry,
        start_date=period.start_date,
        majority=_majority(),
    )
    return period, breakdown


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
    period, breakdown = _period_and_value(
        terms, _members(family), enroll_date, start_date, stage, previous_expiry
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
        rule_start_date=rules.policy_period(terms, enroll_date, stage, previous_expiry).start_date,
        product=product,
    )


def check_enroll_date(enroll_date: date | None, today: date) -> None:
    if enroll_date is None:
        raise Refused(_("Enter the enrolment date."), "enroll_date")
    if enroll_date > today:
        raise Refused(_("The enrolment date cannot be in the future."), "enroll_date")


def not_on_sale_message(code: str, village: Location, on_date: date) -> str:
    return _("The product %(code)s is not on sale in %(village)s on %(day)s.") % {
        "code": code,
        "village": village.name,
        "day": _day(on_date),
    }


def check_on_sale(product: Product, village: Location, on_date: date) -> None:
    """Refused unless the product (as loaded) is on sale in the village on the date
    (queries.is_on_sale: the rule of the form's list of products)."""
    if not queries.is_on_sale(product, village, on_date):
        raise Refused(not_on_sale_message(product.code, village, on_date), "product")


def check_product(product: Product | None, village: Location, on_date: date) -> Product:
    """The product chosen on a page, read again and checked (`check_on_sale`)."""
    if product is None:
        raise Refused(_("Choose a product."), "product")
    fresh = Product.objects.select_related("programme").filter(pk=product.pk).first()
    if fresh is None:
        raise Refused(not_on_sale_message(product.code, village, on_date), "product")
    check_on_sale(fresh, village, on_date)
    return fresh


def officer_refusal_message(code: str, village: Location, on_date: date) -> str:
    return _(
        "The officer %(officer)s does not work in the district of %(district)s on %(day)s."
    ) % {"officer": code, "district": village.parent.parent.name, "day": _day(on_date)}


def check_enrolment_officer(officer: Officer, village: Location, on_date: date) -> None:
    """Refused unless the officer (as loaded) may enrol a family of the village on the date
    (insurees' works_for_enrolment: the rule of the form's list of officers)."""
    if not works_for_enrolment(officer, village.parent.parent_id, on_date):
        raise Refused(officer_refusal_message(officer.code, village, on_date), "officer")


def check_officer(actor, village: Location, officer: Officer | None, on_date: date) -> None:
    """The officer chosen on a page: one of those the policy form offers (the same query), in
    the actor's districts."""
    if officer is None:
        raise Refused(_("Choose the enrolment officer."), "officer")
    # The very query of the policy form's officers (queries.officers_for_policy).
    offered = officers_for_enrolment(actor, village.parent.parent, on_date)
    if not offered.filter(pk=officer.pk).exists():
        raise Refused(officer_refusal_message(officer.code, village, on_date), "officer")


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
        elif p.status != PolicyStatus.EXPIRED:
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
    FAMILY.require(actor, family, "preview_policy")
    today = _today(today)
    check_enroll_date(enroll_date, today)
    check_product(product, family.village, enroll_date)
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

    def status_on(self, today: date) -> PolicyStatus:
        """The policy's status as the family's list shows it on `today` (rules.expire: a
        backdated policy whose expiry has passed reads Expired there, before the nightly job
        stores it): what the confirmation says, never contradicting the row."""
        return PolicyStatus(rules.expire(self.policy.status, self.policy.expiry_date, today))


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
        for p in locks.lock_all(
            Policy.objects.select_related("product").filter(pk__in=later, retired_at__isnull=True)
        )
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
    FAMILY.require(actor, family, "add_policy")
    today = _today(today)
    check_enroll_date(enroll_date, today)
    check_product(product, family.village, enroll_date)
    check_officer(actor, family.village, officer, enroll_date)
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
    recomputed; its contributions follow a new product (their receipts must be free for it).
    The overlap checks run under the family's lock, like policy_attach's: two clerks cannot
    both give the family one product twice over the same dates."""
    family, policy = _lock_family_and_policy(policy)
    queries.POLICY.require(actor, policy, "edit")
    if policy.status != PolicyStatus.IDLE:
        raise Refused(_("Only an idle policy can be changed."))
    today = _today(today)
    check_enroll_date(enroll_date, today)
    if product.pk != policy.product_id or enroll_date != policy.enroll_date:
        check_product(product, family.village, enroll_date)
    check_officer(actor, family.village, officer, enroll_date)
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
    if product.pk != policy.product_id:
        contribution_services.contributions_follow_product(
            actor=actor, policy=policy, product=product
        )
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


def policy_edit_preview(
    *,
    actor,
    policy: Policy,
    enroll_date: date,
    start_date: date | None = None,
    today: date | None = None,
) -> Preview:
    """An Idle policy as `policy_update` would save it with a new enrolment date or start date
    (its product kept): the page shows it before saving."""
    queries.POLICY.require(actor, policy, "edit")
    if policy.status != PolicyStatus.IDLE:
        raise Refused(_("Only an idle policy can be changed."))
    today = _today(today)
    check_enroll_date(enroll_date, today)
    if enroll_date != policy.enroll_date:
        check_product(policy.product, policy.family.village, enroll_date)
    return _compute(
        policy.family,
        policy.product,
        enroll_date,
        start_date=start_date,
        stage=policy.stage,
        previous=policy.previous,
    )


@transaction.atomic
def policy_suspend(*, actor, policy: Policy) -> Policy:
    """Suspend a policy by hand (spec §9.8, right 101203): Idle, Active or Ready only."""
    policy = _lock_policy(policy)
    queries.POLICY.require(actor, policy, "edit")
    if policy.status not in rules.SUSPENDABLE:
        raise Refused(
            _("A %(status)s policy cannot be suspended.")
            % {"status": PolicyStatus(policy.status).label.lower()}
        )
    policy.status = PolicyStatus.SUSPENDED
    set_actor(policy, actor, _("Suspended"))
    policy.save(update_fields=["status"])
    return policy


def members_changed(*, actor, policy: Policy, today: date | None = None) -> Policy:
    """After a member joined or left the family: an Idle policy's value and coverage are
    recomputed (spec §9.1, §8.4).  Policies in other statuses are left as they are."""
    with transaction.atomic():
        policy = _lock_policy(policy)
        if policy.status != PolicyStatus.IDLE:
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
    idle = Policy.objects.current().filter(family=family, status=PolicyStatus.IDLE)
    for policy in idle.order_by("pk"):
        members_changed(actor=actor, policy=policy, today=today)


def _renewal_product(family: Family, previous: Policy, enroll_date: date, today: date) -> Product:
    """The checks of a renewal before its officer (spec §9.7): the previous policy Active or
    Expired and not renewed yet, the enrolment date not in the future, and the product the
    renewal takes — the old one, or its conversion product once the old one's sale window has
    ended — on sale in the family's village on the enrolment date."""
    if previous.status not in (PolicyStatus.ACTIVE, PolicyStatus.EXPIRED):
        raise Refused(_("Only an active or expired policy can be renewed."))
    if previous.renewals.filter(retired_at__isnull=True).exists():
        raise Refused(_("This policy has already been renewed."))
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
    return check_product(product, family.village, enroll_date)


def is_free(product: Product) -> bool:
    """A product whose policies cost nothing whoever the members (the health programmes' free
    packages, e.g. VIH_Soins): no premium, lump sum or general-assembly fee (a renewal pays
    no registration fee)."""
    names = (
        "lump_sum",
        "premium_adult",
        "premium_child",
        "general_assembly_lump_sum",
        "general_assembly_fee",
    )
    return not any(getattr(product, name) for name in names)


def free_renewal_date(previous: Policy, today: date | None = None) -> date:
    """The enrolment date of a free package's one-click renewal: today, or the day after the
    previous expiry when that is earlier (renewed after it expired): the coverage then runs on
    from the day after the previous expiry, without a gap."""
    return min(_today(today), previous.expiry_date + rules.ONE_DAY)


def policy_renew_preview(
    *, actor, policy: Policy, enroll_date: date, today: date | None = None
) -> Preview:
    """The renewal as `policy_renew` would save it (the renewal page before saving): its
    product, dates, value with the renewal discount and no registration fee, covered members,
    warnings (a late renewal)."""
    queries.POLICY.require(actor, policy, "renew")
    today = _today(today)
    family = policy.family
    product = _renewal_product(family, policy, enroll_date, today)
    return _compute(family, product, enroll_date, stage=rules.RENEWAL, previous=policy)


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
    # The family first, then the policy (kinga.core.locks): policy_attach locks the family and
    # then ends or cancels this policy; the other order could deadlock against it.
    family, previous = _lock_family_and_policy(policy)
    queries.POLICY.require(actor, previous, "renew")
    today = _today(today)
    product = _renewal_product(family, previous, enroll_date, today)
    check_officer(actor, family.village, officer, enroll_date)
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


@transaction.atomic
def policy_correct(*, actor, policy: Policy, officer: Officer | None, reason: str) -> Policy:
    """Correct a policy that is no longer Idle (spec §9.1: only Idle policies are changed): its
    enrolment date, start date and product fix its members' cover and stay; only the enrolment
    officer — who does not change the cover — may be corrected, with the reason, which its
    history keeps."""
    family, policy = _lock_family_and_policy(policy)
    queries.POLICY.require(actor, policy, "edit")
    if policy.status == PolicyStatus.IDLE:
        raise Refused(_("An idle policy is changed through its form."))
    reason = (reason or "").strip()
    if not reason:
        raise Refused(_("Say why the policy is corrected."), "reason")
    check_officer(actor, family.village, officer, policy.enroll_date)
    if officer.pk == policy.officer_id:
        raise Refused(_("The enrolment officer is the same: nothing to correct."), "officer")
    policy.officer = officer
    set_actor(policy, actor, _("Corrected: %(reason)s") % {"reason": reason})
    policy.save(update_fields=["officer"])
    return policy


# --- bulk verbs: policies of families not written yet (the families import) ------------------


def policy_plan_new(
    *,
    actor,
    village: Location,
    members: list[rules.Member],
    product: Product,
    officer: Officer,
    enroll_date: date | None,
    start_date: date | None = None,
    today: date,
    terms: rules.ProductTerms | None = None,
) -> NewPolicy:
    """`policy_attach`'s checks and computation for a new family not written yet, without a
    query (the product and the officer are loaded by the caller): the enrolment date, the
    product on sale in the village (`check_on_sale`), the officer working in its district
    (`check_enrolment_officer`), the dates and the value (`_period_and_value`), Idle — or
    Active at once when free (rules.status_on_save).  The members are the family's active ones
    in order of joining; their refs come back in `covered` and `not_covered`.  A new family has
    no other policy to overlap."""
    if not FAMILY.may_right(actor, "add_policy"):
        raise Refused(_("You may not add policies."), "product")
    check_enroll_date(enroll_date, today)
    check_on_sale(product, village, enroll_date)
    check_enrolment_officer(officer, village, enroll_date)
    terms = terms or rules.ProductTerms.of(product)
    period, breakdown = _period_and_value(terms, members, enroll_date, start_date)
    status, effective = rules.status_on_save(breakdown.value, period.start_date)
    return NewPolicy(
        village=village,
        product=product,
        officer=officer,
        enroll_date=enroll_date,
        start_date=period.start_date,
        expiry_date=period.expiry_date,
        last_payment_date=rules.last_date_for_payment(
            terms, rules.NEW, period.start_date, enroll_date
        ),
        max_installments=terms.max_installments,
        value=breakdown.value,
        status=status,
        effective_date=effective,
        covered=[m.ref for m in breakdown.covered],
        not_covered=[m.ref for m in breakdown.not_covered],
    )


@transaction.atomic
def policies_create_bulk(
    *, actor, policies: list[tuple[int, NewPolicy, list[int]]], reason: str
) -> list[int]:
    """Write the policies planned by `policy_plan_new` (family id, plan, ids of the insurees it
    covers) with their members' coverage, in bulk with history (COPY on PostgreSQL); the
    contributions follow with `contributions.contributions_add_bulk`.  Returns the policies'
    ids in order."""
    if not policies:
        return []
    scope = access.scope_of(actor)
    if not FAMILY.may_right(actor, "add_policy") or not all(
        scope.covers_district(plan.village.parent.parent_id) for _f, plan, _i in policies
    ):
        raise PermissionDenied
    rows = [
        {
            "family_id": family_id,
            "product_id": plan.product.pk,
            "officer_id": plan.officer.pk,
            "stage": rules.NEW,
            "status": plan.status,
            "enroll_date": plan.enroll_date,
            "start_date": plan.start_date,
            "effective_date": plan.effective_date,
            "expiry_date": plan.expiry_date,
            "value": plan.value,
        }
        for family_id, plan, _ids in policies
    ]
    ids = bulk.create_rows(Policy, rows, user=actor, reason=reason)
    coverage = [
        {
            "policy_id": policy_id,
            "insuree_id": insuree_id,
            "enrollment_date": plan.enroll_date,
            "start_date": plan.start_date,
            "effective_date": plan.effective_date,
            "expiry_date": plan.expiry_date,
        }
        for policy_id, (_f, plan, insuree_ids) in zip(ids, policies, strict=True)
        for insuree_id in insuree_ids
    ]
    bulk.create_rows(InsureePolicy, coverage, user=actor, reason=_("Covered by the policy"))
    return ids
