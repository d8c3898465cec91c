"""kinga.core.bulk.update_rows: many records changed in a few statements, each with its history
row naming the actor and the reason (PostgreSQL: COPY into a temporary table and one UPDATE;
elsewhere Django's bulk_update) — the same result on both databases."""

from __future__ import annotations

from django.db import transaction

from kinga.core import bulk
from kinga.core.history import entries
from kinga.locations.models import Location


def test_it_writes_the_fields_and_one_history_row_each(world, imis_admin):
    villages = [world.nlongkak, world.nkolpoblo, world.akwa]
    rows = [
        {"id": v.pk, "name": f"{v.name} II", "male_population": n * 10}
        for n, v in enumerate(villages, 1)
    ]
    with transaction.atomic():
        bulk.update_rows(
            Location, rows, ["name", "male_population"], user=imis_admin, reason="renamed"
        )
    for n, v in enumerate(villages, 1):
        v.refresh_from_db()
        assert (v.name.endswith(" II"), v.male_population) == (True, n * 10)
        last = entries(v)[0]
        assert (last.user, last.reason) == (imis_admin, "renamed")
        assert {c.new for c in last.changes} >= {v.name, str(n * 10)}
    world.mfoundi.refresh_from_db()
    assert world.mfoundi.name == "Mfoundi"


def test_two_calls_with_other_columns_in_one_transaction(world, imis_admin):
    with transaction.atomic():
        bulk.update_rows(
            Location, [{"id": world.akwa.pk, "name": "Akwa Nord"}], ["name"], user=None, reason="a"
        )
        bulk.update_rows(
            Location,
            [{"id": world.akwa.pk, "female_population": 7}],
            ["female_population"],
            user=imis_admin,
            reason="b",
        )
    world.akwa.refresh_from_db()
    assert (world.akwa.name, world.akwa.female_population) == ("Akwa Nord", 7)
    assert [e.reason for e in entries(world.akwa)][:2] == ["b", "a"]


def test_nothing_to_write_writes_nothing(world, imis_admin, django_assert_num_queries):
    with django_assert_num_queries(0):
        bulk.update_rows(Location, [], ["name"], user=imis_admin, reason="none")
