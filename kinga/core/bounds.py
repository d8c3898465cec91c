"""The bounds of every number Kinga stores, in one place.

A number past its column's range (a PostgreSQL smallint holds 32 767, an integer 2 147 483 647,
a decimal(18, 2) sixteen digits before the point) must be refused with a message, never reach
the database (DataError, a 500).  Each number has its real bounds here (an insurance period of
at most 120 months, not 32 767); the models put them in their validators (and check constraints
where cheap), the forms take them from the models (`bound_form_fields`) or from here, the
services check them (`errors`) whatever the caller (form, import, API), and the import kinds'
`integer_value` / `decimal_value` take their default maximum from here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _

# --- column ranges ----------------------------------------------------------------------------
INT_MAX = 2_147_483_647  # a PostgreSQL integer
SMALL_MAX = 32_767  # a PostgreSQL smallint

# --- real bounds ------------------------------------------------------------------------------
# Periods counted in months: insurance, administration, grace, discount and waiting periods.
MONTHS_MAX = 120
# Members of a family (a product's maximum members and threshold).
MEMBERS_MAX = 999
# Instalments of a contribution (a smallint in openIMIS).
INSTALMENTS_MAX = 999
# Days between two provisions of an item or service (medical frequency): ten years.
DAYS_MAX = 3_660
# Counts: population, families, maximum visits, consultations...
COUNT_MAX = INT_MAX
# A renewal reminder looks at most a year ahead.
RENEWAL_DAYS_MAX = 366
# decimal(18, 2): sixteen digits before the point.
MONEY_MAX = Decimal("9999999999999999.99")
PERCENT_MAX = Decimal(100)


def between(low, high) -> list:
    """The validators of a number in [low, high]."""
    return [MinValueValidator(low), MaxValueValidator(high)]


MONTHS = between(0, MONTHS_MAX)
MEMBERS = between(0, MEMBERS_MAX)
COUNT = between(0, COUNT_MAX)
DAYS = between(0, DAYS_MAX)
MONEY = between(Decimal(0), MONEY_MAX)
PERCENT = between(Decimal(0), PERCENT_MAX)


def limits(validators: Iterable) -> tuple[Any, Any]:
    """(minimum, maximum) that `validators` allow (the tightest of each; None: unbounded)."""
    low = high = None
    for validator in validators:
        if isinstance(validator, MinValueValidator) and not callable(validator.limit_value):
            low = validator.limit_value if low is None else max(low, validator.limit_value)
        elif isinstance(validator, MaxValueValidator) and not callable(validator.limit_value):
            high = validator.limit_value if high is None else min(high, validator.limit_value)
    return low, high


def _declared(field: models.Field) -> list:
    # The field's own validators: `field.validators` adds the connection's integer range, which
    # is 64 bits on SQLite.
    return list(field._validators)


def model_limits(field: models.Field) -> tuple[Any, Any]:
    """The bounds a model field declares, or else its PostgreSQL column's range."""
    low, high = limits(_declared(field))
    kind = field.get_internal_type()
    if kind in ("PositiveSmallIntegerField", "SmallIntegerField"):
        low = 0 if low is None and kind.startswith("Positive") else low
        high = SMALL_MAX if high is None else min(high, SMALL_MAX)
    elif kind in ("PositiveIntegerField", "IntegerField"):
        low = 0 if low is None and kind.startswith("Positive") else low
        high = INT_MAX if high is None else min(high, INT_MAX)
    elif kind == "DecimalField" and high is None:
        high = Decimal(10) ** (field.max_digits - field.decimal_places) - Decimal(10) ** (
            -field.decimal_places
        )
    return low, high


def bound_form_field(form_field: forms.Field, low=None, high=None) -> forms.Field:
    """Give a form's number field the bounds [low, high] (validators and the input's min/max),
    and an upper bound in any case: a whole number without one reaches the database."""
    if not isinstance(form_field, forms.IntegerField | forms.DecimalField):
        return form_field
    if high is None:
        high = INT_MAX if not isinstance(form_field, forms.DecimalField) else MONEY_MAX
    old_low, old_high = form_field.min_value, form_field.max_value
    if low is not None and (old_low is None or low > old_low):
        form_field.min_value = low
        form_field.validators.append(MinValueValidator(low))
        form_field.widget.attrs["min"] = low
    if old_high is None or high < old_high:
        form_field.max_value = high
        form_field.validators.append(MaxValueValidator(high))
        form_field.widget.attrs["max"] = high
    return form_field


def bound_form_fields(fields: Mapping[str, forms.Field], model: type[models.Model]) -> None:
    """Bound every number field of `fields` that is a field of `model` by the model's bounds
    (the other number fields get an upper bound)."""
    for name, form_field in fields.items():
        try:
            model_field = model._meta.get_field(name)
        except Exception:  # noqa: BLE001 - not a model field: the generic bound
            bound_form_field(form_field)
            continue
        bound_form_field(form_field, *model_limits(model_field))


def errors(model: type[models.Model], values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(field, message) for every number of `values` outside its model field's bounds: the
    services' check, whatever the caller (a form, an import, the API)."""
    out = []
    for name, value in values.items():
        if value is None or isinstance(value, bool) or not isinstance(value, int | Decimal):
            continue
        try:
            field = model._meta.get_field(name)
        except Exception:  # noqa: BLE001 - not a field of the model
            continue
        if not isinstance(field, models.IntegerField | models.DecimalField):
            continue
        low, high = model_limits(field)
        if isinstance(value, Decimal) and not value.is_finite():
            out.append(
                (name, _("%(field)s is not a number.") % {"field": capfirst(field.verbose_name)})
            )
        elif (low is not None and value < low) or (high is not None and value > high):
            out.append((name, out_of_range(field.verbose_name, low, high)))
    return out


def out_of_range(label, low, high) -> str:
    return _("%(field)s must be between %(min)s and %(max)s.") % {
        "field": capfirst(label),
        "min": low if low is not None else "−∞",
        "max": high if high is not None else "∞",
    }


def check(model: type[models.Model], values: Mapping[str, Any]) -> None:
    """Raise ValidationError (by field) for the numbers of `values` out of bounds."""
    found = errors(model, values)
    if found:
        raise ValidationError({name: message for name, message in found})
