"""Payers (spec registers §4.3): the only code that writes them.

Rules: type C/D/G/L/O/P; a name (unique among current payers — Kinga's choice: payers have no
code, so the name is their key in files and lists; a database constraint holds it, and a clerk
saving the same name at the same moment as another gets the same refusal); an optional region
or district (none = national); the location within the actor's write scope
(queries.may_change_location).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kinga.core.errors import Refused
from kinga.core.history import set_actor
from kinga.core.unique import unique_or_refused
from kinga.locations.models import Location

from ..models import Payer, PayerType
from ..queries import payers as queries

NAME_MAX_LENGTH = 100
ADDRESS_MAX_LENGTH = 100
PHONE_MAX_LENGTH = 50
EMAIL_MAX_LENGTH = 100
PAYER_LOCATION_TYPES = ("R", "D")


def _text(value, field: str, max_length: int) -> str:
    value = " ".join(str(value or "").split())
    if len(value) > max_length:
        raise Refused(_("At most %(n)d characters.") % {"n": max_length}, field)
    return value


def clean_type(value: str) -> str:
    value = (value or "").strip()
    if value not in PayerType.values:
        raise Refused(_("Choose a payer type."), "type")
    return value


def _name_taken(name: str, exclude_pk: int | None) -> bool:
    return Payer.objects.current().filter(name=name).exclude(pk=exclude_pk).exists()


def _name_refused(name: str) -> Refused:
    return Refused(
        _("The name %(name)s is already used by another payer.") % {"name": name}, "name"
    )


def clean_name(value: str, *, exclude_pk: int | None = None) -> str:
    name = _text(value, "name", NAME_MAX_LENGTH)
    if not name:
        raise Refused(_("Enter a name."), "name")
    if _name_taken(name, exclude_pk):
        raise _name_refused(name)
    return name


def _save(payer: Payer) -> None:
    """Save; when the name constraint refuses it (another user saved that name since
    `clean_name`), the same refusal as the check rather than an error page."""

    def name_free() -> None:
        if _name_taken(payer.name, payer.pk):
            raise _name_refused(payer.name)

    with unique_or_refused(name_free):
        payer.save()


def clean_email(value: str) -> str:
    email = (value or "").strip()
    if not email:
        return ""
    if len(email) > EMAIL_MAX_LENGTH:
        raise Refused(_("At most %(n)d characters.") % {"n": EMAIL_MAX_LENGTH}, "email")
    try:
        validate_email(email)
    except ValidationError:
        raise Refused(_("Enter a valid e-mail address."), "email") from None
    return email


def check_location(actor, location: Location | None) -> None:
    """A region or a district, current, within the actor's write scope; none = national."""
    if location is not None:
        if location.type not in PAYER_LOCATION_TYPES:
            raise Refused(_("A payer's location must be a region or a district."), "location")
        if location.is_retired:
            raise Refused(_("This location is retired."), "location")
    if not queries.may_change_location(actor, location):
        if location is None:
            message = _("Only a user who sees every location may add or change a national payer.")
        elif location.type == "R":
            message = _("Only a user who sees every location may attach a payer to a region.")
        else:
            message = _("This district is outside the locations you may change.")
        raise Refused(message, "location")


def _values(actor, *, type, name, address, location, phone, fax, email, exclude_pk=None):
    check_location(actor, location)
    return {
        "type": clean_type(type),
        "name": clean_name(name, exclude_pk=exclude_pk),
        "address": _text(address, "address", ADDRESS_MAX_LENGTH),
        "location": location,
        "phone": _text(phone, "phone", PHONE_MAX_LENGTH),
        "fax": _text(fax, "fax", PHONE_MAX_LENGTH),
        "email": clean_email(email),
    }


@transaction.atomic
def payer_create(
    *,
    actor,
    type: str,
    name: str,
    location: Location | None = None,
    address: str = "",
    phone: str = "",
    fax: str = "",
    email: str = "",
) -> Payer:
    queries.PAYER.require_right(actor, "add")
    payer = Payer(
        **_values(
            actor,
            type=type,
            name=name,
            address=address,
            location=location,
            phone=phone,
            fax=fax,
            email=email,
        )
    )
    set_actor(payer, actor)
    _save(payer)
    return payer


@transaction.atomic
def payer_update(
    *,
    actor,
    payer: Payer,
    type: str,
    name: str,
    location: Location | None = None,
    address: str = "",
    phone: str = "",
    fax: str = "",
    email: str = "",
) -> Payer:
    """Complete update (an absent field becomes empty).  The actor must be allowed to change
    the payer where it is and where it goes.  Nothing is written when nothing changes."""
    # Lock: two editors of this payer queue up (a clash with another payer's name is the
    # database constraint's: _save).
    payer = (
        Payer.objects.select_for_update(of=("self",)).select_related("location").get(pk=payer.pk)
    )
    queries.PAYER.require(actor, payer, "edit")
    values = _values(
        actor,
        type=type,
        name=name,
        address=address,
        location=location,
        phone=phone,
        fax=fax,
        email=email,
        exclude_pk=payer.pk,
    )
    if all(getattr(payer, k) == v for k, v in values.items()):
        return payer
    for k, v in values.items():
        setattr(payer, k, v)
    set_actor(payer, actor)
    _save(payer)
    return payer


@transaction.atomic
def payer_retire(*, actor, payer: Payer, now=None) -> Payer:
    """Soft delete: the payer is no longer offered on contributions; past ones keep it."""
    payer = (
        Payer.objects.select_for_update(of=("self",)).select_related("location").get(pk=payer.pk)
    )
    queries.PAYER.require(actor, payer, "retire")
    payer.retired_at = now or timezone.now()
    set_actor(payer, actor, _("Retired"))
    payer.save()
    return payer
