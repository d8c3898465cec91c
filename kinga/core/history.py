"""Readable history of a record: who changed what, when (from django-simple-history rows).

Two pieces:

- `History`, the `HistoricalRecords` every model declares: a save (or a bulk update with
  history) that changes nothing the history tracks writes no history row.
- `entries(record, children=[Child(...)], page=n)`: the record's own history rows merged with
  those of its child lines (a policy's contributions, a product's coverage lines...), newest
  first, one page of them, each naming who, when, which line and the fields it changed
  (old → new).  A fixed number of queries, however long the history.
"""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import Max
from django.db.models.fields.files import FieldFile
from django.db.models.functions import TruncDate
from django.utils import formats, timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.manager import HistoryManager as _SimpleHistoryManager
from simple_history.models import HistoricalRecords
from simple_history.utils import get_m2m_field_name, get_m2m_reverse_field_name

KIND_LABELS = {
    "+": _("Created"),
    "~": _("Changed"),
    "-": _("Deleted"),
    "retired": _("Retired"),
    "restored": pgettext_lazy("history", "Restored"),
}
# A line of a record (a contribution, a coverage line...): nouns, whatever the line's gender.
LINE_KIND_LABELS = {
    "+": pgettext_lazy("history of a line", "Added"),
    "~": pgettext_lazy("history of a line", "Changed"),
    "-": pgettext_lazy("history of a line", "Deleted"),
    "retired": pgettext_lazy("history of a line", "Retired"),
    "restored": pgettext_lazy("history of a line", "Restored"),
}
# A feminine record (« la police », « la famille »...): its past participles agree in French.
FEMININE_KIND_LABELS = {
    "+": pgettext_lazy("history of a feminine record", "Created"),
    "~": pgettext_lazy("history of a feminine record", "Changed"),
    "-": pgettext_lazy("history of a feminine record", "Deleted"),
    "retired": pgettext_lazy("history of a feminine record", "Retired"),
    "restored": pgettext_lazy("history of a feminine record", "Restored"),
}
# The records whose French name is feminine (app label.model name).
FEMININE = frozenset(
    {
        "policies.policy",
        "policies.contribution",
        "insurees.family",
        "claims.claim",
        "medical.pricelist",
        "facilities.healthfacility",
    }
)
RETIRED = "retired_at"
HISTORY_PAGE_SIZE = 50
_IN_BATCH = 900  # ids per IN (...) of the no-op check (SQLite's variable limit)


# --- writing: no row for a save that changes nothing -----------------------------------------


def _same(f: models.Field, a: Any, b: Any) -> bool:
    """Whether two values of a field are the same once read back (100 == "100.00")."""
    if isinstance(a, FieldFile):
        a = a.name
    if isinstance(b, FieldFile):
        b = b.name
    if a == b:
        return True
    try:
        return f.to_python(a) == f.to_python(b)
    except (ValidationError, TypeError, ValueError):
        return False


def _unchanged(tracked, instance, last) -> bool:
    return all(
        _same(f, getattr(instance, f.attname), getattr(last, f.attname, None)) for f in tracked
    )


class HistoryManager(_SimpleHistoryManager):
    def bulk_history_create(self, objs, batch_size=None, update=False, force=False, **kwargs):
        """bulk_update_with_history: only the objects whose tracked fields differ from their
        last history row get one (one query per 900 objects); `force`: all of them."""
        if update and not force:
            objs = _changed_objects(self.model, list(objs))
        return super().bulk_history_create(objs, batch_size=batch_size, update=update, **kwargs)


def _changed_objects(history_model, objs: list) -> list:
    ids = [o.pk for o in objs if o.pk is not None]
    last: dict[Any, Any] = {}
    for start in range(0, len(ids), _IN_BATCH):
        chunk = ids[start : start + _IN_BATCH]
        newest = (
            history_model.objects.filter(id__in=chunk)
            .values("id")
            .annotate(newest=Max("history_id"))
            .values("newest")
        )
        last.update((row.id, row) for row in history_model.objects.filter(history_id__in=newest))
    tracked = history_model.tracked_fields
    return [o for o in objs if o.pk not in last or not _unchanged(tracked, o, last[o.pk])]


class History(HistoricalRecords):
    """HistoricalRecords that writes no "changed" row when nothing tracked has changed."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("history_manager", HistoryManager)
        super().__init__(*args, **kwargs)

    def create_historical_record(self, instance, history_type, using=None):
        if history_type == "~" and not self._changes_something(instance):
            return
        super().create_historical_record(instance, history_type, using=using)

    def _changes_something(self, instance) -> bool:
        manager = getattr(instance, self.manager_name)
        last = manager.order_by("-history_id").first()
        if last is None:
            return True
        if not _unchanged(self.fields_included(instance), instance, last):
            return True
        for m2m in self.get_m2m_fields_from_model(type(instance)):
            through = m2m.remote_field.through
            target = through._meta.get_field(get_m2m_reverse_field_name(m2m)).attname
            now = set(
                through.objects.filter(**{get_m2m_field_name(m2m): instance}).values_list(
                    target, flat=True
                )
            )
            if now != set(getattr(last, m2m.name).values_list(target, flat=True)):
                return True
        return False


def set_actor(instance: models.Model, actor, reason: str = "") -> None:
    """Name the user (and why) on the history row the next save writes."""
    instance._history_user = actor
    if reason:
        instance._change_reason = reason


def note(instance: models.Model, actor, reason: str) -> None:
    """A history row on the record that says something happened to it (its coverage changed)
    though none of its own fields did."""
    type(instance).history.bulk_history_create(
        [instance], update=True, force=True, default_user=actor, default_change_reason=reason
    )


# --- reading: a record's history with its lines' ----------------------------------------------


@dataclass
class Change:
    field: str
    old: str
    new: str
    added: list[str] | None = None  # many-to-many fields: what was added and removed
    removed: list[str] | None = None


@dataclass
class Entry:
    date: Any
    user: Any
    kind: str
    reason: str
    changes: list[Change] = field(default_factory=list)
    subject: str = ""  # which line of the record ("Contribution receipt R-12"); "" for itself
    feminine: bool = False  # the record's French name is feminine: « Créée », « Retirée »

    @property
    def kind_label(self) -> str:
        if self.subject:
            labels = LINE_KIND_LABELS
        else:
            labels = FEMININE_KIND_LABELS if self.feminine else KIND_LABELS
        return str(labels.get(self.kind, self.kind))

    @property
    def shown_reason(self) -> str:
        """The reason in the reader's language (reasons are kept as the services wrote them:
        an English message id is translated now), unless it only repeats the kind in any
        language or gender (« Created — Créé », « Créé — Créée » show once)."""
        reason = str(gettext(self.reason)) if self.reason else ""
        return "" if _bare(reason) in _kind_words(self.kind) else reason


def _bare(text: str) -> str:
    """A kind's word stripped of case, accents and agreement: « Créée », « créé », « CREE »
    -> « cr »."""
    plain = unicodedata.normalize("NFKD", text.strip().lower())
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return plain.rstrip("es")


@functools.cache
def _kind_words(kind: str) -> frozenset[str]:
    """The words of a kind in every language of the site, for records and lines."""
    words = set()
    tables = (KIND_LABELS, FEMININE_KIND_LABELS, LINE_KIND_LABELS)
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            words.update(_bare(str(t[kind])) for t in tables if kind in t)
    with translation.override(None):
        words.update(_bare(str(t[kind])) for t in tables if kind in t)
    words.discard("")
    return frozenset(words)


@dataclass(frozen=True)
class Child:
    """Lines of a record whose history shows on its page.  `source`: the reverse relation's
    name on the record ("contributions") or the line model; `label`: names the line from its
    own fields, e.g. _("Contribution receipt %(receipt)s") (a foreign key shows its record)."""

    source: str | type[models.Model]
    label: Any


def _field(model: type[models.Model], name: str):
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:  # a field since removed from the model: shown by its name
        return None


def _number(value: Decimal) -> str:
    places = 0 if value == value.to_integral_value() else 2
    return formats.number_format(value, places, use_l10n=True, force_grouping=True)


class _Labels:
    """The names of the related records a page of history shows, one query per model."""

    def __init__(self):
        self.wanted: dict[type[models.Model], set] = defaultdict(set)
        self.names: dict[type[models.Model], dict] = {}

    def want(self, model: type[models.Model], name: str, *values) -> None:
        f = _field(model, name)
        if isinstance(f, models.ForeignKey):
            self.wanted[f.related_model].update(v for v in values if v not in (None, ""))

    def want_ids(self, target: type[models.Model], ids) -> None:
        self.wanted[target].update(ids)

    def load(self) -> None:
        for target, ids in self.wanted.items():
            if ids:
                self.names[target] = {o.pk: str(o) for o in target._base_manager.filter(pk__in=ids)}

    def name(self, target: type[models.Model], pk) -> str:
        return self.names.get(target, {}).get(pk, str(pk))

    def display(self, model: type[models.Model], name: str, value: Any) -> str:
        f = _field(model, name)
        if isinstance(value, FieldFile):
            value = value.name
        if value is None or value == "":
            return "—"
        if f is None:
            return str(value)
        if isinstance(f, models.ForeignKey):
            return self.name(f.related_model, value)
        if f.choices:
            return str(dict(f.flatchoices).get(value, value))
        if isinstance(f, models.BooleanField):
            return str(_("Yes") if value else _("No"))
        if isinstance(value, Decimal):
            return _number(value)
        if isinstance(value, datetime.datetime):
            return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
        if isinstance(value, datetime.date):
            return formats.date_format(value, "SHORT_DATE_FORMAT")
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return str(value)


@dataclass
class _Source:
    model: type[models.Model]  # the model whose history this is
    rows: Any  # its history rows that belong to the record (a queryset)
    label: Any = None  # None: the record itself

    def __post_init__(self):
        # (`Model.history` builds a manager class at each access: read it once.)
        self.history_model = self.rows.model
        self.tracked = self.history_model.tracked_fields
        self.m2m_fields = getattr(self.history_model, "_history_m2m_fields", [])


_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _sources(instance: models.Model, children) -> list[_Source]:
    model = type(instance)
    out = [_Source(model, instance.history.all())]
    for child in children:
        if isinstance(child.source, str):
            rel = model._meta.get_field(child.source)
            line_model, fk = rel.related_model, rel.field.attname
        else:
            line_model = child.source
            fk = next(
                f.attname
                for f in line_model._meta.concrete_fields
                if isinstance(f, models.ForeignKey) and f.related_model is model
            )
        out.append(_Source(line_model, line_model.history.filter(**{fk: instance.pk}), child.label))
    return out


def entries(
    instance: models.Model,
    children=(),
    page: int | str | None = 1,
    per_page: int = HISTORY_PAGE_SIZE,
) -> Page:
    """One page of the record's history and its lines', newest first, each with the fields it
    changed.  Queries, however many rows: one for the dates of every row, one per source (the
    record, each kind of line) for the page's rows and those before them, one per
    many-to-many field, and one per kind of record a changed foreign key names."""
    sources = _sources(instance, children)
    # 1. Every row, light, in one query: (source, history id, record id, date).
    parts = [
        source.rows.order_by()
        .annotate(source=models.Value(s, output_field=models.IntegerField()))
        .values_list("source", "history_id", "id", "history_date")
        for s, source in enumerate(sources)
    ]
    light = sorted(parts[0].union(*parts[1:], all=True), key=lambda r: (r[0], r[1]))
    heads: list[tuple] = []
    previous: dict[tuple[int, int], int | None] = {}
    before: dict[tuple[int, Any], int] = {}
    for s, hid, rid, date in light:
        previous[(s, hid)] = before.get((s, rid))
        before[(s, rid)] = hid
        heads.append((date, s, hid))
    heads.sort(key=lambda h: (h[0], -h[1], h[2]), reverse=True)
    result = Paginator(heads, per_page).get_page(page)
    # 2. The page's rows and those before them, in full: one query per source, always.
    wanted: dict[int, set] = {s: set() for s in range(len(sources))}
    for _date, s, hid in result.object_list:
        wanted[s].add(hid)
        if previous[(s, hid)] is not None:
            wanted[s].add(previous[(s, hid)])
    full: dict[tuple[int, int], Any] = {}
    for s, source in enumerate(sources):
        related = [
            name
            for name in _PLACEHOLDER.findall(str(source.label or ""))
            if isinstance(_field(source.model, name), models.ForeignKey)
        ]
        # "or history_id = 0": the query runs even when the page shows none of these rows, so
        # that a page costs as many queries whatever it shows.
        rows = source.rows.filter(
            models.Q(history_id__in=wanted[s]) | models.Q(history_id=0)
        ).select_related("history_user", *related)
        for row in rows:
            full[(s, row.history_id)] = row
    m2m = _m2m_values(sources, wanted)
    # 3. The names of the records the changed foreign keys name, then the entries.
    labels = _Labels()
    pairs = [
        _pair(sources, full, previous, m2m, labels, s, hid) for _date, s, hid in result.object_list
    ]
    labels.load()
    result.object_list = [
        _entry(source, s, row, prev, labels, m2m) for source, s, row, prev in pairs
    ]
    return result


def _pair(sources, full, previous, m2m, labels: _Labels, s, hid):
    """One history row with the row before it (source, s, row, prev); the names its changed
    foreign keys and many-to-many fields will need are asked of `labels`."""
    source = sources[s]
    row = full[(s, hid)]
    prev_id = previous[(s, hid)]
    prev = full.get((s, prev_id)) if prev_id is not None else None
    if prev is not None and row.history_type == "~":
        for f in source.tracked:
            old, new = getattr(prev, f.attname), getattr(row, f.attname)
            if not _same(f, old, new):
                labels.want(source.model, f.name, old, new)
        for m2m_field in source.m2m_fields:
            old_ids = m2m.get((s, prev_id, m2m_field), set())
            new_ids = m2m.get((s, hid, m2m_field), set())
            labels.want_ids(m2m_field.related_model, old_ids | new_ids)
    return source, s, row, prev


def _subject_value(model: type[models.Model], row, name: str, labels: _Labels) -> str:
    """A field of the line that names it; a foreign key shows its record (joined)."""
    f = _field(model, name)
    if isinstance(f, models.ForeignKey):
        related = getattr(row, name, None)
        return "" if related is None else str(related)  # "Line %(service)s %(item)s": one is empty
    return labels.display(model, name, getattr(row, name, None))


def _m2m_values(sources: list[_Source], wanted: dict[int, set]) -> dict[tuple, set]:
    """(source, history id, field) → the ids the many-to-many field held on that row."""
    out: dict[tuple, set] = {}
    for s, hids in wanted.items():
        history_model = sources[s].history_model
        for m2m_field in sources[s].m2m_fields:
            m2m_history = getattr(history_model, m2m_field.name).model
            target = m2m_history._meta.get_field(get_m2m_reverse_field_name(m2m_field)).attname
            for hid in hids:
                out[(s, hid, m2m_field)] = set()
            rows = m2m_history.objects.filter(
                models.Q(history_id__in=hids) | models.Q(history_id=0)
            )
            for hid, target_id in rows.values_list("history_id", target):
                out[(s, hid, m2m_field)].add(target_id)
    return out


def _entry(source: _Source, s: int, row, prev, labels: _Labels, m2m: dict) -> Entry:
    model = source.model
    kind = row.history_type
    if kind == "~" and prev is not None:
        was, now = getattr(prev, RETIRED, None), getattr(row, RETIRED, None)
        if was is None and now is not None:
            kind = "retired"
        elif was is not None and now is None:
            kind = "restored"
    entry = Entry(
        date=row.history_date,
        user=row.history_user,
        kind=kind,
        reason=row.history_change_reason or "",
        feminine=model._meta.label_lower.removeprefix("kinga.") in FEMININE,
    )
    if source.label is not None:
        subject = str(source.label) % defaultdict(
            str,
            {
                name: _subject_value(model, row, name, labels)
                for name in _PLACEHOLDER.findall(str(source.label))
            },
        )
        entry.subject = " ".join(subject.split())  # no double space where a field is empty
    if prev is None or row.history_type != "~":
        return entry
    for f in source.tracked:
        if f.name == RETIRED and kind in ("retired", "restored"):
            continue
        old, new = getattr(prev, f.attname), getattr(row, f.attname)
        if not _same(f, old, new):
            entry.changes.append(
                Change(
                    str(f.verbose_name),
                    labels.display(model, f.name, old),
                    labels.display(model, f.name, new),
                )
            )
    for m2m_field in source.m2m_fields:
        old = m2m.get((s, prev.history_id, m2m_field), set())
        new = m2m.get((s, row.history_id, m2m_field), set())
        if old != new:
            target = m2m_field.related_model

            def names(ids, target=target):
                return sorted(labels.name(target, i) for i in ids)

            entry.changes.append(
                Change(
                    str(m2m_field.verbose_name),
                    ", ".join(names(old)) or "—",
                    ", ".join(names(new)) or "—",
                    added=names(new - old),
                    removed=names(old - new),
                )
            )
    return entry


# --- reading: every register's history at once (the data-entry audit) --------------------------

CONCEALED = _("Confidential data")


def tracked_models() -> list[type[models.Model]]:
    """Every model whose changes leave history rows (each register and its lines), in the
    order of their labels ("claims.claim", "core.role"...)."""
    from django.apps import apps

    found = [
        m
        for m in apps.get_models()
        if getattr(m._meta, "simple_history_manager_attribute", None) and not m._meta.proxy
    ]
    return sorted(found, key=lambda m: m._meta.label_lower)


def kind_of(model: type[models.Model]) -> str:
    """A register's kind as the audit names it: « insurees.insuree »."""
    return model._meta.label_lower


def _history_model(model: type[models.Model]):
    return getattr(model, model._meta.simple_history_manager_attribute).model


def _period_rows(model, since: datetime.datetime, until: datetime.datetime, user_ids):
    rows = _history_model(model).objects.filter(history_date__gte=since, history_date__lt=until)
    if user_ids is not None:
        rows = rows.filter(history_user_id__in=user_ids)
    return rows


def _retiring(model) -> models.Q:
    """The history rows that retire (or delete) their record: a "-" row, or the first row
    where `retired_at` holds the value it has (set since the row before)."""
    retiring = models.Q(history_type="-")
    if _field(model, RETIRED) is None:
        return retiring
    history_model = _history_model(model)
    key = model._meta.pk.attname
    same_before = history_model.objects.filter(
        **{key: models.OuterRef(key)},
        history_id__lt=models.OuterRef("history_id"),
        retired_at=models.OuterRef("retired_at"),
    )
    return retiring | (
        models.Q(history_type="~", retired_at__isnull=False) & ~models.Exists(same_before)
    )


class Rows:
    """The rows of a UNION ALL over the history tables, for a paginator: `count()` and slices
    run SQL compiled once per `shape` (compiling forty SELECTs costs more than running them)
    with this request's period and users put in place of the markers it was compiled with."""

    _compiled: dict[tuple, tuple[str, list]] = {}
    _SINCE = datetime.datetime(1901, 1, 1, tzinfo=datetime.UTC)
    _UNTIL = datetime.datetime(1901, 1, 2, tzinfo=datetime.UTC)
    _USER = -1_000_000_000  # user markers: _USER - 0, _USER - 1...

    def __init__(self, shape, build, since, until, user_ids, columns, *, whole=False):
        """`whole`: read every row once (count and pages from it) — for aggregates, whose
        rows are few but cost a pass over the period's history to count."""
        from django.db import connection

        self.columns = columns
        self.whole = whole
        self._all: list | None = None
        key = (connection.vendor, connection.alias, timezone.get_current_timezone_name(), shape)
        found = self._compiled.get(key)
        if found is None:
            markers = None if user_ids is None else [self._USER - i for i in range(len(user_ids))]
            if len(self._compiled) >= 256:
                self._compiled.clear()
            query = build(self._SINCE, self._UNTIL, markers).query
            found = self._compiled[key] = query.sql_with_params()
        sql, params = found
        adapt = connection.ops.adapt_datetimefield_value
        values = {
            adapt(self._SINCE): adapt(since),
            adapt(self._UNTIL): adapt(until),
        }
        ids = list(user_ids or ())
        self.sql = sql
        self.params = [self._value(p, values, ids) for p in params]

    def _value(self, p, values, ids):
        if isinstance(p, int) and not isinstance(p, bool) and p <= self._USER:
            return ids[self._USER - p]
        if isinstance(p, str | datetime.datetime):
            return values.get(p, p)
        return p

    def _run(self, sql, params) -> list:
        from django.db import connection, transaction

        if connection.vendor != "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()
        # Forty SELECTs add up to a cost past PostgreSQL's JIT threshold: compiling them takes
        # seconds, running them milliseconds.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            cursor.execute(sql, params)
            return cursor.fetchall()

    def _every_row(self) -> list:
        if self._all is None:
            self._all = [self._row(row) for row in self._run(self.sql, self.params)]
        return self._all

    def count(self) -> int:
        if self.whole:
            return len(self._every_row())
        return self._run(f"SELECT COUNT(*) FROM ({self.sql}) AS audit_rows", self.params)[0][0]

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key):
        if not isinstance(key, slice):
            return self[key : key + 1][0]
        if self.whole:
            return self._every_row()[key]
        start, stop = key.start or 0, key.stop
        limit = "" if stop is None else f" LIMIT {int(stop - start)}"
        rows = self._run(f"{self.sql}{limit} OFFSET {int(start)}", self.params)
        return [self._row(row) for row in rows]

    def _row(self, row) -> dict:
        out = dict(zip(self.columns, row, strict=True))
        day = out.get("day")
        if isinstance(day, str):  # SQLite gives the day as text
            out["day"] = datetime.date.fromisoformat(day[:10])
        return out


def day_counts(
    since: datetime.datetime,
    until: datetime.datetime,
    *,
    user_ids=None,
    kinds=None,
) -> Rows:
    """Per user, day (in the site's time zone) and kind of record, the records created,
    changed and retired (or deleted) between `since` and `until`: one UNION ALL query over
    every history table, each bounded by the period (its `history_date` index).  Rows
    (history_user_id, day, kind, created, changed, retired), newest day first; `user_ids`
    (None: everyone) and `kinds` narrow it.  The query is compiled once per shape (kinds,
    number of users) and run with each request's values (`Rows`)."""
    if user_ids is not None and not user_ids:
        user_ids = [0]  # nobody: no user has the id 0
    shape = ("days", tuple(kinds or ()), None if user_ids is None else len(user_ids))
    return Rows(
        shape,
        lambda s, u, ids: _day_counts_query(s, u, ids, kinds),
        since,
        until,
        user_ids,
        ("history_user_id", "day", "kind", "created", "changed", "retired"),
        whole=True,
    )


def _day_counts_query(since, until, user_ids, kinds):
    parts = []
    chosen = [m for m in tracked_models() if not kinds or kind_of(m) in kinds]
    for model in chosen or tracked_models()[:1]:
        kind = kind_of(model)
        retiring = _retiring(model)

        def flag(q):
            return models.Case(
                models.When(q, then=models.Value(1)),
                default=models.Value(0),
                output_field=models.IntegerField(),
            )

        part = (
            _period_rows(model, since, until, user_ids)
            .order_by()
            .annotate(
                is_created=flag(models.Q(history_type="+")),
                is_retiring=flag(retiring),
            )
            .values("history_user_id", day=TruncDate("history_date"))
            .annotate(
                kind=models.Value(kind, output_field=models.CharField()),
                created=models.Sum("is_created"),
                changed=models.Count("history_id")
                - models.Sum("is_created")
                - models.Sum("is_retiring"),
                retired=models.Sum("is_retiring"),
            )
        )
        parts.append(part if chosen else part.filter(history_id__lt=0))
    union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return union.order_by("-day", "history_user_id", "kind")


@dataclass
class Activity(Entry):
    """One change a user made: the kind of record, which record, and what changed."""

    record_kind: str = ""  # "insurees.insuree"
    record_name: str = ""  # « Assuré »
    record_label: str = ""
    record_id: Any = None
    concealed: bool = False


# A history row's fields that name its record without a query, the first one it has.
_NAMING = ("insurance_number", "code", "receipt", "username", "name")


def _record_label(model: type[models.Model], row) -> str:
    for name in _NAMING:
        if _field(model, name) is not None and getattr(row, name, ""):
            return str(getattr(row, name))
    return f"n° {getattr(row, model._meta.pk.attname)}"


def activity(
    user_id: int,
    since: datetime.datetime,
    until: datetime.datetime,
    *,
    kinds=None,
    page: int | str | None = 1,
    per_page: int = HISTORY_PAGE_SIZE,
    conceal=None,
) -> Page:
    """One page of what `user_id` changed between `since` and `until`, newest first, across
    every register, each with its old and new values (as a record's page shows them).

    `conceal(model, ids) -> {id: text}`: the records of `model` whose values the reader may
    not see (a confidential programme's beneficiary): their changes read `CONCEALED`, and a
    foreign key naming one of them reads `text`.

    Queries: one for the page's keys (UNION ALL over the history tables), one to count them,
    then, for each kind of record on the page, one for its rows and those before them, one per
    many-to-many field, one per kind of record a changed foreign key names, and what
    `conceal` asks."""
    models_ = [m for m in tracked_models() if not kinds or kind_of(m) in kinds]
    if not models_:
        return Paginator([], per_page).get_page(page)

    def light(since, until, user_ids):
        parts = [
            _period_rows(model, since, until, user_ids)
            .order_by()
            .annotate(source=models.Value(s, output_field=models.IntegerField()))
            .values_list("history_date", "source", "history_id")
            for s, model in enumerate(models_)
        ]
        union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        return union.order_by("-history_date", "-source", "-history_id")

    rows_of = Rows(
        ("activity", tuple(kinds or ())),
        light,
        since,
        until,
        [user_id],
        ("history_date", "source", "history_id"),
    )
    result = Paginator(rows_of, per_page).get_page(page)
    heads = [(r["history_date"], r["source"], r["history_id"]) for r in result.object_list]
    wanted: dict[int, set] = defaultdict(set)
    for _date, s, hid in heads:
        wanted[s].add(hid)
    # The page's rows and, for each, the row before it of the same record.
    sources: dict[int, _Source] = {}
    full: dict[tuple[int, int], Any] = {}
    previous: dict[tuple[int, int], int | None] = {}
    for s, hids in wanted.items():
        model = models_[s]
        history_model = _history_model(model)
        key = model._meta.pk.attname
        before = (
            history_model.objects.filter(
                **{key: models.OuterRef(key)}, history_id__lt=models.OuterRef("history_id")
            )
            .order_by("-history_id")
            .values("history_id")[:1]
        )
        # The page's rows with the id of the row before each (the record's id index), then
        # those rows: an OR of the two would read the whole table.
        rows = list(
            history_model.objects.filter(history_id__in=hids)
            .annotate(history_before=models.Subquery(before))
            .select_related("history_user")
        )
        before_ids = {row.history_before for row in rows if row.history_before is not None}
        rows += list(history_model.objects.filter(history_id__in=before_ids - hids))
        for row in rows:
            full[(s, row.history_id)] = row
            previous.setdefault((s, row.history_id), getattr(row, "history_before", None))
        sources[s] = _Source(model, history_model.objects.all())
    m2m = _m2m_values_of(sources, wanted, previous)
    labels = _Labels()
    hidden: dict[type[models.Model], dict] = {}
    if conceal is not None:
        ids_by_model: dict[type[models.Model], set] = defaultdict(set)
        for (s, _hid), row in full.items():
            ids_by_model[models_[s]].add(getattr(row, models_[s]._meta.pk.attname))
        for model, ids in ids_by_model.items():
            hidden[model] = conceal(model, ids) or {}
    pairs = [_pair(sources, full, previous, m2m, labels, s, hid) for _date, s, hid in heads]
    labels.load()
    if conceal is not None:
        for target, names in labels.names.items():
            masked = hidden.get(target)
            if masked is None:
                masked = hidden[target] = conceal(target, set(names)) or {}
            names.update(masked)
    out = []
    for source, s, row, prev in pairs:
        model = source.model
        pk = getattr(row, model._meta.pk.attname)
        entry = _entry(source, s, row, prev, labels, m2m)
        concealed = pk in hidden.get(model, {})
        if concealed:
            for change in entry.changes:
                change.old = change.new = str(CONCEALED)
                change.added = change.removed = None
        out.append(
            Activity(
                **{k: getattr(entry, k) for k in entry.__dataclass_fields__},
                record_kind=kind_of(model),
                record_name=capfirst(str(model._meta.verbose_name)),
                record_label=str(CONCEALED) if concealed else _record_label(model, row),
                record_id=pk,
                concealed=concealed,
            )
        )
    result.object_list = out
    return result


def _m2m_values_of(sources: dict[int, _Source], wanted: dict[int, set], previous) -> dict:
    """`_m2m_values` for the page's rows and the rows before them."""
    ordered = sorted(sources)
    with_before = {
        i: wanted[s] | {previous[(s, h)] for h in wanted[s] if previous.get((s, h)) is not None}
        for i, s in enumerate(ordered)
    }
    values = _m2m_values([sources[s] for s in ordered], with_before)
    return {(ordered[i], hid, f): ids for (i, hid, f), ids in values.items()}
