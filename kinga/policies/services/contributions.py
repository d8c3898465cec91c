"""Contributions (spec registers §10): add, change, delete, and the policy's status after a
payment.

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
  itself excepted), under the same lock as `contribution_add`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from simple_history.utils import bulk_update_with_history

from kinga.core.errors import Refused
from kinga.core.history import set_actor
from kinga.core.rights import Right
from kinga.insurees.models import Family
from kinga.products.models import Product

from .. import rules
from ..models import Contribution, InsureePolicy, Payer, PayType, Policy, PolicyStatus
from ..queries.payers import payers_for_location
from ._common import (
    RECEIPT_MAX_LENGTH,
    _day,
    _lock_policy,
    _require_family,
    _today,
    activation_option,
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
    if check.choices and policy.status != PolicyStatus.EXPIRED and ask:
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
    elif check.paid < check.value and outcome.status == PolicyStatus.IDLE:
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
    return policy.status != PolicyStatus.IDLE and not contribution.is_photo_fee


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
    if money and counted and policy.status != PolicyStatus.IDLE:
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
    if policy.status == PolicyStatus.IDLE and not new["is_photo_fee"]:
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
