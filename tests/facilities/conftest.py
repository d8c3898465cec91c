from datetime import date

import pytest
from django.conf import settings
from django.utils import translation

from kinga.medical.models import ItemsPriceList, ServicesPriceList

from ..factories import make_facility


@pytest.fixture(autouse=True)
def english(client):
    """Assertions read the English messages."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def make_price_lists(name, location=None):
    services_pl = ServicesPriceList.objects.create(
        name=f"{name} services", date=date(2026, 1, 1), location=location
    )
    items_pl = ItemsPriceList.objects.create(
        name=f"{name} items", date=date(2026, 1, 1), location=location
    )
    return services_pl, items_pl


@pytest.fixture
def obala_hd(imis_admin, world):
    return make_facility(imis_admin, world.lekie, code="HDO", name="Hôpital de District d'Obala")


@pytest.fixture
def douala_hf(imis_admin, world):
    return make_facility(imis_admin, world.wouri, code="HLD", name="Hôpital Laquintinie")
