"""The demo's payers: national, regional (Centre) and district ones (Mfoundi, Lekié)."""

from __future__ import annotations

from kinga.locations.models import Location
from kinga.policies.services import payers as services

from .models import Payer

# (type, name, location code or None for national, address, phone, e-mail)
PAYERS = [
    (
        "G",
        "Ministère de la Santé Publique",
        None,
        "Avenue Henri Dunant, Yaoundé",
        "",
        "",
    ),
    ("D", "Fonds mondial", None, "Genève, Suisse", "", ""),
    (
        "O",
        "Fonds Régional pour la Promotion de la Santé du Centre",
        "CE",
        "Quartier Messa, Yaoundé",
        "",
        "",
    ),
    ("L", "Commune de Yaoundé I", "MFD", "Mairie de Yaoundé I, Nlongkak", "", ""),
    ("C", "Coopérative des planteurs de la Lekié", "LEK", "BP 12, Obala", "", ""),
    (
        "P",
        "Société Agro-industrielle du Centre (fictive)",
        "CE",
        "Zone industrielle, Obala",
        "",
        "",
    ),
]


def load(actor) -> int:
    """Create the demo payers not yet current (by name); returns how many were created.
    A payer whose location is missing is skipped."""
    existing = set(Payer.objects.current().values_list("name", flat=True))
    locations = {
        loc.code: loc
        for loc in Location.objects.current().filter(code__in=[p[2] for p in PAYERS if p[2]])
    }
    created = 0
    for type_, name, code, address, phone, email in PAYERS:
        if name in existing or (code and code not in locations):
            continue
        services.payer_create(
            actor=actor,
            type=type_,
            name=name,
            location=locations.get(code) if code else None,
            address=address,
            phone=phone,
            email=email,
        )
        created += 1
    return created
