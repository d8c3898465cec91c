"""Technical control (kinga.claims.services.review): selection for review and feedback, the medical
officer's review line by line, and the patient's feedback — with their status transitions and
denials."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from kinga.claims.codes import ClaimStatus, LineStatus, Rejection, ReviewStatus
from kinga.claims.models import Claim, Feedback
from kinga.claims.rules.review import Decision
from kinga.claims.rules.selection import Rule
from kinga.claims.services import review as review_services
from kinga.claims.services.claims import LineInput
from kinga.claims.services.submission import claims_submit
from kinga.core.errors import Refused
from kinga.core.history import entries
from kinga.insurees.models import Officer

from ..factories import make_user
from .conftest import TODAY, enter

pytestmark = pytest.mark.usefixtures("english")


def submitted(actor, care, *args, **kwargs) -> Claim:
    claim = enter(actor, care, *args, **kwargs)
    claims_submit(actor=actor, claims=[claim])
    claim.refresh_from_db()
    return claim


def lines(claim):
    return list(claim.lines.filter(retired_at__isnull=True).order_by("id"))


# --- selection ------------------------------------------------------------------------------------


def test_select_all_above_a_value_for_review(claim_admin, medical_officer, care):
    small = submitted(claim_admin, care, lines=[LineInput(care.consultation, 1)])
    big = submitted(claim_admin, care)
    result = review_services.claims_select(
        actor=medical_officer, claims=[small, big], value=Decimal(5000), today=TODAY
    )
    assert result.selected == (big.pk,) and result.not_selected == (small.pk,)
    small.refresh_from_db()
    big.refresh_from_db()
    assert (big.review_status, small.review_status) == (
        ReviewStatus.SELECTED,
        ReviewStatus.NOT_SELECTED,
    )
    assert big.feedback_status == ReviewStatus.IDLE
    assert entries(big)[0].reason == "review selection: all"
    # considered once: a second run leaves them alone
    again = review_services.claims_select(actor=medical_officer, claims=[small, big], today=TODAY)
    assert again.selected == () and again.not_selected == ()


def test_random_selection_for_feedback_is_repeatable_with_its_seed(
    claim_admin, medical_officer, care
):
    claims = [submitted(claim_admin, care) for _ in range(4)]
    result = review_services.claims_select(
        actor=medical_officer,
        claims=claims,
        kind="feedback",
        rule=Rule.RANDOM,
        share=Decimal(50),
        seed=11,
        today=TODAY,
    )
    assert len(result.selected) == 2 and len(result.not_selected) == 2
    assert set(
        Claim.objects.filter(pk__in=result.selected).values_list("feedback_status", flat=True)
    ) == {ReviewStatus.SELECTED}
    assert "seed 11" in entries(Claim.objects.get(pk=result.selected[0]))[0].reason


def test_variance_selects_claims_above_the_diagnosis_average(claim_admin, medical_officer, care):
    history = submitted(claim_admin, care, lines=[LineInput(care.consultation, 1)])
    Claim.objects.filter(pk=history.pk).update(
        status=ClaimStatus.VALUATED, date_claimed=date(2026, 3, 12)
    )
    cheap = submitted(claim_admin, care, lines=[LineInput(care.consultation, 1)])
    dear = submitted(claim_admin, care)  # 7 000 against an average of 2 000
    result = review_services.claims_select(
        actor=medical_officer,
        claims=[cheap, dear],
        rule=Rule.VARIANCE,
        variance=Decimal(50),
        today=TODAY,
    )
    assert result.selected == (dear.pk,)


def test_selection_needs_the_update_right_and_the_district(world, claim_admin, care):
    claim = submitted(claim_admin, care)
    with pytest.raises(PermissionDenied):
        review_services.claims_select(actor=claim_admin, claims=[claim])
    wouri = make_user("medical.wouri", roles=["medical_officer"], districts=[world.wouri])
    with pytest.raises(PermissionDenied):
        review_services.claims_select(actor=wouri, claims=[claim])
    claim.refresh_from_db()
    assert claim.review_status == ReviewStatus.IDLE


# --- review ---------------------------------------------------------------------------------------


def test_the_medical_officer_approves_and_rejects_lines(claim_admin, medical_officer, care):
    claim = submitted(claim_admin, care)
    consultation, arv = lines(claim)
    review_services.claim_review(
        actor=medical_officer,
        claim=claim,
        decisions=[
            Decision(consultation.pk, True, price_approved=Decimal(1500)),
            Decision(arv.pk, False, justification="Pas d'indication"),
        ],
        adjustment="Prix de la consultation ramené au tarif",
    )
    claim.refresh_from_db()
    consultation.refresh_from_db()
    arv.refresh_from_db()
    assert claim.status == ClaimStatus.CHECKED and claim.review_status == ReviewStatus.DELIVERED
    assert claim.approved == Decimal(1500)
    assert (arv.status, arv.rejection_reason, arv.qty_approved) == (
        LineStatus.REJECTED,
        Rejection.REVIEW,
        0,
    )
    assert entries(arv)[0].reason == "reviewed"


def test_rejecting_every_line_rejects_the_claim(claim_admin, medical_officer, care):
    claim = submitted(claim_admin, care, lines=[LineInput(care.consultation, 1)])
    (line,) = lines(claim)
    review_services.claim_review(
        actor=medical_officer, claim=claim, decisions=[Decision(line.pk, False, justification="x")]
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REJECTED and claim.approved == 0


def test_a_line_rejected_by_the_checks_cannot_be_passed_again(claim_admin, medical_officer, care):
    claim = submitted(
        claim_admin, care, lines=[LineInput(care.consultation, 1), LineInput(care.uncovered, 1)]
    )
    _, uncovered = lines(claim)
    with pytest.raises(Refused, match="cannot be passed again") as refused:
        review_services.claim_review(
            actor=medical_officer, claim=claim, decisions=[Decision(uncovered.pk, True)]
        )
    assert refused.value.field == f"lines-{uncovered.pk}"
    uncovered.refresh_from_db()
    assert uncovered.rejection_reason == Rejection.NOT_COVERED


def test_review_refuses_bad_quantities_and_a_rejection_without_reason(
    claim_admin, medical_officer, care
):
    claim = submitted(claim_admin, care)
    consultation, arv = lines(claim)
    with pytest.raises(Refused, match="between 0 and the quantity"):
        review_services.claim_review(
            actor=medical_officer, claim=claim, decisions=[Decision(arv.pk, True, qty_approved=3)]
        )
    with pytest.raises(Refused, match="reason"):
        review_services.claim_review(
            actor=medical_officer, claim=claim, decisions=[Decision(arv.pk, False)]
        )
    claim.refresh_from_db()
    assert claim.review_status == ReviewStatus.IDLE and claim.approved == Decimal(7000)


def test_only_a_checked_claim_is_reviewed_by_a_medical_officer_of_its_district(
    world, claim_admin, medical_officer, care
):
    entered = enter(claim_admin, care)
    with pytest.raises(Refused, match="only a checked claim"):
        review_services.claim_review(actor=medical_officer, claim=entered, decisions=[])
    claim = submitted(claim_admin, care)
    with pytest.raises(PermissionDenied):
        review_services.claim_review(actor=claim_admin, claim=claim, decisions=[])
    wouri = make_user("medical.wouri", roles=["medical_officer"], districts=[world.wouri])
    with pytest.raises(PermissionDenied):
        review_services.claim_review(actor=wouri, claim=claim, decisions=[])


# --- feedback --------------------------------------------------------------------------------------


def test_the_enrolment_officer_enters_the_feedback_once(
    world, claim_admin, enrolment_officer, care
):
    officer = Officer.objects.create(
        code="EO1", last_name="Ateba", other_names="Paul", district=world.mfoundi
    )
    claim = submitted(claim_admin, care)
    answers = {
        "officer": officer,
        "feedback_date": date(2026, 3, 15),
        "care_rendered": True,
        "payment_asked": False,
        "drug_prescribed": True,
        "drug_received": True,
        "assessment": 4,
        "today": TODAY,
    }
    review_services.feedback_deliver(actor=enrolment_officer, claim=claim, **answers)
    claim.refresh_from_db()
    assert claim.feedback_status == ReviewStatus.DELIVERED
    assert Feedback.objects.get(claim=claim).assessment == 4
    with pytest.raises(Refused, match="already been entered"):
        review_services.feedback_deliver(actor=enrolment_officer, claim=claim, **answers)


def test_feedback_refuses_a_bad_mark_and_a_user_without_the_right(
    claim_admin, medical_officer, care
):
    claim = submitted(claim_admin, care)
    answers = {
        "officer": None,
        "feedback_date": date(2026, 3, 15),
        "care_rendered": True,
        "payment_asked": False,
        "drug_prescribed": None,
        "drug_received": None,
        "today": TODAY,
    }
    with pytest.raises(Refused) as refused:
        review_services.feedback_deliver(
            actor=medical_officer, claim=claim, assessment=6, **answers
        )
    assert refused.value.field == "assessment"
    with pytest.raises(PermissionDenied):
        review_services.feedback_deliver(actor=claim_admin, claim=claim, assessment=3, **answers)
    assert not Feedback.objects.exists()
