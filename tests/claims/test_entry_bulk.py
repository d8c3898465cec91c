"""Entering many claims at once (kinga.claims.services.entry.claims_create, used by the demo) and
letting selected claims go without review (kinga.claims.services.review.claims_bypass): the same
rules as one claim's entry, all or nothing, a history row per record, and the same reach."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from kinga.claims.codes import ClaimStatus, LineStatus, ReviewStatus
from kinga.claims.models import Claim, ClaimLine
from kinga.claims.services import review as review_services
from kinga.claims.services.claims import LineInput
from kinga.claims.services.entry import ClaimEntry, claims_create
from kinga.claims.services.submission import claims_submit
from kinga.core.errors import Refused
from kinga.core.history import entries

from ..factories import make_user
from .conftest import CARE, TODAY

pytestmark = pytest.mark.usefixtures("english")


def entry(care, code: str, **fields) -> ClaimEntry:
    fields.setdefault("lines", [LineInput(care.consultation, 1), LineInput(care.arv, 2)])
    return ClaimEntry(
        health_facility=fields.pop("facility", care.hcy),
        insuree=fields.pop("insuree", care.jean),
        code=code,
        date_from=fields.pop("date_from", CARE),
        icd=fields.pop("icd", care.hiv),
        **fields,
    )


def test_many_claims_are_entered_at_once_with_their_lines_and_history(claim_admin, care):
    ids = claims_create(
        actor=claim_admin,
        entries=[entry(care, f"HCY.B.{n}") for n in range(35)]
        + [entry(care, "HCY.B.ngono", insuree=care.ngono, lines=[LineInput(care.gloves, 3)])],
        today=TODAY,
    )
    assert len(ids) == 36
    claims = {c.pk: c for c in Claim.objects.filter(pk__in=ids)}
    first = claims[ids[0]]
    assert first.code == "HCY.B.0" and first.status == ClaimStatus.ENTERED
    assert first.date_claimed == TODAY and first.created_by == claim_admin
    # the consultation at the register price, the ARVs at the price list's override
    assert [(x.quantity, x.price_asked, x.status) for x in first.lines.order_by("id")] == [
        (1, Decimal(2000), LineStatus.PASSED),
        (2, Decimal(2500), LineStatus.PASSED),
    ]
    assert first.claimed == Decimal(7000)
    assert claims[ids[-1]].claimed == Decimal(300)
    assert [e.reason for e in entries(first)] == ["entered"]
    assert ClaimLine.history.filter(claim_id__in=ids).count() == 71
    # they submit like any claim: Jean's pass, Ngono (no policy) is rejected
    report = claims_submit(actor=claim_admin, claims=ids)
    assert (report.checked, report.rejected) == (35, 1)


def test_one_bad_claim_refuses_the_whole_set(claim_admin, care):
    before = Claim.objects.count()
    with pytest.raises(Refused) as refused:
        claims_create(
            actor=claim_admin,
            entries=[entry(care, "X-1"), entry(care, "X-1")],
            today=TODAY,
        )
    assert refused.value.field == "entry-1:code" and "already used" in refused.value.message
    claims_create(actor=claim_admin, entries=[entry(care, "X-1")], today=TODAY)
    with pytest.raises(Refused) as refused:
        claims_create(actor=claim_admin, entries=[entry(care, "X-1")], today=TODAY)
    assert refused.value.field == "entry-0:code"
    with pytest.raises(Refused) as refused:
        claims_create(
            actor=claim_admin,
            entries=[
                entry(care, "X-2"),
                entry(care, "X-3", lines=[LineInput(care.consultation, 1, Decimal(2500))]),
            ],
            today=TODAY,
        )
    assert "cannot be changed" in refused.value.message
    with pytest.raises(Refused) as refused:
        claims_create(
            actor=claim_admin, entries=[entry(care, "X-4", date_from=TODAY.replace(year=2027))]
        )
    assert Claim.objects.count() == before + 1


def test_a_claim_administrator_enters_only_for_his_facility(world, claim_admin, care):
    with pytest.raises(Refused) as refused:
        claims_create(
            actor=claim_admin, entries=[entry(care, "D-1", facility=care.dla)], today=TODAY
        )
    assert refused.value.field == "entry-0:health_facility"
    nobody = make_user("nobody.mfoundi", roles=["receptionist"], districts=[world.mfoundi])
    with pytest.raises(PermissionDenied):
        claims_create(actor=nobody, entries=[entry(care, "D-2")], today=TODAY)
    assert not Claim.objects.exists()


def test_selected_claims_are_bypassed_and_the_others_left_alone(
    world, claim_admin, medical_officer, care
):
    ids = claims_create(
        actor=claim_admin, entries=[entry(care, f"R-{n}") for n in range(3)], today=TODAY
    )
    claims_submit(actor=claim_admin, claims=ids)
    review_services.claims_select(actor=medical_officer, claims=ids[:2], today=TODAY)
    with pytest.raises(PermissionDenied):
        review_services.claims_bypass(actor=claim_admin, claims=ids)
    wouri = make_user("medical.wouri", roles=["medical_officer"], districts=[world.wouri])
    with pytest.raises(PermissionDenied):
        review_services.claims_bypass(actor=wouri, claims=ids)
    assert review_services.claims_bypass(actor=medical_officer, claims=ids) == ids[:2]
    statuses = dict(Claim.objects.filter(pk__in=ids).values_list("pk", "review_status"))
    assert [statuses[pk] for pk in ids] == [
        ReviewStatus.BYPASSED,
        ReviewStatus.BYPASSED,
        ReviewStatus.IDLE,
    ]
    assert entries(Claim.objects.get(pk=ids[0]))[0].reason == "review bypassed"
