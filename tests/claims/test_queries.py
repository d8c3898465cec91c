"""Claim reads (kinga.claims.queries.claims): the claim search with openIMIS's overview filters,
always within the reader's reach, in one query whatever the rows; the home page's work counts;
the rounds of return for completion."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kinga.claims.codes import ClaimStatus
from kinga.claims.models import Claim
from kinga.claims.queries.claims import ClaimFilters, returns_of, search, work_of
from kinga.claims.services import claims as claim_services
from kinga.claims.services import review as review_services
from kinga.claims.services.claims import LineInput
from kinga.claims.services.submission import claims_submit
from kinga.products.queries.confidential import hidden_programme_ids

from ..factories import make_user
from .conftest import CARE, enter

pytestmark = pytest.mark.usefixtures("english")


def codes(qs) -> list[str]:
    return [c.code for c in qs]


def test_the_search_filters_like_the_claim_overview(claim_admin, care):
    enter(claim_admin, care, code="A1")
    enter(claim_admin, care, code="A2", visit_type="R", date_from=CARE - timedelta(days=20))
    nobody = enter(claim_admin, care, care.ngono, code="B1", icd=care.malaria)
    claims_submit(actor=claim_admin, claims=[nobody])
    # newest care first, then the latest entered
    assert codes(search(claim_admin)) == ["B1", "A1", "A2"]
    assert codes(search(claim_admin, ClaimFilters(statuses=(ClaimStatus.REJECTED,)))) == ["B1"]
    assert codes(search(claim_admin, ClaimFilters(visit_type="R"))) == ["A2"]
    assert codes(search(claim_admin, ClaimFilters(icd=care.malaria.pk))) == ["B1"]
    assert codes(search(claim_admin, ClaimFilters(code="A"))) == ["A1", "A2"]
    assert codes(
        search(claim_admin, ClaimFilters(insurance_number=care.ngono.insurance_number))
    ) == ["B1"]
    assert codes(search(claim_admin, ClaimFilters(care_to=CARE - timedelta(days=1)))) == ["A2"]
    assert codes(search(claim_admin, ClaimFilters(care_from=CARE))) == ["B1", "A1"]
    assert codes(search(claim_admin, ClaimFilters(amount_min=Decimal(7000)))) == ["B1", "A1", "A2"]
    assert codes(search(claim_admin, ClaimFilters(amount_max=Decimal(6999)))) == []
    assert codes(search(claim_admin, ClaimFilters(health_facility=care.dla.pk))) == []


def test_the_search_never_shows_another_facilitys_claims(world, claim_admin, imis_admin, care):
    enter(claim_admin, care, code="MINE")
    enter(imis_admin, care, code="THEIRS", facility=care.dla)
    dla_admin = make_user(
        "claims.dla", roles=["claim_admin"], districts=[world.mfoundi], health_facility=care.dla
    )
    assert codes(search(claim_admin)) == ["MINE"]
    assert codes(search(dla_admin)) == ["THEIRS"]
    # even when the filter names the other facility
    assert codes(search(claim_admin, ClaimFilters(health_facility=care.dla.pk))) == []


def test_the_search_reads_its_rows_in_one_query(claim_admin, care):
    for n in range(31):
        enter(claim_admin, care, code=f"Q{n}", lines=[LineInput(care.consultation, 1)])
    hidden_programme_ids(claim_admin)  # read once per request (issue 15), not per row
    with CaptureQueriesContext(connection) as ctx:
        rows = [
            (c.code, c.health_facility.code, c.insuree.other_names, c.icd.code)
            for c in search(claim_admin)
        ]
    assert len(rows) == 31 and len(ctx) == 1


def test_the_home_page_work_of_each_role(claim_admin, medical_officer, care):
    a = enter(claim_admin, care)
    b = enter(claim_admin, care)
    enter(claim_admin, care)
    claims_submit(actor=claim_admin, claims=[a, b])
    review_services.claims_select(actor=medical_officer, claims=[a])
    claim_services.claim_return(actor=medical_officer, claim=b, comment="Signature manquante")
    assert work_of(claim_admin) == work_of(claim_admin).__class__(
        to_complete=2, returned=1, to_review=0, for_feedback=0
    )
    mine = work_of(medical_officer)
    assert (mine.to_review, mine.to_complete) == (1, 0)
    b.refresh_from_db()
    (last,) = returns_of(b)
    assert (last.comment, last.returned_by) == ("Signature manquante", medical_officer)


def test_a_user_without_claim_rights_has_no_claim_work(mfoundi_clerk, claim_admin, care):
    enter(claim_admin, care)
    assert work_of(mfoundi_clerk) == work_of(mfoundi_clerk).__class__()
    assert Claim.objects.count() == 1
