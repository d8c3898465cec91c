"""The demo's enrolment officers (data/officers.csv): ten officers of Mfoundi, Lekié and
Mefou-et-Afamba, three with a login, two with a substitute until a last working day."""

from __future__ import annotations

import datetime

from django.db import transaction

from kinga.insurees.models import Officer
from kinga.insurees.services import officers as services
from kinga.locations.models import Location

from . import data
from .data import DEMO_PASSWORD

OFFICERS = data.rows("officers.csv")


@transaction.atomic
def load(actor) -> int:
    """Create the officers not yet current; returns how many were created.  An officer with a
    substitute comes after the substitute in the file."""
    current = {o.code: o for o in Officer.objects.current()}
    districts = {d.code: d for d in Location.objects.current().filter(type="D")}
    villages = {v.code: v for v in Location.objects.current().filter(type="V")}
    created = 0
    for row in OFFICERS:
        if row["code"] in current:
            continue
        login = row["login"] == "yes"
        current[row["code"]] = services.officer_create(
            actor=actor,
            code=row["code"],
            last_name=row["last_name"],
            other_names=row["other_names"],
            phone=row["phone"],
            district=districts[row["district"]],
            villages=[villages[c] for c in data.words(row["villages"])],
            substitute=current[row["substitute"]] if row["substitute"] else None,
            works_to=(datetime.date.fromisoformat(row["works_to"]) if row["works_to"] else None),
            phone_communication=login,
            create_login=login,
            password=DEMO_PASSWORD if login else "",
        )
        created += 1
    return created
