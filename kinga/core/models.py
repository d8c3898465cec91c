"""Users and roles.

Users are never deleted: they are retired (`retired_at`, `is_active = False`).  Every change to a
user or a role leaves a history row (django-simple-history) with who and when.
"""

import uuid

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.core.validators import MinLengthValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kinga.core.history import History

from .rights import IMIS_ADMIN_BIT


class Language(models.TextChoices):
    FR = "fr", "Français"
    EN = "en", "English"


class Role(models.Model):
    """A set of rights ("user profile" in openIMIS).  System roles keep their openIMIS bit."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=50)
    alt_language = models.CharField(_("name in the other language"), max_length=50, blank=True)
    is_system = models.IntegerField(
        _("system role"), default=0, help_text=_("openIMIS bit; 0 = custom")
    )
    is_blocked = models.BooleanField(_("blocked"), default=False)
    rights = models.JSONField(_("rights"), default=list)
    retired_at = models.DateTimeField(_("retired on"), null=True, blank=True)
    history = History(excluded_fields=["uuid"])

    class Meta:
        ordering = ["name"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            # One current role per name, whatever its case; retired roles keep theirs.
            models.UniqueConstraint(
                Lower("name"),
                condition=Q(retired_at__isnull=True),
                name="role_name_current_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if get_language() == "fr" and self.alt_language:
            return self.alt_language
        return self.name

    @property
    def is_imis_admin(self) -> bool:
        return bool(self.is_system & IMIS_ADMIN_BIT)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, username: str, password: str | None = None, **fields) -> "User":
        user = self.model(username=username, **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username):
        """The user of a login name, whatever its case (authentication, `createsuperuser`):
        the current one first, else the user of exactly that name."""
        users = self.filter(username__iexact=username)
        current = users.filter(retired_at__isnull=True).first()
        if current is not None:
            return current
        return self.get(username=username)

    def create_superuser(self, username: str, password: str | None = None, **fields) -> "User":
        """`kinga createsuperuser`: a user holding the IMIS Administrator role."""
        fields.setdefault("last_name", username)
        fields.setdefault("other_names", username)
        user = self.create_user(username, password, **fields)
        admin_role = Role.objects.filter(is_system=IMIS_ADMIN_BIT, retired_at__isnull=True).first()
        if admin_role:
            user.roles.add(admin_role)
        return user


login_name_validator = RegexValidator(
    r"^[\w.@+-]+\Z", _("Use letters, digits and . @ + - _ only, without spaces.")
)


class User(AbstractBaseUser):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    username = models.CharField(
        _("login name"),
        max_length=50,
        unique=True,
        validators=[MinLengthValidator(3), login_name_validator],
        error_messages={"unique": _("A user with this login name already exists.")},
    )
    last_name = models.CharField(_("last name"), max_length=100)
    other_names = models.CharField(_("other names"), max_length=100)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), max_length=200, blank=True)
    language = models.CharField(
        _("language"), max_length=5, choices=Language.choices, default=Language.FR
    )
    health_facility = models.ForeignKey(
        "facilities.HealthFacility",
        verbose_name=_("health facility"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    roles = models.ManyToManyField(Role, verbose_name=_("roles"), related_name="users", blank=True)
    districts = models.ManyToManyField(
        "locations.Location",
        verbose_name=_("districts"),
        related_name="users",
        blank=True,
        limit_choices_to={"type": "D"},
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("created on"), default=timezone.now)
    retired_at = models.DateTimeField(_("retired on"), null=True, blank=True)
    password_changed_at = models.DateTimeField(null=True, blank=True, editable=False)

    history = History(
        m2m_fields=[roles, districts], excluded_fields=["uuid", "last_login", "password"]
    )

    objects = UserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["last_name", "other_names"]

    class Meta:
        ordering = ["last_name", "other_names"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # One current user per login name, whatever its case: « Admin » is « admin » at
            # login (UserManager.get_by_natural_key), so two of them would be one login.
            models.UniqueConstraint(
                Lower("username"),
                condition=Q(retired_at__isnull=True),
                name="user_login_current_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.other_names} {self.last_name}".strip() or self.username

    @property
    def full_name(self) -> str:
        return str(self)

    # Django's admin and auth helpers expect these.
    @property
    def is_staff(self) -> bool:
        return False

    @property
    def is_superuser(self) -> bool:
        return False

    def has_perm(self, perm, obj=None) -> bool:  # pragma: no cover - Kinga uses kinga.core.access
        return False

    def has_module_perms(self, app_label) -> bool:  # pragma: no cover
        return False


def default_language() -> str:
    return settings.LANGUAGE_CODE


class LoginCode(models.Model):
    """A one-time code with which a person sets his own password (« Activer mon compte »): given
    with a new login whose creator may not choose its password, or by an administrator to a
    user who lost his (kinga.core.services.login_codes).  Only its hash is kept; it expires,
    serves once, and a newer code voids the older ones."""

    class Purpose(models.TextChoices):
        ACTIVATE = "activate", _("account activation")
        RESET = "reset", _("password reset")

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.PROTECT, related_name="login_codes"
    )
    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose.choices)
    code_hash = models.CharField(max_length=128, editable=False)
    created_at = models.DateTimeField(_("given on"), default=timezone.now)
    created_by = models.ForeignKey(
        User,
        verbose_name=_("given by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    expires_at = models.DateTimeField(_("expires on"))
    used_at = models.DateTimeField(_("used on"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} · {self.user}"


class AuditEntry(models.Model):
    """One read of a person's record, allowed or denied: the read audit (issue 15).

    Append-only: the application only ever inserts (kinga.core.audit); on PostgreSQL a trigger
    refuses UPDATE and DELETE.  Each entry carries `hash`, a SHA-256 over its own fields and the
    previous entry's hash (`prev_hash`), so that `kinga audit-verify` detects a row changed or
    removed directly in the database.

    What `kind` and `record` name (the read-audit page finds a person's readers through them):
    - ``insurees.family``   record = the family's id (its page shows every member);
    - ``insurees.insuree``  record = the insuree's id;
    - ``policies.enquiry``  record = the insuree's id;
    - ``claims.claim``      record = the claim's id (a voucher print is action ``print``);
    - ``insurees.export`` / ``claims.export``: one entry per export, record empty, ``rows`` the
      ids of the insurees (or claims) it held;
    - ``insurees.search`` / ``claims.search``: one entry per page of search results, record
      empty, ``rows`` the ids of the insurees (or claims) the page showed.
    """

    class Action(models.TextChoices):
        VIEW = "view", _("viewed")
        EXPORT = "export", _("exported")
        PRINT = "print", _("printed")

    class Outcome(models.TextChoices):
        ALLOWED = "allowed", _("allowed")
        DENIED = "denied", _("denied")

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(_("time"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # audit_user_at serves (one index less to write per read)
    )
    # The login at the time, kept with the entry so that an archived entry stands alone.
    login = models.CharField(_("login"), max_length=50, blank=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=8, choices=Action.choices)
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices)
    kind = models.CharField(_("record kind"), max_length=40)
    record = models.CharField(_("record"), max_length=64, blank=True)
    rows = models.JSONField(_("rows"), null=True, blank=True)
    path = models.CharField(_("address of the page"), max_length=255, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        # A constraint rather than `unique=True`, which on PostgreSQL adds a second index for
        # LIKE searches nobody makes: each read writes one index less.
        constraints = [models.UniqueConstraint(fields=["hash"], name="audit_hash_unique")]
        indexes = [
            models.Index(fields=["kind", "record"], name="audit_kind_record"),
            models.Index(fields=["user", "at"], name="audit_user_at"),
            models.Index(fields=["at"], name="audit_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.login} {self.action} {self.kind} {self.record}"


class AuditAnchor(models.Model):
    """One run of `kinga audit-archive`: the entries up to `last_id` went to `file` and left the
    table; `last_hash` (the hash of the last of them) is where the chain of the entries still in
    the table starts, so that `kinga audit-verify` checks them without the archived ones.
    Append-only too (a PostgreSQL trigger refuses UPDATE and DELETE)."""

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(_("time"))
    first_id = models.BigIntegerField()
    last_id = models.BigIntegerField()
    first_prev_hash = models.CharField(max_length=64)
    last_hash = models.CharField(max_length=64)
    count = models.PositiveIntegerField()
    file = models.CharField(max_length=255)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("audit archive")
        verbose_name_plural = _("audit archives")

    def __str__(self) -> str:
        return f"{self.file} ({self.first_id}–{self.last_id})"
