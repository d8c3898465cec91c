"""Query counts of the locations tree (and its htmx fragment): one query per open level, the
same with 30 children as with 60."""

import itertools

from django.urls import reverse

from ..conftest import login, make_location
from ..querycount import assert_flat

_seq = itertools.count()


def add_places(world, n: int) -> None:
    """`n` municipalities in Mfoundi and `n` villages in Yaoundé I, and `n` districts."""
    for _ in range(n):
        i = next(_seq)
        make_location(f"W{i:03}", f"Commune {i}", "W", world.mfoundi)
        make_location(f"V{i:03}", f"Village {i}", "V", world.yaounde1)
        make_location(f"D{i:03}", f"District {i}", "D", world.littoral)


def nodes(response) -> int:
    return response.text.count('<li id="node-')


def test_the_tree_open_down_to_a_municipality_with_30_or_60_children(client, imis_admin, world):
    add_places(world, 30)
    login(client, imis_admin)
    assert_flat(
        client,
        reverse("locations:tree"),
        lambda: add_places(world, 30),
        # Session, user, rights; the location opened; regions, districts, municipalities and
        # villages on the open path.
        at_most=8,
        params={"open": str(world.yaounde1.uuid)},
        shown=nodes,
    )


def test_the_tree_fragment_of_a_municipality_with_30_or_60_villages(
    client, mfoundi_location_admin, world
):
    add_places(world, 30)
    login(client, mfoundi_location_admin)
    assert_flat(
        client,
        reverse("locations:children", args=[world.yaounde1.uuid]),
        lambda: add_places(world, 30),
        at_most=5,
        shown=nodes,
    )


def test_the_location_list_with_30_or_60_locations(client, mfoundi_location_admin, world, settings):
    settings.KINGA_PAGE_SIZE = 200
    add_places(world, 30)
    login(client, mfoundi_location_admin)
    assert_flat(
        client,
        reverse("locations:list"),
        lambda: add_places(world, 30),
        at_most=6,
        params={"q": "V"},
        shown=lambda response: len(response.context["page_obj"]),
    )
