"""Payers (spec registers §4.3).  Policies and contributions come with the enrolment issue."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from kinga.core.registers import Register


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
    history = HistoricalRecords(excluded_fields=["uuid"])

    class Meta:
        ordering = ["name"]
        verbose_name = _("payer")
        verbose_name_plural = _("payers")

    def __str__(self) -> str:
        return self.name
