"""The product form's regions and districts: one query, the same as the rule says one by one."""

from kinga.core import access
from kinga.products.queries import products as queries
from kinga.products.services import products as product_services

from ..conftest import make_location, make_user


def many_places(world):
    """30 more regions of 2 districts each (plus the world's Centre and Littoral)."""
    districts = []
    for r in range(30):
        region = make_location(f"R{r:02}", f"Région {r}", "R")
        districts += [
            make_location(f"R{r:02}D{d}", f"District {r}-{d}", "D", region) for d in (1, 2)
        ]
    return districts


def test_the_choices_are_one_query_and_follow_the_rule(world, django_assert_num_queries):
    districts = many_places(world)
    # Both districts of regions 0-9, one district of regions 10-19, none of 20-29; and Mfoundi.
    mine = [d for d in districts if int(d.code[1:3]) < 10 or d.code.endswith("D1")]
    mine = [d for d in mine if int(d.code[1:3]) < 20] + [world.mfoundi]
    user = make_user("product.admin", roles=["scheme_admin"], districts=mine)
    access.scope_of(user)  # the user's districts, read once per request
    with django_assert_num_queries(1):
        chosen = list(queries.location_choices(user))
        labels = [f"{loc.code} ({loc.parent.code if loc.parent else ''})" for loc in chosen]
    assert len(labels) == len(chosen)  # the parents came with the query
    expected = [  # the rule, one location at a time (what the choices took a query each for)
        loc
        for loc in queries.Location.objects.current().filter(type__in=["R", "D"])
        if access.can_see_location(user, loc) and product_services.may_change_location(user, loc)
    ]
    assert {loc.pk for loc in chosen} == {loc.pk for loc in expected}
    codes = {loc.code for loc in chosen}
    assert {"R00", "R09", "MFO"} <= codes  # whole regions, and a district
    assert not codes & {"R10", "R25", "CE", "LT", "WOU"}  # regions only partly or not his
    assert {"R10D1", "R19D1"} <= codes and "R10D2" not in codes
    assert [(loc.type, loc.code) for loc in chosen] == sorted(
        (loc.type, loc.code) for loc in chosen
    )


def test_an_administrator_of_everything_gets_every_region_and_district(
    world, imis_admin, django_assert_num_queries
):
    many_places(world)
    access.scope_of(imis_admin)
    with django_assert_num_queries(1):
        chosen = list(queries.location_choices(imis_admin))
    assert len(chosen) == 30 * 3 + 5  # 32 regions, 63 districts


def test_a_user_without_districts_gets_nothing(world):
    many_places(world)
    assert list(queries.location_choices(make_user("nobody", roles=["scheme_admin"]))) == []
