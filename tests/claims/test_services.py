"""Claims' services (kinga.claims.services): entry, change, deletion, duplication, submission, the
administrative check and return for completion — every status transition, and the facility
and district scope (a claim administrator reaches only his facility; others their districts)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from kinga.claims.codes import ClaimStatus, LineStatus, Rejection
from kinga.claims.models import Claim, ClaimLine, ClaimReturn
from kinga.claims.queries import claims as queries
from kinga.claims.services import claims as claim_services
from kinga.claims.services.claims import LineInput
from kinga.claims.services.submission import claims_submit
from kinga.core.errors import Refused
from kinga.core.history import entries
from kinga.medical.models import ServicesPriceListEntry

from ..factories import make_user
from .conftest import CARE, TODAY, enter

pytestmark = pytest.mark.usefixtures("english")

NOW = timezone.make_aware(datetime(2026, 3, 20, 10, 0))


def lines_of(claim) -> list[ClaimLine]:
    return list(claim.lines.filter(retired_at__isnull=True).order_by("id"))


# --- entry ---------------------------------------------------------------------------------------


def test_a_claim_administrator_enters_a_claim_for_his_facility(claim_admin, care):
    claim = enter(claim_admin, care)
    assert claim.status == ClaimStatus.ENTERED
    assert claim.code == "HCY.2026.1"
    assert claim.date_claimed == TODAY
    # the consultation at the register price, the ARVs at the price list's override
    assert [(x.quantity, x.price_asked) for x in lines_of(claim)] == [
        (1, Decimal(2000)),
        (2, Decimal(2500)),
    ]
    assert claim.claimed == Decimal(7000)
    assert [e.reason for e in entries(claim)] == ["entered"]
    assert enter(claim_admin, care).code == "HCY.2026.2"


def test_the_proposed_code_counts_per_programme(claim_admin, care):
    assert claim_services.proposed_code(care.hcy, CARE, "VIH") == "HCY.2026.VIH.1"
    enter(claim_admin, care, code="HCY.2026.VIH.7")
    assert claim_services.proposed_code(care.hcy, CARE, "VIH") == "HCY.2026.VIH.8"


def test_a_code_is_unique_per_facility_and_freed_by_deletion(claim_admin, imis_admin, care):
    first = enter(claim_admin, care, code="A-1")
    with pytest.raises(Refused) as refused:
        enter(claim_admin, care, code="A-1")
    assert refused.value.field == "code"
    assert "already used" in refused.value.message
    # another facility may use it
    assert enter(imis_admin, care, code="A-1", facility=care.dla).code == "A-1"
    claim_services.claim_delete(actor=claim_admin, claim=first)
    assert enter(claim_admin, care, code="A-1").code == "A-1"


def test_the_price_is_the_price_lists_unless_the_product_takes_the_providers(claim_admin, care):
    with pytest.raises(Refused) as refused:
        enter(claim_admin, care, lines=[LineInput(care.consultation, 1, Decimal(2500))])
    assert "cannot be changed" in refused.value.message
    claim = enter(claim_admin, care, lines=[LineInput(care.gloves, 3, Decimal(150))])
    assert lines_of(claim)[0].price_asked == Decimal(150)


@pytest.mark.parametrize("quantity", [0, -1, 1.5])
def test_quantities_are_whole_and_positive(claim_admin, care, quantity):
    with pytest.raises(Refused, match="whole number"):
        enter(claim_admin, care, lines=[LineInput(care.consultation, quantity)])
    assert not Claim.objects.exists()


def test_at_most_four_secondary_diagnoses_and_sane_dates(claim_admin, care):
    with pytest.raises(Refused) as refused:
        enter(claim_admin, care, secondary=[care.malaria] * 5)
    assert refused.value.field == "secondary"
    with pytest.raises(Refused) as refused:
        enter(claim_admin, care, date_to=CARE - timedelta(days=1))
    assert refused.value.field == "date_to"
    with pytest.raises(Refused) as refused:
        enter(claim_admin, care, date_from=TODAY + timedelta(days=1))
    assert refused.value.field == "date_from"


def test_a_claim_administrator_cannot_enter_for_another_facility(claim_admin, care):
    with pytest.raises(Refused) as refused:
        enter(claim_admin, care, facility=care.dla)
    assert refused.value.field == "health_facility"


def test_a_district_user_enters_only_within_his_districts(world, care):
    contributor = make_user(
        "contrib.mfoundi", roles=["claim_contributor"], districts=[world.mfoundi]
    )
    assert enter(contributor, care).health_facility == care.hcy
    with pytest.raises(Refused):
        enter(contributor, care, facility=care.dla)


def test_a_user_without_the_add_right_is_denied(medical_officer, care):
    with pytest.raises(PermissionDenied):
        enter(medical_officer, care)


# --- change, deletion, duplication while Entered ----------------------------------------------


def test_an_entered_claim_is_changed_and_its_old_lines_kept_in_history(claim_admin, care):
    claim = enter(claim_admin, care)
    old = lines_of(claim)
    claim_services.claim_update(
        actor=claim_admin,
        claim=claim,
        insuree=care.jean,
        date_from=CARE,
        icd=care.malaria,
        code=claim.code,
        lines=[LineInput(care.cd4, 1)],
        explanation="CD4 seulement",
        today=TODAY,
    )
    claim.refresh_from_db()
    assert claim.icd == care.malaria and claim.claimed == Decimal(5000)
    assert [x.service for x in lines_of(claim)] == [care.cd4]
    assert all(ClaimLine.objects.get(pk=x.pk).retired_at is not None for x in old)
    assert [e.reason for e in entries(claim)] == ["changed", "entered"]


def test_a_deleted_claim_is_retired_with_its_history(claim_admin, care):
    claim = enter(claim_admin, care)
    claim_services.claim_delete(actor=claim_admin, claim=claim)
    claim.refresh_from_db()
    assert claim.retired_at is not None
    assert entries(claim)[0].reason == "deleted"
    assert not queries.visible(claim_admin).filter(pk=claim.pk).exists()


def test_a_claim_is_duplicated_as_a_new_entered_claim(claim_admin, care):
    claim = enter(claim_admin, care)
    claims_submit(actor=claim_admin, claims=[claim], now=NOW)
    copy = claim_services.claim_duplicate(actor=claim_admin, claim=claim, today=TODAY)
    assert copy.pk != claim.pk and copy.status == ClaimStatus.ENTERED
    assert copy.code == "HCY.2026.2"
    assert [(x.medical, x.quantity) for x in lines_of(copy)] == [
        (x.medical, x.quantity) for x in lines_of(claim)
    ]


def test_a_submitted_claim_can_no_longer_be_changed_or_deleted(claim_admin, care):
    claim = enter(claim_admin, care)
    claims_submit(actor=claim_admin, claims=[claim], now=NOW)
    with pytest.raises(Refused, match="only an entered claim"):
        claim_services.claim_delete(actor=claim_admin, claim=claim)
    with pytest.raises(Refused, match="only an entered claim"):
        claim_services.claim_update(
            actor=claim_admin,
            claim=claim,
            insuree=care.jean,
            date_from=CARE,
            icd=care.hiv,
            code=claim.code,
            lines=[LineInput(care.cd4, 1)],
            today=TODAY,
        )
    claim.refresh_from_db()
    assert not queries.may_claim(claim_admin, claim, "edit")


# --- submission ------------------------------------------------------------------------------------


def test_a_covered_claim_is_checked_with_its_policy_and_programme(claim_admin, care):
    claim = enter(claim_admin, care)
    report = claims_submit(actor=claim_admin, claims=[claim])
    assert (report.submitted, report.checked, report.rejected) == (1, 1, 0)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.CHECKED
    assert claim.programme == care.vih and claim.category == "C"
    assert claim.approved == Decimal(7000)
    assert claim.submitted_by == claim_admin and claim.submitted_at is not None
    assert {(x.status, x.rejection_reason) for x in lines_of(claim)} == {(LineStatus.PASSED, 0)}
    assert entries(claim)[0].reason == "submitted"
    # a passed line is left as entered: no history row of its own
    assert lines_of(claim)[0].history.count() == 1


def test_a_person_without_a_policy_is_rejected_with_code_3_on_every_line(claim_admin, care):
    claim = enter(claim_admin, care, care.ngono)
    claims_submit(actor=claim_admin, claims=[claim])
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REJECTED
    assert claim.approved == 0
    assert [(x.status, x.rejection_reason) for x in lines_of(claim)] == [
        (LineStatus.REJECTED, Rejection.NOT_COVERED)
    ] * 2
    assert entries(lines_of(claim)[0])[0].reason == "submitted"
    with translation.override("fr"):
        assert str(Rejection(3).label) == (
            "Le soin ou produit médical n'est pas couvert par une police active de l'assuré"
        )


def test_a_line_outside_the_product_is_rejected_and_the_claim_stays_checked(claim_admin, care):
    claim = enter(
        claim_admin,
        care,
        lines=[LineInput(care.consultation, 1), LineInput(care.uncovered, 1)],
    )
    claims_submit(actor=claim_admin, claims=[claim], now=NOW)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.CHECKED
    assert [x.rejection_reason for x in lines_of(claim)] == [0, Rejection.NOT_COVERED]
    assert claim.approved == Decimal(2000) and claim.claimed == Decimal(52000)


def test_a_service_removed_from_the_price_list_is_rejected_with_code_2(claim_admin, care):
    claim = enter(claim_admin, care, lines=[LineInput(care.cd4, 1)])
    ServicesPriceListEntry.objects.filter(service=care.cd4).update(retired_at=NOW)
    claims_submit(actor=claim_admin, claims=[claim], now=NOW)
    assert [x.rejection_reason for x in lines_of(claim)] == [Rejection.NOT_IN_PRICE_LIST]


def test_frequency_counts_earlier_claims_and_claims_submitted_together(claim_admin, care):
    first = enter(claim_admin, care, lines=[LineInput(care.cd4, 1)])
    claims_submit(actor=claim_admin, claims=[first], now=NOW)
    second = enter(
        claim_admin, care, lines=[LineInput(care.cd4, 1)], date_from=CARE + timedelta(days=5)
    )
    third = enter(
        claim_admin,
        care,
        care.family.members.get(other_names="Marie"),
        lines=[LineInput(care.cd4, 1)],
    )
    fourth = enter(
        claim_admin,
        care,
        care.family.members.get(other_names="Marie"),
        lines=[LineInput(care.cd4, 1)],
        date_from=CARE + timedelta(days=1),
    )
    claims_submit(actor=claim_admin, claims=[second, third, fourth], now=NOW)
    assert lines_of(second)[0].rejection_reason == Rejection.FREQUENCY
    assert lines_of(third)[0].rejection_reason == 0
    assert lines_of(fourth)[0].rejection_reason == Rejection.FREQUENCY


def test_submitting_again_changes_nothing(claim_admin, care):
    claim = enter(claim_admin, care)
    claims_submit(actor=claim_admin, claims=[claim], now=NOW)
    history = claim.history.count()
    report = claims_submit(
        actor=claim_admin, claims=[claim, claim.pk], now=NOW + timedelta(hours=1)
    )
    assert (report.submitted, report.unchanged) == (0, 1)
    claim.refresh_from_db()
    assert claim.submitted_at == NOW and claim.history.count() == history


def test_the_administrative_check_is_stored_at_submission(claim_admin, care):
    on_time = enter(claim_admin, care)
    referral = enter(claim_admin, care, visit_type="R", date_from=date(2026, 1, 5))
    claims_submit(actor=claim_admin, claims=[on_time, referral], now=NOW)
    on_time.refresh_from_db()
    referral.refresh_from_db()
    assert (on_time.timeliness_days, on_time.timely, on_time.complete) == (10, True, True)
    assert (referral.timeliness_days, referral.timely) == (74, False)
    assert referral.complete is False and referral.missing == ["attachment:referral"]


def test_a_referral_with_its_letter_is_complete(claim_admin, care, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    claim = enter(claim_admin, care, visit_type="R")
    letter = SimpleUploadedFile("lettre.pdf", b"%PDF-1.4 letter", content_type="application/pdf")
    attachment = claim_services.attachment_add(
        actor=claim_admin, claim=claim, file=letter, type="referral", title="Lettre"
    )
    assert attachment.file.path.startswith(str(tmp_path))
    claims_submit(actor=claim_admin, claims=[claim], now=NOW)
    claim.refresh_from_db()
    assert claim.complete is True and claim.missing == []


def test_submission_queries_do_not_grow_with_the_claims(claim_admin, care):
    def submit(n: int) -> int:
        claims = [enter(claim_admin, care) for _ in range(n)]
        with CaptureQueriesContext(connection) as ctx:
            report = claims_submit(actor=claim_admin, claims=claims, now=NOW)
        assert report.submitted == n
        return len(ctx)

    submit(2)  # the insuree's history is not empty from now on
    few, many = submit(2), submit(30)
    assert few == many <= 25, (few, many)


# --- scope and rights -----------------------------------------------------------------------------


@pytest.fixture
def dla_admin(world, care):
    return make_user(
        "claims.dla", roles=["claim_admin"], districts=[world.wouri], health_facility=care.dla
    )


def test_a_claim_administrator_never_reaches_another_facilitys_claims(claim_admin, dla_admin, care):
    claim = enter(claim_admin, care)
    with pytest.raises(PermissionDenied):
        queries.get_claim_for_user(dla_admin, claim.uuid)
    with pytest.raises(PermissionDenied):
        claims_submit(actor=dla_admin, claims=[claim], now=NOW)
    with pytest.raises(PermissionDenied):
        claim_services.claim_delete(actor=dla_admin, claim=claim)
    assert not queries.visible(dla_admin).exists()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.ENTERED and claim.retired_at is None


def test_a_claim_administrator_of_the_same_district_sees_only_his_facility(
    world, imis_admin, claim_admin, care
):
    from ..factories import make_facility

    other = make_facility(imis_admin, world.mfoundi, code="CSN", name="CSI Nlongkak")
    mine = enter(claim_admin, care)
    theirs = enter(imis_admin, care, facility=other, lines=[LineInput(care.cd4, 1, Decimal(5000))])
    assert list(queries.visible(claim_admin)) == [mine]
    with pytest.raises(PermissionDenied):
        queries.get_claim_for_user(claim_admin, theirs.uuid)


def test_district_users_reach_the_claims_of_their_districts(
    world, claim_admin, medical_officer, care
):
    claim = enter(claim_admin, care)
    assert queries.get_claim_for_user(medical_officer, claim.uuid) == claim
    wouri_officer = make_user("medical.wouri", roles=["medical_officer"], districts=[world.wouri])
    with pytest.raises(PermissionDenied):
        queries.get_claim_for_user(wouri_officer, claim.uuid)
    assert not queries.visible(wouri_officer).exists()


def test_submitting_needs_the_submit_right(world, care):
    contributor = make_user("contrib", roles=["claim_contributor"], districts=[world.mfoundi])
    claim = enter(contributor, care)
    with pytest.raises(PermissionDenied):
        claims_submit(actor=contributor, claims=[claim], now=NOW)


# --- return for completion --------------------------------------------------------------------------


def test_a_checked_claim_is_returned_completed_and_resubmitted_as_the_same_claim(
    claim_admin, medical_officer, care
):
    claim = enter(claim_admin, care)
    claims_submit(actor=claim_admin, claims=[claim])
    claim_services.claim_return(actor=medical_officer, claim=claim, comment="Joindre l'ordonnance")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.ENTERED
    (round_,) = ClaimReturn.objects.filter(claim=claim)
    assert (round_.comment, round_.status_before, round_.returned_by) == (
        "Joindre l'ordonnance",
        ClaimStatus.CHECKED,
        medical_officer,
    )
    # the facility corrects it and submits it again: the same claim, every round in history
    claim_services.claim_update(
        actor=claim_admin,
        claim=claim,
        insuree=care.jean,
        date_from=CARE,
        icd=care.hiv,
        code=claim.code,
        lines=[LineInput(care.consultation, 1)],
        today=TODAY,
    )
    claims_submit(actor=claim_admin, claims=[claim])
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.CHECKED and claim.approved == Decimal(2000)
    reasons = [e.reason for e in entries(claim)]
    assert reasons[:3] == ["submitted", "changed", "returned for completion: Joindre l'ordonnance"]
    assert reasons[3:] == ["submitted", "entered"]


def test_a_rejected_claim_can_be_returned_but_not_an_entered_one(
    claim_admin, medical_officer, care
):
    claim = enter(claim_admin, care, care.ngono)
    with pytest.raises(Refused, match="only a checked or rejected claim"):
        claim_services.claim_return(actor=medical_officer, claim=claim, comment="?")
    claims_submit(actor=claim_admin, claims=[claim], now=NOW)
    claim_services.claim_return(actor=medical_officer, claim=claim, comment="Mauvais assuré")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.ENTERED


def test_returning_needs_the_review_right_a_comment_and_the_district(
    world, claim_admin, medical_officer, care
):
    claim = enter(claim_admin, care)
    claims_submit(actor=claim_admin, claims=[claim], now=NOW)
    with pytest.raises(PermissionDenied):
        claim_services.claim_return(actor=claim_admin, claim=claim, comment="x")
    wouri_officer = make_user("medical.wouri", roles=["medical_officer"], districts=[world.wouri])
    with pytest.raises(PermissionDenied):
        claim_services.claim_return(actor=wouri_officer, claim=claim, comment="x")
    with pytest.raises(Refused) as refused:
        claim_services.claim_return(actor=medical_officer, claim=claim, comment="  ")
    assert refused.value.field == "comment"
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.CHECKED and not ClaimReturn.objects.exists()
