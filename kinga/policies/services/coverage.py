"""Coverage follows the members (spec registers §8.4, §9.6): the insurees app's coverage hooks
(kinga.insurees.hooks), registered from PoliciesConfig.ready().

When a member joins a family, moves, is detached, retired or changes status, his coverage
(InsureePolicy rows) follows and the value of the family's Idle policies is recomputed.  The
member services call these inside their transaction with the family already locked; the
policies are locked after it (kinga.core.locks: Family → Insuree → Policy)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from kinga.core import locks
from kinga.insurees.hooks import CoverageHooks
from kinga.insurees.models import Family, Insuree, InsureeStatus

from .. import rules
from ..models import InsureePolicy, Policy, PolicyStatus
from ..queries import policies as queries
from . import policies as policy_services
from ._common import _majority

# A member joins the policies in force; Idle ones are recomputed (family_members_changed).
JOIN_STATUSES = (PolicyStatus.ACTIVE, PolicyStatus.READY)


def _add_to_policy(actor, policy: Policy, insuree: Insuree, today: date) -> None:
    """uspAddInsureePolicy for one Active or Ready policy: skipped when the product's maximum
    members are already covered; the member takes the policy's dates, or no effective date
    when he raises the value beyond what was paid (not covered until paid)."""
    rows = list(policy.members.filter(retired_at__isnull=True, insuree__retired_at__isnull=True))
    previous = [r for r in rows if r.insuree_id == insuree.pk]
    if previous and previous[0].expiry_date >= policy.expiry_date:
        return  # still covered by this policy
    rows = [r for r in rows if r.insuree_id != insuree.pk]
    product = policy.product
    if product.max_members and len(rows) >= product.max_members:
        return
    terms = rules.ProductTerms.of(product)
    members = [
        rules.Member(dob=i.dob, relationship=i.relationship, ref=i)
        for i in queries.enrolled_members(policy.family)
    ]
    new_value = rules.value_breakdown(
        terms,
        members,
        policy.enroll_date,
        policy.stage,
        policy.previous.expiry_date if policy.previous_id else None,
        start_date=policy.start_date,
        majority=_majority(),
    ).value
    paid = rules.paid_total(
        rules.Contribution(c.amount, c.pay_date, c.is_photo_fee)
        for c in policy.contributions.filter(retired_at__isnull=True)
    )
    effective = rules.new_member_effective_date(
        policy_effective_date=policy.effective_date,
        old_value=policy.value,
        new_value=new_value,
        paid=paid,
    )
    if effective is not None:
        effective = max(effective, policy.start_date)
    if previous:
        # Back in the family, or active again: his ended row stays in the history and a new
        # row covers him from today (one current row per member and policy).
        previous[0].retired_at = timezone.now()
        bulk_update_with_history(
            previous,
            InsureePolicy,
            ["retired_at"],
            default_user=actor,
            default_change_reason=_("Covered again"),
        )
        if effective is not None:
            effective = max(effective, today)
    bulk_create_with_history(
        [
            InsureePolicy(
                policy=policy,
                insuree=insuree,
                enrollment_date=max(policy.enroll_date, min(today, policy.expiry_date)),
                start_date=policy.start_date,
                effective_date=effective,
                expiry_date=policy.expiry_date,
            )
        ],
        InsureePolicy,
        default_user=actor,
        default_change_reason=_("Joined the family"),
    )


def member_joined(*, actor, insuree: Insuree, family: Family, today: date) -> None:
    """Add the new member to the family's Active and Ready policies that still have room
    (uspAddInsureePolicy) and recompute the value and coverage of its Idle policies."""
    if insuree.retired_at is not None or insuree.status != InsureeStatus.ACTIVE:
        return
    # Locked (after the family): a payment activating one of them rewrites its members' rows.
    policies = locks.lock_all(
        Policy.objects.current()
        .filter(family=family, status__in=JOIN_STATUSES, expiry_date__gte=today)
        .select_related("product", "previous", "family")
    )
    for policy in policies:
        _add_to_policy(actor, policy, insuree, today)
    policy_services.family_members_changed(actor=actor, family=family, today=today)


def _end_coverage(actor, last_days: dict[int, date], reason: str, family=None) -> None:
    """End the current coverage of each insuree (id → his last covered day), with history
    rows: rows in force get that expiry date, rows not started by then are retired."""
    if not last_days:
        return
    rows = InsureePolicy.objects.filter(
        insuree_id__in=list(last_days),
        retired_at__isnull=True,
        expiry_date__gt=min(last_days.values()),
    )
    if family is not None:
        rows = rows.filter(policy__family=family)
    policy_ids = set(rows.values_list("policy_id", flat=True))
    if not policy_ids:
        return
    # The policies after the family (kinga.core.locks), then their rows read again under it.
    locks.lock_all(Policy.objects.filter(pk__in=policy_ids))
    now = timezone.now()
    changed = []
    for row in rows.filter(policy_id__in=policy_ids):
        last_day = last_days[row.insuree_id]
        if row.expiry_date <= last_day:
            continue
        if row.start_date > last_day or (
            row.effective_date is not None and row.effective_date > last_day
        ):
            row.retired_at = now
        else:
            row.expiry_date = last_day
        changed.append(row)
    if changed:
        bulk_update_with_history(
            changed,
            InsureePolicy,
            ["expiry_date", "retired_at"],
            default_user=actor,
            default_change_reason=reason,
        )


def member_left(*, actor, insuree: Insuree, family: Family, today: date) -> None:
    """End the member's current and future coverage by the old family's policies (his last
    covered day is the day before) after a move, a detachment or a retirement, and recompute
    the value of the old family's Idle policies."""
    _end_coverage(actor, {insuree.pk: today - rules.ONE_DAY}, _("Left the family"), family=family)
    policy_services.family_members_changed(actor=actor, family=family, today=today)


def statuses_changed(*, actor, insurees: Sequence[Insuree], today: date) -> None:
    """After members changed status (the page saves one, the families import many): an
    inactive or dead member's coverage ends on his status date; one active again is re-added
    to his family's policies not yet expired, effective today; the value of the families'
    Idle policies is recomputed."""
    ended = {i.pk: i.status_date or today for i in insurees if i.status != InsureeStatus.ACTIVE}
    for insuree in insurees:
        if insuree.status == InsureeStatus.ACTIVE and insuree.family_id is not None:
            member_joined(actor=actor, insuree=insuree, family=insuree.family, today=today)
    _end_coverage(actor, ended, _("Status changed"))
    family_ids = {i.family_id for i in insurees if i.pk in ended and i.family_id is not None}
    with_idle = set(
        Policy.objects.current()
        .filter(family_id__in=family_ids, status=PolicyStatus.IDLE)
        .values_list("family_id", flat=True)
    )
    for family in Family.objects.filter(pk__in=with_idle).order_by("pk"):
        policy_services.family_members_changed(actor=actor, family=family, today=today)


def status_changed(*, actor, insuree: Insuree, today: date) -> None:
    """`statuses_changed` for the one member the page saved."""
    statuses_changed(actor=actor, insurees=[insuree], today=today)


def family_has_policies(family: Family) -> bool:
    """A family with a current policy cannot be retired (vb FamilyDAL CheckCanBeDeleted)."""
    return Policy.objects.current().filter(family=family).exists()


HOOKS = CoverageHooks(
    member_joined=member_joined,
    member_left=member_left,
    status_changed=status_changed,
    statuses_changed=statuses_changed,
    family_has_policies=family_has_policies,
)
