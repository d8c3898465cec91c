"""Issue 14, item 5: the families and insurees list as the clerk pages through it — « Suivant »
and « Précédent » walk the whole result without repeating or missing anyone, whatever the
result (the whole list, a capped one, a name that many people share, listed in registration
order); the count stops at its cap; the village search; a tampered address gives the first
page, never an error.  And the village each insuree counts in, kept by the database's triggers
when a family moves or a member changes family (SQLite and PostgreSQL)."""

import re
from datetime import date
from html import unescape

import pytest
from django.db import connection
from django.urls import reverse

from kinga.insurees.models import Family, Insuree
from kinga.insurees.services import families as services

from ..conftest import login, make_location
from ..querycount import assert_flat
from .test_families_services import TODAY, add_member, new_family

LIST = reverse("families:list")

# (last name, first name): 9 people, in 3 families of Nlongkak.
PEOPLE = [
    ("Mballa", "Jean"),
    ("Ébéné", "Thérèse"),
    ("Owona", "Aline"),
    ("Mballa", "Paul"),
    ("Abena", "Serge"),
    ("Fouda", "Marie"),
    ("Mballa", "Aline"),
    ("Atangana", "Joseph"),
    ("Mballa", "Christine"),
]


@pytest.fixture
def people(mfoundi_clerk, world):
    """Nine insurees of Nlongkak (Mfoundi), in three families; one of Akwa (Wouri)."""
    families = []
    for k, (last, first) in enumerate(PEOPLE):
        if k % 3 == 0:
            families.append(
                new_family(mfoundi_clerk, world.nlongkak, last_name=last, other_names=first)
            )
        else:
            add_member(mfoundi_clerk, families[-1], last_name=last, other_names=first)
    return families


def shown(response) -> list[str]:
    return [f"{i.other_names} {i.last_name}" for i in response.context["page_obj"]]


def link(response, rel: str) -> str | None:
    """The href of the pager's link `rel` (next, prev, first), as the browser would follow it."""
    found = re.search(rf'<a href="([^"]*)" rel="{rel}"', response.text)
    return LIST + unescape(found.group(1)) if found else None


def walk(client, start: str, rel: str) -> tuple[list[list[str]], object]:
    """Every page from `start` following the `rel` links: the names of each, and the last."""
    pages, response = [], client.get(start)
    while True:
        assert response.status_code == 200
        pages.append(shown(response))
        url = link(response, rel)
        if url is None:
            return pages, response
        assert len(pages) < 50, "the links go round in circles"
        response = client.get(url)


def in_list_order(people) -> list[str]:
    rows = Insuree.objects.filter(retired_at__isnull=True).order_by(
        "last_name", "other_names", "id"
    )
    return [f"{i.other_names} {i.last_name}" for i in rows]


@pytest.fixture
def fr(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    settings.KINGA_PAGE_SIZE = 2
    return client


@pytest.mark.parametrize("cap", [1000, 3], ids=["counted", "capped"])
def test_next_and_previous_walk_the_whole_list_without_repeats_or_gaps(
    fr, mfoundi_clerk, people, monkeypatch, cap
):
    monkeypatch.setattr("kinga.core.lists.COUNT_CAP", cap)
    login(fr, mfoundi_clerk)
    forward, last = walk(fr, LIST, "next")
    assert [len(p) for p in forward] == [2, 2, 2, 2, 1]
    assert sum(forward, []) == in_list_order(people)
    # And back from the last page, « Précédent » after « Précédent ».
    backward, first = walk(fr, link(last, "prev"), "prev")
    assert sum(reversed(backward), []) + forward[-1] == in_list_order(people)
    assert link(first, "prev") is None and link(first, "first") is None
    assert link(last, "first") == LIST + "?"  # « Première page »
    assert "Première page" in last.text and "Suivant" not in last.text


def test_the_pages_of_a_search_keep_its_criteria(fr, mfoundi_clerk, people):
    login(fr, mfoundi_clerk)
    pages, _last = walk(fr, LIST + "?name=mballa", "next")
    assert sum(pages, []) == ["Aline Mballa", "Christine Mballa", "Jean Mballa", "Paul Mballa"]


def test_a_long_list_says_more_than_the_cap_and_a_typed_page_stops_there(
    fr, mfoundi_clerk, people, monkeypatch
):
    monkeypatch.setattr("kinga.core.lists.COUNT_CAP", 4)
    login(fr, mfoundi_clerk)
    page = fr.get(LIST)
    assert "Plus de 4 résultats : précisez la recherche" in page.text
    assert "Page 1" in page.text and " sur " not in page.text
    # A typed page number is accepted up to the pages the capped count holds (4 rows: 2).
    deep = fr.get(LIST, {"page": 99})
    assert deep.context["page_obj"].number == 2
    assert shown(deep) == in_list_order(people)[2:4]
    # Under the cap, the count is exact.
    assert "2 résultats" in fr.get(LIST, {"name": "aline"}).text


def test_a_name_many_people_share_is_listed_in_registration_order(
    fr, mfoundi_clerk, people, monkeypatch
):
    monkeypatch.setattr("kinga.core.lists.COUNT_CAP", 3)
    login(fr, mfoundi_clerk)
    pages, _last = walk(fr, LIST + "?name=mballa", "next")
    registered = [
        f"{i.other_names} {i.last_name}"
        for i in Insuree.objects.filter(last_name="Mballa").order_by("id")
    ]
    assert sum(pages, []) == registered
    first = fr.get(LIST, {"name": "mballa"})
    assert "listées dans l'ordre d'enregistrement" in first.text
    assert "Plus de 3 résultats" in first.text
    # A narrower search is sorted by name again, without the message.
    narrow = fr.get(LIST, {"name": "mballa aline"})
    assert shown(narrow) == ["Aline Mballa"] and "enregistrement" not in narrow.text


def test_the_village_search_finds_its_families_and_those_who_live_there(
    fr, mfoundi_clerk, people, world, settings
):
    etoudi = make_location("ETD", "Etoudi", "V", world.yaounde1)
    there = new_family(mfoundi_clerk, etoudi, last_name="Essomba", other_names="Luc")
    add_member(mfoundi_clerk, there, last_name="Essomba", other_names="Rose")
    # Left his family of Nlongkak and lives in Etoudi: he counts in Etoudi.
    mover = add_member(mfoundi_clerk, people[0], last_name="Onana", other_names="Guy")
    services.insuree_detach(actor=mfoundi_clerk, insuree=mover, today=TODAY)
    Insuree.objects.filter(pk=mover.pk).update(current_village=etoudi)
    login(fr, mfoundi_clerk)
    settings.KINGA_PAGE_SIZE = 25
    found = fr.get(LIST, {"village": etoudi.pk, "name": ""})
    assert sorted(shown(found)) == ["Guy Onana", "Luc Essomba", "Rose Essomba"]
    assert "Etoudi" in found.text
    assert "Guy Onana" not in fr.get(LIST, {"village": world.nlongkak.pk}).text
    assert "9 résultats" in fr.get(LIST, {"village": world.nlongkak.pk}).text


@pytest.mark.parametrize(
    "params",
    [
        {"after": "abc"},
        {"after": "-1"},
        {"after": "0"},
        {"before": "99999999999999999999999"},
        {"after": "1", "before": "2"},
        {"after": "1e3"},
        {"before": "²"},
        {"page": "-3"},
        {"page": "abc"},
        {"page": "999999999999"},
        {"page": "0"},
        {"after": "12", "page": "4"},
    ],
)
def test_a_tampered_position_gives_a_page_never_an_error(fr, mfoundi_clerk, people, params):
    login(fr, mfoundi_clerk)
    response = fr.get(LIST, params)
    assert response.status_code == 200
    assert len(shown(response)) in (1, 2)


def test_nothing_before_the_first_row_nor_after_the_last_gives_the_first_page(
    fr, mfoundi_clerk, people
):
    """A stale link (the rows it named moved since): the first page, not an empty one."""
    rows = Insuree.objects.order_by("last_name", "other_names", "id")
    login(fr, mfoundi_clerk)
    for params in ({"before": rows.first().pk}, {"after": rows.last().pk}):
        response = fr.get(LIST, params)
        assert shown(response) == in_list_order(people)[:2]
        assert link(response, "prev") is None and link(response, "next")


def test_the_key_of_someone_out_of_scope_is_not_a_position(
    fr, mfoundi_clerk, other_district_clerk, people, world
):
    """A key names a row of the list itself: a Wouri insuree's gives the first page."""
    akwa = new_family(other_district_clerk, world.akwa, last_name="Zang", other_names="Yves")
    login(fr, mfoundi_clerk)
    response = fr.get(LIST, {"after": akwa.head_id})
    assert shown(response) == in_list_order(people)[:2]


@pytest.mark.parametrize("at_once", [100, 0], ids=["read-at-once", "keys-then-rows"])
def test_a_page_reached_by_its_key_reads_as_many_queries_with_30_or_60_rows(
    client, mfoundi_clerk, world, settings, monkeypatch, at_once
):
    """Both ways of reading a page: a small result at once, a larger one by its keys first."""
    monkeypatch.setattr("kinga.core.lists.AT_ONCE", at_once)
    settings.KINGA_PAGE_SIZE = 100
    counter = iter(range(10**6))

    def add(n=15):
        for _ in range(n):
            family = new_family(mfoundi_clerk, world.nlongkak, insurance_number=f"K{next(counter)}")
            add_member(mfoundi_clerk, family, insurance_number=f"K{next(counter)}")

    add(16)  # 32 rows, 31 after the first
    first = Insuree.objects.order_by("last_name", "other_names", "id").first()
    login(client, mfoundi_clerk)
    assert_flat(
        client,
        LIST,
        add,
        at_most=10,  # and the read audit of the page of results (kinga.core.audit)
        params={"after": first.pk, "name": "mballa"},
        shown=lambda response: len(response.context["page_obj"]),
    )


# --- the village each insuree counts in, kept by the database --------------------------------


def village_of(insuree) -> int | None:
    return Insuree.objects.values_list("village_id", flat=True).get(pk=insuree.pk)


def test_a_new_insuree_takes_his_family_village_or_else_his_current_village(mfoundi_clerk, world):
    family = new_family(mfoundi_clerk, world.nlongkak)
    member = add_member(mfoundi_clerk, family)
    assert village_of(family.head) == village_of(member) == world.nlongkak.pk
    alone = Insuree.objects.create(
        insurance_number="ALONE1",
        last_name="Seul",
        other_names="Paul",
        dob=date(1990, 1, 1),
        gender="M",
        current_village=world.akwa,
    )
    assert village_of(alone) == world.akwa.pk


def test_a_family_that_moves_takes_its_members_along(mfoundi_clerk, world):
    family = new_family(mfoundi_clerk, world.nlongkak)
    member = add_member(mfoundi_clerk, family)
    other = new_family(mfoundi_clerk, world.nlongkak)
    etoudi = make_location("ETD", "Etoudi", "V", world.yaounde1)
    services.family_change_location(actor=mfoundi_clerk, family=family, village=etoudi)
    assert village_of(family.head) == village_of(member) == etoudi.pk
    assert village_of(other.head) == world.nlongkak.pk
    # Whatever writes the row: an UPDATE in SQL too.
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE insurees_family SET village_id = %s WHERE id = %s", [world.akwa.pk, family.pk]
        )
    assert village_of(family.head) == village_of(member) == world.akwa.pk


def test_a_member_who_changes_family_takes_the_new_family_village(mfoundi_clerk, world):
    etoudi = make_location("ETD", "Etoudi", "V", world.yaounde1)
    family = new_family(mfoundi_clerk, world.nlongkak)
    member = add_member(mfoundi_clerk, family)
    target = new_family(mfoundi_clerk, etoudi)
    services.insuree_move(
        actor=mfoundi_clerk, insuree=member, family=target, relationship=4, today=TODAY
    )
    assert village_of(member) == etoudi.pk
    # Detached: his current village (his former family's, as the service sets it).
    services.insuree_detach(actor=mfoundi_clerk, insuree=member, today=TODAY)
    assert village_of(member) == etoudi.pk
    Insuree.objects.filter(pk=member.pk).update(current_village=world.akwa)
    assert village_of(member) == world.akwa.pk
    # A stale village written by a save is put right.
    member.refresh_from_db()
    member.village_id = world.nlongkak.pk
    member.save()
    assert village_of(member) == world.akwa.pk
    assert Family.objects.get(pk=family.pk).village_id == world.nlongkak.pk
