"""The demo's locations (data/locations.csv): the Centre region of Cameroon, its districts
(départements), municipalities (communes) and villages (quarters and villages of those communes).
Populations are round plausible figures, not census data."""

from __future__ import annotations

from kinga.locations import services as location_services
from kinga.locations.models import Location

from . import data

POPULATION = ("male_population", "female_population", "families")


def load(actor) -> int:
    """Create the locations whose code is not current, parents first; returns how many."""
    created = 0
    by_code: dict[str, Location] = {}
    for row in data.rows("locations.csv"):
        existing = Location.objects.filter(code=row["code"], retired_at__isnull=True).first()
        if existing is None:
            existing = location_services.location_create(
                actor=actor,
                type=row["type"],
                code=row["code"],
                name=row["name"],
                parent=by_code[row["parent"]] if row["parent"] else None,
                **{field: int(row[field]) for field in POPULATION if row[field]},
            )
            created += 1
        by_code[row["code"]] = existing
    return created
