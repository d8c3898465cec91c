"""The demo's enrolment officers: ten officers of Mfoundi, Lekié and Mefou-et-Afamba, through
the services (idempotent)."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from kinga.demo.data import DEMO_PASSWORD
from kinga.locations.models import Location

from .models import Officer
from .services import officers as services

# (code, last name, other names, phone, district, village codes, has a login)
OFFICERS = [
    ("EOMFD01", "Ateba", "Paul", "677 10 20 31", "MFD", ["NLK", "ETD", "EMN"], True),
    ("EOMFD02", "Ndzana", "Clarisse", "699 21 43 52", "MFD", ["TSG", "MKL", "BRQ"], False),
    ("EOMFD03", "Biloa", "Serge", "655 32 54 73", "MFD", ["EFL", "NSY", "NGE", "KDG"], False),
    ("EOMFD04", "Messi", "Odile", "677 43 65 84", "MFD", ["MMB", "EKN"], False),
    ("EOLEK01", "Tsala", "Emmanuel", "699 54 76 95", "LEK", ["OBLC", "NKT", "BTS"], True),
    ("EOLEK02", "Manga", "Rose", "655 65 87 06", "LEK", ["MNTC", "EKB"], False),
    ("EOLEK03", "Eyenga", "Blaise", "677 76 98 17", "LEK", ["OKLC", "NKG", "SAAC"], False),
    ("EOMEA01", "Mbarga", "Hélène", "699 87 09 28", "MEA", ["MFUC", "NSM"], True),
    ("EOMEA02", "Ngah", "Didier", "655 98 10 39", "MEA", ["SOAC", "NKF", "AWAC"], False),
    ("EOMEA03", "Etoundi", "Pauline", "677 09 21 40", "MEA", ["ESEC", "AWAC"], False),
]

# (officer, substitute, last working day)
SUBSTITUTES = [
    ("EOMFD04", "EOMFD02", date(2026, 12, 31)),
    ("EOMEA03", "EOMEA02", date(2026, 9, 30)),
]


@transaction.atomic
def load(actor) -> int:
    """Create the officers not yet current; returns how many were created."""
    current = {o.code: o for o in Officer.objects.current()}
    districts = {d.code: d for d in Location.objects.current().filter(type="D")}
    villages = {v.code: v for v in Location.objects.current().filter(type="V")}
    substitution = {code: (sub, until) for code, sub, until in SUBSTITUTES}
    created = 0
    # Officers with a substitute come after the substitute (ordering of the list above).
    for code, last, other, phone, district, village_codes, login in OFFICERS:
        if code in current:
            continue
        sub_code, works_to = substitution.get(code, (None, None))
        current[code] = services.officer_create(
            actor=actor,
            code=code,
            last_name=last,
            other_names=other,
            phone=phone,
            district=districts[district],
            villages=[villages[c] for c in village_codes],
            substitute=current[sub_code] if sub_code else None,
            works_to=works_to,
            phone_communication=login,
            create_login=login,
            password=DEMO_PASSWORD if login else "",
        )
        created += 1
    return created
