"""Login names and role names are unique among current users and roles whatever their case
(« Admin » logs in as « admin »): functional unique constraints on Lower(...)."""

import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_initial"),
    ]

    operations = [
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
    ]
