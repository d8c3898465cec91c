"""Every change to health programmes (spec registers §7.3): create, update, retire."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kinga.core.errors import Refused
from kinga.core.history import set_actor

from .. import rules
from ..models import (
    Programme,
)
from ..queries.programmes import PROGRAMME
from .products import ProductRefused

# --- programmes -----------------------------------------------------------------------------


def _check_programme(values: dict, programme: Programme | None) -> None:
    errors = []
    code = (values.get("code") or "").strip()
    if not code:
        errors.append(("code", _("Enter a code.")))
    elif len(code) > rules.CODE_MAX_LENGTH:
        errors.append(
            (
                "code",
                _("The code may have at most %(n)d characters.") % {"n": rules.CODE_MAX_LENGTH},
            )
        )
    else:
        clash = Programme.objects.current().filter(code=code)
        if programme is not None:
            clash = clash.exclude(pk=programme.pk)
        if clash.exists():
            errors.append(
                (
                    "code",
                    _("The code %(code)s is already used by another health programme.")
                    % {"code": code},
                )
            )
    if not (values.get("name") or "").strip():
        errors.append(("name", _("Enter a name.")))
    if not values.get("valid_from"):
        errors.append(("valid_from", _("Enter the first day of validity.")))
    elif values.get("valid_to") and values["valid_to"] < values["valid_from"]:
        errors.append(("valid_to", _("The validity ends before it starts.")))
    if errors:
        raise ProductRefused(errors)


@transaction.atomic
def programme_create(
    *,
    actor,
    code: str,
    name: str,
    valid_from: date,
    valid_to: date | None = None,
    users=(),
    confidential: bool = False,
) -> Programme:
    PROGRAMME.require_right(actor, "add")
    values = {
        "code": (code or "").strip(),
        "name": (name or "").strip(),
        "valid_from": valid_from,
        "valid_to": valid_to,
    }
    _check_programme(values, None)
    programme = Programme(**values, confidential=bool(confidential))
    set_actor(programme, actor)
    programme.save()
    programme.users.set(users)
    return programme


@transaction.atomic
def programme_update(*, actor, programme: Programme, users=None, **values: Any) -> Programme:
    PROGRAMME.require(actor, programme, "edit")
    merged = {f: getattr(programme, f) for f in ("code", "name", "valid_from", "valid_to")}
    merged.update(
        {
            k: (v.strip() if isinstance(v, str) else v)
            for k, v in values.items()
            if k != "confidential"
        }
    )
    _check_programme(merged, programme)
    for k, v in merged.items():
        setattr(programme, k, v)
    if "confidential" in values:
        programme.confidential = bool(values["confidential"])
    set_actor(programme, actor)
    programme.save()
    if users is not None:
        programme.users.set(users)
    return programme


@transaction.atomic
def programme_retire(*, actor, programme: Programme) -> Programme:
    PROGRAMME.require(actor, programme, "retire")
    products = list(programme.products.current().values_list("code", flat=True))
    if products:
        raise Refused(
            _("These current products belong to the programme: %(codes)s.")
            % {"codes": ", ".join(products)}
        )
    programme.retired_at = timezone.now()
    set_actor(programme, actor, _("Retired"))
    programme.save()
    return programme
