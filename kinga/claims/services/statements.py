"""Payment statements (« états de paiement », first seed 3.2.7, spec §5.6): the only code that
writes them.  Each verb is one transaction, asks the statement loader (right 111101 and the
facility's reach) before it writes, and leaves a history row.

- `statement_generate`: one facility, one period of care, one product or one programme: its
  Valuated claims not yet in a current statement (kinga.claims.queries.payment.candidates)
  become the statement's claims, and their lines summed by service and item
  (kinga.claims.rules.statements) its lines, written once.  A statement with no claim is
  refused.
- `statement_record_payment`: date, reference, amount.  The amount must equal the statement's
  total to the franc (Kinga's decision: a statement is paid whole; a different amount is refused
  with both amounts named, and a correction goes through a new statement).  The statement
  becomes Paid and its claims paid with it (a claim is paid when its current statement is).
- `statement_cancel`: a draft only; it becomes Cancelled and retired (never deleted), its claims
  free for a new statement.  A paid statement cannot change.

Races: two « record payment » at once lock the statement row (`select_for_update`): the second
waits, then reads Paid and is refused with a message.  Two statements generated at once over the
same claims: the database constraint `statement_claim_once` lets one win; the other is refused.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kinga.core.errors import Refused
from kinga.core.history import set_actor
from kinga.facilities.models import HealthFacility
from kinga.products.models import Product, Programme
from kinga.products.queries.confidential import hidden_programme_ids
from kinga.products.rules import money

from ..codes import LineKind, LineStatus
from ..models import (
    PaymentStatement,
    PaymentStatementClaim,
    PaymentStatementLine,
    StatementStatus,
)
from ..queries import claims as claim_queries
from ..queries import payment as queries
from ..rules import batch as batch_rules
from ..rules import statements as rules
from ..rules.words import rounded

MAX_PERIOD_DAYS = 366


def _facts(lines) -> list[rules.LineFact]:
    facts = []
    for line in lines:
        medical = line.service if line.kind == LineKind.SERVICE else line.item
        facts.append(
            rules.LineFact(
                kind=line.kind,
                medical_id=medical.pk,
                code=medical.code,
                name=medical.name,
                quantity=line.quantity,
                passed=line.status == LineStatus.PASSED,
                product_id=line.product_id,
                qty_approved=line.qty_approved,
                price_asked=line.price_asked,
                price_approved=line.price_approved,
                price_adjusted=line.price_adjusted,
                price_valuated=line.price_valuated,
                remunerated=line.remunerated_amount,
            )
        )
    return facts


def number_for(facility: HealthFacility, date_from: date) -> str:
    """EP-<facility code>-<yyyymm of the period's start>-<n>: the n-th statement of the facility
    for that month, cancelled ones counted (a number is never reused).  Two statements numbered
    at once collide on the unique number: the second is refused and generated again."""
    head = f"EP-{facility.code}-{date_from:%Y%m}-"
    n = PaymentStatement.objects.filter(number__startswith=head).count() + 1
    return f"{head}{n:03d}"


def _paid_by_capitation(facility: HealthFacility, product: Product) -> bool:
    """The facility's level (and sub-level) is one of the product's capitation pairs and the
    product shares its contributions by capitation: the batch run pays it (§5.5, §5.6)."""
    if not product.share_contribution:
        return False
    pairs = [
        (getattr(product, f"level_{k}") or "", getattr(product, f"sublevel_{k}") or "")
        for k in range(1, 5)
    ]
    return batch_rules.facility_matches(facility.level, facility.sub_level or "", pairs)


def statement_generate(
    *,
    actor,
    health_facility: HealthFacility,
    date_from: date,
    date_to: date,
    product: Product | None = None,
    programme: Programme | None = None,
    now: datetime | None = None,
) -> PaymentStatement:
    queries.STATEMENT.require_right(actor, "generate")
    if not claim_queries.reaches_facility(actor, health_facility):
        raise Refused(_("This health facility is outside your districts."), "health_facility")
    if (product is None) == (programme is None):
        raise Refused(_("Choose a product or a health programme (one of them)."), "product")
    hidden = hidden_programme_ids(actor)
    if (programme is not None and programme.pk in hidden) or (
        product is not None and product.programme_id in hidden
    ):
        # A confidential programme's statement is generated by one of its users.
        raise Refused(
            _("Only the users of this health programme generate its statements."),
            "programme" if programme is not None else "product",
        )
    if date_to < date_from:
        raise Refused(_("The end of the period is before its start."), "date_to")
    if (date_to - date_from).days >= MAX_PERIOD_DAYS:
        raise Refused(_("A period covers one year at most."), "date_to")
    if product is not None and _paid_by_capitation(health_facility, product):
        raise Refused(
            _(
                "%(facility)s is paid by capitation for %(product)s: its claims of "
                "this product are paid by the batch run's capitation payment, not by a statement."
            )
            % {"facility": health_facility.code, "product": product.code},
            "product",
        )
    now = now or timezone.now()
    try:
        with transaction.atomic():
            return _generate(actor, health_facility, date_from, date_to, product, programme, now)
    except IntegrityError:
        # statement_claim_once (another statement took some of these claims meanwhile) or the
        # unique number (another statement of the facility and month numbered at once).
        raise Refused(
            _("Some of these claims were just put in another statement: generate it again.")
        ) from None


def _generate(actor, facility, date_from, date_to, product, programme, now) -> PaymentStatement:
    # The claims' rows are locked (lock order: Claim, then batch run) so that a period reopened
    # at the same moment waits and sees them in a statement, or goes first and they are gone.
    claims = list(
        queries.candidates(
            facility.pk,
            date_from,
            date_to,
            product_id=product.pk if product else None,
            programme_id=programme.pk if programme else None,
            user=actor,
        ).select_for_update(of=("self",))
    )
    if not claims:
        raise Refused(
            _(
                "No valuated claim of this facility for this period and this product or "
                "programme is waiting for a statement."
            )
        )
    ids = [c.pk for c in claims]
    lines = list(queries.lines_of_claims(ids))
    grouped = rules.group_lines(_facts(lines))
    _validated, total = rules.totals(grouped)
    paid_by_claim: dict[int, Decimal] = {}
    approved_by_claim: dict[int, Decimal] = {}
    for fact, line in zip(_facts(lines), lines, strict=True):
        paid_by_claim[line.claim_id] = paid_by_claim.get(line.claim_id, Decimal(0)) + fact.amount
        approved_by_claim[line.claim_id] = (
            approved_by_claim.get(line.claim_id, Decimal(0)) + fact.amount_validated
        )
    statement = PaymentStatement(
        number=number_for(facility, date_from),
        health_facility=facility,
        date_from=date_from,
        date_to=date_to,
        product=product,
        programme=programme,
        status=StatementStatus.DRAFT,
        claims_count=len(claims),
        total_claimed=sum((c.claimed for c in claims), Decimal(0)),
        total_approved=sum(
            (
                c.approved if c.approved is not None else approved_by_claim.get(c.pk, 0)
                for c in claims
            ),
            Decimal(0),
        ),
        total=total,
        created_at=now,
        created_by=actor,
    )
    set_actor(statement, actor, _("Statement generated"))
    statement.save()
    PaymentStatementClaim.objects.bulk_create(
        [
            PaymentStatementClaim(
                statement=statement,
                claim=c,
                claimed=c.claimed,
                approved=c.approved if c.approved is not None else approved_by_claim.get(c.pk, 0),
                remunerated=paid_by_claim.get(c.pk, Decimal(0)),
            )
            for c in claims
        ]
    )
    PaymentStatementLine.objects.bulk_create(
        [
            PaymentStatementLine(
                statement=statement,
                product_id=g.product_id,
                kind=g.kind,
                code=g.code,
                name=g.name[:250],
                qty_declared=g.qty_declared,
                qty_validated=g.qty_validated,
                unit_price=g.unit_price,
                amount_validated=g.amount_validated,
                amount=g.amount,
            )
            for g in grouped
        ]
    )
    return statement


def statement_record_payment(
    *,
    actor,
    statement: PaymentStatement,
    paid_on: date,
    reference: str,
    amount: Decimal,
    now: datetime | None = None,
) -> PaymentStatement:
    queries.STATEMENT.require(actor, statement, "pay")
    now = now or timezone.now()
    reference = (reference or "").strip()
    if not reference:
        raise Refused(_("Enter the payment reference."), "reference")
    with transaction.atomic():
        # The race of two « record payment » at once: the second waits here, then reads Paid.
        locked = PaymentStatement.objects.select_for_update().get(pk=statement.pk)
        _refuse_unless_draft(locked)
        if paid_on < locked.date_from:
            raise Refused(_("The payment date is before the statement's period."), "paid_on")
        if paid_on > timezone.localdate(now):
            raise Refused(_("The payment date is in the future."), "paid_on")
        if rounded(amount) != rounded(locked.total):
            raise Refused(
                _(
                    "The amount paid (%(amount)s) must equal the statement's total "
                    "(%(total)s): a statement is paid whole; a correction goes through a new "
                    "statement."
                )
                % {"amount": money(amount), "total": money(locked.total)},
                "amount",
            )
        locked.status = StatementStatus.PAID
        locked.paid_on = paid_on
        locked.payment_reference = reference[:100]
        locked.amount_paid = amount
        locked.recorded_at = now
        locked.recorded_by = actor
        set_actor(locked, actor, _("Payment recorded"))
        locked.save()
    return locked


def statement_cancel(
    *, actor, statement: PaymentStatement, now: datetime | None = None
) -> PaymentStatement:
    queries.STATEMENT.require(actor, statement, "cancel")
    now = now or timezone.now()
    with transaction.atomic():
        locked = PaymentStatement.objects.select_for_update().get(pk=statement.pk)
        _refuse_unless_draft(locked)
        locked.status = StatementStatus.CANCELLED
        locked.retired_at = now
        set_actor(locked, actor, _("Statement cancelled"))
        locked.save()
        # Its claims are free for a new statement; the links stay as its record.
        locked.claim_links.filter(retired_at__isnull=True).update(retired_at=now)
    return locked


def _refuse_unless_draft(statement: PaymentStatement) -> None:
    if statement.status == StatementStatus.PAID:
        raise Refused(
            _(
                "The statement %(number)s is already paid (%(date)s, reference %(reference)s): "
                "it cannot change. A correction goes through a new statement."
            )
            % {
                "number": statement.number,
                "date": statement.paid_on.strftime("%d/%m/%Y") if statement.paid_on else "",
                "reference": statement.payment_reference,
            },
            code="paid",
        )
    if statement.status == StatementStatus.CANCELLED:
        raise Refused(
            _("The statement %(number)s is cancelled: it cannot change.")
            % {"number": statement.number},
            code="cancelled",
        )
