"""Enrolment officers (spec registers §4.1).  Families and insurees come with the enrolment issue."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kinga.core.registers import Register, current_unique


class Officer(Register):
    """Agent d'affiliation: enrols families of a district and its villages."""

    code = models.CharField(_("code"), max_length=8)
    last_name = models.CharField(_("last name"), max_length=100)
    other_names = models.CharField(_("other names"), max_length=100)
    dob = models.DateField(_("date of birth"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=100, blank=True)
    district = models.ForeignKey(
        "locations.Location",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="officers",
        limit_choices_to={"type": "D"},
    )
    villages = models.ManyToManyField(
        "locations.Location",
        verbose_name=_("villages served"),
        related_name="officers_serving",
        blank=True,
        limit_choices_to={"type": "V"},
    )
    substitute = models.ForeignKey(
        "self",
        verbose_name=_("substitute"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="substituted",
    )
    works_to = models.DateField(_("works to"), null=True, blank=True)
    veo_code = models.CharField(_("village executive officer: code"), max_length=8, blank=True)
    veo_last_name = models.CharField(
        _("village executive officer: last name"), max_length=100, blank=True
    )
    veo_other_names = models.CharField(
        _("village executive officer: other names"), max_length=100, blank=True
    )
    veo_dob = models.DateField(_("village executive officer: date of birth"), null=True, blank=True)
    veo_phone = models.CharField(_("village executive officer: phone"), max_length=50, blank=True)
    phone_communication = models.BooleanField(
        _("receives renewal reminders by phone"), default=False
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="officer",
    )
    history = HistoricalRecords(excluded_fields=["uuid"], m2m_fields=[villages])

    class Meta:
        ordering = ["code"]
        verbose_name = _("enrolment officer")
        verbose_name_plural = _("enrolment officers")
        constraints = [
            current_unique("code", name="officer_code_current_unique"),
            # A substitute and a "works to" date go together (openIMIS Officer.aspx validators).
            models.CheckConstraint(
                condition=Q(substitute__isnull=True, works_to__isnull=True)
                | Q(substitute__isnull=False, works_to__isnull=False),
                name="officer_substitute_with_works_to",
            ),
            models.CheckConstraint(
                condition=~Q(substitute=models.F("id")), name="officer_not_own_substitute"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.other_names} {self.last_name}"
