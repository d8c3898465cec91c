import pytest
from django.conf import settings
from django.utils import translation

from kinga.insurees.services import officers as services

from ..conftest import make_location


@pytest.fixture(autouse=True)
def english(client):
    """Assertions read the English messages; one test checks the French ones."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def places(world):
    """The test world plus a few villages: Mfoundi has Nlongkak and Etoudi (Yaoundé I) and
    Tsinga (Yaoundé II)."""
    world.etoudi = make_location("ETD", "Etoudi", "V", world.yaounde1)
    world.yaounde2 = make_location("YDE2", "Yaoundé II", "W", world.mfoundi)
    world.tsinga = make_location("TSG", "Tsinga", "V", world.yaounde2)
    return world


def new_officer(actor, code, district, **fields):
    fields.setdefault("last_name", "Ateba")
    fields.setdefault("other_names", "Paul")
    return services.officer_create(actor=actor, code=code, district=district, **fields)


def update_officer(actor, officer, **changes):
    values = {
        "code": officer.code,
        "last_name": officer.last_name,
        "other_names": officer.other_names,
        "district": officer.district,
        "villages": list(officer.villages.all()),
        "substitute": officer.substitute,
        "works_to": officer.works_to,
        "phone": officer.phone,
        "email": officer.email,
    }
    values.update(changes)
    return services.officer_update(actor=actor, officer=officer, **values)
