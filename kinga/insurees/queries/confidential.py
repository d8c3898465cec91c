"""Insurees covered by a confidential programme, masked in the queries (issue 15).

For a user who may not see a confidential programme, an insuree it covers shows only his
insurance number, sex and year of birth: `masked(qs, user)` replaces, in SQL, his names by
« Données confidentielles » and his other personal fields by nothing (his date of birth by the
first day of its year), and never reads the real ones (they are deferred).  The rows come back as
ordinary instances with `confidential` True or False, so pages and exports need no other change.

`masked(..., path="family__head")` does the same to a related insuree (a family's head, read
with select_related).  With a user who may see every programme the queryset is returned as is:
no annotation, no cost.

The predicate comes from the policies app through kinga.insurees.hooks (this app cannot import
it).  A masked instance must never be saved: `Insuree.save` refuses it.
"""

from __future__ import annotations

import json
from datetime import date

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    DateField,
    Exists,
    F,
    IntegerField,
    JSONField,
    OuterRef,
    Q,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, JSONObject, Trunc
from django.db.models.query import ModelIterable
from django.utils.translation import gettext_lazy as _

from .. import hooks
from ..hooks import confidential_insuree_q
from ..models import Insuree

LABEL = _("Confidential data")
# Why a change to such a person is refused (the 403 page, the import's rejected rows).
MANAGED = _(
    "This person is covered by a confidential health programme: the programme's staff "
    "manage the family. Ask them to make this change."
)

# The personal fields replaced for a confidential insuree (the names get LABEL, the date of birth
# its year); insurance number, sex, family and status stay.
TEXT_FIELDS = (
    "other_names",
    "phone",
    "email",
    "id_number",
    "type_of_id",
    "current_address",
    "photo",
    "marital",
    "status_reason",
)
NULL_FIELDS = ("photo_date", "profession", "education", "relationship")
# Read by nobody once masked: the folded names (a name search excludes confidential rows).
DEFERRED = ("last_name", "dob", "search_name", *TEXT_FIELDS, *NULL_FIELDS)


def is_nothing(q: Q) -> bool:
    """The predicate of a user who may see every programme (Q(pk__in=[]), no SQL)."""
    return q == Q(pk__in=[])


def confidential_q(user, prefix: str = "") -> Q:
    return confidential_insuree_q(user, prefix)


def _alias(path: str) -> str:
    return f"kc_{path.replace('__', '_')}_" if path else "kc_"


def _date(value):
    """A date read back from the JSON object (an ISO string, "1980-01-01T00:00:00" too)."""
    if value in (None, ""):
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


class _MaskingIterable(ModelIterable):
    """Instances with the masked values in their fields (and `confidential`), for each path."""

    paths: tuple[str, ...] = ()

    def __iter__(self):
        for obj in super().__iter__():
            for path in self.paths:
                target = obj
                for part in path.split("__") if path else ():
                    target = getattr(target, part, None)
                    if target is None:
                        break
                if target is None:
                    continue
                values = getattr(obj, _alias(path) + "person")
                if isinstance(values, str):
                    values = json.loads(values)
                for name in TEXT_FIELDS:
                    setattr(target, name, values.get(name) or "")
                for name in ("profession", "education", "relationship"):
                    setattr(target, name, values.get(name))
                target.last_name = values.get("last_name") or ""
                target.dob = _date(values.get("dob"))
                target.photo_date = _date(values.get("photo_date"))
                target.confidential = bool(values.get("confidential"))
            yield obj


def _iterable_for(paths: tuple[str, ...]):
    return type("MaskingIterable", (_MaskingIterable,), {"paths": paths})


def masked(qs, user, path: str = "", *, label=LABEL):
    """`qs` with the insuree at `path` ("" for the queryset's own rows) masked for `user` when a
    confidential programme he may not see covers him.  `label` replaces the last name (the
    exports write "" so that a file read back cannot rename anybody).

    The personal fields are read as one JSON object, the real ones or the masked ones: one CASE,
    so that the predicate is planned once per row, not once per field."""
    prefix = f"{path}__" if path else ""
    q = confidential_q(user, prefix)
    if is_nothing(q):
        return qs
    text = lambda value: Cast(Value(value), output_field=TextField())  # noqa: E731
    hidden = {
        "confidential": Cast(Value(1), output_field=IntegerField()),
        "last_name": text(str(label)),
        "dob": Trunc(prefix + "dob", "year", output_field=DateField()),
        **{name: text("") for name in TEXT_FIELDS},
        **{name: Cast(Value(None), output_field=IntegerField()) for name in NULL_FIELDS},
    }
    shown = {
        "confidential": Cast(Value(0), output_field=IntegerField()),
        "last_name": F(prefix + "last_name"),
        "dob": F(prefix + "dob"),
        **{name: F(prefix + name) for name in TEXT_FIELDS},
        **{name: F(prefix + name) for name in NULL_FIELDS},
    }
    hidden["photo_date"] = Cast(Value(None), output_field=DateField())
    person = Case(
        When(q, then=JSONObject(**hidden)),
        default=JSONObject(**shown),
        output_field=JSONField(),
    )
    qs = qs.annotate(**{_alias(path) + "person": person})
    qs = qs.defer(*(prefix + name for name in DEFERRED))
    done = getattr(qs._iterable_class, "paths", ())
    qs._iterable_class = _iterable_for((*done, path))
    return qs


def without_confidential(qs, user, prefix: str = ""):
    """`qs` without the rows whose insuree (at `prefix`) is confidential for `user`: a name,
    phone or birth-date search must not find them."""
    q = confidential_q(user, prefix)
    return qs if is_nothing(q) else qs.exclude(q)


def family_confidential_q(user, prefix: str = "") -> Q:
    """Q over Family: one of its members (current or retired) is confidential for `user`."""
    q = confidential_q(user)
    if is_nothing(q):
        return q
    members = Insuree.objects.filter(family_id=OuterRef(f"{prefix}pk")).filter(q)
    return Q(Exists(members))


# The family's own fields, which name or locate it: withheld, like its members' names, when a
# confidential programme the user may not see covers one of its members.
FAMILY_TEXT_FIELDS = ("family_type", "address", "confirmation_type", "confirmation_no")


def masked_family_fields(qs, user, path: str = ""):
    """`qs` (of families, or of rows naming a family through `path`, e.g. "family") with the
    family's address, type, confirmation and poverty status read as `<alias>seen_<field>`:
    blank in the SQL for a family that a confidential programme `user` may not see covers (the
    real ones are deferred, never read).  `show_family_fields` puts them in place."""
    prefix = f"{path}__" if path else ""
    flag = family_confidential_q(user, prefix)
    if is_nothing(flag):
        return qs
    alias = f"{path}_" if path else ""
    seen = {
        f"{alias}seen_{name}": Case(
            When(flag, then=Value("")), default=F(prefix + name), output_field=CharField()
        )
        for name in FAMILY_TEXT_FIELDS
    }
    seen[f"{alias}seen_poverty"] = Case(
        When(flag, then=Value(None)), default=F(prefix + "poverty"), output_field=BooleanField()
    )
    names = (*FAMILY_TEXT_FIELDS, "poverty")
    return qs.annotate(**seen).defer(*(prefix + name for name in names))


def show_family_fields(family, row=None, path: str = "") -> None:
    """Put on `family` the fields `masked_family_fields` read on `row` (the family itself, or
    the row that named it through `path`); nothing when they were not withheld."""
    row = family if row is None else row
    alias = f"{path}_" if path else ""
    for name in (*FAMILY_TEXT_FIELDS, "poverty"):
        key = f"{alias}seen_{name}"
        if hasattr(row, key):
            setattr(family, name, getattr(row, key))


def is_confidential(user, insuree: Insuree) -> bool:
    """Whether `insuree` is masked for `user` (one query, none when nothing is hidden)."""
    known = getattr(insuree, "confidential", None)
    if known is not None:
        return bool(known)
    q = confidential_q(user)
    return not is_nothing(q) and Insuree.objects.filter(pk=insuree.pk).filter(q).exists()


def is_programme_user(user) -> bool:
    """Works for a confidential programme: holds the right, or is named among the users of a
    current confidential programme (the minimal beneficiary form is theirs)."""
    return getattr(user, "is_authenticated", False) and hooks.is_programme_user(user)
