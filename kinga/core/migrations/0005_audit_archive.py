"""The read audit's archive anchors and, on PostgreSQL, what keeps the log append-only: the
append function (hash chain under an advisory lock) and the triggers refusing UPDATE and DELETE
(kinga.core.audit)."""

from django.db import migrations, models

from kinga.core import audit


def install(apps, schema_editor):
    audit.install_on_postgresql(schema_editor.connection)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in ("core_auditentry", "core_auditanchor"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        schema_editor.execute("DROP FUNCTION IF EXISTS kinga_audit_guard()")
        schema_editor.execute(
            "DROP FUNCTION IF EXISTS kinga_audit_append(timestamptz, bigint, text, inet, text,"
            " text, text, text, jsonb, text, text, boolean)"
        )


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0004_audit_entries'),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditAnchor',
            fields=[
                ('id', models.BigAutoField(primary_key=True, serialize=False)),
                ('at', models.DateTimeField(verbose_name='time')),
                ('first_id', models.BigIntegerField()),
                ('last_id', models.BigIntegerField()),
                ('first_prev_hash', models.CharField(max_length=64)),
                ('last_hash', models.CharField(max_length=64)),
                ('count', models.PositiveIntegerField()),
                ('file', models.CharField(max_length=255)),
            ],
            options={
                'verbose_name': 'audit archive',
                'verbose_name_plural': 'audit archives',
                'ordering': ['-id'],
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
