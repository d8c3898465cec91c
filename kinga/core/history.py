"""Readable history of a record: who changed what, when (from django-simple-history rows)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _

KIND_LABELS = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class Entry:
    date: Any
    user: Any
    kind: str
    reason: str
    changes: list[Change] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))


def _field(model: type[models.Model], name: str):
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:  # a field since removed from the model: shown by its name
        return None


def _related_ids(f, value) -> list:
    """The ids a FK or M2M value of a history diff points to."""
    if value in (None, ""):
        return []
    if isinstance(f, models.ManyToManyField):
        return [row.get(f.m2m_reverse_field_name()) for row in value or []]
    return [value]


class _Labels:
    """Looks up the names of every related record of a history page in one query per model."""

    def __init__(self, model: type[models.Model], deltas: list):
        wanted: dict[type[models.Model], set] = defaultdict(set)
        for delta in deltas:
            for c in delta.changes:
                f = _field(model, c.field)
                if isinstance(f, models.ForeignKey | models.ManyToManyField):
                    wanted[f.related_model].update(_related_ids(f, c.old) + _related_ids(f, c.new))
        self.names = {
            target: {o.pk: str(o) for o in target._default_manager.filter(pk__in=ids)}
            for target, ids in wanted.items()
        }

    def display(self, model: type[models.Model], name: str, value: Any) -> str:
        f = _field(model, name)
        if f is None:
            return "" if value is None else str(value)
        if isinstance(f, models.ManyToManyField):
            names = self.names.get(f.related_model, {})
            return ", ".join(sorted(names.get(i, str(i)) for i in _related_ids(f, value))) or "—"
        if value is None or value == "":
            return "—"
        if isinstance(f, models.ForeignKey):
            return self.names.get(f.related_model, {}).get(value, str(value))
        if f.choices:
            return str(dict(f.flatchoices).get(value, value))
        if isinstance(f, models.BooleanField):
            return str(_("Yes") if value else _("No"))
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return str(value)


def entries(instance: models.Model, limit: int = 100) -> list[Entry]:
    """The record's history, newest first, each with the fields it changed."""
    model = type(instance)
    records = list(
        instance.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : limit + 1
        ]
    )
    deltas = [
        rec.diff_against(records[i + 1])
        if i + 1 < len(records) and rec.history_type != "+"
        else None
        for i, rec in enumerate(records[:limit])
    ]
    labels = _Labels(model, [d for d in deltas if d is not None])
    result: list[Entry] = []
    for rec, delta in zip(records[:limit], deltas, strict=True):
        entry = Entry(
            date=rec.history_date,
            user=rec.history_user,
            kind=rec.history_type,
            reason=rec.history_change_reason or "",
        )
        for c in delta.changes if delta else []:
            f = _field(model, c.field)
            label = str(f.verbose_name) if f is not None else c.field
            entry.changes.append(
                Change(
                    label,
                    labels.display(model, c.field, c.old),
                    labels.display(model, c.field, c.new),
                )
            )
        result.append(entry)
    return result


def set_actor(instance: models.Model, actor, reason: str = "") -> None:
    """Name the user (and why) on the history row the next save writes."""
    instance._history_user = actor
    if reason:
        instance._change_reason = reason
