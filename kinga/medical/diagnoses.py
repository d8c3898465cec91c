"""Diagnoses (ICD-10, spec registers §5.4): the services that change them and the reads.

openIMIS has no "diagnosis: search" right: the list is open to whoever uploads or downloads
diagnoses, enters or reviews claims, or administers medical services; only the upload right
(131001) changes it.  Diagnoses are national (no location scope).
"""

from __future__ import annotations

import re
import uuid as uuid_lib

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from kinga.core import access
from kinga.core.errors import Refused
from kinga.core.history import set_actor
from kinga.core.rights import Right

from .models import Diagnosis

CODE_MAX_LENGTH = 6
NAME_MAX_LENGTH = 255

VIEW_RIGHTS = (
    Right.DIAGNOSES_UPLOAD,
    Right.DIAGNOSES_DOWNLOAD,
    Right.CLAIM_SEARCH,
    Right.CLAIM_ADD,
    Right.CLAIM_REVIEW,
    Right.SERVICE_SEARCH,
)
CHANGE_RIGHTS = (Right.DIAGNOSES_UPLOAD,)


def may_view(user) -> bool:
    return access.has_right(user, *VIEW_RIGHTS)


def may_change(user, diagnosis: Diagnosis | None = None) -> bool:
    if diagnosis is not None and diagnosis.is_retired:
        return False
    return access.has_right(user, *CHANGE_RIGHTS)


# --- reads ----------------------------------------------------------------------------------

# "A000" typed for "A00.0": WHO codes carry a dot after the category, openIMIS files often not.
_UNDOTTED = re.compile(r"^([A-Za-z]\d\d)(\d{1,3})$")


def search(user, *, q: str = "", include_retired: bool = False) -> QuerySet[Diagnosis]:
    """The list: the code starts with `q`, or the English or French name contains it.  Ordered
    by code (the partial unique index on current codes serves the order and the prefix)."""
    access.require_right(user, *VIEW_RIGHTS)
    qs = Diagnosis.objects.all()
    if not include_retired:
        qs = qs.filter(retired_at__isnull=True)
    q = " ".join((q or "").split())
    if q:
        match = Q(code__istartswith=q) | Q(name__icontains=q) | Q(name_fr__icontains=q)
        undotted = _UNDOTTED.match(q)
        if undotted:
            match |= Q(code__istartswith=f"{undotted[1]}.{undotted[2]}")
        qs = qs.filter(match)
    return qs.order_by("code", "pk")


def get_diagnosis_for_user(user, uuid, action: str = "view") -> Diagnosis:
    """Load a diagnosis and check the user may `action` ("view", "edit", "retire") it:
    404 if unknown, 403 if not allowed."""
    access.require_right(user, *VIEW_RIGHTS)
    try:
        key = uuid_lib.UUID(str(uuid))
    except ValueError:
        raise Http404 from None
    diagnosis = Diagnosis.objects.filter(uuid=key).first()
    if diagnosis is None:
        raise Http404
    if action != "view" and not may_change(user, diagnosis):
        raise PermissionDenied
    return diagnosis


# --- validation -----------------------------------------------------------------------------


def _clean_code(code: str, *, exclude_pk: int | None = None) -> str:
    code = (code or "").strip()
    if not code:
        raise Refused(_("Enter a code."), "code")
    if len(code) > CODE_MAX_LENGTH:
        raise Refused(
            _("The code may have at most %(n)d characters.") % {"n": CODE_MAX_LENGTH}, "code"
        )
    clash = Diagnosis.objects.current().filter(code=code).exclude(pk=exclude_pk).first()
    if clash is not None:
        raise Refused(
            _("The code %(code)s is already used by the diagnosis %(name)s.")
            % {"code": code, "name": clash.display_name},
            "code",
        )
    return code


def _clean_name(value: str, field: str, *, required: bool) -> str:
    value = " ".join((value or "").split())
    if required and not value:
        raise Refused(_("Enter a name."), field)
    if len(value) > NAME_MAX_LENGTH:
        raise Refused(
            _("The name may have at most %(n)d characters.") % {"n": NAME_MAX_LENGTH}, field
        )
    return value


def _save(diagnosis: Diagnosis) -> None:
    """Save, turning a code clash with a concurrent writer into a refusal."""
    try:
        with transaction.atomic():
            diagnosis.save()
    except IntegrityError:
        raise Refused(
            _("The code %(code)s is already used.") % {"code": diagnosis.code}, "code"
        ) from None


# --- services -------------------------------------------------------------------------------


@transaction.atomic
def diagnosis_create(*, actor, code: str, name: str, name_fr: str = "") -> Diagnosis:
    access.require_right(actor, *CHANGE_RIGHTS)
    diagnosis = Diagnosis(
        code=_clean_code(code),
        name=_clean_name(name, "name", required=True),
        name_fr=_clean_name(name_fr, "name_fr", required=False),
    )
    set_actor(diagnosis, actor)
    _save(diagnosis)
    return diagnosis


@transaction.atomic
def diagnosis_update(
    *, actor, diagnosis: Diagnosis, code: str, name: str, name_fr: str = ""
) -> Diagnosis:
    """Complete update.  Nothing is written (no history row) when nothing changes (openIMIS
    be-medical saves a history copy only if a business field changed)."""
    # Lock: two editors of the same diagnosis must not both pass the code check.
    diagnosis = Diagnosis.objects.select_for_update().get(pk=diagnosis.pk)
    if not may_change(actor, diagnosis):
        raise PermissionDenied
    values = {
        "code": _clean_code(code, exclude_pk=diagnosis.pk),
        "name": _clean_name(name, "name", required=True),
        "name_fr": _clean_name(name_fr, "name_fr", required=False),
    }
    if all(getattr(diagnosis, k) == v for k, v in values.items()):
        return diagnosis
    for k, v in values.items():
        setattr(diagnosis, k, v)
    set_actor(diagnosis, actor)
    _save(diagnosis)
    return diagnosis


@transaction.atomic
def diagnosis_retire(*, actor, diagnosis: Diagnosis, now=None) -> Diagnosis:
    """Soft delete: the code is freed and the diagnosis can no longer be chosen on new claims;
    claims that carry it keep it."""
    diagnosis = Diagnosis.objects.select_for_update().get(pk=diagnosis.pk)
    if not may_change(actor, diagnosis):
        raise PermissionDenied
    diagnosis.retired_at = now or timezone.now()
    set_actor(diagnosis, actor, _("Retired"))
    diagnosis.save()
    return diagnosis
