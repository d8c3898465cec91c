"""The database's `kinga_fold(last_name, other_names)`, which computes Insuree.search_name: the
name without accents, case, apostrophes, hyphens or spaces (kinga.insurees.rules.fold_name).

On PostgreSQL, `unaccent` wrapped in an IMMUTABLE SQL function (created by the migration
0004_search_names and, before any table is created, on `pre_migrate`: a test database built
without migrations needs it too).  On SQLite, Python's fold_name registered on each
connection."""

from __future__ import annotations

from .rules import fold_name


def create_on_postgresql(connection) -> None:
    """The extensions and the function (idempotent)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        cur.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        cur.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        cur.execute(
            "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'unaccent'"
        )
        schema = cur.fetchone()[0]
        # unaccent() is only STABLE (it finds its dictionary by search_path): naming the
        # dictionary and its schema makes the wrapper safe to declare IMMUTABLE.
        cur.execute(
            f"""
            CREATE OR REPLACE FUNCTION kinga_fold(last_name text, other_names text)
            RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
              SELECT regexp_replace(
                lower({schema}.unaccent('{schema}.unaccent'::regdictionary,
                                        coalesce(last_name, '') || coalesce(other_names, ''))),
                '[^a-z0-9]+', '', 'g')
            $$
            """
        )


def before_migrate(sender, using="default", **kwargs) -> None:
    from django.db import connections

    create_on_postgresql(connections[using])


def on_connection(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("kinga_fold", 2, fold_name, deterministic=True)
