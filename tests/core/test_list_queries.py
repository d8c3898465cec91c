"""Query counts of core's list pages: the same with 30 rows as with 60."""

import itertools

from django.urls import reverse

from kinga.core import transfer
from kinga.core.models import Role

from ..conftest import login, make_user
from ..querycount import assert_flat, page_queries

_names = itertools.count()


def add_roles(n: int, holder=None) -> None:
    for _ in range(n):
        role = Role.objects.create(name=f"Custom {next(_names):03}", rights=[101001, 101002])
        if holder is not None:
            holder.roles.add(role)


def rows(response) -> int:
    return len(response.context["page_obj"])


def test_the_role_list_with_30_or_60_roles(client, imis_admin, world, settings):
    settings.KINGA_PAGE_SIZE = 100
    holder = make_user("holder", districts=[world.mfoundi])
    add_roles(30, holder)
    login(client, imis_admin)
    assert_flat(client, reverse("roles:list"), lambda: add_roles(30, holder), at_most=6, shown=rows)


def test_the_role_list_filtered_with_30_or_60_roles(client, imis_admin, settings):
    settings.KINGA_PAGE_SIZE = 100
    add_roles(30)
    login(client, imis_admin)
    params = {"q": "Custom", "kind": "custom", "status": "current"}
    assert_flat(
        client, reverse("roles:list"), lambda: add_roles(30), at_most=6, params=params, shown=rows
    )


def test_the_transfer_index_lists_every_register_in_a_fixed_number_of_queries(
    client, imis_admin, django_assert_num_queries
):
    """Its rows are the registers (kinga.core.transfer.KINDS), not data: one right check per
    register, answered from the rights read once."""
    login(client, imis_admin).get(reverse("transfer_index"))
    with django_assert_num_queries(1):  # the session with the user, his rights and districts
        response = client.get(reverse("transfer_index"))
    assert len(response.context["rows"]) == len(transfer.KINDS) >= 10


def test_the_transfer_index_of_a_district_user_in_a_fixed_number_of_queries(client, scheme_admin):
    login(client, scheme_admin).get(reverse("transfer_index"))
    count, _sqls, response = page_queries(client, reverse("transfer_index"))
    assert count == 1 and response.context["rows"]


def test_the_user_list_with_30_or_60_users(client, imis_admin, world, settings):
    settings.KINGA_PAGE_SIZE = 100

    def add(n=30):
        for _ in range(n):
            make_user(
                f"bulk{next(_names):03}",
                roles=["clerk", "receptionist"],
                districts=[world.mfoundi, world.lekie],
            )

    add()
    login(client, imis_admin)
    assert_flat(client, reverse("users:list"), add, at_most=10, shown=rows)


def test_the_user_list_of_a_district_administrator_with_30_or_60_users(
    client, hf_admin, world, settings
):
    settings.KINGA_PAGE_SIZE = 100

    def add(n=30):
        for _ in range(n):
            make_user(f"bulk{next(_names):03}", roles=["receptionist"], districts=[world.mfoundi])

    add()
    login(client, hf_admin)
    assert_flat(client, reverse("users:list"), add, at_most=10, shown=rows)
