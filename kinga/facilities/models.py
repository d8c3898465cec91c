"""Health facilities (FOSA).  The foundation needs only what a user record points to; the
registers issue adds the rest of openIMIS's tblHF fields."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class HealthFacility(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(_("code"), max_length=8)
    name = models.CharField(_("name"), max_length=100)
    district = models.ForeignKey(
        "locations.Location",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="health_facilities",
        limit_choices_to={"type": "D"},
    )
    retired_at = models.DateTimeField(_("retired on"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["uuid"])

    class Meta:
        ordering = ["code"]
        verbose_name = _("health facility")
        verbose_name_plural = _("health facilities")
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(retired_at__isnull=True), name="hf_code_current_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
