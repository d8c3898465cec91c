"""Insurance products, their coverage rules and health programmes (spec registers §7).

Deductibles and ceilings: openIMIS keeps three families of columns (per treatment, per insuree,
per policy) of which only one is ever filled.  Kinga keeps one family and the `ceiling_type`
that says which one it is (`deductible`, `ceiling`, ... read as DedInsuree / MaxInsuree when the
type is I, as DedTreatment / MaxTreatment when it is T, ...): the "one type per product" rule is
then true by construction and `openimis_ceiling_columns()` gives openIMIS's columns back.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kinga.core import bounds
from kinga.core.history import History
from kinga.core.registers import CareType, Register, current_unique
from kinga.facilities.models import FacilityLevel, SubLevel

from . import rules

MONEY = {"max_digits": 18, "decimal_places": 2}
PERCENT = {"max_digits": 5, "decimal_places": 2}
_non_negative = bounds.MONEY
_percent = bounds.PERCENT


class CeilingType(models.TextChoices):
    INSUREE = "I", _("Per insuree")
    TREATMENT = "T", _("Per treatment")
    POLICY = "P", _("Per policy")


class CeilingInterpretation(models.TextChoices):
    CLAIM_TYPE = "I", _("By claim type (in-patient claims count as hospital)")
    FACILITY_LEVEL = "H", _("By health facility level (all care in hospitals counts as hospital)")


class RelativePeriod(models.TextChoices):
    MONTH = "M", _("Monthly")
    QUARTER = "Q", _("Quarterly")
    YEAR = "Y", _("Yearly")


class PriceOrigin(models.TextChoices):
    PRICE_LIST = "P", _("Price list")
    PROVIDER = "O", _("Provider's price")
    RELATIVE = "R", _("Relative price")


class LimitationType(models.TextChoices):
    CO_INSURANCE = "C", _("Co-insurance (%)")
    FIXED = "F", _("Fixed amount")


class CeilingExclusion(models.TextChoices):
    IN_PATIENT = "H", _("Excluded from in-patient ceilings")
    OUT_PATIENT = "N", _("Excluded from out-patient ceilings")
    BOTH = "B", _("Excluded from all ceilings")


def _money(label, **kw):
    return models.DecimalField(
        label, null=True, blank=True, validators=_non_negative, **MONEY, **kw
    )


def _count(label, **kw):
    return models.PositiveIntegerField(label, null=True, blank=True, validators=bounds.COUNT, **kw)


def _months(label, **kw):
    return models.PositiveSmallIntegerField(label, validators=bounds.MONTHS, **kw)


class Programme(Register):
    """A health programme (HIV User Fees, Chèque Santé): products may belong to one."""

    code = models.CharField(_("code"), max_length=16)
    name = models.CharField(_("name"), max_length=100)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("users"),
        blank=True,
        related_name="programmes",
        help_text=_("The users who work on this programme."),
    )
    confidential = models.BooleanField(
        _("confidential"),
        default=False,
        help_text=_(
            "Only the programme's users and the holders of the right « Confidential programmes » "
            "see who it covers; everyone else sees « Confidential data »."
        ),
    )
    history = History(excluded_fields=["uuid"], m2m_fields=[users])

    class Meta:
        ordering = ["code"]
        verbose_name = _("health programme")
        verbose_name_plural = _("health programmes")
        constraints = [
            current_unique("code", name="programme_code_current_unique"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="programme_valid_to_after_from",
            ),
        ]

    def __str__(self) -> str:
        # A programme named by its code (« VIH ») reads once, not « VIH VIH ».
        return self.code if self.name == self.code else f"{self.code} {self.name}"


CYCLE_FIELDS = rules.CYCLE_FIELDS
WEIGHT_FIELDS = rules.WEIGHT_FIELDS


class Product(Register):
    # --- identity and sale window ---
    code = models.CharField(_("code"), max_length=rules.CODE_MAX_LENGTH)
    name = models.CharField(_("name"), max_length=100)
    location = models.ForeignKey(
        "locations.Location",
        verbose_name=_("location"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"type__in": ["R", "D"]},
        help_text=_("A region or a district; empty for a national product."),
    )
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("health programme"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="products",
    )
    date_from = models.DateField(_("on sale from"))
    date_to = models.DateField(_("on sale until"))
    conversion_product = models.ForeignKey(
        "self",
        verbose_name=_("conversion product"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The product that replaces this one for renewals after its sale window."),
    )
    # --- periods and members ---
    insurance_period = models.PositiveSmallIntegerField(
        _("insurance period (months)"),
        validators=[MinValueValidator(1), MaxValueValidator(bounds.MONTHS_MAX)],
    )
    administration_period = _months(_("administration period (months)"), default=0)
    max_members = models.PositiveSmallIntegerField(
        _("maximum members"), default=0, validators=bounds.MEMBERS
    )
    threshold = models.PositiveSmallIntegerField(
        _("threshold (members)"), default=0, validators=bounds.MEMBERS
    )
    # --- contributions ---
    lump_sum = _money(_("lump sum"))
    premium_adult = _money(_("contribution per adult"))
    premium_child = _money(_("contribution per child"))
    registration_lump_sum = _money(_("registration lump sum"))
    registration_fee = _money(_("registration fee per member"))
    general_assembly_lump_sum = _money(_("general assembly lump sum"))
    general_assembly_fee = _money(_("general assembly fee per member"))
    max_installments = models.PositiveSmallIntegerField(
        _("maximum instalments"), default=1, validators=bounds.between(0, bounds.INSTALMENTS_MAX)
    )
    grace_period_enrolment = _months(_("enrolment grace period (months)"), default=0)
    grace_period_renewal = _months(_("renewal grace period (months)"), default=0)
    grace_period_payment = _months(_("payment grace period (months)"), default=0)
    # --- cycles and discounts ---
    start_cycle_1 = models.CharField(_("start cycle 1 (DD-MM)"), max_length=5, blank=True)
    start_cycle_2 = models.CharField(_("start cycle 2 (DD-MM)"), max_length=5, blank=True)
    start_cycle_3 = models.CharField(_("start cycle 3 (DD-MM)"), max_length=5, blank=True)
    start_cycle_4 = models.CharField(_("start cycle 4 (DD-MM)"), max_length=5, blank=True)
    enrolment_discount_perc = models.DecimalField(
        _("enrolment discount (%)"), null=True, blank=True, validators=_percent, **PERCENT
    )
    enrolment_discount_period = _months(
        _("enrolment discount period (months)"), null=True, blank=True
    )
    renewal_discount_perc = models.DecimalField(
        _("renewal discount (%)"), null=True, blank=True, validators=_percent, **PERCENT
    )
    renewal_discount_period = _months(_("renewal discount period (months)"), null=True, blank=True)
    acc_code_premiums = models.CharField(
        _("accounting code for contributions"), max_length=25, blank=True
    )
    acc_code_remuneration = models.CharField(
        _("accounting code for remuneration"), max_length=25, blank=True
    )
    # --- deductibles and ceilings (one family, see the module docstring) ---
    ceiling_type = models.CharField(
        _("deductibles and ceilings apply"),
        max_length=1,
        choices=CeilingType.choices,
        default=CeilingType.INSUREE,
    )
    ceiling_interpretation = models.CharField(
        _("ceiling interpretation"),
        max_length=1,
        choices=CeilingInterpretation.choices,
        default=CeilingInterpretation.CLAIM_TYPE,
    )
    deductible = _money(_("deductible"))
    deductible_ip = _money(_("in-patient deductible"))
    deductible_op = _money(_("out-patient deductible"))
    ceiling = _money(_("ceiling"))
    ceiling_ip = _money(_("in-patient ceiling"))
    ceiling_op = _money(_("out-patient ceiling"))
    extra_member_ceiling = _money(_("extra ceiling per member above the threshold"))
    extra_member_ceiling_ip = _money(_("extra in-patient ceiling per member"))
    extra_member_ceiling_op = _money(_("extra out-patient ceiling per member"))
    ceiling_cap = _money(_("absolute ceiling with extra members"))
    ceiling_cap_ip = _money(_("absolute in-patient ceiling with extra members"))
    ceiling_cap_op = _money(_("absolute out-patient ceiling with extra members"))
    # --- per-insuree limits by claim category ---
    max_no_consultation = _count(_("maximum consultations"))
    max_no_surgery = _count(_("maximum surgeries"))
    max_no_delivery = _count(_("maximum deliveries"))
    max_no_hospitalisation = _count(_("maximum hospitalisations"))
    max_no_visits = _count(_("maximum visits"))
    max_no_antenatal = _count(_("maximum antenatal care"))
    max_amount_consultation = _money(_("maximum amount of consultations"))
    max_amount_surgery = _money(_("maximum amount of surgeries"))
    max_amount_delivery = _money(_("maximum amount of deliveries"))
    max_amount_hospitalisation = _money(_("maximum amount of hospitalisations"))
    max_amount_antenatal = _money(_("maximum amount of antenatal care"))
    # --- relative pricing ---
    period_rel_prices = models.CharField(
        _("relative pricing period"), max_length=1, choices=RelativePeriod.choices, blank=True
    )
    period_rel_prices_ip = models.CharField(
        _("in-patient relative pricing period"),
        max_length=1,
        choices=RelativePeriod.choices,
        blank=True,
    )
    period_rel_prices_op = models.CharField(
        _("out-patient relative pricing period"),
        max_length=1,
        choices=RelativePeriod.choices,
        blank=True,
    )
    # --- capitation ---
    level_1 = models.CharField(
        _("facility level 1"), max_length=1, choices=FacilityLevel.choices, blank=True
    )
    sublevel_1 = models.CharField(
        _("sub-level 1"), max_length=1, choices=SubLevel.choices, blank=True
    )
    level_2 = models.CharField(
        _("facility level 2"), max_length=1, choices=FacilityLevel.choices, blank=True
    )
    sublevel_2 = models.CharField(
        _("sub-level 2"), max_length=1, choices=SubLevel.choices, blank=True
    )
    level_3 = models.CharField(
        _("facility level 3"), max_length=1, choices=FacilityLevel.choices, blank=True
    )
    sublevel_3 = models.CharField(
        _("sub-level 3"), max_length=1, choices=SubLevel.choices, blank=True
    )
    level_4 = models.CharField(
        _("facility level 4"), max_length=1, choices=FacilityLevel.choices, blank=True
    )
    sublevel_4 = models.CharField(
        _("sub-level 4"), max_length=1, choices=SubLevel.choices, blank=True
    )
    share_contribution = models.DecimalField(
        _("share of contributions for capitation (%)"),
        null=True,
        blank=True,
        validators=_percent,
        **PERCENT,
    )
    weight_population = models.DecimalField(
        _("weight: population"), default=0, validators=_percent, **PERCENT
    )
    weight_number_families = models.DecimalField(
        _("weight: number of families"), default=0, validators=_percent, **PERCENT
    )
    weight_insured_population = models.DecimalField(
        _("weight: insured population"), default=0, validators=_percent, **PERCENT
    )
    weight_number_insured_families = models.DecimalField(
        _("weight: number of insured families"), default=0, validators=_percent, **PERCENT
    )
    weight_number_visits = models.DecimalField(
        _("weight: number of visits"), default=0, validators=_percent, **PERCENT
    )
    weight_adjusted_amount = models.DecimalField(
        _("weight: adjusted amount"), default=0, validators=_percent, **PERCENT
    )

    created_at = models.DateTimeField(_("created on"), auto_now_add=True)
    history = History(excluded_fields=["uuid", "created_at"])

    class Meta:
        ordering = ["code"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            current_unique("code", name="product_code_current_unique"),
            models.CheckConstraint(
                condition=Q(date_to__gte=F("date_from")), name="product_sale_window_ordered"
            ),
            models.CheckConstraint(
                condition=Q(conversion_product__isnull=True) | ~Q(conversion_product=F("id")),
                name="product_conversion_not_itself",
            ),
            models.CheckConstraint(
                condition=Q(insurance_period__gte=1), name="product_insurance_period_positive"
            ),
            # kinga.core.bounds: periods in months and members.
            models.CheckConstraint(
                condition=Q(
                    insurance_period__lte=bounds.MONTHS_MAX,
                    administration_period__lte=bounds.MONTHS_MAX,
                    grace_period_enrolment__lte=bounds.MONTHS_MAX,
                    grace_period_renewal__lte=bounds.MONTHS_MAX,
                    grace_period_payment__lte=bounds.MONTHS_MAX,
                    max_installments__lte=bounds.INSTALMENTS_MAX,
                ),
                name="product_periods_bounded",
            ),
            models.CheckConstraint(
                condition=Q(max_members__lte=bounds.MEMBERS_MAX, threshold__lte=bounds.MEMBERS_MAX),
                name="product_members_bounded",
            ),
            # General ("hospital and non-hospital") or split in-patient / out-patient, never both.
            models.CheckConstraint(
                condition=(
                    Q(deductible__isnull=True, ceiling__isnull=True)
                    | Q(
                        deductible_ip__isnull=True,
                        deductible_op__isnull=True,
                        ceiling_ip__isnull=True,
                        ceiling_op__isnull=True,
                    )
                ),
                name="product_ceilings_general_or_split",
            ),
            models.CheckConstraint(
                condition=Q(share_contribution__isnull=True) | Q(share_contribution__lte=100),
                name="product_share_contribution_percent",
            ),
        ]
        indexes = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def cycles(self) -> list[str]:
        return [c for c in (getattr(self, f) for f in CYCLE_FIELDS) if c]

    @property
    def is_cycle_product(self) -> bool:
        return bool(self.cycles)

    def openimis_ceiling_columns(self) -> dict[str, Decimal | None]:
        """openIMIS's tblProduct deductible/ceiling columns (DedInsuree, MaxIPPolicy, ...)."""
        suffix = {"I": "Insuree", "T": "Treatment", "P": "Policy"}
        out: dict[str, Decimal | None] = {}
        for t, word in suffix.items():
            mine = self.ceiling_type == t
            out[f"Ded{word}"] = self.deductible if mine else None
            out[f"DedIP{word}"] = self.deductible_ip if mine else None
            out[f"DedOP{word}"] = self.deductible_op if mine else None
            out[f"Max{word}"] = self.ceiling if mine else None
            out[f"MaxIP{word}"] = self.ceiling_ip if mine else None
            out[f"MaxOP{word}"] = self.ceiling_op if mine else None
        policy = self.ceiling_type == "P"
        out["MaxPolicyExtraMember"] = self.extra_member_ceiling if policy else None
        out["MaxPolicyExtraMemberIP"] = self.extra_member_ceiling_ip if policy else None
        out["MaxPolicyExtraMemberOP"] = self.extra_member_ceiling_op if policy else None
        out["MaxCeilingPolicy"] = self.ceiling_cap if policy else None
        out["MaxCeilingPolicyIP"] = self.ceiling_cap_ip if policy else None
        out["MaxCeilingPolicyOP"] = self.ceiling_cap_op if policy else None
        return out


class RelativeDistribution(models.Model):
    """Share (%) of the contributions allocated to each period for relative pricing
    (openIMIS tblRelDistr)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="distributions")
    periods = models.PositiveSmallIntegerField(_("number of periods"))  # DistrType 1/4/12
    care_type = models.CharField(_("care type"), max_length=1, choices=CareType.choices)
    period = models.PositiveSmallIntegerField(_("period"))
    share = models.DecimalField(_("share (%)"), validators=_percent, **PERCENT)
    history = History()

    class Meta:
        ordering = ["care_type", "period"]
        verbose_name = _("relative distribution")
        constraints = [
            models.UniqueConstraint(
                fields=["product", "care_type", "period"], name="reldistr_unique_period"
            ),
            models.CheckConstraint(condition=Q(periods__in=[1, 4, 12]), name="reldistr_periods"),
            models.CheckConstraint(
                condition=Q(period__gte=1) & Q(period__lte=F("periods")),
                name="reldistr_period_in_range",
            ),
            models.CheckConstraint(
                condition=Q(share__gte=0) & Q(share__lte=100), name="reldistr_share_percent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.care_type} {self.period}/{self.periods}: {self.share}"


LIMIT_FIELDS = (
    "limit_adult",
    "limit_child",
    "limit_adult_r",
    "limit_child_r",
    "limit_adult_e",
    "limit_child_e",
)
COVERAGE_FIELDS = (
    "price_origin",
    "limitation_type",
    "limit_adult",
    "limit_child",
    "limitation_type_r",
    "limit_adult_r",
    "limit_child_r",
    "limitation_type_e",
    "limit_adult_e",
    "limit_child_e",
    "limit_no_adult",
    "limit_no_child",
    "waiting_period_adult",
    "waiting_period_child",
    "ceiling_exclusion_adult",
    "ceiling_exclusion_child",
)


def _coverage_constraints(prefix: str) -> list[models.BaseConstraint]:
    """Limits are never negative; a co-insurance covers at most 100 % of the price."""
    out: list[models.BaseConstraint] = [
        current_unique("product", prefix, name=f"product{prefix}_current_unique")
    ]
    for suffix in ("", "_r", "_e"):
        kind = f"limitation_type{suffix}"
        for who in ("adult", "child"):
            limit = f"limit_{who}{suffix}"
            out.append(
                models.CheckConstraint(
                    condition=Q(**{f"{limit}__gte": 0})
                    & (~Q(**{kind: "C"}) | Q(**{f"{limit}__lte": 100})),
                    name=f"product{prefix}_{limit}_range",
                )
            )
    return out


class Coverage(Register):
    """What a product covers of one service or item, and how (openIMIS tblProductServices /
    tblProductItems)."""

    price_origin = models.CharField(
        _("price origin"),
        max_length=1,
        choices=PriceOrigin.choices,
        default=PriceOrigin.PRICE_LIST,
    )
    limitation_type = models.CharField(
        _("limitation (ordinary visits)"),
        max_length=1,
        choices=LimitationType.choices,
        default=LimitationType.CO_INSURANCE,
    )
    limit_adult = models.DecimalField(
        _("adult limit"), default=100, validators=bounds.MONEY, **MONEY
    )
    limit_child = models.DecimalField(
        _("child limit"), default=100, validators=bounds.MONEY, **MONEY
    )
    limitation_type_r = models.CharField(
        _("limitation (referrals)"),
        max_length=1,
        choices=LimitationType.choices,
        default=LimitationType.CO_INSURANCE,
    )
    limit_adult_r = models.DecimalField(
        _("adult limit (referral)"), default=100, validators=bounds.MONEY, **MONEY
    )
    limit_child_r = models.DecimalField(
        _("child limit (referral)"), default=100, validators=bounds.MONEY, **MONEY
    )
    limitation_type_e = models.CharField(
        _("limitation (emergencies)"),
        max_length=1,
        choices=LimitationType.choices,
        default=LimitationType.CO_INSURANCE,
    )
    limit_adult_e = models.DecimalField(
        _("adult limit (emergency)"), default=100, validators=bounds.MONEY, **MONEY
    )
    limit_child_e = models.DecimalField(
        _("child limit (emergency)"), default=100, validators=bounds.MONEY, **MONEY
    )
    limit_no_adult = _count(_("maximum number per adult"))
    limit_no_child = _count(_("maximum number per child"))
    waiting_period_adult = _months(_("waiting period for adults (months)"), null=True, blank=True)
    waiting_period_child = _months(_("waiting period for children (months)"), null=True, blank=True)
    ceiling_exclusion_adult = models.CharField(
        _("ceiling exclusion (adults)"), max_length=1, choices=CeilingExclusion.choices, blank=True
    )
    ceiling_exclusion_child = models.CharField(
        _("ceiling exclusion (children)"),
        max_length=1,
        choices=CeilingExclusion.choices,
        blank=True,
    )

    class Meta:
        abstract = True


class ProductService(Coverage):
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="services")
    service = models.ForeignKey(
        "medical.Service",
        verbose_name=_("medical service"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    history = History(excluded_fields=["uuid"])

    class Meta:
        verbose_name = _("covered service")
        verbose_name_plural = _("covered services")
        constraints = _coverage_constraints("service")

    def __str__(self) -> str:
        return str(self.service)


class ProductItem(Coverage):
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="items")
    item = models.ForeignKey(
        "medical.Item", verbose_name=_("medical item"), on_delete=models.PROTECT, related_name="+"
    )
    history = History(excluded_fields=["uuid"])

    class Meta:
        verbose_name = _("covered item")
        verbose_name_plural = _("covered items")
        constraints = _coverage_constraints("item")

    def __str__(self) -> str:
        return str(self.item)
