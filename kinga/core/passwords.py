"""Password policy (openIMIS be_py settings/security.py): 8+ characters with an upper-case
letter, a lower-case letter, a digit and a symbol, and not like the login name."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CharacterClassesValidator:
    """Letters are checked with Unicode's case, so "É" is an upper-case letter, not a symbol."""

    CLASSES = [
        ("upper", str.isupper),
        ("lower", str.islower),
        ("digit", str.isdigit),
        ("symbol", lambda c: not c.isalnum()),
    ]

    def validate(self, password, user=None):
        missing = [code for code, test in self.CLASSES if not any(map(test, password))]
        if missing:
            names = {
                "upper": _("an upper-case letter"),
                "lower": _("a lower-case letter"),
                "digit": _("a digit"),
                "symbol": _("a symbol"),
            }
            raise ValidationError(
                _("The password must contain %(missing)s.")
                % {"missing": ", ".join(str(names[m]) for m in missing)},
                code="password_character_classes",
            )

    def get_help_text(self):
        return _("At least one upper-case letter, one lower-case letter, one digit and one symbol.")


class NotLikeLoginValidator:
    """Refuses a password that contains the login name or is contained in it (any case)."""

    def validate(self, password, user=None):
        login = (getattr(user, "username", "") or "").lower()
        pw = password.lower()
        if login and len(login) >= 3 and (login in pw or pw in login):
            raise ValidationError(
                _("The password must not look like the login name."), code="password_like_login"
            )

    def get_help_text(self):
        return _("It must not look like your login name.")
