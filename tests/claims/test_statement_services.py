"""Payment statements (« états de paiement »): generation, payment, cancellation
(kinga.claims.services.statements)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import translation

from kinga.claims.codes import ClaimStatus
from kinga.claims.models import PaymentStatementClaim, StatementStatus
from kinga.claims.queries import payment as queries
from kinga.claims.services import statements as services
from kinga.core.errors import Refused

from ..races import postgresql_only, race
from .payment_helpers import valuated_claim

MARCH = (date(2026, 3, 1), date(2026, 3, 31))


@pytest.fixture(autouse=True)
def _english():
    """The services' messages read in English here (the pages' tests read them in French)."""
    with translation.override("en"):
        yield


def generate(actor, care, **kw):
    kw.setdefault("date_from", MARCH[0])
    kw.setdefault("date_to", MARCH[1])
    if "programme" not in kw:
        kw.setdefault("product", care.vih_soins)
    return services.statement_generate(actor=actor, health_facility=care.hcy, **kw)


def test_it_takes_the_valuated_claims_of_the_facility_period_and_product(care, accountant):
    first = valuated_claim(care)
    second = valuated_claim(care, date_from=date(2026, 3, 28), date_to=date(2026, 3, 31))
    valuated_claim(care, date_from=date(2026, 4, 1))  # April
    valuated_claim(care, date_from=date(2026, 2, 27), date_to=date(2026, 3, 2))  # ends in March
    valuated_claim(care, facility=care.dla)  # another facility
    valuated_claim(care, status=ClaimStatus.PROCESSED)  # not yet valuated
    statement = generate(accountant, care)
    assert statement.number == "EP-HCY-202603-001"
    assert statement.status == StatementStatus.DRAFT
    assert statement.claims_count == 3
    assert statement.total == Decimal(67500)
    claims = {link.claim_id for link in queries.statement_claims(accountant, statement)}
    assert {first.pk, second.pk} <= claims


def test_its_lines_are_summed_by_service_and_item(care, accountant):
    valuated_claim(care)
    valuated_claim(
        care,
        lines=[(care.consultation, 1, Decimal(2000)), (care.arv, 4, Decimal(2500), 2)],
        rejected=[(care.cd4, 1, Decimal(5000))],
    )
    statement = generate(accountant, care)
    lines = {line.code: line for line in queries.statement_lines(statement)}
    assert [line.kind for line in queries.statement_lines(statement)] == ["S", "S", "I", "I"]
    assert (lines["CONS"].qty_declared, lines["CONS"].qty_validated) == (2, 2)
    assert lines["CONS"].amount == Decimal(4000)
    assert (lines["ARV1"].qty_declared, lines["ARV1"].qty_validated) == (10, 8)
    assert lines["ARV1"].amount == Decimal(20000)
    # the rejected CD4 is declared beside the validated one
    assert (lines["CD4"].qty_declared, lines["CD4"].qty_validated) == (2, 1)
    assert statement.total == Decimal(22500 + 2000 + 5000)
    assert statement.total_claimed == Decimal(22500 + 2000 + 10000 + 5000)


def test_a_claim_goes_in_one_current_statement_only(care, accountant):
    valuated_claim(care)
    generate(accountant, care)
    with pytest.raises(Refused, match="No valuated claim"):
        generate(accountant, care)


def test_the_database_refuses_a_claim_in_two_current_statements(care, accountant):
    valuated_claim(care)
    statement = generate(accountant, care)
    link = statement.claim_links.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentStatementClaim.objects.create(statement=statement, claim=link.claim)


def test_a_programme_statement_takes_the_claims_of_the_programme(care, accountant):
    valuated_claim(care)
    valuated_claim(care, programme=None)
    statement = generate(accountant, care, programme=care.vih)
    assert statement.claims_count == 1
    assert str(statement.programme) == "VIH"


def test_it_refuses_a_wrong_period_or_no_product(care, accountant):
    valuated_claim(care)
    with pytest.raises(Refused) as refused:
        generate(accountant, care, date_from=date(2026, 3, 31), date_to=date(2026, 3, 1))
    assert refused.value.field == "date_to"
    with pytest.raises(Refused) as refused:
        generate(accountant, care, product=None)
    assert refused.value.field == "product"


def test_only_the_accountant_of_the_district_generates(care, accountant, medical_officer, world):
    from ..factories import make_user

    valuated_claim(care)
    with pytest.raises(PermissionDenied):
        generate(medical_officer, care)
    wouri = make_user("accounts.wouri", roles=["accountant"], districts=[world.wouri])
    with pytest.raises(Refused) as refused:
        generate(wouri, care)
    assert refused.value.field == "health_facility"


def test_recording_the_payment_pays_the_statement_and_its_claims(care, accountant):
    claim = valuated_claim(care)
    statement = generate(accountant, care)
    assert not queries.is_paid(claim)
    paid = services.statement_record_payment(
        actor=accountant,
        statement=statement,
        paid_on=date(2026, 4, 10),
        reference="VIR-2026-0042",
        amount=Decimal(22500),
    )
    assert paid.status == StatementStatus.PAID
    assert paid.recorded_by == accountant
    assert queries.is_paid(claim)
    assert paid.history.count() == 2


def test_the_amount_paid_must_be_the_total(care, accountant):
    valuated_claim(care)
    statement = generate(accountant, care)
    with pytest.raises(Refused) as refused:
        services.statement_record_payment(
            actor=accountant,
            statement=statement,
            paid_on=date(2026, 4, 10),
            reference="VIR-1",
            amount=Decimal(20000),
        )
    assert refused.value.field == "amount"
    assert "20\u00a0000\u00a0FCFA" in refused.value.message
    assert "22\u00a0500\u00a0FCFA" in refused.value.message
    statement.refresh_from_db()
    assert statement.status == StatementStatus.DRAFT


def test_a_paid_statement_cannot_change(care, accountant):
    valuated_claim(care)
    statement = generate(accountant, care)
    pay = dict(paid_on=date(2026, 4, 10), reference="VIR-1", amount=Decimal(22500))
    services.statement_record_payment(actor=accountant, statement=statement, **pay)
    with pytest.raises(Refused, match="already paid"):
        services.statement_record_payment(actor=accountant, statement=statement, **pay)
    with pytest.raises(Refused, match="already paid"):
        services.statement_cancel(actor=accountant, statement=statement)


def test_cancelling_a_draft_retires_it_and_frees_its_claims(care, accountant):
    claim = valuated_claim(care)
    statement = generate(accountant, care)
    cancelled = services.statement_cancel(actor=accountant, statement=statement)
    assert cancelled.status == StatementStatus.CANCELLED
    assert cancelled.retired_at is not None
    assert statement.claim_links.get().retired_at is not None  # kept as its record
    again = generate(accountant, care)
    assert list(again.claim_links.values_list("claim_id", flat=True)) == [claim.pk]
    with pytest.raises(Refused, match="cancelled"):
        services.statement_record_payment(
            actor=accountant,
            statement=cancelled,
            paid_on=date(2026, 4, 10),
            reference="X",
            amount=Decimal(22500),
        )


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_payments_at_once_make_one_payment(care, accountant):
    valuated_claim(care)
    statement = generate(accountant, care)

    def pay(reference):
        return lambda: services.statement_record_payment(
            actor=accountant,
            statement=statement,
            paid_on=date(2026, 4, 10),
            reference=reference,
            amount=Decimal(22500),
        )

    outcomes = race(pay("VIR-A"), pay("VIR-B"))
    kinds = sorted(kind for kind, _ in outcomes)
    assert kinds == ["ok", "refused"], outcomes
    refusal = next(value for kind, value in outcomes if kind == "refused")
    assert "already paid" in refusal.message
    statement.refresh_from_db()
    assert statement.status == StatementStatus.PAID
    assert statement.history.count() == 2


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_statements_at_once_over_the_same_claims_make_one(care, accountant):
    for _n in range(5):
        valuated_claim(care)
    outcomes = race(lambda: generate(accountant, care), lambda: generate(accountant, care))
    kinds = sorted(kind for kind, _ in outcomes)
    assert kinds == ["ok", "refused"], outcomes
    assert PaymentStatementClaim.objects.filter(retired_at__isnull=True).count() == 5


def test_a_facility_paid_by_capitation_for_the_product_gets_no_statement(care, accountant):
    valuated_claim(care)
    care.vih_soins.level_1 = care.hcy.level
    care.vih_soins.share_contribution = Decimal(60)
    care.vih_soins.save()
    with pytest.raises(Refused, match="paid by capitation"):
        generate(accountant, care)
    care.vih_soins.share_contribution = None
    care.vih_soins.save()
    assert generate(accountant, care).claims_count == 1
