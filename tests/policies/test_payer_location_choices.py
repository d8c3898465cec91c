"""The payer form's regions and districts, and the payer list's location filter: one query each,
whatever the number of places."""

from kinga.core import access
from kinga.policies.queries import payers as queries

from ..conftest import make_location, make_user


def many_places():
    districts = []
    for r in range(30):
        region = make_location(f"R{r:02}", f"Région {r}", "R")
        districts += [
            make_location(f"R{r:02}D{d}", f"District {r}-{d}", "D", region) for d in (1, 2)
        ]
    return districts


def test_a_district_administrator_chooses_among_his_districts_in_one_query(
    world, django_assert_num_queries
):
    districts = many_places()
    user = make_user("payer.admin", roles=["scheme_admin"], districts=districts[:40])
    access.scope_of(user)
    with django_assert_num_queries(1):
        chosen = [(loc.code, loc.parent.code) for loc in queries.location_choices(user)]
    assert chosen == sorted((d.code, d.parent.code) for d in districts[:40])
    with django_assert_num_queries(1):
        shown = list(queries.filter_locations(user))
    assert len(shown) == 40 + 20  # his districts and their regions


def test_an_administrator_of_everything_chooses_among_every_region_and_district(
    world, imis_admin, django_assert_num_queries
):
    many_places()
    access.scope_of(imis_admin)
    with django_assert_num_queries(1):
        chosen = [
            (loc.type, loc.parent_id and loc.parent.code)
            for loc in queries.location_choices(imis_admin)
        ]
    assert len(chosen) == 32 + 63
