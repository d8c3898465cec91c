"""The facts of one claim read in two statements on PostgreSQL (kinga.claims.queries.facts
.load_one, what the claim page's « Submit » runs) are exactly those the set-based queries read
(load_many, what a bulk submission runs): covered and uncovered lines, price lists and a
provider price, a person without a policy, care over several days, an attachment, a product's
limits on numbers and categories and a frequency (so the insuree's earlier claims are read)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kinga.claims.codes import AttachmentType
from kinga.claims.queries import facts
from kinga.claims.services.claims import LineInput, attachment_add
from kinga.claims.services.submission import claims_submit
from kinga.products.models import ProductService

from .conftest import CARE, enter

pytestmark = pytest.mark.django_db


def test_one_claim_s_facts_in_two_statements_are_those_of_the_set_based_queries(claim_admin, care):
    if connection.vendor != "postgresql":
        pytest.skip("the two statements are PostgreSQL's; SQLite takes the set-based queries")
    care.vih_soins.max_no_consultation = 5
    care.vih_soins.save()
    ProductService.objects.filter(product=care.vih_soins, service=care.consultation).update(
        limit_no_adult=3
    )
    earlier = enter(
        claim_admin,
        care,
        lines=[LineInput(care.consultation, 1), LineInput(care.cd4, 1)],
        date_from=CARE - timedelta(days=5),
    )
    claims_submit(actor=claim_admin, claims=[earlier])
    covered = enter(
        claim_admin,
        care,
        lines=[
            LineInput(care.consultation, 1),
            LineInput(care.cd4, 1),  # a frequency of 30 days: the earlier claim counts
            LineInput(care.arv, 2),  # the price list's override
            LineInput(care.gloves, 3, Decimal(150)),  # the provider's price
            LineInput(care.uncovered, 1),  # not in the product
        ],
        date_from=CARE - timedelta(days=2),
        date_to=CARE,
    )
    attachment_add(
        actor=claim_admin,
        claim=covered,
        file=SimpleUploadedFile("lettre.pdf", b"%PDF-1.4 x", content_type="application/pdf"),
        type=AttachmentType.OTHER,
    )
    nobody = enter(claim_admin, care, care.ngono, lines=[LineInput(care.consultation, 1)])
    for claim in (covered, nobody, earlier):
        with CaptureQueriesContext(connection) as read:
            one = facts.load_one(claim.pk)
        assert len(read) <= 2
        many = facts.load_many([claim.pk])
        assert one.claims == many.claims
        assert one.histories == many.histories
        assert one.rows == many.rows
        assert one.attachment_types == many.attachment_types
        assert one.product_codes == many.product_codes
        assert one.line_states == many.line_states
    assert facts.load_one(covered.pk).histories[care.jean.pk].claims  # the earlier claim is read
    assert facts.load_one(-1).claims == []
