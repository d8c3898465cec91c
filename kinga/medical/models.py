"""Medical items and services, diagnoses (ICD-10), price lists (spec registers §5, §6)."""

from decimal import Decimal

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kinga.core import bounds
from kinga.core.history import History
from kinga.core.registers import ALL_PATIENTS, CareType, Register, current_unique

MONEY = {"max_digits": 18, "decimal_places": 2}


class ItemType(models.TextChoices):
    DRUG = "D", _("Drug")
    CONSUMABLE = "M", _("Medical consumable")


class ServiceType(models.TextChoices):
    PREVENTIVE = "P", _("Preventive")
    CURATIVE = "C", _("Curative")


class ServiceLevel(models.TextChoices):
    SIMPLE = "S", _("Simple service")
    VISIT = "V", _("Visit")
    DAY = "D", _("Day of stay")
    HOSPITAL = "H", _("Hospital case")


class ServiceCategory(models.TextChoices):
    SURGERY = "S", _("Surgery")
    DELIVERY = "D", _("Delivery")
    ANTENATAL = "A", _("Antenatal care")
    HOSPITALISATION = "H", _("Hospitalisation")
    CONSULTATION = "C", _("Consultation")
    VISIT = "V", _("Visit")
    OTHER = "O", _("Other")


class MedicalRegister(Register):
    """What items and services share (openIMIS tblItems / tblServices)."""

    code = models.CharField(_("code"), max_length=6)
    name = models.CharField(_("name"), max_length=100)
    price = models.DecimalField(_("price"), validators=bounds.MONEY, **MONEY)
    care_type = models.CharField(_("care type"), max_length=1, choices=CareType.choices)
    frequency = models.PositiveSmallIntegerField(
        _("frequency (days)"),
        default=0,
        validators=bounds.DAYS,
        help_text=_(
            "Minimum number of days between two provisions to the same patient; 0 = no limit."
        ),
    )
    patient_category = models.PositiveSmallIntegerField(
        _("patient categories"),
        default=ALL_PATIENTS,
        validators=[MaxValueValidator(ALL_PATIENTS)],
        help_text=_("Bits: 1 man, 2 woman, 4 adult, 8 child."),
    )
    maximum_amount = models.DecimalField(
        _("maximum amount"),
        null=True,
        blank=True,
        validators=bounds.MONEY,
        **MONEY,
    )

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Item(MedicalRegister):
    type = models.CharField(_("type"), max_length=1, choices=ItemType.choices)
    package = models.CharField(_("package"), max_length=255, blank=True)
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        validators=bounds.MONEY,
    )
    history = History(excluded_fields=["uuid"])

    class Meta(MedicalRegister.Meta):
        verbose_name = _("medical item")
        verbose_name_plural = _("medical items")
        constraints = [current_unique("code", name="item_code_current_unique")]
        indexes = [models.Index(fields=["name"])]


class Service(MedicalRegister):
    type = models.CharField(_("type"), max_length=1, choices=ServiceType.choices)
    level = models.CharField(_("level"), max_length=1, choices=ServiceLevel.choices)
    category = models.CharField(
        _("category"), max_length=1, choices=ServiceCategory.choices, blank=True
    )
    history = History(excluded_fields=["uuid"])

    class Meta(MedicalRegister.Meta):
        verbose_name = _("medical service")
        verbose_name_plural = _("medical services")
        constraints = [current_unique("code", name="service_code_current_unique")]
        indexes = [models.Index(fields=["name"])]


class Diagnosis(Register):
    """An ICD-10 code (openIMIS tblICDCodes), named in English and in French."""

    code = models.CharField(_("code"), max_length=6)
    name = models.CharField(_("name"), max_length=255)
    name_fr = models.CharField(_("French name"), max_length=255, blank=True)
    history = History(excluded_fields=["uuid"])

    class Meta:
        ordering = ["code"]
        verbose_name = _("diagnosis")
        verbose_name_plural = _("diagnoses")
        constraints = [current_unique("code", name="diagnosis_code_current_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.display_name}"

    @property
    def display_name(self) -> str:
        from django.utils.translation import get_language

        if (get_language() or "").startswith("fr") and self.name_fr:
            return self.name_fr
        return self.name


class PriceList(Register):
    """A price list header (openIMIS tblPLServices / tblPLItems): national, or of a region or a
    district; its members may override the register price."""

    name = models.CharField(_("name"), max_length=100)
    date = models.DateField(_("date"))
    location = models.ForeignKey(
        "locations.Location",
        verbose_name=_("location"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("A region or a district; empty for a national price list."),
    )

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ServicesPriceList(PriceList):
    services = models.ManyToManyField(
        Service, through="ServicesPriceListEntry", related_name="price_lists"
    )
    history = History(excluded_fields=["uuid"])

    class Meta(PriceList.Meta):
        verbose_name = _("services price list")
        verbose_name_plural = _("services price lists")
        constraints = [current_unique("name", name="plservices_name_current_unique")]


class ItemsPriceList(PriceList):
    items = models.ManyToManyField(Item, through="ItemsPriceListEntry", related_name="price_lists")
    history = History(excluded_fields=["uuid"])

    class Meta(PriceList.Meta):
        verbose_name = _("items price list")
        verbose_name_plural = _("items price lists")
        constraints = [current_unique("name", name="plitems_name_current_unique")]


class PriceListEntry(Register):
    price_override = models.DecimalField(
        _("price override"),
        null=True,
        blank=True,
        validators=bounds.MONEY,
        **MONEY,
    )

    class Meta:
        abstract = True


class ServicesPriceListEntry(PriceListEntry):
    price_list = models.ForeignKey(
        ServicesPriceList, on_delete=models.PROTECT, related_name="entries"
    )
    service = models.ForeignKey(
        Service, verbose_name=_("medical service"), on_delete=models.PROTECT, related_name="+"
    )
    history = History(excluded_fields=["uuid"])

    class Meta:
        verbose_name = _("services price list member")
        constraints = [
            current_unique("price_list", "service", name="plservices_entry_current_unique")
        ]

    @property
    def effective_price(self) -> Decimal:
        return self.price_override if self.price_override is not None else self.service.price


class ItemsPriceListEntry(PriceListEntry):
    price_list = models.ForeignKey(ItemsPriceList, on_delete=models.PROTECT, related_name="entries")
    item = models.ForeignKey(
        Item, verbose_name=_("medical item"), on_delete=models.PROTECT, related_name="+"
    )
    history = History(excluded_fields=["uuid"])

    class Meta:
        verbose_name = _("items price list member")
        constraints = [current_unique("price_list", "item", name="plitems_entry_current_unique")]

    @property
    def effective_price(self) -> Decimal:
        return self.price_override if self.price_override is not None else self.item.price
