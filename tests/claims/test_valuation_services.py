"""Valuing claims (kinga.claims.services.valuation): statuses, amounts written per line and per
claim, the consumption ledger, history, scope and refusals, and the query count for many
claims."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kinga.claims.codes import ClaimStatus, LineStatus, ReviewStatus
from kinga.claims.models import Claim, Consumption
from kinga.claims.services.claims import LineInput
from kinga.claims.services.review import claims_bypass
from kinga.claims.services.submission import claims_submit
from kinga.claims.services.valuation import claim_value, claims_value
from kinga.core.errors import Refused
from kinga.core.history import entries
from kinga.products.models import ProductItem, ProductService

from ..factories import make_user
from .conftest import enter

pytestmark = pytest.mark.usefixtures("english")
D = Decimal


def checked(actor, care, **kw):
    claim = enter(actor, care, **kw)
    claims_submit(actor=actor, claims=[claim])
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.CHECKED
    return claim


def lines_of(claim):
    return list(claim.lines.filter(retired_at__isnull=True).order_by("id"))


def test_a_checked_claim_is_valuated_with_its_amounts_and_ledger(
    claim_admin, medical_officer, care
):
    claim = checked(claim_admin, care)  # consultation 2 000 + 2 ARV at 2 500
    report = claims_value([claim.pk], medical_officer)
    assert (report.valued, report.valuated) == (1, 1)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.VALUATED
    assert (claim.valuated, claim.remunerated) == (D(7000), D(7000))
    assert claim.processed_by == medical_officer and claim.processed_at is not None
    consultation, arv = lines_of(claim)
    assert (consultation.policy, consultation.product) == (care.policy, care.vih_soins)
    assert (consultation.price_adjusted, consultation.price_valuated) == (D(2000), D(2000))
    assert (arv.price_adjusted, arv.price_valuated, arv.remunerated_amount) == (
        D(2500),
        D(5000),
        D(5000),
    )
    (row,) = Consumption.objects.filter(claim=claim, retired_at__isnull=True)
    assert (row.policy, row.insuree, row.rem_g, row.rem_op) == (
        care.policy,
        care.jean,
        D(7000),
        D(7000),
    )
    assert entries(claim)[0].reason == "valued"


def test_deductible_and_ceiling_consumed_across_claims(claim_admin, medical_officer, care):
    care.vih_soins.deductible = D(1500)
    care.vih_soins.ceiling = D(8000)
    care.vih_soins.save()
    first = checked(claim_admin, care)
    second = checked(claim_admin, care, date_from=date(2026, 3, 11))
    claims_value([second.pk, first.pk], medical_officer)  # valued in date order
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.deductible_amount, first.valuated) == (D(1500), D(5500))
    assert (second.deductible_amount, second.valuated, second.exceed_ceiling_amount) == (
        0,
        D(2500),
        D(4500),
    )
    # valuing again changes nothing: they are no longer Checked
    again = claims_value([first.pk, second.pk], medical_officer)
    assert (again.valued, again.unchanged) == (0, 2)
    assert Consumption.objects.filter(retired_at__isnull=True).count() == 2


def test_relative_price_makes_the_claim_processed_without_remuneration(
    claim_admin, medical_officer, care
):
    ProductItem.objects.filter(product=care.vih_soins, item=care.arv).update(price_origin="R")
    claim = checked(claim_admin, care)
    claims_value([claim], medical_officer)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PROCESSED
    assert claim.remunerated is None
    consultation, arv = lines_of(claim)
    assert (arv.price_origin, arv.price_valuated, arv.remunerated_amount) == ("R", D(5000), None)
    assert consultation.remunerated_amount == D(2000)


def test_coinsurance_and_fixed_limit(claim_admin, medical_officer, care):
    ProductService.objects.filter(product=care.vih_soins, service=care.consultation).update(
        limit_adult=D(80)
    )
    ProductItem.objects.filter(product=care.vih_soins, item=care.arv).update(
        limitation_type="F", limit_adult=D(2000)
    )
    claim = checked(claim_admin, care)
    claims_value([claim], medical_officer)
    claim.refresh_from_db()
    consultation, arv = lines_of(claim)
    assert (consultation.coinsurance_amount, consultation.price_valuated) == (D(400), D(1600))
    assert (arv.fixed_limit_excess, arv.price_valuated) == (D(1000), D(4000))
    assert (claim.coinsurance_amount, claim.fixed_limit_excess, claim.valuated) == (
        D(400),
        D(1000),
        D(5600),
    )


def test_rejected_lines_are_not_valued(claim_admin, medical_officer, care):
    claim = checked(
        claim_admin,
        care,
        lines=[LineInput(care.consultation, 1), LineInput(care.uncovered, 1)],
    )
    claims_value([claim], medical_officer)
    claim.refresh_from_db()
    consultation, surgery = lines_of(claim)
    assert surgery.status == LineStatus.REJECTED and surgery.price_valuated is None
    assert claim.valuated == D(2000)


def test_claims_awaiting_review_are_left_until_delivered_or_bypassed(
    claim_admin, medical_officer, care
):
    claim = checked(claim_admin, care)
    Claim.objects.filter(pk=claim.pk).update(review_status=ReviewStatus.SELECTED)
    claim.refresh_from_db()
    report = claims_value([claim], medical_officer)
    assert (report.valued, report.awaiting) == (0, [claim.pk])
    with pytest.raises(Refused, match="deliver or bypass"):
        claim_value(claim, medical_officer)
    claims_bypass(actor=medical_officer, claims=[claim])
    assert claims_value([claim], medical_officer).valued == 1


def test_only_checked_claims_are_valued(claim_admin, medical_officer, care):
    entered = enter(claim_admin, care)
    with pytest.raises(Refused, match="only a checked claim"):
        claim_value(entered, medical_officer)
    assert claims_value([entered], medical_officer).unchanged == 1
    entered.refresh_from_db()
    assert entered.status == ClaimStatus.ENTERED


def test_without_the_process_right_or_out_of_reach_nothing_is_written(
    claim_admin, medical_officer, other_district_clerk, imis_admin, care
):
    claim = checked(claim_admin, care)
    with pytest.raises(PermissionDenied):
        claims_value([claim], claim_admin)  # no right 111011
    wouri_officer = make_user(
        "medical.wouri", roles=["medical_officer"], districts=[care.dla.district]
    )
    with pytest.raises(PermissionDenied):
        claims_value([claim], wouri_officer)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.CHECKED


def test_many_claims_in_a_fixed_number_of_queries(claim_admin, medical_officer, care):
    claims = [checked(claim_admin, care).pk for _ in range(3)]
    with CaptureQueriesContext(connection) as few:
        claims_value(claims, medical_officer)
    claims = [checked(claim_admin, care).pk for _ in range(30)]
    with CaptureQueriesContext(connection) as many:
        report = claims_value(claims, medical_officer)
    assert report.valued == 30
    assert len(many.captured_queries) <= len(few.captured_queries) + 1, [
        q["sql"][:80] for q in many.captured_queries
    ]


def test_the_enquiry_shows_less_left_after_a_valued_claim(
    claim_admin, medical_officer, mfoundi_clerk, care
):
    from kinga.policies.queries import enquiry

    care.vih_soins.deductible = D(1500)
    care.vih_soins.ceiling = D(20000)
    care.vih_soins.save()
    today = date(2026, 3, 20)

    def left(insuree):
        (line,) = enquiry.enquire(mfoundi_clerk, insuree.insurance_number, today).lines
        return [a.value for a in line.deductibles], [a.value for a in line.ceilings]

    marie = care.family.members.exclude(pk=care.jean.pk).get()
    assert left(care.jean) == ([D(1500)], [D(20000)])
    claims_value([checked(claim_admin, care)], medical_officer)  # 7 000: 1 500 deducted
    assert left(care.jean) == ([D(0)], [D(20000 - 5500)])
    assert left(marie) == ([D(1500)], [D(20000)])  # per insuree: Marie's own are untouched
    care.vih_soins.ceiling_type = "P"  # per policy: the family's claims count for everyone
    care.vih_soins.save()
    assert left(marie) == ([D(0)], [D(14500)])


def test_the_value_claims_command(claim_admin, medical_officer, care):
    from io import StringIO

    from django.core.management import CommandError, call_command

    claim = checked(claim_admin, care)
    out = StringIO()
    call_command("value_claims", user=medical_officer.username, stdout=out)
    assert "1 claims valued: 1 valuated" in out.getvalue()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.VALUATED
    with pytest.raises(CommandError, match="may not value"):
        call_command("value_claims", user=claim_admin.username, stdout=StringIO())
    with pytest.raises(CommandError, match="no active user"):
        call_command("value_claims", user="nobody", stdout=StringIO())


def test_a_user_attached_to_a_facility_values_only_its_claims(
    world, claim_admin, medical_officer, care
):
    claim = checked(claim_admin, care)
    at_dla = make_user(
        "medical.dla",
        roles=["medical_officer"],
        districts=[world.mfoundi, world.wouri],
        health_facility=care.dla,
    )
    with pytest.raises(PermissionDenied):
        claims_value([claim], at_dla)  # Mfoundi is his district, HCY is not his facility
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.CHECKED
