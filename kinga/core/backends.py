"""The request's user, loaded with his rights and districts in one query.

Django's ModelBackend loads the user row; kinga.core.access then reads his roles and districts
in a second query.  `UserBackend.get_user` reads both at once and primes the user object with
what access.py would otherwise read (`access.prime`).  When the session was read by
kinga.core.sessions, the same query also read the session row: the user it loaded is taken from
there and a page costs one query in all.

Django's own checks are kept, since they run around `get_user` (django.contrib.auth.get_user):
the session's backend must be listed in AUTHENTICATION_BACKENDS, a retired (inactive) user is
refused (`user_can_authenticate`), and the session's password hash must match, so a password
change ends the user's other sessions.
"""

from __future__ import annotations

import re
import weakref
from contextvars import ContextVar
from functools import cache

from django.contrib import auth
from django.contrib.auth.backends import ModelBackend
from django.db import connection

from . import access

# The session of the request whose user is being loaded, for `UserBackend.get_user`, which
# Django calls with a user id only.  Set by `request_user` for the length of that call.
_session_being_read: ContextVar = ContextVar("kinga_session_being_read", default=None)


def request_user(request):
    """django.contrib.auth.get_user(request), once per request (AuthenticationMiddleware)."""
    if not hasattr(request, "_cached_user"):
        token = _session_being_read.set(request.session)
        try:
            request._cached_user = auth.get_user(request)
        finally:
            _session_being_read.reset(token)
    return request._cached_user


class UserBackend(ModelBackend):
    def get_user(self, user_id):
        session = _session_being_read.get()
        user = getattr(session, "loaded_user", None)
        if user is None or str(user.pk) != str(user_id):
            user = load_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


# --- the query -------------------------------------------------------------------------------


def _user_model():
    from .models import User

    return User


@cache
def _user_select(vendor: str) -> str:
    """The user's columns (table alias u) and his grants' (alias g, joined by `_grants_join`)."""
    qn = connection.ops.quote_name
    user_columns = ", ".join(f"u.{qn(f.column)}" for f in _user_model()._meta.concrete_fields)
    grants = "g.g_system, g.g_rights, g.g_blocked, g.g_district, g.g_region, g.g_name, g.g_alt_name"
    return f"{user_columns}, {grants}"


@cache
def _grants_join(vendor: str) -> str:
    """One row per role and district of user u (one row of NULLs when he has neither)."""
    return f"LEFT JOIN ({access.grants_sql(vendor)}) g ON u.id IS NOT NULL"


@cache
def _user_sql(vendor: str) -> str:
    table = connection.ops.quote_name(_user_model()._meta.db_table)
    return f"SELECT {_user_select(vendor)} FROM {table} u {_grants_join(vendor)} WHERE u.id = %s"


def load_user(user_id):
    """The user and his grants, or None."""
    with connection.cursor() as cursor:
        cursor.execute(_user_sql(connection.vendor), [*access.grants_params(user_id), user_id])
        return user_from_rows(cursor.fetchall())


def user_from_rows(rows, offset: int = 0):
    """The user object of rows made of `offset` other columns, then `user_select`'s; None when
    the user columns are NULL (an outer join that found no user)."""
    User = _user_model()
    fields = User._meta.concrete_fields
    if not rows or rows[0][offset] is None:
        return None
    values = rows[0][offset : offset + len(fields)]
    ops = connection.ops
    converted = []
    for field, value in zip(fields, values, strict=True):
        # What the ORM would do to the raw value (SQLite returns dates, booleans and UUIDs as
        # text or integers; PostgreSQL needs nothing here).
        col = _column(field)
        for convert in ops.get_db_converters(col) + field.get_db_converters(connection):
            value = convert(value, col, connection)
        converted.append(value)
    user = User.from_db(connection.alias, [f.attname for f in fields], converted)
    grants_at = offset + len(fields)
    access.prime(user, access.grants_from_rows([row[grants_at:] for row in rows]))
    return user


@cache
def _column(field):
    return field.get_col(field.model._meta.db_table)


def read_session_and_user(session_table: str, user_id: int, session_key: str, now) -> list:
    """The rows of `session_user_sql`: none when the session does not exist or has expired."""
    params = [
        user_id,
        *access.grants_params(user_id),
        session_key,
        connection.ops.adapt_datetimefield_value(now),
    ]
    with connection.cursor() as cursor:
        sql = session_user_sql(connection.vendor, session_table)
        if connection.vendor == "postgresql":
            # PostgreSQL takes longer to plan this seven-table query (~0.35 ms) than to run it
            # (~0.1 ms), and Django's client-side binding never reuses a plan: the statement is
            # prepared once per connection and every page after that only executes it.
            if connection.connection not in _prepared:
                cursor.execute(f"PREPARE {PREPARED_NAME} AS {_numbered(sql)}")
                _prepared.add(connection.connection)
            placeholders = ", ".join(["%s"] * len(params))
            sql = f"EXECUTE {PREPARED_NAME} ({placeholders})"
        cursor.execute(sql, params)
        return cursor.fetchall()


PREPARED_NAME = "kinga_session_user"
# The psycopg connections where the statement is prepared (it lives as long as the connection).
_prepared: weakref.WeakSet = weakref.WeakSet()


def _numbered(sql: str) -> str:
    """%s placeholders as PREPARE's $1, $2, …"""
    numbers = iter(range(1, sql.count("%s") + 1))
    return re.sub("%s", lambda _: f"${next(numbers)}", sql)


@cache
def session_user_sql(vendor: str, session_table: str) -> str:
    """The session row (its data) and the user it names with his grants, in one query
    (kinga.core.sessions)."""
    qn = connection.ops.quote_name
    table = qn(_user_model()._meta.db_table)
    return (
        f"SELECT s.{qn('session_data')}, {_user_select(vendor)}"
        f" FROM {qn(session_table)} s LEFT JOIN {table} u ON u.id = %s {_grants_join(vendor)}"
        f" WHERE s.{qn('session_key')} = %s AND s.{qn('expire_date')} > %s"
    )
