"""The database's triggers that keep Insuree.village right: the village an insuree counts in
(spec registers §2.3), his family's, else (no family) his current village.

Whatever writes the rows (the pages, imports by COPY, SQL): an insuree inserted, or moved to
another family, or whose current village changes, takes his family's village; a family that
moves to another village takes its members along.  On PostgreSQL and on SQLite, created by the
migration 0005_insuree_village and, for a test database built without migrations, on
`post_migrate` (idempotent)."""

from __future__ import annotations

# coalesce(the family's village, the current village) of the insuree row `row`.
_VILLAGE_OF = (
    "coalesce((SELECT f.village_id FROM insurees_family f WHERE f.id = {row}.family_id), "
    "{row}.current_village_id)"
)

POSTGRESQL = [
    f"""
    CREATE OR REPLACE FUNCTION kinga_insuree_village() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      NEW.village_id := {_VILLAGE_OF.format(row="NEW")};
      RETURN NEW;
    END $$
    """,
    "DROP TRIGGER IF EXISTS insuree_village ON insurees_insuree",
    # village_id too: a save that writes a stale value (a model read before the family moved)
    # is put right.
    """
    CREATE TRIGGER insuree_village
    BEFORE INSERT OR UPDATE OF family_id, current_village_id, village_id ON insurees_insuree
    FOR EACH ROW EXECUTE FUNCTION kinga_insuree_village()
    """,
    """
    CREATE OR REPLACE FUNCTION kinga_family_village() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE insurees_insuree SET village_id = NEW.village_id
       WHERE family_id = NEW.id AND village_id IS DISTINCT FROM NEW.village_id;
      RETURN NULL;
    END $$
    """,
    "DROP TRIGGER IF EXISTS family_village ON insurees_family",
    """
    CREATE TRIGGER family_village AFTER UPDATE OF village_id ON insurees_family
    FOR EACH ROW WHEN (OLD.village_id IS DISTINCT FROM NEW.village_id)
    EXECUTE FUNCTION kinga_family_village()
    """,
]

# SQLite has no BEFORE trigger that changes NEW: the row is put right just after it is written
# (recursive triggers are off: the inner UPDATE does not fire its own trigger again).
SQLITE = [
    f"""
    CREATE TRIGGER IF NOT EXISTS insuree_village_insert AFTER INSERT ON insurees_insuree
    BEGIN
      UPDATE insurees_insuree SET village_id = {_VILLAGE_OF.format(row="NEW")}
       WHERE id = NEW.id;
    END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS insuree_village_update
    AFTER UPDATE OF family_id, current_village_id, village_id ON insurees_insuree
    BEGIN
      UPDATE insurees_insuree SET village_id = {_VILLAGE_OF.format(row="NEW")}
       WHERE id = NEW.id AND village_id IS NOT {_VILLAGE_OF.format(row="NEW")};
    END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS family_village AFTER UPDATE OF village_id ON insurees_family
    WHEN OLD.village_id IS NOT NEW.village_id
    BEGIN
      UPDATE insurees_insuree SET village_id = NEW.village_id WHERE family_id = NEW.id;
    END
    """,
]

DROP = {
    "postgresql": [
        "DROP TRIGGER IF EXISTS insuree_village ON insurees_insuree",
        "DROP TRIGGER IF EXISTS family_village ON insurees_family",
        "DROP FUNCTION IF EXISTS kinga_insuree_village()",
        "DROP FUNCTION IF EXISTS kinga_family_village()",
    ],
    "sqlite": [
        "DROP TRIGGER IF EXISTS insuree_village_insert",
        "DROP TRIGGER IF EXISTS insuree_village_update",
        "DROP TRIGGER IF EXISTS family_village",
    ],
}

# Every insuree's village, as the triggers keep it (the migration fills the column once).
FILL = f"""
    UPDATE insurees_insuree SET village_id = {_VILLAGE_OF.format(row="insurees_insuree")}
"""


def create_triggers(connection) -> None:
    statements = {"postgresql": POSTGRESQL, "sqlite": SQLITE}.get(connection.vendor, [])
    with connection.cursor() as cur:
        for sql in statements:
            cur.execute(sql)


def drop_triggers(connection) -> None:
    with connection.cursor() as cur:
        for sql in DROP.get(connection.vendor, []):
            cur.execute(sql)


def after_migrate(sender, using="default", **kwargs) -> None:
    """A database built from the models (tests) gets the triggers too, once the tables exist."""
    from django.db import connections

    connection = connections[using]
    if "insurees_insuree" not in connection.introspection.table_names():
        return
    with connection.cursor() as cur:
        columns = connection.introspection.get_table_description(cur, "insurees_insuree")
    if any(c.name == "village_id" for c in columns):  # not when migrated back before 0005
        create_triggers(connection)
