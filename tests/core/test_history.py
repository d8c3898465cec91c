"""kinga.core.history: a save (or a bulk update with history) that changes nothing writes no
history row; `entries` merges a record's history with its lines', newest first, paged, in a
fixed number of queries."""

from datetime import date
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from kinga.core import history
from kinga.core.history import Child, entries, set_actor
from kinga.core.models import User
from kinga.locations.models import Location
from kinga.policies.models import InsureePolicy

from ..factories import PASSWORD, make_location


def rows(obj) -> int:
    return obj.history.count()


def test_a_save_that_changes_nothing_writes_no_history_row(world, imis_admin):
    village = world.nlongkak
    assert rows(village) == 1
    village.save()
    set_actor(village, imis_admin, "Checked")
    village.save()
    # A value typed as text that reads back the same is no change either.
    village.male_population = "1200"
    village.save()
    assert rows(village) == 1
    village.name = "Nlongkak II"
    village.save()
    assert rows(village) == 2
    fresh = Location.objects.get(pk=village.pk)
    fresh.save()
    assert rows(village) == 2


def test_a_bulk_update_with_history_writes_rows_only_for_what_changed(world, imis_admin):
    a, b, c = world.nlongkak, world.nkolpoblo, world.akwa
    a.name = "Nlongkak centre"
    with CaptureQueriesContext(connection) as ctx:
        bulk_update_with_history([a, b, c], Location, ["name"], default_user=imis_admin)
    assert (rows(a), rows(b), rows(c)) == (2, 1, 1)
    assert len(ctx) <= 4  # the update, the last rows (one query), the insert (+ savepoint)
    assert a.history.first().history_user == imis_admin
    bulk_update_with_history([a, b, c], Location, ["name"], default_user=imis_admin)
    assert (rows(a), rows(b), rows(c)) == (2, 1, 1)


def test_a_move_that_keeps_the_levels_writes_a_row_for_the_moved_node_only(world, imis_admin):
    from kinga.locations.services import location_move

    yaounde2 = make_location("YDE2", "Yaoundé II", "W", world.mfoundi)
    location_move(actor=imis_admin, location=world.nlongkak, new_parent=yaounde2)
    assert rows(world.nlongkak) == 2 and rows(yaounde2) == 1
    assert world.nlongkak.history.first().history_change_reason == "Moved"


def test_an_empty_bulk_update_costs_no_query(db):
    with CaptureQueriesContext(connection) as ctx:
        InsureePolicy.history.bulk_history_create([], update=True)
    assert len(ctx) == 0


def test_a_login_writes_no_history_row_on_the_user(client, imis_admin):
    before = rows(imis_admin)
    data = {"username": imis_admin.username, "password": PASSWORD}
    assert client.post(reverse("login"), data).status_code == 302
    assert User.objects.get(pk=imis_admin.pk).last_login is not None
    assert rows(imis_admin) == before


def test_many_to_many_fields_count_as_changes_and_setting_the_same_set_is_none(world, imis_admin):
    user = User.objects.create(username="t.many", last_name="T", other_names="M")
    assert rows(user) == 1
    user.districts.set([world.mfoundi])
    assert rows(user) == 2
    user.districts.set([world.mfoundi])
    user.save()
    assert rows(user) == 2


def test_a_note_records_an_event_on_a_record_without_changes(world, imis_admin):
    history.note(world.mfoundi, imis_admin, "Checked by the auditor")
    last = world.mfoundi.history.first()
    assert rows(world.mfoundi) == 2 and last.history_change_reason == "Checked by the auditor"
    assert last.history_user == imis_admin


def test_entries_merge_the_lines_newest_first_with_old_and_new_values(world, imis_admin):
    district = world.mfoundi
    lines = [Child(Location, "Municipality %(code)s")]
    yaounde1 = world.yaounde1
    set_actor(yaounde1, imis_admin)
    yaounde1.name = "Yaoundé 1er"
    yaounde1.save()
    set_actor(yaounde1, imis_admin, "Merged")
    yaounde1.retired_at = timezone.now()
    yaounde1.save()
    del yaounde1._change_reason
    yaounde1.retired_at = None
    yaounde1.save()
    set_actor(district, imis_admin)
    district.male_population = 250000
    district.save()
    page = entries(district, children=lines)
    got = [(e.subject, e.kind, e.reason) for e in page]
    assert got == [
        ("", "~", ""),
        ("Municipality YDE1", "restored", ""),
        ("Municipality YDE1", "retired", "Merged"),
        ("Municipality YDE1", "~", ""),
        ("Municipality YDE1", "+", ""),
        ("", "+", ""),
    ]
    assert [(c.field, c.old, c.new) for c in page[0].changes] == [
        ("male population", "—", "250000" if page[0].changes[0].new == "250000" else "250 000")
    ]
    assert [(c.field, c.old, c.new) for c in page[3].changes] == [
        ("name", "Yaoundé I", "Yaoundé 1er")
    ]
    assert page[2].changes == [] and page[2].user == imis_admin
    assert page[2].kind_label == "Retired" and page[2].shown_reason == "Merged"


def test_entries_show_names_choices_dates_and_money(world, imis_admin):
    from kinga.policies.models import Payer

    payer = Payer.objects.create(type="G", name="Ministère", location=world.centre)
    set_actor(payer, imis_admin)
    payer.type, payer.location, payer.name = "D", world.littoral, "Ministère de la santé"
    payer.save()
    (changed, _created) = entries(payer)
    shown = {c.field: (c.old, c.new) for c in changed.changes}
    assert shown["type"] == ("Government", "Donor")
    assert shown["location"] == (str(world.centre), str(world.littoral))
    assert shown["name"] == ("Ministère", "Ministère de la santé")
    from kinga.core.history import _Labels

    labels = _Labels()
    assert labels.display(Payer, "name", Decimal("22500.00")).replace("\xa0", " ") in (
        "22,500",
        "22 500",
    )
    assert labels.display(Payer, "name", date(2026, 3, 1)) in ("03/01/2026", "01/03/2026")


def test_entries_are_paged_in_a_fixed_number_of_queries_with_40_lines(world, imis_admin):
    district = world.mfoundi
    lines = [Child("children", "Municipality %(code)s %(parent)s")]

    def count(page=1):
        with CaptureQueriesContext(connection) as ctx:
            result = list(entries(district, children=lines, page=page))
        return len(ctx), result

    few, _ = count()
    for i in range(40):
        make_location(f"M{i:02}", f"Commune {i}", "W", district)
    many, newest = count()
    second, oldest = count(2)
    assert few == many == second == 3  # every row's date; the page's rows, one per source
    assert len(newest) == 42 and newest[0].subject == f"Municipality M39 {district}"
    # A page past the last shows the last (as the lists do).
    assert [e.subject for e in oldest] == [e.subject for e in newest]
    more = list(entries(district, children=lines, per_page=30, page=2))
    assert len(more) == 12 and more[-1].subject == ""


def test_the_history_page_parameter_is_forgiving(client, world, imis_admin):
    from ..factories import login

    login(client, imis_admin)
    url = reverse("locations:detail", args=[world.mfoundi.uuid])
    for bad in ("abc", "-1", "999"):
        assert client.get(url, {"history": bad}).status_code == 200
    # A NUL in any query string is refused before the page (RefuseNulMiddleware).
    assert client.get(url, {"history": "\x00"}).status_code == 400
