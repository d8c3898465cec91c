"""Claims (« prestations ») of health facilities: the claim, its lines, attachments, the rounds of
return for completion, and the patient's feedback (spec claims §1, openIMIS tblClaim,
tblClaimItems / tblClaimServices, tblFeedback).

Kinga keeps services and items in one line table (`ClaimLine.kind`): the checks treat them
alike, and one table is one query.  Codes are openIMIS's (kinga.claims.codes).  Nothing is
deleted: a claim or a line is retired (`retired_at`) and its history keeps every change.
"""

from __future__ import annotations

import uuid as uuid_module
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kinga.core.history import History
from kinga.core.registers import Register, current_unique

from .codes import (
    AttachmentType,
    ClaimCategory,
    ClaimStatus,
    LineKind,
    LineStatus,
    Rejection,
    ReviewStatus,
    VisitType,
)

MONEY = {"max_digits": 18, "decimal_places": 2}
CODE_MAX_LENGTH = 50


def _diagnosis(label, **kw):
    return models.ForeignKey(
        "medical.Diagnosis",
        verbose_name=label,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        **kw,
    )


class Claim(Register):
    """A facility's claim for the care given to one insuree over one stay or visit."""

    code = models.CharField(_("claim number"), max_length=CODE_MAX_LENGTH)
    health_facility = models.ForeignKey(
        "facilities.HealthFacility",
        verbose_name=_("health facility"),
        on_delete=models.PROTECT,
        related_name="claims",
    )
    insuree = models.ForeignKey(
        "insurees.Insuree",
        verbose_name=_("insuree"),
        on_delete=models.PROTECT,
        related_name="claims",
    )
    admin = models.ForeignKey(
        "facilities.ClaimAdmin",
        verbose_name=_("claim administrator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claims",
    )
    date_from = models.DateField(_("date of care from"))
    date_to = models.DateField(_("date of care to"), null=True, blank=True)
    date_claimed = models.DateField(_("date claimed"))
    visit_type = models.CharField(
        _("visit type"), max_length=1, choices=VisitType.choices, default=VisitType.ORDINARY
    )
    icd = models.ForeignKey(
        "medical.Diagnosis",
        verbose_name=_("main diagnosis"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    icd_1 = _diagnosis(_("secondary diagnosis 1"))
    icd_2 = _diagnosis(_("secondary diagnosis 2"))
    icd_3 = _diagnosis(_("secondary diagnosis 3"))
    icd_4 = _diagnosis(_("secondary diagnosis 4"))
    guarantee_number = models.CharField(_("guarantee number"), max_length=50, blank=True)
    explanation = models.TextField(_("explanation"), blank=True)
    status = models.PositiveSmallIntegerField(
        _("status"), choices=ClaimStatus.choices, default=ClaimStatus.ENTERED
    )
    review_status = models.PositiveSmallIntegerField(
        _("review status"), choices=ReviewStatus.choices, default=ReviewStatus.IDLE
    )
    feedback_status = models.PositiveSmallIntegerField(
        _("feedback status"), choices=ReviewStatus.choices, default=ReviewStatus.IDLE
    )
    category = models.CharField(
        _("claim category"), max_length=1, choices=ClaimCategory.choices, blank=True
    )
    rejection_reason = models.SmallIntegerField(
        _("rejection reason"), choices=Rejection.choices, default=Rejection.NONE
    )
    programme = models.ForeignKey(
        "products.Programme",
        verbose_name=_("health programme"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claims",
        help_text=_("The programme of the policy that covers the claim, set at submission."),
    )
    claimed = models.DecimalField(_("claimed"), default=Decimal(0), **MONEY)
    approved = models.DecimalField(_("approved"), null=True, blank=True, **MONEY)
    adjustment = models.TextField(_("reviewer's comment"), blank=True)
    submitted_at = models.DateTimeField(_("submitted on"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The administrative check (first seed 3.2.4), computed at submission.
    timeliness_days = models.IntegerField(
        _("days from the end of care to submission"), null=True, blank=True
    )
    timely = models.BooleanField(_("submitted in time"), null=True, blank=True)
    complete = models.BooleanField(_("complete"), null=True, blank=True)
    missing = models.JSONField(
        _("missing"),
        default=list,
        blank=True,
        help_text=_("The mandatory fields and attachments the claim lacks."),
    )
    created_at = models.DateTimeField(_("created on"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Valuation (Claims II, spec §4.7): the claim's totals of its passed lines, set when valued.
    deductible_amount = models.DecimalField(_("deductible"), null=True, blank=True, **MONEY)
    fixed_limit_excess = models.DecimalField(
        _("above the fixed limit"), null=True, blank=True, **MONEY
    )
    coinsurance_amount = models.DecimalField(
        _("co-insurance (ticket modérateur)"), null=True, blank=True, **MONEY
    )
    exceed_ceiling_amount = models.DecimalField(
        _("above the ceiling"), null=True, blank=True, **MONEY
    )
    exceed_category_amount = models.DecimalField(
        _("above the category ceiling"), null=True, blank=True, **MONEY
    )
    valuated = models.DecimalField(_("valuated"), null=True, blank=True, **MONEY)
    remunerated = models.DecimalField(_("remunerated"), null=True, blank=True, **MONEY)
    processed_at = models.DateTimeField(_("valued on"), null=True, blank=True)
    processed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("valued by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("changed on"), auto_now=True)
    # The batch run that closed the claim (Processed -> Valuated), spec §5.1 (RunID).
    batch_run = models.ForeignKey(
        "claims.BatchRun",
        verbose_name=_("batch run"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claims",
    )
    history = History(excluded_fields=["uuid", "created_at", "updated_at"])

    class Meta:
        ordering = ["-date_from", "-id"]
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        constraints = [
            # openIMIS's phone upload rule (return code 2): a code once per facility.
            current_unique("health_facility", "code", name="claim_code_per_facility_unique"),
            models.CheckConstraint(
                condition=Q(date_to__isnull=True) | Q(date_to__gte=F("date_from")),
                name="claim_date_to_after_from",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ClaimStatus.values), name="claim_status_known"
            ),
            models.CheckConstraint(
                condition=Q(review_status__in=ReviewStatus.values)
                & Q(feedback_status__in=ReviewStatus.values),
                name="claim_review_feedback_known",
            ),
            models.CheckConstraint(
                condition=Q(visit_type__in=VisitType.values), name="claim_visit_type_known"
            ),
            models.CheckConstraint(condition=Q(claimed__gte=0), name="claim_claimed_not_negative"),
        ]
        indexes = [
            # The claim search of a facility (or of the facilities of a district) by status
            # and date of care, newest first.
            models.Index(
                fields=["health_facility", "status", "-date_from"], name="claim_hf_status_date_idx"
            ),
            # A facility's claims in any status, newest care first (its claim list).
            models.Index(fields=["health_facility", "-date_from", "-id"], name="claim_hf_date_idx"),
            # A district user's search pages through every claim newest care first.
            models.Index(fields=["-date_from", "-id"], name="claim_date_idx"),
            # The checks read an insuree's earlier claims (frequency, limits) by date.
            models.Index(fields=["insuree", "date_from"], name="claim_insuree_date_idx"),
            # The review and feedback lists: claims to review by status.
            models.Index(fields=["status", "review_status"], name="claim_status_review_idx"),
            # The claims awaiting feedback (home page cards, the feedback list): found by
            # index even when there are none among a million.
            models.Index(fields=["status", "feedback_status"], name="claim_status_feedback_idx"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def target_date(self):
        """The day the checks look at (openIMIS: ISNULL(DateTo, DateFrom))."""
        return self.date_to or self.date_from

    @property
    def is_entered(self) -> bool:
        return self.status == ClaimStatus.ENTERED

    @property
    def secondary_diagnoses(self) -> list:
        return [d for d in (self.icd_1, self.icd_2, self.icd_3, self.icd_4) if d is not None]


class ClaimLine(Register):
    """A service or an item claimed (openIMIS tblClaimServices / tblClaimItems)."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="lines")
    kind = models.CharField(_("kind"), max_length=1, choices=LineKind.choices)
    service = models.ForeignKey(
        "medical.Service",
        verbose_name=_("medical service"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    item = models.ForeignKey(
        "medical.Item",
        verbose_name=_("medical item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    price_asked = models.DecimalField(
        _("unit price asked"), validators=[MinValueValidator(Decimal(0))], **MONEY
    )
    price_origin = models.CharField(_("price origin"), max_length=1, blank=True)
    explanation = models.TextField(_("explanation"), blank=True)
    status = models.PositiveSmallIntegerField(
        _("status"), choices=LineStatus.choices, default=LineStatus.PASSED
    )
    rejection_reason = models.SmallIntegerField(
        _("rejection reason"), choices=Rejection.choices, default=Rejection.NONE
    )
    qty_approved = models.PositiveIntegerField(_("approved quantity"), null=True, blank=True)
    price_approved = models.DecimalField(_("approved unit price"), null=True, blank=True, **MONEY)
    justification = models.TextField(_("justification"), blank=True)
    # The policy and product that pay the line, chosen at valuation (Claims II; spec §4.1, Q9).
    policy = models.ForeignKey(
        "policies.Policy",
        verbose_name=_("policy"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    product = models.ForeignKey(
        "products.Product",
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Valuation (Claims II, spec §1.2 and §4.2): the chosen product line's limitation for the
    # visit type and age, and every amount of the line.  Line totals, not unit prices, except
    # price_adjusted (the unit price the valuation used).
    limitation = models.CharField(_("limitation"), max_length=1, blank=True)
    limitation_value = models.DecimalField(_("limitation value"), null=True, blank=True, **MONEY)
    price_adjusted = models.DecimalField(_("unit price used"), null=True, blank=True, **MONEY)
    deductible_amount = models.DecimalField(_("deductible"), null=True, blank=True, **MONEY)
    fixed_limit_excess = models.DecimalField(
        _("above the fixed limit"), null=True, blank=True, **MONEY
    )
    coinsurance_amount = models.DecimalField(
        _("co-insurance (ticket modérateur)"), null=True, blank=True, **MONEY
    )
    exceed_ceiling_amount = models.DecimalField(
        _("above the ceiling"), null=True, blank=True, **MONEY
    )
    exceed_category_amount = models.DecimalField(
        _("above the category ceiling"), null=True, blank=True, **MONEY
    )
    price_valuated = models.DecimalField(_("valuated"), null=True, blank=True, **MONEY)
    remunerated_amount = models.DecimalField(_("remunerated"), null=True, blank=True, **MONEY)
    history = History(excluded_fields=["uuid"])

    class Meta:
        ordering = ["claim", "id"]
        verbose_name = _("claim line")
        verbose_name_plural = _("claim lines")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=LineKind.SERVICE, service__isnull=False, item__isnull=True)
                | Q(kind=LineKind.ITEM, item__isnull=False, service__isnull=True),
                name="claimline_service_or_item",
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="claimline_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(price_asked__gte=0), name="claimline_price_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(qty_approved__isnull=True) | Q(qty_approved__lte=F("quantity")),
                name="claimline_approved_le_claimed",
            ),
            models.CheckConstraint(
                condition=Q(status=LineStatus.PASSED, rejection_reason=0)
                | Q(status=LineStatus.REJECTED) & ~Q(rejection_reason=0),
                name="claimline_status_matches_reason",
            ),
        ]
        indexes = [
            # Frequency and limit checks: the lines of one service or item.
            models.Index(fields=["service"], name="claimline_service_idx"),
            models.Index(fields=["item"], name="claimline_item_idx"),
        ]

    def __str__(self) -> str:
        return str(self.service or self.item)

    @property
    def medical(self):
        return self.service if self.kind == LineKind.SERVICE else self.item

    @property
    def total(self) -> Decimal:
        return self.quantity * self.price_asked


def attachment_path(instance: ClaimAttachment, filename: str) -> str:
    """claims/<year>/<month>/<claim uuid>/<attachment uuid>.<ext> under MEDIA_ROOT (the var
    dir): files stay out of the database, as openIMIS's own attachments do."""
    ext = filename.rsplit(".", 1)[-1].lower()[:8] if "." in filename else "bin"
    claim = instance.claim
    return f"claims/{claim.date_from:%Y/%m}/{claim.uuid}/{instance.uuid}.{ext}"


class ClaimAttachment(Register):
    """A scan or photo joined to a claim (a referral letter, a prescription...)."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="attachments")
    type = models.CharField(
        _("type"), max_length=16, choices=AttachmentType.choices, default=AttachmentType.OTHER
    )
    title = models.CharField(_("title"), max_length=250, blank=True)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=250)
    filename = models.CharField(_("file name"), max_length=250, blank=True)
    mime = models.CharField(_("file type"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("added on"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    history = History(excluded_fields=["uuid", "created_at"])

    class Meta:
        ordering = ["claim", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.title or self.filename or str(self.get_type_display())


class ClaimReturn(models.Model):
    """One round of « retour pour complément »: who sent the claim back to its facility, when
    and why.  Every round is kept."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="returns")
    comment = models.TextField(_("comment"))
    status_before = models.PositiveSmallIntegerField(
        _("status before"), choices=ClaimStatus.choices
    )
    returned_at = models.DateTimeField(_("returned on"))
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("returned by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["claim", "-returned_at", "-id"]
        verbose_name = _("return for completion")
        verbose_name_plural = _("returns for completion")

    def __str__(self) -> str:
        return f"{self.claim_id}: {self.comment[:40]}"


class Feedback(models.Model):
    """The patient's answers collected by the enrolment officer of his village (tblFeedback)."""

    claim = models.OneToOneField(Claim, on_delete=models.PROTECT, related_name="feedback")
    officer = models.ForeignKey(
        "insurees.Officer",
        verbose_name=_("enrolment officer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    feedback_date = models.DateField(_("feedback date"))
    care_rendered = models.BooleanField(_("Was the care rendered?"), null=True)
    payment_asked = models.BooleanField(_("Did the facility ask for payment?"), null=True)
    drug_prescribed = models.BooleanField(_("Was a drug prescribed?"), null=True)
    drug_received = models.BooleanField(_("Was the drug received?"), null=True)
    assessment = models.PositiveSmallIntegerField(
        _("overall satisfaction (0 to 5)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(5)],
    )
    created_at = models.DateTimeField(_("entered on"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    history = History(excluded_fields=["created_at"])

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedbacks")
        constraints = [
            models.CheckConstraint(
                condition=Q(assessment__isnull=True) | Q(assessment__lte=5),
                name="feedback_assessment_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.claim_id} {self.feedback_date}"


class Consumption(models.Model):
    """The consumption ledger (openIMIS tblClaimDedRem, spec §1.5, Q19): one row per valued
    (claim, policy) with what the claim consumed of the deductibles and ceilings.  What an insuree
    or a family has already used in a policy period is the sum of these rows; the enquiry reads
    the same sums.  A row is retired, never deleted, when its claim's valuation is undone."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="consumptions")
    policy = models.ForeignKey(
        "policies.Policy", on_delete=models.PROTECT, related_name="consumptions"
    )
    insuree = models.ForeignKey(
        "insurees.Insuree", on_delete=models.PROTECT, related_name="consumptions"
    )
    ded_g = models.DecimalField(_("deductible (general)"), default=Decimal(0), **MONEY)
    ded_ip = models.DecimalField(_("deductible (in-patient)"), default=Decimal(0), **MONEY)
    ded_op = models.DecimalField(_("deductible (out-patient)"), default=Decimal(0), **MONEY)
    rem_g = models.DecimalField(_("remunerated (general)"), default=Decimal(0), **MONEY)
    rem_ip = models.DecimalField(_("remunerated (in-patient)"), default=Decimal(0), **MONEY)
    rem_op = models.DecimalField(_("remunerated (out-patient)"), default=Decimal(0), **MONEY)
    rem_consultation = models.DecimalField(default=Decimal(0), **MONEY)
    rem_surgery = models.DecimalField(default=Decimal(0), **MONEY)
    rem_delivery = models.DecimalField(default=Decimal(0), **MONEY)
    rem_hospitalization = models.DecimalField(default=Decimal(0), **MONEY)
    rem_antenatal = models.DecimalField(default=Decimal(0), **MONEY)
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("consumption")
        verbose_name_plural = _("consumption ledger")
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "policy"],
                condition=Q(retired_at__isnull=True),
                name="consumption_claim_policy_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["policy", "insuree"], name="consumption_policy_insuree_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.claim_id}/{self.policy_id}"


# --- Batch runs (spec claims §1.6, §5; Claims II) ------------------------------------------


class BatchRunStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("batch run status", "Queued")
    RUNNING = "running", pgettext_lazy("batch run status", "Running")
    DONE = "done", pgettext_lazy("batch run status", "Done")
    FAILED = "failed", pgettext_lazy("batch run status", "Failed")
    REOPENED = "reopened", pgettext_lazy("batch run status", "Reopened")


# A run in one of these states holds its period: running the period again is refused.
CURRENT_RUN_STATUSES = (BatchRunStatus.QUEUED, BatchRunStatus.RUNNING, BatchRunStatus.DONE)


class BatchRun(models.Model):
    """The monthly closing of one location's products (openIMIS tblBatchRun).  One current run per
    (location, year, month); a failed or reopened run frees its period."""

    uuid = models.UUIDField(default=uuid_module.uuid4, unique=True, editable=False)
    location = models.ForeignKey(
        "locations.Location",
        verbose_name=_("location"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("A region or a district; empty for the national products."),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    period_kind = models.CharField(_("period closed"), max_length=1, default="M")
    status = models.CharField(
        _("status"), max_length=10, choices=BatchRunStatus.choices, default=BatchRunStatus.QUEUED
    )
    progress_done = models.PositiveIntegerField(_("done"), default=0)
    progress_total = models.PositiveIntegerField(_("to do"), default=0)
    progress_message = models.CharField(_("progress"), max_length=250, blank=True)
    task_id = models.CharField(_("job"), max_length=64, blank=True)
    claims_closed = models.PositiveIntegerField(_("claims closed"), default=0)
    remunerated_total = models.DecimalField(_("remunerated"), default=Decimal(0), **MONEY)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested on"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    started_at = models.DateTimeField(_("started on"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished on"), null=True, blank=True)
    reopened_at = models.DateTimeField(_("reopened on"), null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reopened by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    history = History(excluded_fields=["uuid", "progress_done", "progress_message"])

    class Meta:
        ordering = ["-year", "-month", "-id"]
        verbose_name = _("batch run")
        verbose_name_plural = _("batch runs")
        constraints = [
            # Once per (location, year, month): the national run (no location) counts as 0.
            models.UniqueConstraint(
                Coalesce("location", Value(0)),
                "year",
                "month",
                condition=Q(status__in=[s.value for s in CURRENT_RUN_STATUSES]),
                name="batchrun_one_current_per_period",
            ),
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12), name="batchrun_month_range"
            ),
            models.CheckConstraint(
                condition=Q(status__in=BatchRunStatus.values), name="batchrun_status_known"
            ),
        ]

    def __str__(self) -> str:
        where = self.location.name if self.location_id else _("national")
        return f"{self.month:02d}/{self.year} {where}"

    @property
    def is_current(self) -> bool:
        return self.status in CURRENT_RUN_STATUSES


class BatchRunClaim(models.Model):
    """A claim a run closed, with what it was before: reopening the period puts it back (Q31)."""

    run = models.ForeignKey(BatchRun, on_delete=models.PROTECT, related_name="closed")
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="+")
    status_before = models.PositiveSmallIntegerField(choices=ClaimStatus.choices)
    remunerated_before = models.DecimalField(null=True, blank=True, **MONEY)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "claim"], name="batchrunclaim_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.claim_id}"


class BatchRunLine(models.Model):
    """A line a run paid: the factor applied (index, 1, or 0 at a capitation facility) and its
    remunerated amount before."""

    run = models.ForeignKey(BatchRun, on_delete=models.PROTECT, related_name="+")
    line = models.ForeignKey(ClaimLine, on_delete=models.PROTECT, related_name="+")
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="+")
    factor = models.DecimalField(max_digits=18, decimal_places=4)
    remunerated_before = models.DecimalField(null=True, blank=True, **MONEY)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "line"], name="batchrunline_unique"),
        ]
        indexes = [models.Index(fields=["run", "claim"], name="batchrunline_run_claim_idx")]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.line_id} × {self.factor}"


class RelativeIndex(models.Model):
    """A product's relative index for a period and care type (openIMIS tblRelIndex)."""

    run = models.ForeignKey(BatchRun, on_delete=models.PROTECT, related_name="indexes")
    product = models.ForeignKey("products.Product", on_delete=models.PROTECT, related_name="+")
    period_kind = models.CharField(_("period"), max_length=1)  # RelType M 1 / Q 4 / Y 12
    care_type = models.CharField(_("care type"), max_length=1)  # B / I / O
    year = models.PositiveSmallIntegerField(_("year"))
    period = models.PositiveSmallIntegerField(_("period"))
    window_start = models.DateField()
    window_end = models.DateField()  # exclusive (Q21)
    # The window as instants in the scheme's time zone, compared with Claim.processed_at.
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    computed = models.BooleanField(default=True)
    allocated = models.DecimalField(_("allocated contributions"), default=Decimal(0), **MONEY)
    share = models.DecimalField(_("distribution share"), max_digits=7, decimal_places=4)
    claims_value = models.DecimalField(_("claims value"), default=Decimal(0), **MONEY)
    index = models.DecimalField(_("relative index"), max_digits=18, decimal_places=4)
    location = models.ForeignKey(
        "locations.Location", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    calculated_at = models.DateTimeField(_("calculated on"))

    class Meta:
        ordering = ["run", "product", "care_type"]
        verbose_name = _("relative index")
        verbose_name_plural = _("relative indexes")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "product", "care_type"], name="relindex_run_product_care"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} {self.care_type} {self.period}/{self.year}: {self.index}"

    @property
    def window_last_day(self):
        return self.window_end - timedelta(days=1)


class CapitationPayment(models.Model):
    """One facility's capitation payment for a product and period (tblCapitationPayment)."""

    run = models.ForeignKey(BatchRun, on_delete=models.PROTECT, related_name="capitations")
    product = models.ForeignKey("products.Product", on_delete=models.PROTECT, related_name="+")
    health_facility = models.ForeignKey(
        "facilities.HealthFacility", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    total_population = models.DecimalField(default=Decimal(0), **MONEY)
    total_families = models.DecimalField(default=Decimal(0), **MONEY)
    total_insured_insurees = models.DecimalField(default=Decimal(0), **MONEY)
    total_insured_families = models.DecimalField(default=Decimal(0), **MONEY)
    total_claims = models.DecimalField(default=Decimal(0), **MONEY)
    total_adjusted = models.DecimalField(default=Decimal(0), **MONEY)
    alc_population = models.DecimalField(default=Decimal(0), **MONEY)
    alc_families = models.DecimalField(default=Decimal(0), **MONEY)
    alc_insured_insurees = models.DecimalField(default=Decimal(0), **MONEY)
    alc_insured_families = models.DecimalField(default=Decimal(0), **MONEY)
    alc_claims = models.DecimalField(default=Decimal(0), **MONEY)
    alc_adjusted = models.DecimalField(default=Decimal(0), **MONEY)
    up_population = models.DecimalField(default=Decimal(0), max_digits=18, decimal_places=4)
    up_families = models.DecimalField(default=Decimal(0), max_digits=18, decimal_places=4)
    up_insured_insurees = models.DecimalField(default=Decimal(0), max_digits=18, decimal_places=4)
    up_insured_families = models.DecimalField(default=Decimal(0), max_digits=18, decimal_places=4)
    up_claims = models.DecimalField(default=Decimal(0), max_digits=18, decimal_places=4)
    up_adjusted = models.DecimalField(default=Decimal(0), max_digits=18, decimal_places=4)
    payment = models.DecimalField(_("capitation payment"), default=Decimal(0), **MONEY)

    class Meta:
        ordering = ["run", "product", "health_facility"]
        verbose_name = _("capitation payment")
        verbose_name_plural = _("capitation payments")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "product", "health_facility"], name="capitation_run_product_hf"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.health_facility_id} {self.product_id}: {self.payment}"


# --- payment statements (Claims II, first seed 3.2.7, spec §5.6) ----------------------------


class StatementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")


class PaymentStatement(Register):
    """An « état de paiement »: what the fund pays one facility for the Valuated claims of a
    period of care, for one product or one programme (kinga.claims.services.statements).

    Its claims (`claim_links`) and its lines grouped by service and item (`lines`) are written
    once, when it is generated, so that what is signed and paid never moves.  A draft is
    cancelled (status cancelled, retired, its claims freed for a new statement), never deleted;
    a paid statement never changes: a correction is a new statement."""

    number = models.CharField(_("statement number"), max_length=40, unique=True)
    health_facility = models.ForeignKey(
        "facilities.HealthFacility",
        verbose_name=_("health facility"),
        on_delete=models.PROTECT,
        related_name="payment_statements",
    )
    date_from = models.DateField(_("period from"))
    date_to = models.DateField(_("period to"))
    product = models.ForeignKey(
        "products.Product",
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    programme = models.ForeignKey(
        "products.Programme",
        verbose_name=_("health programme"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=StatementStatus.choices, default=StatementStatus.DRAFT
    )
    claims_count = models.PositiveIntegerField(_("claims"), default=0)
    total_claimed = models.DecimalField(_("claimed"), default=Decimal(0), **MONEY)
    total_approved = models.DecimalField(_("approved"), default=Decimal(0), **MONEY)
    total = models.DecimalField(_("total to pay"), default=Decimal(0), **MONEY)
    created_at = models.DateTimeField(_("created on"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    paid_on = models.DateField(_("payment date"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=100, blank=True)
    amount_paid = models.DecimalField(_("amount paid"), null=True, blank=True, **MONEY)
    recorded_at = models.DateTimeField(_("payment recorded on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("payment recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    history = History(excluded_fields=["uuid", "created_at"])

    class Meta:
        ordering = ["-date_from", "-id"]
        verbose_name = _("payment statement")
        verbose_name_plural = _("payment statements")
        constraints = [
            models.CheckConstraint(
                condition=Q(date_to__gte=F("date_from")), name="statement_period_ordered"
            ),
            models.CheckConstraint(
                condition=Q(product__isnull=False, programme__isnull=True)
                | Q(product__isnull=True, programme__isnull=False),
                name="statement_product_or_programme",
            ),
            models.CheckConstraint(
                condition=Q(status__in=StatementStatus.values), name="statement_status_known"
            ),
            # Paid means a date, a reference and the amount; nothing else has them.
            models.CheckConstraint(
                condition=Q(
                    status=StatementStatus.PAID,
                    paid_on__isnull=False,
                    amount_paid__isnull=False,
                    recorded_at__isnull=False,
                )
                | Q(
                    ~Q(status=StatementStatus.PAID), paid_on__isnull=True, amount_paid__isnull=True
                ),
                name="statement_paid_has_payment",
            ),
            models.CheckConstraint(
                condition=Q(status=StatementStatus.CANCELLED, retired_at__isnull=False)
                | Q(~Q(status=StatementStatus.CANCELLED), retired_at__isnull=True),
                name="statement_cancelled_is_retired",
            ),
        ]
        indexes = [
            # The accountant's list: a facility's statements, the latest period first.
            models.Index(fields=["health_facility", "-date_from"], name="statement_hf_date_idx"),
            models.Index(fields=["-date_from", "-id"], name="statement_date_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_draft(self) -> bool:
        return self.status == StatementStatus.DRAFT

    @property
    def is_paid(self) -> bool:
        return self.status == StatementStatus.PAID


class PaymentStatementClaim(models.Model):
    """A claim in a statement, with its amounts when the statement was generated.  A claim is
    in one current statement at most (a database constraint); the links of a cancelled
    statement are retired and stay as its record.  A claim is paid when the statement of its
    current link is paid."""

    statement = models.ForeignKey(
        PaymentStatement, on_delete=models.PROTECT, related_name="claim_links"
    )
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="statement_links")
    claimed = models.DecimalField(_("claimed"), default=Decimal(0), **MONEY)
    approved = models.DecimalField(_("approved"), default=Decimal(0), **MONEY)
    remunerated = models.DecimalField(_("remunerated"), default=Decimal(0), **MONEY)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["statement", "id"]
        verbose_name = _("claim of a payment statement")
        verbose_name_plural = _("claims of payment statements")
        constraints = [
            # The race of two statements generated at once over the same claims: one wins.
            models.UniqueConstraint(
                fields=["claim"],
                condition=Q(retired_at__isnull=True),
                name="statement_claim_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.statement_id}/{self.claim_id}"


class PaymentStatementLine(models.Model):
    """One line of a statement: a service or an item at one unit price, summed over its claims
    (declared and validated quantities, validated amount, amount to pay), with the product that
    pays it (its accounting code goes to the export)."""

    statement = models.ForeignKey(PaymentStatement, on_delete=models.PROTECT, related_name="lines")
    product = models.ForeignKey(
        "products.Product", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=1, choices=LineKind.choices)
    code = models.CharField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=250)
    qty_declared = models.PositiveIntegerField(_("declared quantity"), default=0)
    qty_validated = models.PositiveIntegerField(_("validated quantity"), default=0)
    unit_price = models.DecimalField(_("unit price"), default=Decimal(0), **MONEY)
    amount_validated = models.DecimalField(_("validated amount"), default=Decimal(0), **MONEY)
    amount = models.DecimalField(_("amount to pay"), default=Decimal(0), **MONEY)

    class Meta:
        ordering = ["statement", "id"]  # services then items, by code (as generated)
        verbose_name = _("payment statement line")
        verbose_name_plural = _("payment statement lines")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
