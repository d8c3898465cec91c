"""Writing many new records at once, each with its history row naming the actor.

`create_rows` is `simple_history`'s `bulk_create_with_history` made fast on PostgreSQL: the
ids are taken from the table's sequence in one statement, then the records and their history
rows are sent with COPY (no SQL compiled per value, no model instance per record or history
row).  Other databases (SQLite in development and in the tests) take the `bulk_create` path.
Either way the new primary keys come back in order, and everything runs inside the caller's
transaction.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from django.db import connection, models
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

BATCH = 1000


def uses_copy() -> bool:
    """Whether this database takes the COPY path (PostgreSQL)."""
    return connection.vendor == "postgresql"


def take_ids(model: type[models.Model], count: int) -> list[int] | None:
    """`count` new primary keys of `model` on PostgreSQL (None elsewhere): a caller that must
    know ids before writing (records pointing at each other) sets them on its objects."""
    if not uses_copy():
        return None
    table = model._meta.db_table
    pk = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, pk, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _copy(table: str, columns: list[str], rows) -> None:
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    # The raw psycopg cursor, with its errors as Django's (a unique constraint's violation is an
    # IntegrityError the caller can turn into a refusal, as with bulk_create).
    with connection.cursor() as wrapper, connection.wrap_database_errors:
        with wrapper.cursor.copy(
            f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(row)


def create_rows(
    model: type[models.Model],
    rows: list[dict],
    *,
    user,
    reason: str,
    when: datetime | None = None,
) -> list[int]:
    """Insert new records given as {attname: value}, with one "+" history row each naming
    `user` and `reason`; fields left out take their defaults; rows that all carry their primary
    key (from `take_ids`) keep it.  Returns the new primary keys in order."""
    if not rows:
        return []
    if not uses_copy():
        objs = bulk_create_with_history(
            [model(**row) for row in rows],
            model,
            batch_size=BATCH,
            default_user=user,
            default_change_reason=reason,
        )
        return [obj.pk for obj in objs]
    when = when or timezone.now()
    meta = model._meta
    pk_name = meta.pk.attname
    ids = [row[pk_name] for row in rows] if pk_name in rows[0] else take_ids(model, len(rows))
    fields = [f for f in meta.concrete_fields if not f.primary_key and not f.generated]
    stamped = {
        f.attname
        for f in fields
        if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False)
    }
    defaults = [(f.attname, f.get_default) for f in fields if f.attname not in stamped]
    values = []
    for pk, row in zip(ids, rows, strict=True):
        full = {name: row[name] if name in row else default() for name, default in defaults}
        for name in stamped:
            full[name] = when
        full[pk_name] = pk
        values.append(full)
    columns = [meta.pk] + fields
    _copy(
        meta.db_table,
        [f.column for f in columns],
        ([v[f.attname] for f in columns] for v in values),
    )
    history = model.history.model
    tracked = [
        f
        for f in history._meta.concrete_fields
        if f.name not in ("history_id", "history_date", "history_change_reason")
        and f.name not in ("history_type", "history_user")
    ]
    extra = [when, reason, "+", user.pk if user is not None else None]
    _copy(
        history._meta.db_table,
        [f.column for f in tracked]
        + ["history_date", "history_change_reason", "history_type", "history_user_id"],
        ([v[f.attname] for f in tracked] + extra for v in values),
    )
    return ids


def _history_copy(model: type[models.Model], ids: list[int], *, user, reason: str, when) -> None:
    """One "~" history row per record of `ids`, copied from the table as it is now (one
    INSERT … SELECT per batch: no model instance per row)."""
    history = model.history.model
    qn = connection.ops.quote_name
    meta = model._meta
    tracked = [
        f
        for f in history._meta.concrete_fields
        if f.name not in ("history_id", "history_date", "history_change_reason", "history_type")
        and f.name != "history_user"
    ]
    target = ", ".join(qn(f.column) for f in tracked)
    source = ", ".join(qn(meta.get_field(f.name).column) for f in tracked)
    extra = "history_date, history_change_reason, history_type, history_user_id"
    pk = qn(meta.pk.column)
    user_id = user.pk if user is not None else None
    with connection.cursor() as cursor:
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {qn(history._meta.db_table)} ({target}, {extra})"
                f" SELECT {source}, %s, %s, '~', %s FROM {qn(meta.db_table)}"
                f" WHERE {pk} IN ({marks})",
                [when, reason, user_id, *chunk],
            )


def _pg_update(model: type[models.Model], rows: list[dict], fields: list[str]) -> None:
    """COPY the new values into a temporary table, then one UPDATE … FROM it: no SQL compiled
    per value and no Python-side array building, whatever the number of rows."""
    meta = model._meta
    qn = connection.ops.quote_name
    pk = meta.pk
    columns = [pk] + [meta.get_field(name) for name in fields]
    types = []
    for f in columns:
        if f is pk:
            types.append(f.rel_db_type(connection))
        elif f.is_relation:
            types.append(f.target_field.rel_db_type(connection))
        else:
            types.append(f.db_type(connection))
    json_columns = {n for n, f in enumerate(columns) if isinstance(f, models.JSONField)}
    # One temporary table per model and set of columns, kept for the session (its rows go at
    # commit): a name of its own, since another call may write other columns.
    digest = hashlib.md5(" ".join(f.column for f in columns).encode()).hexdigest()[:8]
    temp_name = f"kinga_upd_{meta.db_table[:40]}_{digest}"
    temp = qn(temp_name)
    names = [f"c{n}" for n in range(len(columns))]
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {temp}"
            f" ({', '.join(f'{name} {t}' for name, t in zip(names, types, strict=True))})"
            " ON COMMIT DELETE ROWS"
        )
        cursor.execute(f"TRUNCATE {temp}")
    attnames = [f.attname for f in columns]

    def values():
        for row in rows:
            out = [row[name] for name in attnames]
            for n in json_columns:
                out[n] = None if out[n] is None else json.dumps(out[n])
            yield out

    _copy(temp_name, names, values())
    sets = ", ".join(f"{qn(f.column)} = v.c{n}" for n, f in enumerate(columns) if n)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {qn(meta.db_table)} AS t SET {sets}"
            f" FROM {temp} AS v WHERE t.{qn(pk.column)} = v.c0"
        )


def update_rows(
    model: type[models.Model],
    rows: list[dict],
    fields: list[str],
    *,
    user,
    reason: str,
    when: datetime | None = None,
) -> None:
    """Write `fields` of existing records given as {attname: value} with their primary key, and
    one "~" history row each naming `user` and `reason`: `bulk_update_with_history` without a
    model instance per row (PostgreSQL: COPY into a temporary table, then one UPDATE … FROM
    it; elsewhere one prepared UPDATE run for every row).  Runs in the caller's transaction; `fields` are attnames (e.g. "policy_id")
    or field names."""
    if not rows:
        return
    when = when or timezone.now()
    meta = model._meta
    attnames = [meta.get_field(name).attname for name in fields]
    pk_name = meta.pk.attname
    if uses_copy():
        _pg_update(model, rows, attnames)
    else:
        # One prepared UPDATE run for every row (executemany): Django's bulk_update compiles a
        # CASE WHEN per field and row, which costs milliseconds a row on SQLite.
        qn = connection.ops.quote_name
        columns = [meta.get_field(name) for name in attnames]
        sets = ", ".join(f"{qn(f.column)} = %s" for f in columns)
        sql = f"UPDATE {qn(meta.db_table)} SET {sets} WHERE {qn(meta.pk.column)} = %s"
        params = [
            [
                f.get_db_prep_save(row[name], connection)
                for f, name in zip(columns, attnames, strict=True)
            ]
            + [row[pk_name]]
            for row in rows
        ]
        with connection.cursor() as cursor:
            for start in range(0, len(params), BATCH):
                cursor.executemany(sql, params[start : start + BATCH])
    _history_copy(model, [row[pk_name] for row in rows], user=user, reason=reason, when=when)
