"""Query counts of the insurees' lists: the insuree search over many families, a family's
members, the officers — the same with 30 rows as with 60."""

import itertools
from datetime import date

import pytest
from django.urls import reverse

from kinga.insurees.services import families as family_services

from ..conftest import login, make_location
from ..querycount import assert_flat
from .conftest import new_officer
from .test_families_services import TODAY, add_member, new_family

_seq = itertools.count()


@pytest.fixture(autouse=True)
def _one_page(settings, tmp_path):
    settings.KINGA_PAGE_SIZE = 100  # every row on the page: a query per row would show
    settings.MEDIA_ROOT = tmp_path


def rows(response) -> int:
    return len(response.context["page_obj"])


def test_the_insuree_search_over_30_or_60_families(client, mfoundi_clerk, world):
    villages = [world.nlongkak, make_location("ETD", "Etoudi", "V", world.yaounde1)]

    def add(n=30):
        for _ in range(n):
            i = next(_seq)
            family = new_family(mfoundi_clerk, villages[i % 2], insurance_number=f"H{i:04}")
            if i % 3 == 0:  # a member who left his family: shown with his current village
                member = add_member(mfoundi_clerk, family, insurance_number=f"M{i:04}")
                family_services.insuree_detach(actor=mfoundi_clerk, insuree=member, today=TODAY)

    add()
    login(client, mfoundi_clerk)
    assert_flat(client, reverse("families:list"), add, at_most=8, shown=rows)


def test_a_family_page_with_30_or_60_members(client, mfoundi_clerk, world):
    family = new_family(mfoundi_clerk, world.nlongkak, insurance_number="H001")

    def add(n=30):
        for _ in range(n):
            add_member(mfoundi_clerk, family, insurance_number=f"M{next(_seq):04}")

    add()
    login(client, mfoundi_clerk)
    assert_flat(
        client,
        reverse("families:detail", args=[family.uuid]),
        add,
        at_most=7,
        shown=lambda response: len(response.context["members"]),
    )


def test_the_officer_list_with_30_or_60_officers(client, imis_admin, places):
    substitute = new_officer(imis_admin, "EO000", places.mfoundi)

    def add(n=30):
        for _ in range(n):
            i = next(_seq) + 1
            new_officer(
                imis_admin,
                f"EO{i:03}",
                [places.mfoundi, places.lekie][i % 2],
                villages=[places.nlongkak, places.etoudi] if i % 2 == 0 else [places.nkolpoblo],
                substitute=substitute if i % 2 == 0 else None,
                works_to=date(2026, 12, 31) if i % 2 == 0 else None,
                create_login=i % 4 == 0,
                password="Kinga#Test2026" if i % 4 == 0 else "",
            )

    add()
    login(client, imis_admin)
    assert_flat(client, reverse("officers:list"), add, at_most=8, shown=rows)
