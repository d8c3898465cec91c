"""The batch run service (kinga.claims.services.batch): worked example F through the database,
the half-open window, Q22 (Σ of all lines, stamp only what the run closes), Q23 (never Valuated
with an unpaid line), capitation facilities, refusal of a second run, and reopening."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from kinga.claims.codes import ClaimStatus
from kinga.claims.models import BatchRunStatus, CapitationPayment, ClaimLine, RelativeIndex
from kinga.claims.services import batch as service
from kinga.core.errors import Refused
from kinga.facilities.models import Catchment

from .batch_helpers import at, contribute, processed_claim, relative_product, snapshot

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def jan(care, world):
    """Example F: 12 000 paid on 1 January, 90 % for January; R lines of 300 and 900 processed
    in January, with a 1 000 price-list line on the first claim."""
    product = relative_product(care, world, share=90)
    contribute(product.policy, 12000, date(2026, 1, 1))
    first = processed_claim(
        care, product, [("R", 300), ("P", 1000)], processed=at(date(2026, 1, 5))
    )
    second = processed_claim(care, product, [("R", 900)], processed=at(date(2026, 1, 31), 23))
    return product, first, second


def lines_of(claim):
    return list(ClaimLine.objects.filter(claim=claim).order_by("id"))


def test_example_f_closes_the_month(accountant, jan, world):
    product, first, second = jan
    run = service.batch_run(accountant, world.mfoundi, 2026, 1)
    assert run.status == BatchRunStatus.DONE
    index = RelativeIndex.objects.get(run=run, product=product)
    assert (index.index, index.allocated, index.claims_value) == (
        D("0.7644"),
        D("1019.18"),
        D("1200.00"),
    )
    first.refresh_from_db()
    assert first.status == ClaimStatus.VALUATED and first.batch_run == run
    assert [line.remunerated_amount for line in lines_of(first)] == [D("229.32"), D("1000.00")]
    assert first.remunerated == D("1229.32")
    second.refresh_from_db()
    assert second.remunerated == D("687.96")
    assert (run.claims_closed, run.remunerated_total) == (2, D("1917.28"))


def test_the_window_ends_before_the_first_of_next_month(accountant, care, world, jan):
    product, *_ = jan
    february = processed_claim(care, product, [("R", 500)], processed=at(date(2026, 2, 1), 0))
    valuated = processed_claim(
        care, product, [("P", 100)], processed=at(date(2026, 1, 10)), status=ClaimStatus.VALUATED
    )
    service.batch_run(accountant, world.mfoundi, 2026, 1)
    february.refresh_from_db()
    valuated.refresh_from_db()
    assert february.status == ClaimStatus.PROCESSED and february.batch_run is None
    # Q22: a claim already Valuated is not stamped with the run.
    assert valuated.batch_run is None


def test_a_claim_with_an_unpaid_line_of_another_product_stays_processed(
    accountant, care, world, jan
):
    product, *_ = jan
    national = relative_product(care, world, code="NAT", location=None)
    mixed = processed_claim(
        care, product, [("R", 200), ("R", 400, national)], processed=at(date(2026, 1, 7))
    )
    service.batch_run(accountant, world.mfoundi, 2026, 1)
    mixed.refresh_from_db()
    assert mixed.status == ClaimStatus.PROCESSED and mixed.remunerated is None


def test_no_distribution_row_means_everything_and_no_claims_means_index_one(
    accountant, care, world
):
    product = relative_product(care, world)
    contribute(product.policy, 3650, date(2026, 1, 1))
    claim = processed_claim(care, product, [("R", 500)], processed=at(date(2026, 1, 3)))
    run = service.batch_run(accountant, world.mfoundi, 2026, 1)
    # 3 650 × 31 / 365 = 310 shared out over 500: 0.62.
    assert RelativeIndex.objects.get(run=run).index == D("0.62")
    claim.refresh_from_db()
    assert claim.remunerated == D("310.00")


def test_capitation_facility_is_paid_by_capitation_not_relative_prices(accountant, care, world):
    product = relative_product(
        care,
        world,
        level_1="H",
        share_contribution=D(60),
        weight_insured_population=D(50),
        weight_number_visits=D(50),
    )
    contribute(product.policy, 36500, date(2026, 1, 1))
    Catchment.objects.create(health_facility=care.hcy, village=world.nlongkak, percentage=100)
    claim = processed_claim(
        care, product, [("R", 800), ("P", 100)], processed=at(date(2026, 1, 12))
    )
    run = service.batch_run(accountant, world.mfoundi, 2026, 1)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.VALUATED
    assert [line.remunerated_amount for line in lines_of(claim)] == [D(0), D(100)]
    row = CapitationPayment.objects.get(run=run)
    # A = 36 500 × 31/365 = 3 100; 60 % of it, to the only facility: 1 860.
    assert row.health_facility == care.hcy and row.payment == D("1860.00")
    assert (row.total_insured_insurees, row.total_claims) == (D(2), D(1))
    assert row.total_population == D(2500)


def test_running_a_period_again_is_refused(accountant, jan, world):
    service.batch_run(accountant, world.mfoundi, 2026, 1)
    with pytest.raises(Refused, match="déjà été fait"):
        service.batch_run(accountant, world.mfoundi, 2026, 1)


def test_a_quarterly_product_waits_for_the_quarter_end(accountant, care, world):
    product = relative_product(care, world, period_rel_prices="Q")
    contribute(product.policy, 3650, date(2026, 1, 1))
    claim = processed_claim(care, product, [("R", 500)], processed=at(date(2026, 2, 3)))
    service.batch_run(accountant, world.mfoundi, 2026, 2)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PROCESSED
    run = service.batch_run(accountant, world.mfoundi, 2026, 3)
    claim.refresh_from_db()
    assert claim.batch_run == run
    # 3 650 × 90/365 = 900 for the quarter, all on one line of 500: index 1.8.
    assert claim.remunerated == D("900.00")


def test_reopen_restores_the_state_before_the_run_and_frees_the_period(
    accountant, care, world, jan
):
    product, *_ = jan
    processed_claim(care, product, [("R", 100)], processed=at(date(2026, 2, 2)))
    before = snapshot()
    run = service.batch_run(accountant, world.mfoundi, 2026, 1)
    assert snapshot() != before
    service.batch_reopen(run, accountant)
    assert snapshot() == before
    run.refresh_from_db()
    assert run.status == BatchRunStatus.REOPENED and run.reopened_by == accountant
    again = service.batch_run(accountant, world.mfoundi, 2026, 1)
    assert again.claims_closed == 2


def test_reopen_is_only_for_a_done_run(accountant, jan, world):
    run = service.batch_run(accountant, world.mfoundi, 2026, 1)
    service.batch_reopen(run, accountant)
    with pytest.raises(Exception):  # noqa: B017 - the loader's denial or the service's refusal
        service.batch_reopen(run, accountant)


def test_a_location_outside_the_users_districts_is_refused(accountant, world, care):
    with pytest.raises(Refused):
        service.request_run(accountant, world.wouri, 2026, 1)


def test_the_command_runs_the_month_and_prints_its_progress(jan, world):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("batch_run", year=2026, month=1, location="MFO", stdout=out)
    text = out.getvalue()
    assert "Calcul des indices relatifs" in text
    assert "2 claims closed" in text
    with pytest.raises(CommandError, match="déjà été fait"):
        call_command("batch_run", year=2026, month=1, location="MFO", stdout=StringIO())
    with pytest.raises(CommandError, match="no region or district"):
        call_command("batch_run", year=2026, month=1, location="NOPE", stdout=StringIO())


def test_the_claims_history_says_the_run_valued_it_and_the_reopening(accountant, jan, world):
    product, first, second = jan
    run = service.batch_run(accountant, world.mfoundi, 2026, 1)
    service.batch_reopen(run, accountant)
    rows = list(first.history.order_by("history_id"))[-2:]
    assert [(r.status, r.history_change_reason, r.history_user_id) for r in rows] == [
        (ClaimStatus.VALUATED, "évaluée par le traitement par lot de 01/2026", accountant.id),
        (
            ClaimStatus.PROCESSED,
            "traitement par lot de 01/2026 annulé : période rouverte",
            accountant.id,
        ),
    ]
    assert rows[0].remunerated == D("1229.32") and rows[1].remunerated is None


def test_a_period_whose_claims_are_in_a_payment_statement_is_not_reopened(accountant, care, world):
    from kinga.claims.services.statements import statement_generate

    product = relative_product(care, world, share=90)
    contribute(product.policy, 12000, date(2026, 1, 1))
    claim = processed_claim(care, product, [("R", 300)], processed=at(date(2026, 1, 5)))
    run = service.batch_run(accountant, world.mfoundi, 2026, 1)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.VALUATED
    statement = statement_generate(
        actor=accountant,
        health_facility=care.hcy,
        date_from=date(2026, 1, 1),
        date_to=date(2026, 1, 31),
        product=product,
    )
    assert statement.claims_count == 1
    with pytest.raises(Refused, match=statement.number):
        service.batch_reopen(run, accountant)
    claim.refresh_from_db()
    run.refresh_from_db()
    assert claim.status == ClaimStatus.VALUATED and run.status == BatchRunStatus.DONE
