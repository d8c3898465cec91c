"""Two valuations at the same moment, on PostgreSQL: overlapping runs value each claim once
(SKIP LOCKED and the Checked status in the lock's WHERE), and two runs over claims of one
family take turns on the family's ledger, so its ceiling is never exceeded."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from kinga.claims.codes import ClaimStatus
from kinga.claims.models import Claim, Consumption
from kinga.claims.services.submission import claims_submit
from kinga.claims.services.valuation import claims_value
from kinga.core.models import User

from ..races import race
from .conftest import enter

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks and concurrent transactions need PostgreSQL (SQLite has one writer)",
    ),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("english"),
]


def fresh(user) -> User:
    return User.objects.get(pk=user.pk)  # one instance per thread


def checked_claims(claim_admin, care, n):
    claims = [enter(claim_admin, care).pk for _ in range(n)]
    claims_submit(actor=claim_admin, claims=claims)
    return claims


def test_overlapping_valuations_value_each_claim_once(claim_admin, medical_officer, care):
    for _ in range(3):
        claims = checked_claims(claim_admin, care, 6)
        outcomes = race(
            lambda c=claims: claims_value(c[:4], fresh(medical_officer)),
            lambda c=claims: claims_value(list(reversed(c[2:])), fresh(medical_officer)),
        )
        assert [kind for kind, _ in outcomes] == ["ok", "ok"], outcomes
        assert sum(report.valued for _, report in outcomes) == 6
        assert set(Claim.objects.filter(pk__in=claims).values_list("status", flat=True)) == {
            ClaimStatus.VALUATED
        }
        for pk in claims:
            assert Consumption.objects.filter(claim_id=pk, retired_at__isnull=True).count() == 1
            history = Claim.objects.get(pk=pk).history.all()
            assert [h.history_change_reason for h in history].count("valued") == 1


def test_two_runs_over_one_family_never_exceed_its_ceiling(claim_admin, medical_officer, care):
    care.vih_soins.ceiling = Decimal(10000)
    care.vih_soins.save()
    claims = checked_claims(claim_admin, care, 4)  # 7 000 each
    outcomes = race(
        lambda: claims_value(claims[:2], fresh(medical_officer)),
        lambda: claims_value(claims[2:], fresh(medical_officer)),
    )
    assert [kind for kind, _ in outcomes] == ["ok", "ok"], outcomes
    total = sum(Claim.objects.filter(pk__in=claims).values_list("valuated", flat=True))
    assert total == Decimal(10000)
