"""Issue 14, item 5: the list page finds people as clerks spell them (accents, case,
apostrophes, hyphens and spaces ignored), on SQLite as on PostgreSQL; a list of more rows than
the cap shows « plus de … » and never counts them all."""

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


def test_a_long_list_shows_a_capped_count_and_stops_its_pages_there(
    client, mfoundi_clerk, people, monkeypatch, settings
):
    monkeypatch.setattr("kinga.insurees.views.families.COUNT_CAP", 2)
    settings.KINGA_PAGE_SIZE = 1
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    login(client, mfoundi_clerk)
    page = client.get(LIST)
    assert "Plus de 2 résultats" in page.text and "Page 1" in page.text
    assert "Page 1 sur" not in page.text and "Page 1 of" not in page.text
    assert page.context["page_obj"].paginator.capped
    last = client.get(LIST, {"page": 99})  # pages stop at the cap
    assert last.context["page_obj"].number == 2
    assert len(last.context["page_obj"]) == 1
    # Under the cap, the count is exact.
    exact = client.get(LIST, {"name": "ndongo"})
    assert "1 résultat" in exact.text and not exact.context["page_obj"].paginator.capped


def test_the_pages_read_in_order_without_repeating_anyone(client, mfoundi_clerk, people, settings):
    settings.KINGA_PAGE_SIZE = 2
    login(client, mfoundi_clerk)
    first = [i.last_name for i in client.get(LIST).context["page_obj"]]
    second = [i.last_name for i in client.get(LIST, {"page": 2}).context["page_obj"]]
    assert first + second == ["Mballa", "N'Dongo", "Ébéné"]


def test_the_count_grows_as_the_clerk_pages_on(
    client, mfoundi_clerk, people, monkeypatch, settings
):
    """The first pages count FIRST_COUNT rows at most; a later page counts ten pages past it,
    so « Suivant » is always there while there are more."""
    monkeypatch.setattr("kinga.core.lists.FIRST_COUNT", 1)
    settings.KINGA_PAGE_SIZE = 1
    login(client, mfoundi_clerk)
    first = client.get(LIST).context["page_obj"]
    assert first.paginator.count == 3 and not first.paginator.capped  # 11 rows may be counted
    monkeypatch.setattr("kinga.insurees.views.families.COUNT_CAP", 2)
    second = client.get(LIST, {"page": 2}).context["page_obj"]
    assert second.paginator.capped and second.has_previous() and not second.has_next()
