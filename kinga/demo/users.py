"""The demo logins (data/users.csv): one user for each system role, all with DEMO_PASSWORD.
The first row is the administrator who makes everything else.  The custom roles of
data/roles.csv come first: the User Fees focal point of a health facility (the second seed's
« tout utilisateur autorisé au sein d'une FOSA ») enrols beneficiaries and attaches a
programme's package in his facility's district."""

from __future__ import annotations

from kinga.core.history import set_actor
from kinga.core.models import Role, User
from kinga.core.rights import IMIS_ADMIN_BIT, Right
from kinga.core.services import roles as role_services
from kinga.core.services import users as user_services
from kinga.facilities.models import HealthFacility
from kinga.locations.models import Location

from . import data
from .data import DEMO_PASSWORD

USERS = data.rows("users.csv")
ROLES = data.rows("roles.csv")


def admin() -> User:
    """The first administrator: the only record made without an acting user."""
    row = USERS[0]
    found = User.objects.filter(username=row["login"]).first()
    if found is not None:
        return found
    found = User(
        username=row["login"],
        last_name=row["last_name"],
        other_names=row["other_names"],
        language=row["language"],
    )
    found.set_password(DEMO_PASSWORD)
    set_actor(found, None, "demo")
    found.save()
    found.roles.set([Role.objects.get(is_system=IMIS_ADMIN_BIT, retired_at__isnull=True)])
    return found


def load_roles(actor) -> int:
    """Create the custom roles not yet there (rights by their names); returns how many."""
    created = 0
    for row in ROLES:
        if Role.objects.filter(name=row["name"], retired_at__isnull=True).exists():
            continue
        role_services.role_create(
            actor=actor,
            name=row["name"],
            alt_language=row["alt_language"],
            rights=[Right[name] for name in data.words(row["rights"])],
        )
        created += 1
    return created


def role_of(cell: str, roles: dict) -> Role:
    """A users.csv `role`: a system role's openIMIS bit, or a custom role's name."""
    return roles[int(cell)] if cell.isdigit() else roles[cell]


def load(actor) -> int:
    """Create the custom roles and the other logins not yet there; returns how many."""
    created = load_roles(actor)
    roles: dict = {r.is_system or r.name: r for r in Role.objects.filter(retired_at__isnull=True)}
    for row in USERS[1:]:
        if User.objects.filter(username=row["login"]).exists():
            continue
        user_services.user_create(
            actor=actor,
            username=row["login"],
            last_name=row["last_name"],
            other_names=row["other_names"],
            roles=[role_of(row["role"], roles)],
            districts=[
                Location.objects.get(code=code, type="D", retired_at__isnull=True)
                for code in data.words(row["districts"])
            ],
            language=row["language"],
            health_facility=(
                HealthFacility.objects.get(code=row["health_facility"], retired_at__isnull=True)
                if row["health_facility"]
                else None
            ),
            password=DEMO_PASSWORD,
        )
        created += 1
    return created
