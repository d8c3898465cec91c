"""Issue 14, item 5: the list page finds people as clerks spell them (accents, case,
apostrophes, hyphens and spaces ignored), on SQLite as on PostgreSQL.  Its pages: test_list_pages."""

import pytest
from django.urls import reverse

from kinga.core import bulk
from kinga.insurees.models import Insuree
from kinga.insurees.rules import fold_name, name_words
from kinga.insurees.services import families as services

from ..conftest import login
from .test_families_services import TODAY, add_member, edit_values, new_family, person

LIST = reverse("families:list")


def names(response) -> set[str]:
    return {i.last_name for i in response.context["page_obj"]}


@pytest.fixture
def people(mfoundi_clerk, world):
    family = new_family(mfoundi_clerk, world.nlongkak, last_name="Ébéné", other_names="Thérèse")
    add_member(mfoundi_clerk, family, last_name="N'Dongo", other_names="Jean-Paul")
    add_member(mfoundi_clerk, family, last_name="Mballa", other_names="Aline")
    return family


@pytest.mark.parametrize(
    "typed, found",
    [
        ("ebene", {"Ébéné"}),
        ("EBENE", {"Ébéné"}),
        ("Ébéné therese", {"Ébéné"}),
        ("ndongo", {"N'Dongo"}),
        ("N'dongo", {"N'Dongo"}),
        ("n dongo", {"N'Dongo"}),
        ("jean paul", {"N'Dongo"}),
        ("jeanpaul", {"N'Dongo"}),
        ("therese ndongo", set()),
        ("a", {"Mballa", "N'Dongo"}),  # aline, jean-paul
    ],
)
def test_the_list_finds_a_name_as_typed(client, mfoundi_clerk, people, typed, found):
    login(client, mfoundi_clerk)
    response = client.get(LIST, {"name": typed})
    assert response.status_code == 200
    assert names(response) == found
    if found == {"Ébéné"}:
        assert "Thérèse Ébéné" in response.text


def test_a_renamed_insuree_is_found_by_the_new_name_only(client, mfoundi_clerk, people):
    head = people.head
    services.insuree_update(
        actor=mfoundi_clerk, insuree=head, today=TODAY, **edit_values(head, last_name="Ékotto")
    )
    login(client, mfoundi_clerk)
    assert names(client.get(LIST, {"name": "ekotto"})) == {"Ékotto"}
    assert names(client.get(LIST, {"name": "ebene"})) == set()


def test_rows_written_in_bulk_are_found(client, mfoundi_clerk, people):
    """Imports write through kinga.core.bulk (COPY on PostgreSQL): the database computes the
    searched name whatever writes the row."""
    row = person(last_name="Ngo Biyiha", other_names="Œuvrée", insurance_number="BULK01")
    row.update(family_id=people.pk, relationship=4, current_village_id=None)
    bulk.create_rows(Insuree, [row], user=mfoundi_clerk, reason="test")
    login(client, mfoundi_clerk)
    assert names(client.get(LIST, {"name": "ngobiyiha oeuvree"})) == {"Ngo Biyiha"}


def test_the_fold_rule():
    assert fold_name("N'Dongo", "Jean-Paul") == "ndongojeanpaul"
    assert fold_name("Ébéné", "Thérèse Ç") == "ebenetheresec"
    assert name_words("  Jean-Paul  N'Dongo  ") == ["jeanpaul", "ndongo"]
    assert name_words("' - ") == []
