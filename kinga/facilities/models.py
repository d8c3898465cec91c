"""Health facilities (FOSA), their catchment villages, and claim administrators
(spec registers §4.2, §4.4)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kinga.core.history import History
from kinga.core.registers import CareType, Register, current_unique


class LegalForm(models.TextChoices):
    CHARITY = "C", _("Charity")
    DISTRICT_ORGANISATION = "D", _("District organisation")
    GOVERNMENT = "G", _("Government")
    PRIVATE = "P", _("Private organisation")


class FacilityLevel(models.TextChoices):
    DISPENSARY = "D", _("Dispensary")
    HEALTH_CENTRE = "C", _("Health centre")
    HOSPITAL = "H", _("Hospital")


class SubLevel(models.TextChoices):
    INTEGRATED = "I", _("Integrated")
    NONE = "N", _("No sub-level")
    REFERENCE = "R", _("Reference")


class FacilityStatus(models.TextChoices):
    ACTIVE = "AC", _("Active")
    INACTIVE = "IN", _("Inactive")
    DELISTED = "DE", _("Delisted")
    IDLE = "ID", _("Idle")


class HealthFacility(Register):
    code = models.CharField(_("code"), max_length=8)
    name = models.CharField(_("name"), max_length=100)
    acc_code = models.CharField(_("accounting code"), max_length=25, blank=True)
    legal_form = models.CharField(
        _("legal form"), max_length=1, choices=LegalForm.choices, default=LegalForm.GOVERNMENT
    )
    level = models.CharField(
        _("level"), max_length=1, choices=FacilityLevel.choices, default=FacilityLevel.HEALTH_CENTRE
    )
    sub_level = models.CharField(_("sub-level"), max_length=1, choices=SubLevel.choices, blank=True)
    district = models.ForeignKey(
        "locations.Location",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="health_facilities",
        limit_choices_to={"type": "D"},
    )
    address = models.CharField(_("address"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    fax = models.CharField(_("fax"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), max_length=100, blank=True)
    care_type = models.CharField(
        _("care type"), max_length=1, choices=CareType.choices, default=CareType.BOTH
    )
    services_price_list = models.ForeignKey(
        "medical.ServicesPriceList",
        verbose_name=_("services price list"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="health_facilities",
    )
    items_price_list = models.ForeignKey(
        "medical.ItemsPriceList",
        verbose_name=_("items price list"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="health_facilities",
    )
    contract_start_date = models.DateField(_("contract start date"), null=True, blank=True)
    contract_end_date = models.DateField(_("contract end date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=2, choices=FacilityStatus.choices, default=FacilityStatus.ACTIVE
    )
    history = History(excluded_fields=["uuid"])

    class Meta:
        ordering = ["code"]
        verbose_name = _("health facility")
        verbose_name_plural = _("health facilities")
        constraints = [
            current_unique("code", name="hf_code_current_unique"),
            # A contract has both dates or neither, and ends after it starts.
            models.CheckConstraint(
                condition=Q(contract_start_date__isnull=True, contract_end_date__isnull=True)
                | Q(
                    contract_start_date__isnull=False,
                    contract_end_date__isnull=False,
                    contract_end_date__gt=F("contract_start_date"),
                ),
                name="hf_contract_dates_pair",
            ),
        ]
        indexes = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Catchment(Register):
    """A village (partly) served by a facility, with the share of its population."""

    health_facility = models.ForeignKey(
        HealthFacility, on_delete=models.PROTECT, related_name="catchments"
    )
    village = models.ForeignKey(
        "locations.Location",
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"type": "V"},
    )
    percentage = models.PositiveSmallIntegerField(
        _("percentage"), default=100, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    history = History(excluded_fields=["uuid"])

    class Meta:
        verbose_name = _("catchment village")
        constraints = [
            current_unique("health_facility", "village", name="catchment_current_unique"),
            models.CheckConstraint(
                condition=Q(percentage__gte=1, percentage__lte=100),
                name="catchment_percentage_range",
            ),
        ]


class ClaimAdmin(Register):
    """Gestionnaire des prestations: submits claims for one health facility."""

    code = models.CharField(_("code"), max_length=8)
    last_name = models.CharField(_("last name"), max_length=100)
    other_names = models.CharField(_("other names"), max_length=100)
    dob = models.DateField(_("date of birth"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), max_length=200, blank=True)
    health_facility = models.ForeignKey(
        HealthFacility,
        verbose_name=_("health facility"),
        on_delete=models.PROTECT,
        related_name="claim_admins",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claim_admin",
    )
    history = History(excluded_fields=["uuid"])

    class Meta:
        ordering = ["code"]
        verbose_name = _("claim administrator")
        verbose_name_plural = _("claim administrators")
        constraints = [current_unique("code", name="claim_admin_code_current_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.other_names} {self.last_name}"
