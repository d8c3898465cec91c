"""Name search as clerks spell (issue 14, item 5).  On PostgreSQL: `unaccent` and `pg_trgm`, an
immutable `kinga_fold(last_name, other_names)` (no accents, lower case, letters and digits only:
the same as kinga.insurees.rules.fold_name), the stored column `search_name` it computes, and a
trigram GIN index on that column, so that `search_name LIKE '%ebene%'` finds « Ébéné » through
the index.  On SQLite `kinga_fold` is Python's, registered on each connection
(kinga.insurees.apps).  And the lists' order (last name, other names, id) as one index."""

from django.db import migrations, models

import kinga.insurees.models
from kinga.insurees import folding

INDEX = "insuree_search_name_trgm"


def fold_function(apps, schema_editor):
    folding.create_on_postgresql(schema_editor.connection)


def drop_fold_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS kinga_fold(text, text)")


def trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON insurees_insuree "
            "USING gin (search_name gin_trgm_ops)"
        )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("facilities", "0003_healthfacility_items_price_list_and_more"),
        ("insurees", "0003_bounds"),
        ("locations", "0002_bounds"),
    ]

    operations = [
        migrations.RunPython(fold_function, drop_fold_function),
        migrations.RemoveIndex(
            model_name="insuree",
            name="insurees_in_last_na_f2cae3_idx",
        ),
        migrations.AddField(
            model_name="insuree",
            name="search_name",
            field=models.GeneratedField(
                db_persist=True,
                expression=kinga.insurees.models.FoldedName(),
                output_field=models.TextField(),
                verbose_name="name as searched",
            ),
        ),
        migrations.AddIndex(
            model_name="insuree",
            index=models.Index(
                fields=["last_name", "other_names", "id"],
                include=[
                    "search_name",
                    "retired_at",
                    "insurance_number",
                    "family",
                    "current_village",
                    "status",
                ],
                name="insuree_name_order",
            ),
        ),
        migrations.AddIndex(
            model_name="family",
            index=models.Index(fields=["village", "id"], name="family_village_ids"),
        ),
        migrations.RunPython(trigram_index, drop_trigram_index),
    ]
