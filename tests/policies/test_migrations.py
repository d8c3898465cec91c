"""The migration that gives contributions their product (0003–0005) keeps the data: each
contribution and its history rows take their policy's product.  It runs on a scratch database
(tests/scratch.py): the suite's own databases are built from the models."""

from ..scratch import run_django

SCRIPT = """
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("policies", "0002_policies_and_contributions")]
executor = MigrationExecutor(connection)
executor.migrate(BEFORE)
apps = executor.loader.project_state(BEFORE).apps

Location = apps.get_model("locations", "Location")
village = Location.objects.create(code="R1", name="Region", type="R")
family = apps.get_model("insurees", "Family").objects.create(village=village)
Product = apps.get_model("products", "Product")
products = [
    Product.objects.create(
        code=code,
        name=code,
        date_from=date(2026, 1, 1),
        date_to=date(2026, 12, 31),
        insurance_period=12,
        ceiling_type="I",
        ceiling_interpretation="I",
    )
    for code in ("A", "B")
]
Policy = apps.get_model("policies", "Policy")
Contribution = apps.get_model("policies", "Contribution")
History = apps.get_model("policies", "HistoricalContribution")
expected = {}
for product in products:
    policy = Policy.objects.create(
        family=family,
        product=product,
        enroll_date=date(2026, 1, 1),
        start_date=date(2026, 1, 1),
        expiry_date=date(2026, 12, 31),
        value=Decimal(100),
    )
    row = Contribution.objects.create(
        policy=policy, amount=Decimal(100), receipt="R-1", pay_date=date(2026, 1, 2), pay_type="C"
    )
    History.objects.create(
        id=row.pk,
        policy_id=policy.pk,
        amount=row.amount,
        receipt=row.receipt,
        pay_date=row.pay_date,
        pay_type=row.pay_type,
        is_photo_fee=False,
        history_date=timezone.now(),
        history_type="+",
    )
    expected[row.pk] = product.pk

executor = MigrationExecutor(connection)
executor.migrate(executor.loader.graph.leaf_nodes())

from kinga.policies.models import Contribution as Current

assert dict(Current.objects.values_list("pk", "product_id")) == expected
assert dict(Current.history.values_list("id", "product_id")) == expected
print("products kept:", sorted(expected.values()))
"""


def test_each_contribution_takes_its_policys_product(scratch_database_url, tmp_path):
    done = run_django(scratch_database_url, tmp_path, SCRIPT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "products kept: [" in done.stdout
