"""Pieces shared by every register model: public UUID, soft delete, the current-rows manager,
and the patient-category and care-type codes of openIMIS."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RegisterQuerySet(models.QuerySet):
    def current(self):
        return self.filter(retired_at__isnull=True)


class Register(models.Model):
    """A register row: addressed by UUID, never deleted (retired), history kept by each model."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    retired_at = models.DateTimeField(_("retired on"), null=True, blank=True)

    objects = RegisterQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


def current_unique(*fields: str, name: str) -> models.UniqueConstraint:
    """Unique among current rows: a retired row keeps its code and frees it."""
    return models.UniqueConstraint(
        fields=list(fields), condition=Q(retired_at__isnull=True), name=name
    )


class CareType(models.TextChoices):
    OUT_PATIENT = "O", _("Out-patient")
    IN_PATIENT = "I", _("In-patient")
    BOTH = "B", _("Both")


class PatientCategory(models.IntegerChoices):
    """Bits of openIMIS's patient-category mask (be-core core/utils.py)."""

    MALE = 1, _("Man")
    FEMALE = 2, _("Woman")
    ADULT = 4, _("Adult")
    CHILD = 8, _("Child")


ALL_PATIENTS = 15


def patient_category_labels(mask: int) -> list[str]:
    if not mask:
        return [str(_("everyone"))]
    return [str(c.label) for c in PatientCategory if mask & c.value]
