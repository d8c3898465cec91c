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
  itself excepted).  The contribution carries its policy's product and a partial unique
  constraint holds the rule in the database: a clerk saving the same receipt at the same moment
  gets the same refusal as the service's own check, never an error page.

Checked on every payment (issue 14): its date is not before the policy's enrolment date; a
policy of a free programme (value 0) takes none; a receipt already used for the product is
refused naming the family that holds it (also when the constraint catches a concurrent save,
kinga.core.unique); an over-payment must be confirmed on the pages (`OverpaymentToConfirm`),
the import takes it as it is, and the policy page and row flag the surplus.

Locks (kinga.core.locks): the policy, then the contribution.  One payment loop (`pay_in_order`)
gives the policy's status after successive payments for the page (one payment) and for the
families import (its payments in pay-date order)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from simple_history.utils import bulk_update_with_history

from kinga.core import bounds, bulk, locks
from kinga.core.errors import Refused
from kinga.core.history import set_actor
from kinga.core.unique import unique_or_refused
from kinga.insurees.models import Family
from kinga.locations.models import Location
from kinga.products.models import Product

from .. import rules
from ..models import Contribution, InsureePolicy, Payer, PayType, Policy, PolicyStatus
from ..queries.contributions import CONTRIBUTION
from ..queries.payers import payers_for_location, pays_for
from ..queries.policies import POLICY
from ._common import (
    RECEIPT_MAX_LENGTH,
    NewContribution,
    NewPolicy,
    _day,
    _lock_policy,
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


class OverpaymentToConfirm(Refused):
    """The contribution pays more than the policy's value: the user must confirm the
    over-payment (nothing is refunded) — nothing has been saved."""

    def __init__(self, message: str, check: rules.PaymentCheck):
        super().__init__(message, "amount", code="confirm_overpayment")
        self.check = check


def _overpayment_message(check: rules.PaymentCheck) -> str:
    return _(
        "This contribution brings the payments to %(paid)s for a policy value of %(value)s: "
        "an over-payment of %(surplus)s, which is not refunded. Confirm the over-payment to "
        "save it."
    ) % {"paid": check.paid, "value": check.value, "surplus": check.paid - check.value}


@dataclass(frozen=True)
class ContributionResult:
    contribution: Contribution
    policy: Policy
    outcome: rules.PaymentOutcome
    check: rules.PaymentCheck | None
    messages: list[str]


def _paid_rows(policy: Policy, exclude_pk: int | None = None) -> list[rules.Contribution]:
    return [
        rules.Contribution(c.amount, c.pay_date, c.is_photo_fee)
        for c in policy.contributions.filter(retired_at__isnull=True).exclude(pk=exclude_pk)
    ]


# --- the one payment loop -----------------------------------------------------------------------


@dataclass(frozen=True)
class Payable:
    """What the payment rules need of a policy: a saved one (`payable`) or one the families
    import plans (`_payable_new`)."""

    value: Decimal
    status: int
    effective_date: date | None
    start_date: date
    last_payment_date: date
    max_installments: int


def payable(policy: Policy) -> Payable:
    terms = rules.ProductTerms.of(policy.product)
    previous_expiry = policy.previous.expiry_date if policy.previous_id else None
    return Payable(
        value=policy.value,
        status=policy.status,
        effective_date=policy.effective_date,
        start_date=policy.start_date,
        last_payment_date=rules.last_date_for_payment(
            terms, policy.stage, policy.start_date, policy.enroll_date, previous_expiry
        ),
        max_installments=terms.max_installments,
    )


def _payable_new(plan: NewPolicy) -> Payable:
    return Payable(
        value=plan.value,
        status=plan.status,
        effective_date=plan.effective_date,
        start_date=plan.start_date,
        last_payment_date=plan.last_payment_date,
        max_installments=plan.max_installments,
    )


@dataclass(frozen=True)
class Payment:
    """One payment as the loop sees it; `action` is the payer's answer when it does not pay
    the policy in full; `ask` False for a contribution whose amount, date and category did not
    change (nothing is asked, nothing enforced)."""

    amount: Decimal
    pay_date: date
    is_photo_fee: bool = False
    action: rules.Action | None = None
    ask: bool = True
    # An over-payment asked about (the pages) must be confirmed; the import takes it as it is.
    confirm_overpayment: bool = True


def pay_in_order(
    policy: Payable, paid: Sequence[rules.Contribution], payments: Iterable[Payment]
) -> tuple[Payable, rules.PaymentOutcome | None, rules.PaymentCheck | None]:
    """The policy after `payments`, taken in pay-date order over the contributions already
    `paid` (spec §10.2) — the contribution page's one payment and the families import's
    payments alike.  Returns the policy's new state, the last counted payment's outcome and
    check (None when only photo fees were paid).

    For each payment:
    1. A photo fee is recorded and changes nothing.
    2. `rules.check_payment` over everything paid so far, this payment included.
    3. A partial, late or last-instalment payment of a policy not expired needs an answer
       among the choices offered (when `ask`): none raises ChoiceNeeded (nothing is saved),
       one not offered is refused.
    4. `rules.status_after_payment` with that answer gives the status and effective date the
       next payment starts from.
    """
    so_far = list(paid)
    outcome = check = None
    for payment in sorted(payments, key=lambda p: p.pay_date):
        so_far.append(rules.Contribution(payment.amount, payment.pay_date, payment.is_photo_fee))
        if payment.is_photo_fee:
            continue
        check = rules.check_payment(
            policy.value,
            so_far,
            payment.pay_date,
            policy.last_payment_date,
            policy.max_installments,
        )
        if check.overpaid and payment.ask and not payment.confirm_overpayment:
            raise OverpaymentToConfirm(_overpayment_message(check), check)
        asked = bool(check.choices) and policy.status != PolicyStatus.EXPIRED and payment.ask
        if asked:
            if payment.action is None:
                raise ChoiceNeeded(_choice_message(check), check)
            if payment.action not in check.choices:
                raise Refused(_("This answer is not offered for this payment."), "action")
        outcome = rules.status_after_payment(
            value=policy.value,
            paid=check.paid,
            pay_date=payment.pay_date,
            start_date=policy.start_date,
            status=policy.status,
            effective_date=policy.effective_date,
            activation_option=activation_option(),
            action=payment.action if asked else None,
        )
        policy = replace(policy, status=outcome.status, effective_date=outcome.effective_date)
    return policy, outcome, check


def clean_amount(value) -> Decimal:
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise Refused(_("Enter an amount."), "amount") from None
    if not amount.is_finite() or amount <= 0:
        raise Refused(_("The amount must be more than 0."), "amount")
    if amount > bounds.MONEY_MAX:
        raise Refused(_("The amount is too large."), "amount")
    if amount != rules.money(amount):
        raise Refused(_("At most 2 decimal places."), "amount")
    return amount


def check_pay_date(pay_date: date | None, today: date) -> date:
    if pay_date is None:
        raise Refused(_("Enter the payment date."), "pay_date")
    if pay_date > today:
        raise Refused(_("The payment date cannot be in the future."), "pay_date")
    return pay_date


def check_paid_after_enrolment(pay_date: date, enroll_date: date) -> None:
    """A contribution is paid on or after the policy's enrolment date."""
    if pay_date < enroll_date:
        raise Refused(
            _(
                "The payment date (%(pay)s) cannot be before the policy's enrolment date "
                "(%(enrol)s)."
            )
            % {"pay": _day(pay_date), "enrol": _day(enroll_date)},
            "pay_date",
        )


def is_free(policy: Policy) -> bool:
    """A policy of a free programme (value 0, decision 16): it takes no contribution."""
    return policy.value <= 0


def check_not_free(policy: Policy) -> None:
    if is_free(policy):
        raise Refused(
            _("The product %(code)s is free: its policies take no contribution.")
            % {"code": policy.product.code}
        )


PAY_TYPES = frozenset(PayType.values)  # once: an enum's values are rebuilt at each reading


def _check_pay_type(pay_type: str) -> str:
    if pay_type not in PAY_TYPES:
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


def receipt_taken_message(receipt: str, product: Product, family: Family | None = None) -> str:
    """The refusal of a receipt already used for the product, naming the family that holds it
    (its head and insurance number) when it is known."""
    names = {"receipt": receipt, "code": product.code}
    if family is None:
        return _("The receipt %(receipt)s is already used for the product %(code)s.") % names
    head = family.head
    holder = (
        f"{head.other_names} {head.last_name}, {head.insurance_number}"
        if head is not None
        else str(family)
    )
    return _(
        "The receipt %(receipt)s is already used for the product %(code)s by another family "
        "(%(family)s)."
    ) % {**names, "family": holder}


def _receipt_holder(receipt: str, product: Product, exclude_pk: int | None = None):
    """The current contribution of the product holding `receipt` (its family and head
    loaded), or None."""
    return (
        Contribution.objects.current()
        .filter(product=product, receipt=receipt)
        .exclude(pk=exclude_pk)
        .select_related("policy__family__head")
        .first()
    )


def _refuse_taken_receipt(
    receipt: str, product: Product, exclude_pk: int | None = None, field: str = "receipt"
) -> None:
    """Refused (naming the family that holds it) when a current contribution of the product
    other than `exclude_pk` holds `receipt`."""
    holder = _receipt_holder(receipt, product, exclude_pk)
    if holder is not None:
        raise Refused(receipt_taken_message(receipt, product, holder.policy.family), field)


def _check_receipt(receipt: str, product: Product, exclude_pk: int | None = None) -> str:
    """The receipt, unique among the current contributions of the product (spec §10.1); no
    lock: the database constraint refuses the second of two clerks saving it at once
    (`_save_refusing_taken_receipt`)."""
    receipt = clean_receipt(receipt)
    _refuse_taken_receipt(receipt, product, exclude_pk)
    return receipt


def _save_refusing_taken_receipt(row: Contribution, product: Product, **save) -> None:
    """Save `row`; when the receipt constraint refuses it (another clerk committed the same
    receipt since `_check_receipt`), the same refusal as the check, naming the other family,
    not an error page (kinga.core.unique)."""
    with unique_or_refused(lambda: _refuse_taken_receipt(row.receipt, product, row.pk)):
        row.save(**save)


def _payer_refusal(payer: Payer, village: Location) -> str:
    return _("The payer %(name)s does not pay for families of %(village)s.") % {
        "name": payer.name,
        "village": village.name,
    }


def _check_payer(actor, family: Family, payer: Payer | None) -> None:
    if payer is None:
        return
    if not payers_for_location(actor, family.village).filter(pk=payer.pk).exists():
        raise Refused(_payer_refusal(payer, family.village), "payer")


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


def _payment_messages(
    outcome: rules.PaymentOutcome | None, check: rules.PaymentCheck | None
) -> list[str]:
    """What the page tells the user after a counted payment."""
    messages: list[str] = []
    if outcome is None or check is None:
        return messages
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
    return messages


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
    confirm_overpayment: bool = False,
    today: date | None = None,
) -> ContributionResult:
    """Take a contribution for a policy (spec §10.1–§10.3, decision 6).

    Full payment activates (Active, or Ready under activation option 3) with effective = the
    later of the pay date and the start date; a partial, late or last-instalment payment needs
    the user's answer (`action`): without one `ChoiceNeeded` is raised with the choices offered
    and nothing is saved; WAIT saves only, SUSPEND suspends, ENFORCE activates.  Photo fees
    never count.  An over-payment must be confirmed (`confirm_overpayment`, else
    `OverpaymentToConfirm` and nothing is saved); it is then accepted with a message and the
    policy shows it (queries.contributions.paid_totals).  Refused: a free policy (value 0),
    a payment dated before the enrolment date, a receipt already used for the product."""
    policy = _lock_policy(policy)
    family = policy.family
    POLICY.require(actor, policy, "pay")
    today = _today(today)
    check_not_free(policy)
    amount = clean_amount(amount)
    check_pay_date(pay_date, today)
    check_paid_after_enrolment(pay_date, policy.enroll_date)
    _check_pay_type(pay_type)
    action = _action(action)
    _check_payer(actor, family, payer)
    receipt = _check_receipt(receipt, policy.product)
    if is_photo_fee:
        outcome, check = _unchanged(policy), None
        messages = [_("Photo fee saved: it does not count towards the policy value.")]
    else:
        _state, outcome, check = pay_in_order(
            payable(policy),
            _paid_rows(policy),
            [
                Payment(
                    amount,
                    pay_date,
                    action=action,
                    confirm_overpayment=bool(confirm_overpayment),
                )
            ],
        )
        messages = _payment_messages(outcome, check)
    contribution = Contribution(
        policy=policy,
        product=policy.product,
        payer=payer,
        amount=amount,
        receipt=receipt,
        pay_date=pay_date,
        pay_type=pay_type,
        is_photo_fee=bool(is_photo_fee),
    )
    set_actor(contribution, actor, _("Created"))
    _save_refusing_taken_receipt(contribution, policy.product)
    _apply_outcome(actor, policy, outcome, _("Contribution %(receipt)s") % {"receipt": receipt})
    return ContributionResult(contribution, policy, outcome, check, messages)


# --- changing and deleting a contribution (the rules are in the module docstring) -------------

CONTRIBUTION_FIELDS = ("payer", "amount", "receipt", "pay_date", "pay_type", "is_photo_fee")


def _access_contribution(
    actor, contribution: Contribution, action: str
) -> tuple[Contribution, Policy]:
    """The contribution and its policy, both locked (the policy first, in contribution_add's
    order, so that two clerks paying and changing the same policy queue up), once the actor's
    right and district are checked; a deleted contribution is refused."""
    try:
        policy = _lock_policy(Policy(pk=contribution.policy_id))
    except Policy.DoesNotExist:
        raise Refused(_("This policy has been deleted.")) from None
    CONTRIBUTION.require(actor, contribution, action)
    row = locks.lock_one(
        Contribution.objects.select_related("payer").filter(policy=policy), contribution.pk
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
    unknown = set(values) - {*CONTRIBUTION_FIELDS, "action", "confirm_overpayment"}
    if unknown:
        raise TypeError(f"contribution_update() got unexpected fields {sorted(unknown)}")
    row, policy = _access_contribution(actor, contribution, "edit")
    family = policy.family
    today = _today(today)
    new = {name: values.get(name, getattr(row, name)) for name in CONTRIBUTION_FIELDS}
    new["amount"] = clean_amount(new["amount"])
    check_pay_date(new["pay_date"], today)
    if new["pay_date"] != row.pay_date:
        check_paid_after_enrolment(new["pay_date"], policy.enroll_date)
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
        payment = Payment(
            new["amount"],
            new["pay_date"],
            action=action,
            ask=bool(money),
            confirm_overpayment=bool(values.get("confirm_overpayment", False)),
        )
        _state, outcome, check = pay_in_order(
            payable(policy), _paid_rows(policy, exclude_pk=row.pk), [payment]
        )
        messages = _payment_messages(outcome, check)
        outcome = outcome or _unchanged(policy)
    changed = [f for f in CONTRIBUTION_FIELDS if new[f] != getattr(row, f)]
    if changed:
        for name in changed:
            setattr(row, name, new[name])
        set_actor(row, actor, _("Changed"))
        _save_refusing_taken_receipt(row, policy.product, update_fields=changed)
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
    row, policy = _access_contribution(actor, contribution, "delete")
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


# --- a new product for an Idle policy's contributions (policy_update) -------------------------


def contributions_follow_product(*, actor, policy: Policy, product: Product) -> None:
    """Before an Idle policy changes product (policy_update, which holds the policy's lock):
    its current contributions take the new product, whose receipts they must not repeat."""
    rows = locks.lock_all(Contribution.objects.current().filter(policy=policy))
    if not rows:
        return

    def refuse_taken() -> None:
        taken = (
            Contribution.objects.current()
            .filter(product=product, receipt__in=[r.receipt for r in rows])
            .exclude(policy=policy)
            .select_related("policy__family__head")
            .order_by("receipt")
            .first()
        )
        if taken is not None:
            message = receipt_taken_message(taken.receipt, product, taken.policy.family)
            raise Refused(message, "product")

    refuse_taken()
    for row in rows:
        row.product = product
    with unique_or_refused(refuse_taken):
        bulk_update_with_history(
            rows,
            Contribution,
            ["product"],
            default_user=actor,
            default_change_reason=_("Policy changed"),
        )


# --- bulk verbs: contributions of policies not written yet (the families import) --------------


def contribution_plan_new(
    *,
    actor,
    policy: NewPolicy,
    payer: Payer | None,
    amount,
    receipt: str,
    pay_date: date | None,
    pay_type: str,
    is_photo_fee: bool = False,
    action: rules.Action | str | None = None,
    taken: set[tuple[int, str]],
    today: date,
    ref: Any = None,
) -> NewContribution:
    """`contribution_add`'s checks for a contribution of a planned policy, without a query:
    `taken` holds the (product id, receipt) pairs already used (the current contributions and
    the file's rows checked before this one); this receipt is added to it.  Returns the
    contribution to write (`contributions_add_bulk`) once the policy's payments are taken in
    order (`contributions_plan_payments`)."""
    if not POLICY.may_right(actor, "pay"):
        raise Refused(_("You may not add contributions."), "amount")
    amount = clean_amount(amount)
    receipt = clean_receipt(receipt)
    product = policy.product
    if (product.pk, receipt) in taken:
        raise Refused(receipt_taken_message(receipt, product), "receipt")
    taken.add((product.pk, receipt))
    check_pay_date(pay_date, today)
    check_paid_after_enrolment(pay_date, policy.enroll_date)
    _check_pay_type(pay_type)
    action = _action(action)
    if payer is not None and not pays_for(payer, policy.village):
        raise Refused(_payer_refusal(payer, policy.village), "payer")
    return NewContribution(
        payer=payer,
        amount=amount,
        receipt=receipt,
        pay_date=pay_date,
        pay_type=pay_type,
        is_photo_fee=bool(is_photo_fee),
        action=action,
        ref=ref,
    )


def contributions_plan_payments(policy: NewPolicy, today: date) -> NewPolicy:
    """The planned policy's status and effective date after its contributions, taken in
    pay-date order by the one payment loop (`pay_in_order`, as the contribution page takes
    them one by one); a payment without an answer waits (the page's "OK"); then the expiry
    job's rule (a policy enrolled long ago may already be expired)."""
    payments = [
        Payment(c.amount, c.pay_date, c.is_photo_fee, c.action or rules.Action.WAIT)
        for c in policy.contributions
    ]
    state, _outcome, _check = pay_in_order(_payable_new(policy), [], payments)
    policy.status = rules.expire(state.status, policy.expiry_date, today)
    policy.effective_date = state.effective_date
    return policy


class ReceiptsTaken(Refused):
    """`contributions_add_bulk` found receipts saved meanwhile by another user: `refs` maps
    each refused contribution's ref to the message; nothing was written."""

    def __init__(self, refs: dict[Any, str]):
        super().__init__(next(iter(refs.values()), ""), "receipt")
        self.refs = refs


@transaction.atomic
def contributions_add_bulk(
    *, actor, contributions: list[tuple[int, Product, NewContribution]], reason: str
) -> list[int]:
    """Write contributions planned by `contribution_plan_new` for policies just written
    (policy id, product, contribution), in bulk with history (COPY on PostgreSQL).  The
    receipt constraint refuses a receipt another user saved since the plan: ReceiptsTaken
    then names those contributions."""
    if not contributions:
        return []
    if not POLICY.may_right(actor, "pay"):
        raise PermissionDenied
    rows = [
        {
            "policy_id": policy_id,
            "product_id": product.pk,
            "payer_id": c.payer.pk if c.payer is not None else None,
            "amount": c.amount,
            "receipt": c.receipt,
            "pay_date": c.pay_date,
            "pay_type": c.pay_type,
            "is_photo_fee": c.is_photo_fee,
        }
        for policy_id, product, c in contributions
    ]
    try:
        with transaction.atomic():
            return bulk.create_rows(Contribution, rows, user=actor, reason=reason)
    except IntegrityError:
        taken = _taken_receipts({(product.pk, c.receipt) for _pid, product, c in contributions})
        refused = {
            c.ref: receipt_taken_message(c.receipt, product)
            for _pid, product, c in contributions
            if (product.pk, c.receipt) in taken
        }
        if not refused:
            raise
        raise ReceiptsTaken(refused) from None


def _taken_receipts(pairs: set[tuple[int, str]]) -> set[tuple[int, str]]:
    """The (product id, receipt) pairs among `pairs` that current contributions hold."""
    taken: set[tuple[int, str]] = set()
    receipts = sorted({r for _p, r in pairs})
    for i in range(0, len(receipts), 5000):
        taken.update(
            Contribution.objects.current()
            .filter(receipt__in=receipts[i : i + 5000])
            .values_list("product_id", "receipt")
        )
    return taken & pairs
