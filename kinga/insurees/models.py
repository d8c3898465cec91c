"""Enrolment officers (spec registers §4.1).  Families and insurees come with the enrolment issue."""

from django.conf import settings
from django.db import models
from django.db.models import Func, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kinga.core.history import History
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
    history = History(excluded_fields=["uuid"], m2m_fields=[villages])

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


# --- families and insurees (spec registers §8) ---------------------------------------------


class FamilyType(models.TextChoices):
    COUNCIL = "C", _("Council")
    ORGANISATION = "G", _("Organisation")
    HOUSEHOLD = "H", _("Household")
    OTHER = "O", _("Other")
    PRIESTS = "P", _("Priests")
    STUDENTS = "S", _("Students")
    TEACHERS = "T", _("Teachers")


class ConfirmationType(models.TextChoices):
    LOCAL_COUNCIL = "A", _("Local council")
    MUNICIPALITY = "B", _("Municipality")
    STATE = "C", _("State")
    OTHER = "D", _("Other")


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")
    OTHER = "O", _("Other")


class MaritalStatus(models.TextChoices):
    MARRIED = "M", _("Married")
    SINGLE = "S", _("Single")
    DIVORCED = "D", _("Divorced")
    WIDOWED = "W", _("Widowed")
    NOT_SPECIFIED = "N", _("Not specified")


class Relationship(models.IntegerChoices):
    """Relationship to the head of family (openIMIS tblRelations); 7 "Others" pay per head."""

    SIBLING = 1, _("Brother/Sister")
    PARENT = 2, _("Father/Mother")
    UNCLE_AUNT = 3, _("Uncle/Aunt")
    CHILD = 4, _("Son/Daughter")
    GRANDPARENT = 5, _("Grand parents")
    EMPLOYEE = 6, _("Employee")
    OTHERS = 7, _("Others")
    SPOUSE = 8, _("Spouse")


class IdType(models.TextChoices):
    DRIVING_LICENCE = "D", _("Driver's licence")
    NATIONAL_ID = "N", _("National ID")
    PASSPORT = "P", _("Passport")
    VOTER_CARD = "V", _("Voter card")


class Profession(models.IntegerChoices):
    HOUSEWIFE = 1, _("Housewife")
    EMPLOYEE = 2, _("Employee")
    SELF_EMPLOYED = 3, _("Self employed")
    OTHERS = 4, _("Others")


class Education(models.IntegerChoices):
    NURSERY = 1, _("Nursery")
    PRIMARY = 2, _("Primary")
    SECONDARY = 3, _("Secondary")
    UNIVERSITY = 4, _("University")
    POSTGRADUATE = 5, _("Postgraduate")
    PHD = 6, _("PhD")
    OTHER = 7, _("Other")


# The first letters before which French elides « de » into « d' » (« Famille d'Emmanuel »).
ELIDING = frozenset("AEIOUYÀÂÄÆÉÈÊËÎÏÔÖŒÙÛÜŸ")


class InsureeStatus(models.TextChoices):
    ACTIVE = "AC", _("Active")
    # (« Inactif »: the facilities' « Inactive », a formation sanitaire, has the same msgid.)
    INACTIVE = "IN", pgettext_lazy("insuree", "Inactive")
    DEAD = "DE", _("Dead")


class Family(Register):
    """Famille: a household (or group) living in a village, with its head (chef de famille).

    `head` is nullable only so that the family and its head are written in one transaction
    (kinga.insurees.services.families.family_create); a current family always has one."""

    head = models.ForeignKey(
        "Insuree",
        verbose_name=_("head of family"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="headed_families",
    )
    village = models.ForeignKey(
        "locations.Location",
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        related_name="family_set",
        limit_choices_to={"type": "V"},
    )
    poverty = models.BooleanField(_("poverty status"), default=False)
    family_type = models.CharField(
        _("family type"), max_length=2, choices=FamilyType.choices, blank=True
    )
    address = models.CharField(_("permanent address"), max_length=200, blank=True)
    ethnicity = models.CharField(_("ethnicity"), max_length=1, blank=True)
    confirmation_type = models.CharField(
        _("confirmation type"), max_length=3, choices=ConfirmationType.choices, blank=True
    )
    confirmation_no = models.CharField(_("confirmation number"), max_length=12, blank=True)
    history = History(excluded_fields=["uuid"])

    class Meta:
        verbose_name = _("family")
        verbose_name_plural = _("families")
        ordering = ["id"]
        # A village's families as a set of ids, from the index alone (the insuree search).
        indexes = [models.Index(fields=["village", "id"], name="family_village_ids")]

    def __str__(self) -> str:
        head = self.head
        if head is None:
            return str(_("Family without head"))
        if getattr(head, "confidential", False):  # masked in the query (issue 15)
            return str(_("Family: confidential data"))
        name = f"{head.other_names} {head.last_name}".strip() or head.insurance_number
        if name[:1].upper() in ELIDING:  # « Famille d'Alain »
            return str(pgettext_lazy("before a vowel", "Family of %(head)s") % {"head": name})
        return str(_("Family of %(head)s") % {"head": name})


def photo_path(instance: "Insuree", filename: str) -> str:
    """<year>/<month>/<day>/<insuree uuid>/<file> under MEDIA_ROOT/insurees (as openIMIS)."""
    from django.utils import timezone

    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"insurees/{timezone.now():%Y/%m/%d}/{instance.uuid}/photo.{ext}"


class FoldedName(Func):
    """kinga_fold(last_name, other_names): the name without accents, case, apostrophes,
    hyphens or spaces (« N'Dongo Ébéné » → « ndongoebene »): PostgreSQL's unaccent in an
    immutable function, SQLite's kinga.insurees.rules.fold_name (migration 0004_search_names,
    kinga.insurees.apps)."""

    function = "kinga_fold"
    output_field = models.TextField()

    def __init__(self, prefix: str = "", **extra):
        super().__init__(models.F(f"{prefix}last_name"), models.F(f"{prefix}other_names"), **extra)


class Insuree(Register):
    """Assuré: a person enrolled, member of a family (or detached when `family` is null)."""

    family = models.ForeignKey(
        Family,
        verbose_name=_("family"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    insurance_number = models.CharField(_("insurance number"), max_length=50)
    last_name = models.CharField(_("last name"), max_length=100)
    other_names = models.CharField(_("other names"), max_length=100)
    dob = models.DateField(_("date of birth"))
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    marital = models.CharField(
        _("marital status"), max_length=1, choices=MaritalStatus.choices, blank=True
    )
    is_head = models.BooleanField(_("head of family"), default=False)
    relationship = models.PositiveSmallIntegerField(
        _("relationship to the head"), choices=Relationship.choices, null=True, blank=True
    )
    type_of_id = models.CharField(
        _("type of identification"), max_length=1, choices=IdType.choices, blank=True
    )
    id_number = models.CharField(_("identification number"), max_length=25, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), max_length=100, blank=True)
    current_address = models.CharField(_("current address"), max_length=200, blank=True)
    current_village = models.ForeignKey(
        "locations.Location",
        verbose_name=_("current village"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="insurees_living",
        limit_choices_to={"type": "V"},
    )
    photo = models.FileField(_("photo"), upload_to=photo_path, max_length=200, blank=True)
    photo_date = models.DateField(_("photo date"), null=True, blank=True)
    card_issued = models.BooleanField(_("card issued"), default=False)
    profession = models.PositiveSmallIntegerField(
        _("profession"), choices=Profession.choices, null=True, blank=True
    )
    education = models.PositiveSmallIntegerField(
        _("education"), choices=Education.choices, null=True, blank=True
    )
    first_service_point = models.ForeignKey(
        "facilities.HealthFacility",
        verbose_name=_("first service point"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="first_served",
    )
    status = models.CharField(
        _("status"), max_length=2, choices=InsureeStatus.choices, default=InsureeStatus.ACTIVE
    )
    status_date = models.DateField(_("status date"), null=True, blank=True)
    status_reason = models.CharField(_("status reason"), max_length=200, blank=True)
    # The name as searched, kept by the database itself whatever writes the row (pages,
    # imports by COPY, SQL): trigram-indexed on PostgreSQL (migration 0004_search_names).
    search_name = models.GeneratedField(
        expression=FoldedName(),
        output_field=models.TextField(),
        db_persist=True,
        verbose_name=_("name as searched"),
    )
    # The village he counts in (spec registers §2.3): his family's, else his current village.
    # Kept by the database's triggers whatever writes the rows (kinga.insurees.villages): a
    # village's insurees, or a district's, come from one index in the list's order.
    village = models.ForeignKey(
        "locations.Location",
        verbose_name=_("village (of the family)"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # insuree_village_order leads with it
        related_name="+",
    )
    history = History(excluded_fields=["uuid", "search_name", "village"])

    class Meta:
        verbose_name = _("insuree")
        verbose_name_plural = _("insurees")
        ordering = ["last_name", "other_names", "id"]
        constraints = [
            current_unique("insurance_number", name="insuree_number_current_unique"),
            # One current head per family (Family.head points at him).
            models.UniqueConstraint(
                fields=["family"],
                condition=Q(is_head=True, retired_at__isnull=True),
                name="insuree_one_head_per_family",
            ),
        ]
        indexes = [
            # The lists' order (last name, other names, id): a page's keys are read in index
            # order without visiting the table (what the search filters on is included).
            models.Index(
                fields=["last_name", "other_names", "id"],
                include=["search_name", "retired_at", "insurance_number", "village", "status"],
                name="insuree_name_order",
            ),
            # A village's insurees (or a district's: a set of villages) in the list's order.
            models.Index(
                fields=["village", "last_name", "other_names", "id"],
                include=["search_name", "retired_at", "insurance_number", "status"],
                name="insuree_village_order",
            ),
            models.Index(fields=["dob"]),
            models.Index(fields=["phone"]),
        ]

    def __str__(self) -> str:
        return f"{self.insurance_number} {self.other_names} {self.last_name}"

    def save(self, *args, **kwargs):
        if getattr(self, "confidential", False):
            # Read masked (kinga.insurees.queries.confidential): saving would overwrite the names.
            raise ValueError("a masked insuree cannot be saved")
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return f"{self.other_names} {self.last_name}".strip()


class InsureeNumberSequence(models.Model):
    """The counter of the insurance-number generator (one row per scheme name)."""

    name = models.CharField(max_length=20, unique=True)
    last = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("insurance number sequence")

    def __str__(self) -> str:
        return f"{self.name}: {self.last}"
