"""Two browsers at the same moment, on PostgreSQL: the same claim submitted twice gives one result
once (the claim's row lock and the Entered status in its WHERE, kinga.claims.services.submission);
a deletion racing a submission is either done before it or refused after it — never a deadlock,
a database error or half a write."""

from __future__ import annotations

import pytest
from django.db import connection

from kinga.claims.codes import ClaimStatus
from kinga.claims.models import Claim
from kinga.claims.services import claims as claim_services
from kinga.claims.services.submission import claims_submit
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

ROUNDS = 3


def fresh(user) -> User:
    return User.objects.get(pk=user.pk)  # one instance per thread


def test_the_same_claim_submitted_twice_at_once_gives_one_result(claim_admin, care):
    for _ in range(ROUNDS):
        claim = enter(claim_admin, care)
        outcomes = race(
            lambda pk=claim.pk: claims_submit(actor=fresh(claim_admin), claims=[pk]),
            lambda pk=claim.pk: claims_submit(actor=fresh(claim_admin), claims=[pk]),
        )
        assert [kind for kind, _ in outcomes] == ["ok", "ok"], outcomes
        reports = [report for _, report in outcomes]
        assert sorted((r.submitted, r.unchanged) for r in reports) == [(0, 1), (1, 0)]
        claim.refresh_from_db()
        assert claim.status == ClaimStatus.CHECKED
        # one submission in the history of the claim
        assert [h.history_change_reason for h in claim.history.all()].count("submitted") == 1


def test_overlapping_bulk_submissions_each_claim_once(claim_admin, care):
    claims = [enter(claim_admin, care).pk for _ in range(6)]
    outcomes = race(
        lambda: claims_submit(actor=fresh(claim_admin), claims=claims[:4]),
        lambda: claims_submit(actor=fresh(claim_admin), claims=list(reversed(claims[2:]))),
    )
    assert [kind for kind, _ in outcomes] == ["ok", "ok"], outcomes
    assert sum(report.submitted for _, report in outcomes) == 6
    assert sum(report.unchanged for _, report in outcomes) == 2
    assert set(Claim.objects.filter(pk__in=claims).values_list("status", flat=True)) == {
        ClaimStatus.CHECKED
    }


def test_a_deletion_racing_a_submission_is_done_first_or_refused(claim_admin, care):
    for _ in range(ROUNDS):
        claim = enter(claim_admin, care)
        outcomes = race(
            lambda pk=claim.pk: claims_submit(actor=fresh(claim_admin), claims=[pk]),
            lambda c=claim: claim_services.claim_delete(actor=fresh(claim_admin), claim=c),
        )
        (submit_kind, report), (delete_kind, deleted) = outcomes
        assert submit_kind == "ok", outcomes
        claim.refresh_from_db()
        if delete_kind == "ok":
            assert claim.retired_at is not None and report.submitted == 0
            assert claim.status == ClaimStatus.ENTERED
        else:
            assert delete_kind == "refused", outcomes
            assert "only an entered claim" in deleted.message
            assert claim.retired_at is None and claim.status == ClaimStatus.CHECKED
