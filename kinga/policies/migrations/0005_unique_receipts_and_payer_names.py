"""Step 3 of 3: the product is required, and the database holds two uniqueness rules that the
services check (a concurrent writer gets the same refusal): a receipt per product among current
contributions, a payer's name among current payers."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [("policies", "0004_fill_contribution_product")]

    operations = [
        migrations.AlterField(
            model_name="contribution",
            name="product",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="contributions",
                to="products.product",
                verbose_name="product",
            ),
        ),
        migrations.AddConstraint(
            model_name="contribution",
            constraint=models.UniqueConstraint(
                condition=models.Q(("retired_at__isnull", True)),
                fields=("product", "receipt"),
                name="contribution_receipt_current_unique",
            ),
        ),
        migrations.AddConstraint(
            model_name="payer",
            constraint=models.UniqueConstraint(
                condition=models.Q(("retired_at__isnull", True)),
                fields=("name",),
                name="payer_name_current_unique",
            ),
        ),
    ]
