"""The demo's payers (data/payers.csv): national, regional (Centre) and district ones
(Mfoundi, Lekié)."""

from __future__ import annotations

from kinga.locations.models import Location
from kinga.policies.models import Payer
from kinga.policies.services import payers as services

from . import data

PAYERS = data.rows("payers.csv")


def load(actor) -> int:
    """Create the demo payers not yet current (by name); returns how many were created.
    A payer whose location is missing is skipped."""
    existing = set(Payer.objects.current().values_list("name", flat=True))
    locations = {
        loc.code: loc
        for loc in Location.objects.current().filter(
            code__in=[row["location"] for row in PAYERS if row["location"]]
        )
    }
    created = 0
    for row in PAYERS:
        code = row["location"]
        if row["name"] in existing or (code and code not in locations):
            continue
        services.payer_create(
            actor=actor,
            type=row["type"],
            name=row["name"],
            location=locations[code] if code else None,
            address=row["address"],
            phone=row["phone"],
            email=row["email"],
        )
        created += 1
    return created
