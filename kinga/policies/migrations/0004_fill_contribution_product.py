"""Step 2 of 3: every contribution (and its history rows) takes its policy's product.  A
migration of its own: on PostgreSQL the update's deferred foreign-key checks must be done
before the next step alters the table."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    Policy = apps.get_model("policies", "Policy")
    product_of_policy = Subquery(
        Policy.objects.filter(pk=OuterRef("policy_id")).values("product_id")[:1]
    )
    for name in ("Contribution", "HistoricalContribution"):
        model = apps.get_model("policies", name)
        model.objects.filter(product__isnull=True).update(product_id=product_of_policy)


class Migration(migrations.Migration):

    dependencies = [("policies", "0003_contribution_product")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
