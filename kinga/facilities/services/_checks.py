"""Input checks shared by the facilities' services (text lengths, e-mail, choices, unique codes)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kinga.core.errors import Refused

CODE_MAX_LENGTH = 8


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


# --- validation helpers -------------------------------------------------------------------


def _text(value, field: str, max_length: int, *, required_message: str | None = None) -> str:
    value = (value or "").strip()
    if required_message and not value:
        raise Refused(required_message, field)
    if len(value) > max_length:
        raise Refused(
            _("At most %(n)d characters, please (this has %(length)d).")
            % {"n": max_length, "length": len(value)},
            field,
        )
    return value


def _email(value, field: str = "email", max_length: int = 100) -> str:
    value = _text(value, field, max_length)
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise Refused(_("Enter a valid e-mail address."), field) from None
    return value


def _choice(value, field: str, choices, *, blank: bool = False) -> str:
    value = (value or "").strip()
    if blank and not value:
        return ""
    if value not in {c for c, _label in choices}:
        raise Refused(_("Choose one of the proposed values."), field)
    return value


def _save(obj, code_field: str = "code") -> None:
    """Save, turning a unique clash with a concurrent writer into a refusal."""
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        raise Refused(
            _("The code %(code)s is already used.") % {"code": getattr(obj, code_field)},
            code_field,
        ) from None
