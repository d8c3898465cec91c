"""Shared set-up of the benchmarks: a PostgreSQL database (created if missing, migrated) and an
acting user.  DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/kinga_bench."""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kinga_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinga.settings")


def setup():
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(os.environ["DATABASE_URL"])
    if "postgresql" in cfg["ENGINE"]:
        with psycopg.connect(
            host=cfg["HOST"] or "127.0.0.1",
            port=cfg["PORT"] or 5432,
            user=cfg["USER"],
            dbname="postgres",
            autocommit=True,
        ) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (cfg["NAME"],)
            ).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{cfg["NAME"]}"')
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def actor():
    from kinga.core.models import Role, User
    from kinga.core.rights import IMIS_ADMIN_BIT

    user, created = User.objects.get_or_create(
        username="bench.admin", defaults={"last_name": "Bench", "other_names": "Admin"}
    )
    if created:
        user.roles.set([Role.objects.get(is_system=IMIS_ADMIN_BIT, retired_at__isnull=True)])
    return user


def clerk():
    """The bench district's clerk (district BD of bench/generate_enrolment.py), created once."""
    from kinga.core.models import Role, User
    from kinga.locations.models import Location

    user, created = User.objects.get_or_create(
        username="bench.clerk", defaults={"last_name": "Bench", "other_names": "Clerk"}
    )
    if created:
        user.roles.set([Role.objects.get(is_system=8, retired_at__isnull=True)])
        user.districts.set([Location.objects.get(code="BD")])
    return user
