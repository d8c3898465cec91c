"""Insuree.village: the village an insuree counts in (his family's, else his current village),
kept by triggers on PostgreSQL and SQLite (kinga.insurees.villages), filled once here; and the
index (village, list order) that gives a village's insurees, or a district's, in the list's
order (issue 14, item 5)."""

import django.db.models.deletion
from django.db import migrations, models

from kinga.insurees import villages


def fill_and_keep(apps, schema_editor):
    schema_editor.execute(villages.FILL)
    villages.create_triggers(schema_editor.connection)


def drop_triggers(apps, schema_editor):
    villages.drop_triggers(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('facilities', '0003_healthfacility_items_price_list_and_more'),
        ('insurees', '0004_search_names'),
        ('locations', '0002_bounds'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='insuree',
            name='insuree_name_order',
        ),
        migrations.AddField(
            model_name='insuree',
            name='village',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='locations.location', verbose_name='village (of the family)'),
        ),
        migrations.RunPython(fill_and_keep, drop_triggers),
        migrations.AddIndex(
            model_name='insuree',
            index=models.Index(fields=['last_name', 'other_names', 'id'], include=('search_name', 'retired_at', 'insurance_number', 'village', 'status'), name='insuree_name_order'),
        ),
        migrations.AddIndex(
            model_name='insuree',
            index=models.Index(fields=['village', 'last_name', 'other_names', 'id'], include=('search_name', 'retired_at', 'insurance_number', 'status'), name='insuree_village_order'),
        ),
    ]
