"""Query counts of the facility pages that list rows: the same with 30 rows as with 60."""

import itertools

import pytest
from django.urls import reverse

from kinga.facilities.services import claim_admins as claim_admin_services
from kinga.facilities.services import facilities as facility_services

from ..conftest import login, make_location
from ..querycount import assert_flat
from .conftest import make_facility, make_price_lists

_seq = itertools.count()


@pytest.fixture(autouse=True)
def _one_page(settings):
    settings.KINGA_PAGE_SIZE = 100  # every row on the page: a query per row would show


def rows(response) -> int:
    return len(response.context["page_obj"])


def test_the_facility_list_with_30_or_60_facilities(client, scheme_admin, world):
    services_pl, items_pl = make_price_lists("Mfoundi", world.mfoundi)

    def add(n=30):
        for _ in range(n):
            i = next(_seq)
            make_facility(
                scheme_admin,
                [world.mfoundi, world.lekie][i % 2],
                code=f"F{i:03}",
                name=f"CSI {i}",
                services_price_list=services_pl if i % 2 == 0 else None,
                items_price_list=items_pl if i % 2 == 0 else None,
            )

    add()
    login(client, scheme_admin)
    assert_flat(client, reverse("facilities:list"), add, at_most=7, shown=rows)


def test_the_claim_administrator_list_with_30_or_60(client, imis_admin, hcy, obala_hd):
    def add(n=30):
        for _ in range(n):
            i = next(_seq)
            claim_admin_services.claim_admin_create(
                actor=imis_admin,
                code=f"CA{i:03}",
                last_name="Nom",
                other_names="Prénom",
                health_facility=[hcy, obala_hd][i % 2],
                with_login=i % 3 == 0,
            )

    add()
    login(client, imis_admin)
    assert_flat(client, reverse("claim_admins:list"), add, at_most=7, shown=rows)


def test_a_facility_with_30_or_60_catchment_villages_and_claim_administrators(
    client, imis_admin, world, hcy
):
    def add(n=30):
        for _ in range(n):
            i = next(_seq)
            village = make_location(f"V{i:03}", f"Village {i}", "V", world.yaounde1)
            facility_services.catchment_add(actor=imis_admin, facility=hcy, village=village)
            claim_admin_services.claim_admin_create(
                actor=imis_admin,
                code=f"CA{i:03}",
                last_name="Nom",
                other_names="Prénom",
                health_facility=hcy,
            )

    add()
    login(client, imis_admin)

    def shown(response):
        return response.text.count("/catchment/") - 1  # a remove button each, and the add form

    assert_flat(client, reverse("facilities:detail", args=[hcy.uuid]), add, at_most=9, shown=shown)
