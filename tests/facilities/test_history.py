"""The facility's page shows the history of its catchment villages: who added which village,
changed its share (old → new) or removed it; a save that changes nothing adds nothing."""

import itertools

from django.urls import reverse

from kinga.facilities.models import Catchment, HealthFacility
from kinga.facilities.services import facilities as facility_services

from ..factories import login, make_location
from ..querycount import page_queries

_seq = itertools.count(1)


def history_of(client, facility) -> str:
    page = client.get(reverse("facilities:detail", args=[facility.uuid]))
    assert page.status_code == 200
    html = page.content.decode()
    return html[html.index('id="history"') :]


def test_catchment_villages_added_changed_and_removed_show_with_who(
    client, world, hcy, imis_admin, scheme_admin
):
    login(client, scheme_admin)
    add = reverse("facilities:catchment_add", args=[hcy.uuid])
    response = client.post(add, {"village": world.nlongkak.uuid, "percentage": "80"})
    assert response.status_code == 302
    catchment = Catchment.objects.current().get()
    facility_services.catchment_update(actor=imis_admin, catchment=catchment, percentage=60)
    remove = reverse("facilities:catchment_remove", args=[hcy.uuid, catchment.pk])
    assert client.post(remove).status_code == 302
    history = history_of(client, hcy)
    village = f"Catchment village {world.nlongkak}</strong>"
    assert f"{village}: Retired — Removed" in history
    assert f"{village}: Changed" in history
    assert "<strong>percentage</strong>: <del>80</del> → <ins>60</ins>" in history
    assert f"{village}: Added" in history
    assert str(scheme_admin) in history and str(imis_admin) in history
    assert history.index(f"{village}: Retired") < history.index(f"{village}: Changed")
    assert history.index(f"{village}: Changed") < history.index(f"{village}: Added")


def test_an_unchanged_share_adds_no_history_row(world, hcy, imis_admin):
    catchment = facility_services.catchment_add(
        actor=imis_admin, facility=hcy, village=world.nlongkak, percentage=70
    )
    before = Catchment.history.count()
    facility_services.catchment_update(actor=imis_admin, catchment=catchment, percentage="70")
    assert Catchment.history.count() == before


def test_the_facility_form_saved_unchanged_adds_no_history_row(client, hcy, imis_admin):
    login(client, imis_admin)
    edit = reverse("facilities:edit", args=[hcy.uuid])
    form = client.get(edit).context["form"]
    data = {bf.name: bf.value() for bf in form if bf.value() not in (None, False)}
    if "district" in data:
        data["district"] = hcy.district.uuid
    before = HealthFacility.history.count()
    response = client.post(edit, data)
    assert response.status_code == 302, response.context["form"].errors
    assert HealthFacility.history.count() == before


def test_forty_catchment_villages_cost_no_more_queries_than_three(client, world, hcy, imis_admin):
    def add(n):
        for _ in range(n):
            i = next(_seq)
            village = make_location(f"H{i:03}", f"Hameau {i}", "V", world.yaounde1)
            facility_services.catchment_add(actor=imis_admin, facility=hcy, village=village)

    add(3)
    login(client, imis_admin)
    url = reverse("facilities:detail", args=[hcy.uuid])
    client.get(url)
    few, _sqls, _page = page_queries(client, url)
    add(40)
    many, sqls, page = page_queries(client, url)
    assert many == few, "\n".join(sqls)
    assert page.content.decode().count("Catchment village H") >= 40


def test_another_districts_user_sees_no_history(client, hcy, other_district_clerk):
    login(client, other_district_clerk)
    assert client.get(reverse("facilities:detail", args=[hcy.uuid])).status_code in (403, 404)
