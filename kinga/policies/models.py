"""Payers (spec registers §4.3), policies, coverage per member and contributions (§9, §10)."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kinga.core import bounds
from kinga.core.history import History
from kinga.core.registers import Register, current_unique

from .status import PolicyStatus


class PayerType(models.TextChoices):
    COOPERATIVE = "C", _("Co-operative")
    DONOR = "D", _("Donor")
    GOVERNMENT = "G", pgettext_lazy("payer type", "Government")
    LOCAL_AUTHORITY = "L", _("Local authority")
    OTHER = "O", _("Other")
    PRIVATE = "P", _("Private organisation")


class Payer(Register):
    type = models.CharField(_("type"), max_length=1, choices=PayerType.choices)
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=100, blank=True)
    location = models.ForeignKey(
        "locations.Location",
        verbose_name=_("location"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payers",
        help_text=_("A region or a district; empty for a national payer."),
    )
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    fax = models.CharField(_("fax"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), max_length=100, blank=True)
    history = History(excluded_fields=["uuid"])

    class Meta:
        ordering = ["name"]
        verbose_name = _("payer")
        verbose_name_plural = _("payers")
        constraints = [
            # Payers have no code: the name is their key in files and lists (services.payers).
            current_unique("name", name="payer_name_current_unique"),
        ]

    def __str__(self) -> str:
        return self.name


# --- policies, coverage per member and contributions (spec registers §9, §10) ---------------


class PolicyStage(models.TextChoices):
    NEW = "N", _("New")
    RENEWAL = "R", _("Renewal")


class Policy(Register):
    """Police: a family's cover by a product for one insurance period (tblPolicy).  Coverage is
    per member (InsureePolicy); the status changes by itself (payment, expiry job)."""

    family = models.ForeignKey(
        "insurees.Family",
        verbose_name=_("family"),
        on_delete=models.PROTECT,
        related_name="policies",
    )
    product = models.ForeignKey(
        "products.Product",
        verbose_name=_("product"),
        on_delete=models.PROTECT,
        related_name="policies",
    )
    officer = models.ForeignKey(
        "insurees.Officer",
        verbose_name=_("enrolment officer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="policies",
    )
    stage = models.CharField(
        _("stage"), max_length=1, choices=PolicyStage.choices, default=PolicyStage.NEW
    )
    status = models.PositiveSmallIntegerField(
        _("status"), choices=PolicyStatus.choices, default=PolicyStatus.IDLE
    )
    enroll_date = models.DateField(_("enrolment date"))
    start_date = models.DateField(_("start date"))
    effective_date = models.DateField(_("effective date"), null=True, blank=True)
    expiry_date = models.DateField(_("expiry date"))
    value = models.DecimalField(
        _("value"), max_digits=18, decimal_places=2, default=0, validators=bounds.MONEY
    )
    previous = models.ForeignKey(
        "self",
        verbose_name=_("renewed policy"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="renewals",
    )
    created_at = models.DateTimeField(_("created on"), auto_now_add=True)
    history = History(excluded_fields=["uuid", "created_at"])

    class Meta:
        ordering = ["-enroll_date", "-id"]
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(expiry_date__gte=F("start_date")), name="policy_expiry_after_start"
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="policy_value_not_negative"),
            models.CheckConstraint(
                condition=Q(status__in=PolicyStatus.values), name="policy_status_known"
            ),
            models.CheckConstraint(
                condition=Q(stage__in=PolicyStage.values), name="policy_stage_known"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "expiry_date"], name="policy_status_expiry_idx"),
            models.Index(fields=["family", "product"], name="policy_family_product_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.product.code} {self.start_date:%d/%m/%Y}–{self.expiry_date:%d/%m/%Y}"


class InsureePolicy(Register):
    """A member's own coverage by a family policy (tblInsureePolicy): covered on a day when
    effective ≤ day ≤ expiry."""

    policy = models.ForeignKey(
        Policy, verbose_name=_("policy"), on_delete=models.PROTECT, related_name="members"
    )
    insuree = models.ForeignKey(
        "insurees.Insuree",
        verbose_name=_("insuree"),
        on_delete=models.PROTECT,
        related_name="insuree_policies",
    )
    enrollment_date = models.DateField(_("enrolment date"))
    start_date = models.DateField(_("start date"))
    effective_date = models.DateField(_("effective date"), null=True, blank=True)
    expiry_date = models.DateField(_("expiry date"))
    history = History(excluded_fields=["uuid"])

    class Meta:
        ordering = ["policy", "id"]
        verbose_name = _("member coverage")
        verbose_name_plural = _("member coverages")
        constraints = [
            current_unique("policy", "insuree", name="insuree_policy_current_unique"),
        ]
        indexes = [
            models.Index(fields=["insuree", "expiry_date"], name="insuree_policy_expiry_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.insuree_id} / {self.policy_id}"


class PayType(models.TextChoices):
    CASH = "C", _("Cash")
    BANK = "B", _("Bank transfer")
    MOBILE = "M", _("Mobile phone")
    FUNDING = "F", _("Funding")


class Contribution(Register):
    """Contribution (tblPremium).  The receipt is unique among the current contributions of the
    same product (spec §10.1): the contribution carries its policy's product (kept in step by
    the services, policy_update included) so that a database constraint holds the rule."""

    policy = models.ForeignKey(
        Policy, verbose_name=_("policy"), on_delete=models.PROTECT, related_name="contributions"
    )
    product = models.ForeignKey(
        "products.Product",
        verbose_name=_("product"),
        on_delete=models.PROTECT,
        related_name="contributions",
    )
    payer = models.ForeignKey(
        Payer,
        verbose_name=_("payer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contributions",
        help_text=_("Empty when the family pays."),
    )
    amount = models.DecimalField(
        _("amount"), max_digits=18, decimal_places=2, validators=bounds.MONEY
    )
    receipt = models.CharField(_("receipt"), max_length=50)
    pay_date = models.DateField(_("payment date"))
    pay_type = models.CharField(_("payment type"), max_length=1, choices=PayType.choices)
    is_photo_fee = models.BooleanField(_("photo fee"), default=False)
    created_at = models.DateTimeField(_("created on"), auto_now_add=True)
    history = History(excluded_fields=["uuid", "created_at"])

    class Meta:
        ordering = ["pay_date", "id"]
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="contribution_amount_positive"),
            models.CheckConstraint(
                condition=Q(pay_type__in=PayType.values), name="contribution_pay_type_known"
            ),
            # Two clerks saving one receipt at once: the second is refused by the database.
            current_unique("product", "receipt", name="contribution_receipt_current_unique"),
        ]
        indexes = [models.Index(fields=["receipt"], name="contribution_receipt_idx")]

    def __str__(self) -> str:
        return f"{self.receipt} {self.amount}"
