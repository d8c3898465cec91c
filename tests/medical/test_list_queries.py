"""Query counts of the medical list pages: the same with 30 rows as with 60."""

import itertools

import pytest
from django.urls import reverse

from kinga.medical.services import diagnoses as diagnosis_services
from kinga.medical.services import pricelists as pricelist_services
from kinga.medical.services.pricelists import ITEMS, SERVICES

from ..conftest import login
from ..querycount import assert_flat
from .test_items_services import make_item, make_service
from .test_pricelists import itm, pl, svc

pytestmark = pytest.mark.usefixtures("english")

_seq = itertools.count()


@pytest.fixture(autouse=True)
def _one_page(settings):
    settings.KINGA_PAGE_SIZE = 100  # every row on the page: a query per row would show


def rows(response) -> int:
    return len(response.context["page_obj"])


def test_the_items_list_with_30_or_60_items(client, scheme_admin):
    def add(n=30):
        for _ in range(n):
            make_item(scheme_admin, code=f"I{next(_seq):03}")

    add()
    login(client, scheme_admin)
    assert_flat(client, reverse("items:list"), add, at_most=6, shown=rows)


def test_the_services_list_with_30_or_60_services(client, scheme_admin):
    def add(n=30):
        for _ in range(n):
            make_service(scheme_admin, code=f"S{next(_seq):03}")

    add()
    login(client, scheme_admin)
    params = {"q": "S", "retired": "on"}
    assert_flat(client, reverse("services:list"), add, at_most=6, params=params, shown=rows)


def test_the_diagnoses_list_with_30_or_60_diagnoses(client, imis_admin):
    def add(n=30):
        for _ in range(n):
            i = next(_seq)
            diagnosis_services.diagnosis_create(
                actor=imis_admin, code=f"Z{i:03}", name=f"Illness {i}", name_fr=f"Maladie {i}"
            )

    add()
    login(client, imis_admin)
    assert_flat(client, reverse("diagnoses:list"), add, at_most=6, shown=rows)


@pytest.mark.parametrize("kind", [SERVICES, ITEMS], ids=lambda k: k.key)
def test_the_price_lists_with_30_or_60_lists(client, world, imis_admin, scheme_admin, kind):
    places = [None, world.mfoundi, world.centre, world.lekie]

    def add(n=30):
        for _ in range(n):
            i = next(_seq)
            pl(imis_admin, f"Liste {i:03}", places[i % 4], kind=kind)

    add()
    login(client, scheme_admin)
    url = reverse(f"pricelists:{kind.key}")
    assert_flat(client, url, add, at_most=7, shown=rows)


def test_an_items_price_list_with_30_or_60_members(client, imis_admin):
    national = pl(imis_admin, kind=ITEMS)

    def add(n=30):
        members = [itm(imis_admin, f"I{next(_seq):03}", "1000") for _ in range(n)]
        pricelist_services.pricelist_add_members(
            actor=imis_admin, price_list=national, members=members
        )
        entries = list(national.entries.current().filter(item__in=members)[:10])
        pricelist_services.pricelist_set_overrides(
            actor=imis_admin, price_list=national, overrides={e: "900" for e in entries}
        )

    add()
    login(client, imis_admin)
    url = reverse("pricelists:items_detail", args=[national.uuid])
    assert_flat(client, url, add, at_most=10, shown=rows)


def test_the_candidates_to_add_to_a_price_list_with_30_or_60_services(client, imis_admin):
    national = pl(imis_admin)

    def add(n=30):
        for _ in range(n):
            svc(imis_admin, f"C{next(_seq):03}", "2500")

    add()
    login(client, imis_admin)
    url = reverse("pricelists:services_add", args=[national.uuid])
    assert_flat(client, url, add, at_most=7, shown=rows)
