"""The officer's page shows who changed his villages (which were added, which removed) and his
other fields (old → new); an edit that changes nothing adds no history row."""

from django.urls import reverse

from kinga.insurees.models import Officer

from ..factories import login
from ..querycount import page_queries
from .conftest import new_officer, update_officer


def url(name, officer):
    return reverse(f"officers:{name}", kwargs={"uuid": officer.uuid})


def form_data(places, **changes):
    data = {
        "code": "EO001",
        "last_name": "Ateba",
        "other_names": "Paul",
        "district": places.mfoundi.pk,
        "villages": [places.nlongkak.pk],
        "phone": "677 10 20 30",
    }
    data.update(changes)
    return data


def history_of(client, officer) -> str:
    page = client.get(url("detail", officer))
    assert page.status_code == 200
    html = page.content.decode()
    return html[html.index('id="history"') :]


def test_changed_villages_show_which_were_added_and_removed_and_by_whom(
    client, places, imis_admin, scheme_admin
):
    officer = new_officer(
        imis_admin, "EO001", places.mfoundi, villages=[places.nlongkak], phone="677 10 20 30"
    )
    login(client, scheme_admin)
    data = form_data(places, villages=[places.etoudi.pk, places.tsinga.pk])
    assert client.post(url("edit", officer), data).status_code == 302
    history = history_of(client, officer)
    assert "<strong>villages served</strong>: " in history
    assert f"<ins>+ {places.etoudi}, {places.tsinga}</ins>" in history
    assert f"<del>− {places.nlongkak}</del>" in history
    assert str(scheme_admin) in history and str(imis_admin) in history


def test_an_edit_that_changes_nothing_adds_no_history_row(client, places, scheme_admin):
    officer = new_officer(
        scheme_admin, "EO001", places.mfoundi, villages=[places.nlongkak], phone="677 10 20 30"
    )
    assert officer.history.count() == 1
    login(client, scheme_admin)
    assert client.post(url("edit", officer), form_data(places)).status_code == 302
    assert officer.history.count() == 1
    # The same villages in another order are no change either.
    update_officer(scheme_admin, officer, villages=[places.nlongkak])
    assert officer.history.count() == 1
    assert client.post(url("edit", officer), form_data(places, phone="699")).status_code == 302
    assert officer.history.count() == 2
    history = history_of(client, officer)
    assert "<del>677 10 20 30</del> → <ins>699</ins>" in history


def test_the_history_of_an_officer_costs_the_same_queries_with_35_rows(
    client, places, scheme_admin
):
    officer = new_officer(scheme_admin, "EO001", places.mfoundi, villages=[places.nlongkak])
    update_officer(scheme_admin, officer, phone="600 00 00 00", villages=[places.etoudi])
    login(client, scheme_admin)
    client.get(url("detail", officer))
    few, _sqls, _page = page_queries(client, url("detail", officer))
    villages = [[places.nlongkak], [places.etoudi], [places.nlongkak, places.tsinga]]
    for i in range(35):
        officer = Officer.objects.get(pk=officer.pk)
        update_officer(scheme_admin, officer, phone=f"6{i:08}", villages=villages[i % 3])
    assert officer.history.count() == 37
    many, sqls, page = page_queries(client, url("detail", officer))
    assert many == few, "\n".join(sqls)
    assert page.content.decode().count("<strong>villages served</strong>") == 36


def test_another_districts_administrator_sees_no_history(client, places, imis_admin, scheme_admin):
    officer = new_officer(imis_admin, "EOW01", places.wouri)
    login(client, scheme_admin)
    assert client.get(url("detail", officer)).status_code in (403, 404)
