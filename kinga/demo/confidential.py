"""The demo's confidential programme (issue 15): the HIV programme is confidential.

Its users see who it covers: the FOSA focal point `fosa.mfoundi`, who registers and enrols its
beneficiaries, and the claims staff who must see whose claim they handle: the claim
administrators of the programme's facilities (the HIV beneficiaries' claims are made at every
demo facility, so all of them, and the demo's `claim.admin`), the medical officer and the
accountant.  The district clerk `clerk.mfoundi` is not one of them: he sees « Données
confidentielles » in place of their names, and not their VIH policies.

Idempotent: nothing changes once the programme is confidential with these users.
"""

from __future__ import annotations

from kinga.core.models import User
from kinga.facilities.models import ClaimAdmin
from kinga.products.models import Programme
from kinga.products.services import programmes as programme_services

PROGRAMME = "VIH"
LOGINS = ("fosa.mfoundi", "medical.officer", "accountant", "claim.admin")


def programme_users():
    admins = ClaimAdmin.objects.current().filter(user__isnull=False).values("user_id")
    return User.objects.filter(username__in=LOGINS) | User.objects.filter(pk__in=admins)


def load(actor) -> int:
    """Mark the HIV programme confidential and name its users; returns 1 when it changed."""
    programme = Programme.objects.current().filter(code=PROGRAMME).first()
    if programme is None:
        return 0
    wanted = set(programme_users().values_list("pk", flat=True))
    named = set(programme.users.values_list("pk", flat=True))
    if programme.confidential and wanted <= named:
        return 0
    programme_services.programme_update(
        actor=actor, programme=programme, confidential=True, users=sorted(wanted | named)
    )
    return 1
