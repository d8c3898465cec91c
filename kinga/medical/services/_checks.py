"""Input checks shared by the medical services (texts, amounts, unique codes, soft retire)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kinga.core import bounds
from kinga.core.errors import Refused
from kinga.core.history import set_actor

NAME_MAX_LENGTH = 100

# decimal(18, 2): 16 digits before the point.
MAX_AMOUNT = bounds.MONEY_MAX


def _text(value, field: str, label: str, max_length: int, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise Refused(_("Enter %(field)s.") % {"field": label}, field)
    if len(value) > max_length:
        raise Refused(
            _("%(field)s may have at most %(n)d characters.")
            % {"field": label.capitalize(), "n": max_length},
            field,
        )
    return value


def _amount(value, field: str, *, required: bool) -> Decimal | None:
    """A price: a Decimal of 0 or more with at most 2 decimals (never a float)."""
    if value is None or value == "":
        if required:
            raise Refused(_("Enter an amount."), field)
        return None
    if isinstance(value, float):
        value = str(value)
    try:
        amount = Decimal(str(value).strip().replace(" ", "").replace("\u00a0", ""))
    except InvalidOperation:
        raise Refused(_("Enter an amount, for example 1500 or 1500.50."), field) from None
    if not amount.is_finite():
        raise Refused(_("Enter an amount, for example 1500 or 1500.50."), field)
    if amount < 0:
        raise Refused(_("The amount must be 0 or more."), field)
    if amount > MAX_AMOUNT:
        raise Refused(_("The amount is too large."), field)
    if amount != amount.quantize(Decimal("0.01")):
        raise Refused(_("The amount may have at most 2 decimals."), field)
    return amount.quantize(Decimal("0.01"))


def _save_unique(obj: models.Model, field: str, value: str) -> None:
    """Save, turning a clash with a concurrent writer (unique among current) into a refusal."""
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        raise Refused(_("The value %(value)s is already used.") % {"value": value}, field) from None


def _retire(obj, actor, now):
    obj.retired_at = now or timezone.now()
    set_actor(obj, actor, _("Retired"))
    obj.save()
    return obj
