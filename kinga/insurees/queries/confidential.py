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

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models.functions import Trunc
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


class _MaskingIterable(ModelIterable):
    """Instances with the masked values in their fields (and `confidential`), for each path."""

    paths: tuple[str, ...] = ()
    # kinga.core.lists re-reads a page's rows by key: with these annotations and deferrals.
    rereads_annotations = True

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
                alias = _alias(path)
                for name in ("last_name", "dob", *TEXT_FIELDS, *NULL_FIELDS):
                    setattr(target, name, getattr(obj, alias + name))
                target.confidential = bool(getattr(obj, alias + "confidential"))
            yield obj


def _iterable_for(paths: tuple[str, ...]):
    return type("MaskingIterable", (_MaskingIterable,), {"paths": paths})


def masked(qs, user, path: str = "", *, label=LABEL):
    """`qs` with the insuree at `path` ("" for the queryset's own rows) masked for `user` when a
    confidential programme he may not see covers him.  `label` replaces the last name (the
    exports write "" so that a file read back cannot rename anybody)."""
    prefix = f"{path}__" if path else ""
    q = confidential_q(user, prefix)
    if is_nothing(q):
        return qs
    alias = _alias(path)
    names = Value(str(label), output_field=CharField())
    annotations = {
        alias + "confidential": ExpressionWrapper(q, output_field=BooleanField()),
        alias + "last_name": Case(When(q, then=names), default=F(prefix + "last_name")),
        alias + "dob": Case(
            When(q, then=Trunc(prefix + "dob", "year", output_field=DateField())),
            default=F(prefix + "dob"),
            output_field=DateField(),
        ),
    }
    for name in TEXT_FIELDS:
        annotations[alias + name] = Case(
            When(q, then=Value("")), default=F(prefix + name), output_field=CharField()
        )
    for name in NULL_FIELDS:
        annotations[alias + name] = Case(
            When(q, then=None),
            default=F(prefix + name),
            output_field=Insuree._meta.get_field(name),
        )
    qs = qs.annotate(**annotations).defer(*(prefix + name for name in DEFERRED))
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
