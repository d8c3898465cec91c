"""Readable history of a record: who changed what, when (from django-simple-history rows)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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


def _display(model: type[models.Model], name: str, value: Any) -> str:
    try:
        f = model._meta.get_field(name)
    except Exception:
        return "" if value is None else str(value)
    if value is None or value == "":
        return "—"
    if isinstance(f, models.ManyToManyField):
        target = f.related_model
        ids = [row.get(f.m2m_reverse_field_name()) for row in value] if value else []
        objs = target._default_manager.filter(pk__in=ids)
        return ", ".join(sorted(str(o) for o in objs)) or "—"
    if isinstance(f, models.ForeignKey):
        obj = f.related_model._default_manager.filter(pk=value).first()
        return str(obj) if obj else str(value)
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
    result: list[Entry] = []
    for i, rec in enumerate(records[:limit]):
        entry = Entry(
            date=rec.history_date,
            user=rec.history_user,
            kind=rec.history_type,
            reason=rec.history_change_reason or "",
        )
        previous = records[i + 1] if i + 1 < len(records) else None
        if previous is not None and rec.history_type != "+":
            delta = rec.diff_against(previous)
            for c in delta.changes:
                try:
                    label = str(model._meta.get_field(c.field).verbose_name)
                except Exception:
                    label = c.field
                entry.changes.append(
                    Change(label, _display(model, c.field, c.old), _display(model, c.field, c.new))
                )
        result.append(entry)
    return result


def set_actor(instance: models.Model, actor, reason: str = "") -> None:
    """Name the user (and why) on the history row the next save writes."""
    instance._history_user = actor
    if reason:
        instance._change_reason = reason
