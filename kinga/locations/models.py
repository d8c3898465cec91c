"""Region > District > Municipality > Village (openIMIS tblLocations, spec §2)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kinga.core import bounds
from kinga.core.history import History


class LocationType(models.TextChoices):
    # openIMIS's codes; the names shown come from settings.KINGA_LOCATION_LEVEL_NAMES.
    REGION = "R", _("Region")
    DISTRICT = "D", _("District")
    MUNICIPALITY = "W", _("Municipality")
    VILLAGE = "V", _("Village")


LEVELS: list[str] = ["R", "D", "W", "V"]


def level_name(type_code: str, language: str | None = None) -> str:
    """The configured name of a level in the user's language (a setting per scheme)."""
    names = settings.KINGA_LOCATION_LEVEL_NAMES
    lang = (language or get_language() or settings.LANGUAGE_CODE)[:2]
    return names.get(lang, names["en"]).get(type_code, type_code)


def level_names_plural(type_code: str) -> str:
    return level_name(type_code)


class LocationQuerySet(models.QuerySet):
    def current(self) -> "LocationQuerySet":
        return self.filter(retired_at__isnull=True)


class Location(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(_("code"), max_length=8)
    name = models.CharField(_("name"), max_length=50)
    type = models.CharField(_("level"), max_length=1, choices=LocationType.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    male_population = models.PositiveIntegerField(
        _("male population"), null=True, blank=True, validators=bounds.COUNT
    )
    female_population = models.PositiveIntegerField(
        _("female population"), null=True, blank=True, validators=bounds.COUNT
    )
    other_population = models.PositiveIntegerField(
        _("other population"), null=True, blank=True, validators=bounds.COUNT
    )
    families = models.PositiveIntegerField(
        _("number of families"), null=True, blank=True, validators=bounds.COUNT
    )
    retired_at = models.DateTimeField(_("retired on"), null=True, blank=True)

    history = History(excluded_fields=["uuid"])
    objects = LocationQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        constraints = [
            # Codes are unique among current locations of every level (openIMIS check_unique_code).
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(retired_at__isnull=True),
                name="location_code_current_unique",
            ),
            models.CheckConstraint(
                condition=Q(type="R", parent__isnull=True)
                | (~Q(type="R") & Q(parent__isnull=False)),
                name="location_parent_matches_level",
            ),
        ]
        indexes = [models.Index(fields=["type", "parent"]), models.Index(fields=["name"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def level(self) -> int:
        return LEVELS.index(self.type)

    @property
    def level_name(self) -> str:
        return level_name(self.type)

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None

    def district_id_or_none(self) -> int | None:
        """The id of the district this location is in (itself for a district); None for a region."""
        if self.type == "D":
            return self.id
        if self.type == "W":
            return self.parent_id
        if self.type == "V":
            return self.parent.parent_id if self.parent else None
        return None

    def ancestors(self) -> list["Location"]:
        chain: list[Location] = []
        node = self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))
