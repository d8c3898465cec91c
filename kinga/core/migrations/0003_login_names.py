"""Login names and role names are unique among current users and roles whatever their case
(« Admin » logs in as « admin »): functional unique constraints on Lower(...).  One-time codes
with which a person sets his own password (LoginCode)."""

import django.db.models.deletion
import django.db.models.functions.text
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def refuse_case_duplicates(apps, schema_editor):
    """Say which current logins (roles) differ only in case, rather than fail on the constraint
    with a database error: an administrator renames or retires all but one, then migrates."""
    from django.db.models import Count
    from django.db.models.functions import Lower

    clashes = []
    for model, field in (("User", "username"), ("Role", "name")):
        rows = (
            apps.get_model("core", model)
            .objects.filter(retired_at__isnull=True)
            .annotate(key=Lower(field))
            .values("key")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
        )
        clashes += [f"{model.lower()} {row['key']!r} ({row['n']})" for row in rows]
    if clashes:
        raise RuntimeError(
            "These current names differ only in case: "
            + ", ".join(clashes)
            + ". Rename or retire all but one of each, then run migrate again."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="LoginCode",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "purpose",
                    models.CharField(
                        choices=[("activate", "account activation"), ("reset", "password reset")],
                        max_length=10,
                        verbose_name="purpose",
                    ),
                ),
                ("code_hash", models.CharField(editable=False, max_length=128)),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="given on"
                    ),
                ),
                ("expires_at", models.DateTimeField(verbose_name="expires on")),
                ("used_at", models.DateTimeField(blank=True, null=True, verbose_name="used on")),
            ],
            options={
                "verbose_name": "one-time code",
                "verbose_name_plural": "one-time codes",
                "ordering": ["-created_at"],
            },
        ),
        migrations.RunPython(refuse_case_duplicates, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name="role",
            name="role_name_current_unique",
        ),
        migrations.AddConstraint(
            model_name="role",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("name"),
                condition=models.Q(("retired_at__isnull", True)),
                name="role_name_current_unique",
            ),
        ),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("username"),
                condition=models.Q(("retired_at__isnull", True)),
                name="user_login_current_unique",
            ),
        ),
        migrations.AddField(
            model_name="logincode",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="given by",
            ),
        ),
        migrations.AddField(
            model_name="logincode",
            name="user",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="login_codes",
                to=settings.AUTH_USER_MODEL,
                verbose_name="user",
            ),
        ),
    ]
