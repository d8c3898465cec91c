"""Reads of diagnoses (ICD-10, spec registers §5.4) and who may see or change them.

openIMIS has no "diagnosis: search" right: the list is open to whoever uploads or downloads
diagnoses, enters or reviews claims, or administers medical services; only the upload right
(131001) changes it.  Diagnoses are national (no location scope)."""

from __future__ import annotations

import re
import uuid as uuid_lib

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from kinga.core import access
from kinga.core.rights import Right

from ..models import Diagnosis

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
