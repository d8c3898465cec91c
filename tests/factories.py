"""The test world, its factories and the named cast, in one module.

Centre (R CE)                      Littoral (R LT)
├── Mfoundi (D MFO)                └── Wouri (D WOU)
│   └── Yaoundé I (W YDE1)             └── Douala I (W DLA1)
│       └── Nlongkak (V NLK)               └── Akwa (V AKW)
└── Lekié (D LEK)
    └── Obala (W OBA)
        └── Nkolpoblo (V NKP)

The cast (fixtures; every one holds the system role of its name, password `PASSWORD`):

| fixture                  | login              | role                        | districts      |
|--------------------------|--------------------|-----------------------------|----------------|
| `imis_admin`             | admin.imis         | IMIS Administrator          | (everything)   |
| `mfoundi_clerk`          | clerk.mfoundi      | Clerk                       | Mfoundi        |
| `other_district_clerk`   | clerk.wouri        | Clerk                       | Wouri          |
| `mfoundi_location_admin` | loc.mfoundi        | a custom role: locations    | Mfoundi        |
| `scheme_admin`           | scheme.admin       | Scheme Administrator        | Mfoundi, Lekié |
| `hf_admin`               | hf.admin           | HF Administrator            | Mfoundi        |
| `enrolment_officer`      | enrolment.mfoundi  | Enrolment Officer           | Mfoundi        |
| `claim_admin`            | claims.hcy         | Claim Administrator, at HCY | Mfoundi        |
| `medical_officer`        | medical.mfoundi    | Medical Officer             | Mfoundi        |
| `accountant`             | accounts.mfoundi   | Accountant                  | Mfoundi        |

`hcy` is the Hôpital Central (HCY) of Mfoundi, created by `imis_admin` through the facility
services; asking for `claim_admin` brings both along.

tests/conftest.py exposes all of this; new tests import the helpers from here
(`from ..factories import make_user, login`), older ones from `..conftest`, which re-exports them.
"""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from kinga.core.models import Role, User
from kinga.core.rights import IMIS_ADMIN_BIT
from kinga.facilities.services import facilities as facility_services
from kinga.insurees.models import Family, Insuree
from kinga.locations.models import Location

__all__ = [
    "PASSWORD",
    "ROLE_BITS",
    "accountant",
    "claim_admin",
    "enrolment_officer",
    "hcy",
    "hf_admin",
    "imis_admin",
    "login",
    "make_facility",
    "make_family",
    "make_location",
    "make_user",
    "medical_officer",
    "mfoundi_clerk",
    "mfoundi_location_admin",
    "other_district_clerk",
    "scheme_admin",
    "system_role",
    "world",
]

PASSWORD = "Kinga#Test2026"
_seq = itertools.count(1)
_insurance_numbers = itertools.count(100000001)

ROLE_BITS = {
    "enrolment_officer": 1,
    "manager": 2,
    "accountant": 4,
    "clerk": 8,
    "medical_officer": 16,
    "scheme_admin": 32,
    "imis_admin": IMIS_ADMIN_BIT,
    "receptionist": 128,
    "claim_admin": 256,
    "claim_contributor": 512,
    "hf_admin": 524288,
    "offline_admin": 1048576,
}


# --- factories ------------------------------------------------------------------------------


def make_location(
    code: str, name: str, type_: str, parent: Location | None = None, **fields
) -> Location:
    return Location.objects.create(code=code, name=name, type=type_, parent=parent, **fields)


def system_role(bit: int) -> Role:
    return Role.objects.get(is_system=bit, retired_at__isnull=True)


def make_user(
    username: str | None = None, *, roles=(), districts=(), password: str = PASSWORD, **fields
) -> User:
    """A user holding `roles` (system roles by their ROLE_BITS name, or Role objects) in
    `districts`."""
    username = username or f"user{next(_seq)}"
    fields.setdefault("last_name", username.title())
    fields.setdefault("other_names", "Test")
    user = User.objects.create_user(username, password, **fields)
    role_objs = [system_role(ROLE_BITS[r]) if isinstance(r, str) else r for r in roles]
    user.roles.set(role_objs)
    user.districts.set(districts)
    return user


def login(client, user: User):
    client.force_login(user)
    return client


def make_facility(actor, district, code="HCY", name="Hôpital Central", **fields):
    """A health facility created by `actor` through the facility services (a hospital, public,
    in- and out-patient unless told otherwise)."""
    fields.setdefault("level", "H")
    fields.setdefault("legal_form", "G")
    fields.setdefault("care_type", "B")
    return facility_services.facility_create(
        actor=actor, code=code, name=name, district=district, **fields
    )


def make_family(village, *members: tuple[str, date, int | None]) -> Family:
    """A family in `village` (straight into the tables): the first member is the head; each
    member is (first name, date of birth, relationship)."""
    family = Family.objects.create(village=village)
    for n, (name, dob, relationship) in enumerate(members):
        insuree = Insuree.objects.create(
            family=family,
            insurance_number=str(next(_insurance_numbers)),
            last_name="Mballa",
            other_names=name,
            dob=dob,
            gender="M",
            is_head=n == 0,
            relationship=relationship,
        )
        if n == 0:
            family.head = insuree
            family.save()
    return family


# --- the world ------------------------------------------------------------------------------


@pytest.fixture
def world(db):
    """The location tree above, as a namespace of attributes."""

    class W:
        pass

    w = W()
    w.centre = make_location("CE", "Centre", "R")
    w.mfoundi = make_location("MFO", "Mfoundi", "D", w.centre)
    w.yaounde1 = make_location("YDE1", "Yaoundé I", "W", w.mfoundi)
    w.nlongkak = make_location(
        "NLK", "Nlongkak", "V", w.yaounde1, male_population=1200, female_population=1300
    )
    w.lekie = make_location("LEK", "Lekié", "D", w.centre)
    w.obala = make_location("OBA", "Obala", "W", w.lekie)
    w.nkolpoblo = make_location("NKP", "Nkolpoblo", "V", w.obala)
    w.littoral = make_location("LT", "Littoral", "R")
    w.wouri = make_location("WOU", "Wouri", "D", w.littoral)
    w.douala1 = make_location("DLA1", "Douala I", "W", w.wouri)
    w.akwa = make_location("AKW", "Akwa", "V", w.douala1)
    return w


@pytest.fixture
def hcy(imis_admin, world):
    """The Hôpital Central (HCY), a hospital of Mfoundi."""
    return make_facility(imis_admin, world.mfoundi)


# --- the cast -------------------------------------------------------------------------------


@pytest.fixture
def imis_admin(world):
    return make_user("admin.imis", roles=["imis_admin"])


@pytest.fixture
def mfoundi_clerk(world):
    return make_user("clerk.mfoundi", roles=["clerk"], districts=[world.mfoundi])


@pytest.fixture
def other_district_clerk(world):
    return make_user("clerk.wouri", roles=["clerk"], districts=[world.wouri])


@pytest.fixture
def mfoundi_location_admin(world):
    """A user with the locations rights but only the Mfoundi district (not an IMIS admin)."""
    role = Role.objects.create(
        name="District locations", rights=[121901, 121902, 121903, 121904, 121905, 131005, 131006]
    )
    return make_user("loc.mfoundi", roles=[role], districts=[world.mfoundi])


@pytest.fixture
def scheme_admin(world):
    return make_user("scheme.admin", roles=["scheme_admin"], districts=[world.mfoundi, world.lekie])


@pytest.fixture
def hf_admin(world):
    return make_user("hf.admin", roles=["hf_admin"], districts=[world.mfoundi])


@pytest.fixture
def enrolment_officer(world):
    return make_user("enrolment.mfoundi", roles=["enrolment_officer"], districts=[world.mfoundi])


@pytest.fixture
def claim_admin(world, hcy):
    """The claim administrator of the Hôpital Central: his login is attached to `hcy`."""
    return make_user(
        "claims.hcy", roles=["claim_admin"], districts=[world.mfoundi], health_facility=hcy
    )


@pytest.fixture
def medical_officer(world):
    return make_user("medical.mfoundi", roles=["medical_officer"], districts=[world.mfoundi])


@pytest.fixture
def accountant(world):
    return make_user("accounts.mfoundi", roles=["accountant"], districts=[world.mfoundi])
