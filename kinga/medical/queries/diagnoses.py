"""Reads of diagnoses (ICD-10, spec registers §5.4) and who may see or change them.

openIMIS has no "diagnosis: search" right: the list is open to whoever uploads or downloads
diagnoses, enters or reviews claims, or administers medical services; only the upload right
(131001) changes it.  Diagnoses are national (no location scope)."""

from __future__ import annotations

import re

from django.db.models import Q, QuerySet

from kinga.core.loaders import Loader, changing, national, viewing
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


DIAGNOSIS = Loader(
    queryset=lambda: Diagnosis.objects.all(),
    actions={
        "view": viewing(*VIEW_RIGHTS),
        "add": changing(*CHANGE_RIGHTS),
        "edit": changing(*CHANGE_RIGHTS),
        "retire": changing(*CHANGE_RIGHTS),
    },
    in_scope=national,
)


def get_diagnosis_for_user(user, key, action: str = "view") -> Diagnosis:
    """The diagnosis, loaded and authorised for `action` (kinga.core.loaders)."""
    return DIAGNOSIS.get(user, key, action)


def may_diagnosis(user, diagnosis: Diagnosis, action: str) -> bool:
    return DIAGNOSIS.may(user, diagnosis, action)


# --- reads ----------------------------------------------------------------------------------

# "A000" typed for "A00.0": WHO codes carry a dot after the category, openIMIS files often not.
_UNDOTTED = re.compile(r"^([A-Za-z]\d\d)(\d{1,3})$")


def search(user, *, q: str = "", include_retired: bool = False) -> QuerySet[Diagnosis]:
    """The list: the code starts with `q`, or the English or French name contains it.  Ordered
    by code (the partial unique index on current codes serves the order and the prefix)."""
    DIAGNOSIS.require_right(user, "view")
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
