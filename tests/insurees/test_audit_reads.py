"""The read audit of the family and insuree pages and of the insurees' exports (issue 15, item
2): each read leaves exactly one entry, a refused read a denied one; the page's fragments and
photo add none."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from kinga.core.models import AuditEntry

from ..factories import login, make_family, make_user


@pytest.fixture
def family(world):
    return make_family(
        world.nlongkak, ("Jean", date(1980, 5, 1), None), ("Marie", date(1985, 6, 1), 8)
    )


def entries() -> list[AuditEntry]:
    return list(AuditEntry.objects.order_by("id"))


def one_entry() -> AuditEntry:
    found = entries()
    assert len(found) == 1, [str(e) for e in found]
    return found[0]


def test_the_family_page_leaves_one_entry_and_its_fragments_none(client, mfoundi_clerk, family):
    login(client, mfoundi_clerk)
    url = reverse("families:detail", kwargs={"uuid": family.uuid})
    page = client.get(url)
    assert page.status_code == 200 and "Mballa" in page.content.decode()
    entry = one_entry()
    assert (entry.kind, entry.record, entry.action, entry.outcome) == (
        "insurees.family",
        str(family.pk),
        "view",
        "allowed",
    )
    assert (entry.user, entry.login, entry.address, entry.path) == (
        mfoundi_clerk,
        "clerk.mfoundi",
        "127.0.0.1",
        url,
    )
    # The policies block the page loads (htmx), and a page of its history swapped in.
    block = reverse("policies:family_block", kwargs={"family_uuid": family.uuid})
    assert client.get(block, HTTP_HX_REQUEST="true").status_code == 200
    assert client.get(url, {"history": "2"}, HTTP_HX_REQUEST="true").status_code == 200
    assert len(entries()) == 1
    # Opened again: a new read.
    client.get(url)
    assert len(entries()) == 2


def test_the_insuree_page_leaves_one_entry_and_its_photo_none(client, mfoundi_clerk, family):
    login(client, mfoundi_clerk)
    marie = family.members.get(other_names="Marie")
    assert client.get(reverse("families:insuree", kwargs={"uuid": marie.uuid})).status_code == 200
    entry = one_entry()
    assert (entry.kind, entry.record, entry.outcome) == (
        "insurees.insuree",
        str(marie.pk),
        "allowed",
    )
    # The photo (an image of the page; this one has none: 404) is no read of its own.
    client.get(reverse("families:insuree_photo", kwargs={"uuid": marie.uuid}))
    assert len(entries()) == 1


def test_a_read_out_of_scope_leaves_a_denied_entry(client, other_district_clerk, family):
    login(client, other_district_clerk)
    marie = family.members.get(other_names="Marie")
    response = client.get(reverse("families:insuree", kwargs={"uuid": marie.uuid}))
    assert response.status_code == 403
    entry = one_entry()
    assert (entry.kind, entry.record, entry.outcome, entry.user) == (
        "insurees.insuree",
        str(marie.pk),
        "denied",
        other_district_clerk,
    )
    assert client.get(reverse("families:detail", kwargs={"uuid": family.uuid})).status_code == 403
    assert [(e.kind, e.record, e.outcome) for e in entries()][1] == (
        "insurees.family",
        str(family.pk),
        "denied",
    )


def test_a_read_without_the_right_leaves_a_denied_entry_naming_the_record(client, world, family):
    nobody = make_user("nobody", roles=[], districts=[world.mfoundi])
    login(client, nobody)
    response = client.get(reverse("families:detail", kwargs={"uuid": family.uuid}))
    assert response.status_code == 403
    entry = one_entry()
    assert (entry.kind, entry.record, entry.outcome) == (
        "insurees.family",
        str(family.pk),
        "denied",
    )


def test_an_unknown_record_leaves_no_entry(client, mfoundi_clerk, world):
    login(client, mfoundi_clerk)
    url = reverse("families:detail", kwargs={"uuid": "00000000-0000-4000-8000-000000000000"})
    assert client.get(url).status_code == 404
    assert entries() == []


def test_editing_a_family_is_no_read(client, mfoundi_clerk, family):
    """Its form and its save are changes, which the history records."""
    login(client, mfoundi_clerk)
    assert client.get(reverse("families:edit", kwargs={"uuid": family.uuid})).status_code == 200
    assert entries() == []


def test_the_search_export_leaves_one_entry_naming_its_insurees(client, mfoundi_clerk, family):
    login(client, mfoundi_clerk)
    response = client.get(reverse("families:export"), {"name": "mballa", "format": "csv"})
    assert response.status_code == 200
    table = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(table) == 2
    entry = one_entry()
    assert (entry.kind, entry.action, entry.outcome, entry.record) == (
        "insurees.export",
        "export",
        "allowed",
        "",
    )
    assert sorted(entry.rows) == sorted(family.members.values_list("pk", flat=True))
    assert entry.path.startswith(reverse("families:export"))


def test_the_register_export_leaves_one_entry_too(client, imis_admin, family):
    login(client, imis_admin)
    url = reverse("transfer_export", kwargs={"key": "families"})
    response = client.get(url, {"format": "csv"})
    assert response.status_code == 200
    entry = one_entry()
    assert entry.kind == "insurees.export" and len(entry.rows) == 2


def test_the_family_page_costs_one_query_more(client, mfoundi_clerk, family, settings):
    """The audit's append: one statement, whether auditing is on or off otherwise the same."""
    from ..querycount import page_queries

    login(client, mfoundi_clerk)
    url = reverse("families:detail", kwargs={"uuid": family.uuid})
    client.get(url)
    on, _sqls, _page = page_queries(client, url)
    settings.KINGA_AUDIT = False
    off, _sqls, _page = page_queries(client, url)
    assert on == off + 1


def test_a_page_of_search_results_leaves_one_entry_naming_the_insurees_it_showed(
    client, mfoundi_clerk, family
):
    login(client, mfoundi_clerk)
    url = reverse("families:list")
    page = client.get(url, {"name": "Mballa"})
    assert page.status_code == 200 and "Mballa" in page.content.decode()
    entry = one_entry()
    assert (entry.kind, entry.record, entry.action, entry.outcome) == (
        "insurees.search",
        "",
        "view",
        "allowed",
    )
    assert sorted(entry.rows) == sorted(i.pk for i in family.members.all())
    # The same list drawn as an htmx fragment, and a search that finds nobody, add none.
    client.get(url, {"name": "Mballa"}, HTTP_HX_REQUEST="true")
    client.get(url, {"name": "Nobody"})
    assert len(entries()) == 1
