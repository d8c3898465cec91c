"""Reads of the money side of claims: the bon à payer of a Valuated claim and the payment
statements (« états de paiement »), each through its loader.

| loader    | action    | rights                                  | state                      |
|-----------|-----------|-----------------------------------------|----------------------------|
| VOUCHER   | print     | claim print (111006) or batch (111101/3)| Valuated claim             |
| STATEMENT | view      | batch preview or process (111103/111101)| any, cancelled too         |
| STATEMENT | generate  | batch process (111101)                  | (no record)                |
| STATEMENT | pay       | batch process (111101)                  | any: the service refuses a |
| STATEMENT | cancel    | batch process (111101)                  | statement not in draft     |

The reach is the claims' (kinga.claims.queries.claims): a user attached to a facility reaches
its statements only, any other user those of the facilities of his districts.

Confidentiality of the insuree (rule of this issue; issue 15 refines it): a claim whose
programme has users (`Programme.users`) shows the insuree's name only to those users; anyone
else reads the insurance number and « Données confidentielles ».  A claim without programme, or
whose programme has no users, shows the name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce

from kinga.core import access
from kinga.core.loaders import Action, Loader, viewing
from kinga.core.rights import Right
from kinga.facilities.models import HealthFacility
from kinga.products.models import Product, Programme

from ..codes import ClaimStatus, LineStatus
from ..models import (
    Claim,
    ClaimLine,
    PaymentStatement,
    PaymentStatementClaim,
    PaymentStatementLine,
    StatementStatus,
)
from . import claims as claim_queries


def is_valuated(claim: Claim) -> bool:
    return claim.status == ClaimStatus.VALUATED


VOUCHER = Loader(
    queryset=lambda: Claim.objects.select_related(
        "health_facility__district__parent", "insuree", "icd", "programme"
    ),
    # The facility's claim administrator prints with the claim print right; the accountant, who
    # holds no claim right in openIMIS's system role, prints with his batch rights (he pays on
    # the vouchers of a statement).
    actions={
        "print": Action(
            (Right.CLAIM_PRINT, Right.BATCH_PREVIEW, Right.BATCH_PROCESS), when=is_valuated
        )
    },
    in_scope=claim_queries.in_reach,
    audit="claims.claim",  # the bon à payer's print (kinga.core.audit)
    audited={"print": "print"},
)


def get_voucher_claim_for_user(user, key) -> Claim:
    """The Valuated claim whose bon à payer `user` prints: 403 without a print right, 404 for
    an unknown key, 403 out of reach or not Valuated."""
    return VOUCHER.get(user, key, "print")


def may_print_voucher(user, claim: Claim) -> bool:
    return VOUCHER.may(user, claim, "print")


def statement_in_reach(user, statement: PaymentStatement) -> bool:
    return claim_queries.reaches_facility(user, statement.health_facility)


STATEMENT = Loader(
    queryset=lambda: PaymentStatement.objects.select_related(
        "health_facility__district__parent", "product", "programme", "created_by", "recorded_by"
    ),
    actions={
        "view": viewing(Right.BATCH_PREVIEW, Right.BATCH_PROCESS),
        "generate": Action((Right.BATCH_PROCESS,)),
        "pay": Action((Right.BATCH_PROCESS,), retired_ok=True),
        "cancel": Action((Right.BATCH_PROCESS,), retired_ok=True),
    },
    in_scope=statement_in_reach,
)


def get_statement_for_user(user, key, action: str = "view") -> PaymentStatement:
    return STATEMENT.get(user, key, action)


def facility_reach_q(user, prefix: str = "") -> Q:
    """Q on HealthFacility (through `prefix`, e.g. "health_facility__") of the facilities
    `user` reaches."""
    own = claim_queries.facility_of_user(user)
    if own is not None and not access.is_imis_admin(user):
        return Q(**{f"{prefix}pk": own})
    return access.district_q(user, f"{prefix}district_id")


def facilities_for(user) -> QuerySet[HealthFacility]:
    """The current facilities whose statements `user` sees (the forms' choices)."""
    return (
        HealthFacility.objects.current()
        .filter(facility_reach_q(user))
        .select_related("district")
        .order_by("code")
    )


def products_for_statements() -> QuerySet[Product]:
    return Product.objects.current().order_by("code")


def programmes_for_statements() -> QuerySet[Programme]:
    return Programme.objects.current().order_by("code")


@dataclass(frozen=True)
class StatementFilters:
    health_facility: int | None = None
    status: str = ""
    period_from: date | None = None
    period_to: date | None = None
    product: int | None = None
    programme: int | None = None


def statements(user, filters: StatementFilters = StatementFilters()) -> QuerySet[PaymentStatement]:
    """The statements `user` reaches that match `filters`, latest period first; a period
    filter keeps the statements whose period overlaps it."""
    STATEMENT.require_right(user, "view")
    f = filters
    q = facility_reach_q(user, "health_facility__")
    if f.health_facility is not None:
        q &= Q(health_facility_id=f.health_facility)
    if f.status:
        q &= Q(status=f.status)
    if f.period_from is not None:
        q &= Q(date_to__gte=f.period_from)
    if f.period_to is not None:
        q &= Q(date_from__lte=f.period_to)
    if f.product is not None:
        q &= Q(product_id=f.product)
    if f.programme is not None:
        q &= Q(programme_id=f.programme)
    return (
        PaymentStatement.objects.filter(q)
        .select_related("health_facility__district", "product", "programme")
        .order_by("-date_from", "-id")
    )


def in_current_statement() -> Exists:
    return Exists(
        PaymentStatementClaim.objects.filter(claim=OuterRef("pk"), retired_at__isnull=True)
    )


def candidates(
    facility_id: int,
    date_from: date,
    date_to: date,
    *,
    product_id: int | None = None,
    programme_id: int | None = None,
) -> QuerySet[Claim]:
    """The claims a new statement takes: the facility's current Valuated claims whose care
    ended (`date_to`, else `date_from`: the target date) within the period, not yet in a
    current statement, and

    - of a product: with a passed line paid by the product and none paid by another;
    - of a programme: of that programme (the programme of the policy that covers the claim).

    The period is the period of care, as openIMIS's statement filters on DateTo: a claim
    valued late still belongs to the month of its care, in a complementary statement."""
    qs = (
        Claim.objects.filter(
            health_facility_id=facility_id,
            status=ClaimStatus.VALUATED,
            retired_at__isnull=True,
        )
        .annotate(care_end=Coalesce("date_to", "date_from"))
        .filter(care_end__gte=date_from, care_end__lte=date_to)
        .filter(~in_current_statement())
    )
    if programme_id is not None:
        qs = qs.filter(programme_id=programme_id)
    if product_id is not None:
        passed = ClaimLine.objects.filter(
            claim=OuterRef("pk"), retired_at__isnull=True, status=LineStatus.PASSED
        )
        qs = qs.filter(Exists(passed.filter(product_id=product_id))).exclude(
            Exists(passed.exclude(product_id=product_id).filter(product__isnull=False))
        )
    return qs.order_by("date_from", "id")


def lines_of_claims(claim_ids: list[int]) -> QuerySet[ClaimLine]:
    """The current lines of the claims, with their service or item (one query)."""
    return (
        ClaimLine.objects.filter(claim_id__in=claim_ids, retired_at__isnull=True)
        .select_related("service", "item")
        .order_by("claim_id", "id")
    )


def statement_lines(statement: PaymentStatement) -> list[PaymentStatementLine]:
    return list(statement.lines.select_related("product").order_by("id"))


def statement_claims_qs(statement: PaymentStatement) -> QuerySet[PaymentStatementClaim]:
    """The statement's claims (its links, current or retired with it), with the insuree, in
    the order of care."""
    return statement.claim_links.select_related("claim__insuree", "claim__programme").order_by(
        "claim__date_from", "claim__id"
    )


def statement_claims(statement: PaymentStatement) -> list[PaymentStatementClaim]:
    return list(statement_claims_qs(statement))


def hidden_programmes(user, programme_ids) -> set[int]:
    """Among `programme_ids`, the programmes whose insurees' names `user` may not read: they
    have users and `user` is not one of them (one query)."""
    ids = {p for p in programme_ids if p is not None}
    if not ids:
        return set()
    through = Programme.users.through
    rows = through.objects.filter(programme_id__in=ids).values_list("programme_id", "user_id")
    members: dict[int, set[int]] = {}
    for programme_id, user_id in rows:
        members.setdefault(programme_id, set()).add(user_id)
    return {p for p, users in members.items() if user.pk not in users}


def payment_of(claim: Claim) -> PaymentStatement | None:
    """The current statement of a claim (paid or draft), or None."""
    link = (
        PaymentStatementClaim.objects.filter(claim=claim, retired_at__isnull=True)
        .select_related("statement")
        .first()
    )
    return link.statement if link else None


def is_paid(claim: Claim) -> bool:
    statement = payment_of(claim)
    return statement is not None and statement.status == StatementStatus.PAID
