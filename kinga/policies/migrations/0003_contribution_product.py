"""Contributions carry their policy's product (step 1 of 3: the column, nullable), so that a
database constraint can hold "a receipt is unique per product"."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("policies", "0002_policies_and_contributions"),
        ("products", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="contribution",
            name="product",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="contributions",
                to="products.product",
                verbose_name="product",
            ),
        ),
        migrations.AddField(
            model_name="historicalcontribution",
            name="product",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="products.product",
                verbose_name="product",
            ),
        ),
    ]
