"""The pages: rights, district scope by page and by URL, forms with errors by field."""

import pytest
from django.urls import reverse

from kinga.facilities.models import Catchment, ClaimAdmin, HealthFacility
from kinga.facilities.services import claim_admins as claim_admin_services
from kinga.facilities.services import facilities as facility_services

from ..conftest import ROLE_BITS, login, make_user
from .conftest import make_facility


def url(name, obj=None, **kwargs):
    return reverse(name, args=[obj.uuid] if obj is not None else [], kwargs=kwargs or None)


FACILITY_POST = {
    "code": "HGY",
    "name": "Hôpital Général de Yaoundé",
    "legal_form": "G",
    "level": "H",
    "sub_level": "R",
    "care_type": "B",
    "acc_code": "",
    "address": "Ngousso",
    "phone": "",
    "fax": "",
    "email": "",
    "contract_start_date": "",
    "contract_end_date": "",
    "status": "AC",
}


@pytest.mark.parametrize("role", sorted(ROLE_BITS))
def test_the_list_opens_only_for_roles_with_the_search_right(client, world, role):
    login(client, make_user(roles=[role], districts=[world.mfoundi]))
    allowed = role in ("scheme_admin", "imis_admin")
    assert client.get(url("facilities:list")).status_code == (200 if allowed else 403)
    assert client.get(url("claim_admins:list")).status_code == (200 if allowed else 403)


def test_pages_need_a_login(client, world):
    response = client.get(url("facilities:list"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_menu_shows_the_registers_to_a_scheme_admin(client, scheme_admin):
    login(client, scheme_admin)
    home = client.get("/").text
    assert url("facilities:list") in home and url("claim_admins:list") in home


def test_the_list_searches_and_filters(client, scheme_admin, world, hcy, obala_hd):
    make_facility(scheme_admin, world.mfoundi, code="CSIE", name="CSI d'Etoudi", level="C")
    make_facility(
        scheme_admin, world.mfoundi, code="HSM", name="Hôpital Saint-Martin", legal_form="C"
    )
    login(client, scheme_admin)
    assert "CSI d&#x27;Etoudi" in client.get(url("facilities:list"), {"q": "etoudi"}).text
    by_district = client.get(url("facilities:list"), {"district": world.lekie.uuid}).text
    assert "HDO" in by_district and "HCY" not in by_district
    by_level = client.get(url("facilities:list"), {"level": "C"}).text
    assert "CSIE" in by_level and "HCY" not in by_level
    by_form = client.get(url("facilities:list"), {"legal_form": "C"}).text
    assert "HSM" in by_form and "HCY" not in by_form


def test_a_retired_facility_is_hidden_unless_asked_for(client, scheme_admin, hcy):
    facility_services.facility_retire(actor=scheme_admin, facility=hcy)
    login(client, scheme_admin)
    assert url("facilities:detail", hcy) not in client.get(url("facilities:list")).text
    shown = client.get(url("facilities:list"), {"retired": "on"}).text
    assert url("facilities:detail", hcy) in shown


def test_another_districts_facility_is_not_listed_and_403_by_url(client, world, hcy, douala_hf):
    wouri_admin = make_user(roles=["scheme_admin"], districts=[world.wouri])
    login(client, wouri_admin)
    listing = client.get(url("facilities:list")).text
    assert "HLD" in listing and "HCY" not in listing
    for name in ("detail", "edit", "retire", "catchment_add"):
        assert client.get(url(f"facilities:{name}", hcy)).status_code == 403, name
    assert client.get(url("facilities:detail", douala_hf)).status_code == 200


def test_an_unknown_facility_is_404(client, scheme_admin, world):
    login(client, scheme_admin)
    assert client.get(reverse("facilities:detail", args=[world.mfoundi.uuid])).status_code == 404


def test_the_list_page_makes_a_bounded_number_of_queries(
    client, scheme_admin, world, django_assert_max_num_queries
):
    for i in range(30):
        make_facility(scheme_admin, world.mfoundi, code=f"CS{i:02}", name=f"CSI {i}")
    login(client, scheme_admin)
    client.get(url("facilities:list"))
    with django_assert_max_num_queries(12):
        assert client.get(url("facilities:list")).status_code == 200


def test_create_keeps_the_input_and_shows_errors_by_field(client, scheme_admin, world, hcy):
    login(client, scheme_admin)
    data = dict(FACILITY_POST, code="HCY", district=world.mfoundi.uuid)
    response = client.post(url("facilities:create"), data)
    assert response.status_code == 200
    assert "The code HCY is already used by the health facility" in response.text
    assert 'value="Hôpital Général de Yaoundé"' in response.text
    data = dict(FACILITY_POST, district=world.mfoundi.uuid, contract_start_date="2026-01-01")
    response = client.post(url("facilities:create"), data)
    assert "Give both contract dates, or neither." in response.text


def test_create_then_edit_a_facility(client, scheme_admin, world):
    login(client, scheme_admin)
    response = client.post(
        url("facilities:create"), dict(FACILITY_POST, district=world.mfoundi.uuid)
    )
    hf = HealthFacility.objects.get(code="HGY")
    assert response.status_code == 302 and response["Location"] == url("facilities:detail", hf)
    page = client.get(url("facilities:edit", hf)).text
    assert 'value="HGY"' in page
    response = client.post(
        url("facilities:edit", hf),
        dict(FACILITY_POST, district=world.mfoundi.uuid, phone="222 23 40 20"),
    )
    assert response.status_code == 302
    detail = client.get(url("facilities:detail", hf)).text
    assert "222 23 40 20" in detail and str(scheme_admin) in detail  # history names who


def test_a_district_outside_the_users_scope_cannot_be_posted(client, scheme_admin, world):
    login(client, scheme_admin)
    response = client.post(url("facilities:create"), dict(FACILITY_POST, district=world.wouri.uuid))
    assert response.status_code == 200 and not HealthFacility.objects.exists()


def test_catchment_is_added_and_removed_from_the_detail_page(client, scheme_admin, world, hcy):
    login(client, scheme_admin)
    detail = client.get(url("facilities:detail", hcy)).text
    assert "Add a village" in detail and "Nlongkak" in detail  # offered in the select
    response = client.post(
        url("facilities:catchment_add", hcy),
        {"village": world.nlongkak.uuid, "percentage": "80"},
    )
    assert response.status_code == 302
    catchment = Catchment.objects.current().get()
    assert catchment.percentage == 80
    bad = client.post(
        url("facilities:catchment_add", hcy),
        {"village": world.nkolpoblo.uuid, "percentage": "0"},
    )
    assert bad.status_code == 200 and "error" in bad.text
    response = client.post(reverse("facilities:catchment_remove", args=[hcy.uuid, catchment.pk]))
    assert response.status_code == 302
    assert not Catchment.objects.current().exists()


def test_the_catchment_buttons_need_the_edit_right(client, world, hcy, imis_admin):
    reader = make_user(
        roles=[_role_with([121101])],
        districts=[world.mfoundi],
    )
    c = facility_services.catchment_add(actor=imis_admin, facility=hcy, village=world.nlongkak)
    login(client, reader)
    detail = client.get(url("facilities:detail", hcy)).text
    assert "Nlongkak" in detail and "Add a village" not in detail and "Edit" not in detail
    remove = reverse("facilities:catchment_remove", args=[hcy.uuid, c.pk])
    assert client.post(remove).status_code == 403


def _role_with(rights):
    from kinga.core.models import Role

    return Role.objects.create(name=f"Role {rights}", rights=rights)


def test_retire_asks_for_confirmation_and_refuses_with_claim_admins(client, scheme_admin, hcy):
    claim_admin_services.claim_admin_create(
        actor=scheme_admin, code="CA1", last_name="Mvondo", other_names="Eric", health_facility=hcy
    )
    login(client, scheme_admin)
    page = client.get(url("facilities:retire", hcy)).text
    assert "1 current claim administrator submits for it" in page
    assert client.post(url("facilities:retire", hcy)).status_code == 200
    hcy.refresh_from_db()
    assert not hcy.is_retired
    ClaimAdmin.objects.update(health_facility=make_facility(scheme_admin, hcy.district, code="X"))
    assert client.post(url("facilities:retire", hcy)).status_code == 302
    hcy.refresh_from_db()
    assert hcy.is_retired


# --- claim administrators --------------------------------------------------------------------

CA_POST = {
    "code": "HCY-CA1",
    "last_name": "Mvondo",
    "other_names": "Eric",
    "dob": "1985-04-02",
    "phone": "699 00 00 01",
    "email": "",
    "language": "fr",
}


def test_an_admin_creates_a_claim_admin_with_his_login_in_one_step(client, imis_admin, hcy):
    login(client, imis_admin)
    form = client.get(url("claim_admins:create") + f"?facility={hcy.uuid}").text
    assert "Create a login" in form
    response = client.post(
        url("claim_admins:create"),
        dict(CA_POST, health_facility=hcy.uuid, with_login="on", password="Kinga#Claims2026"),
    )
    ca = ClaimAdmin.objects.get()
    assert response.status_code == 302 and response["Location"] == url("claim_admins:detail", ca)
    assert ca.user.username == "HCY-CA1"
    detail = client.get(url("claim_admins:detail", ca)).text
    assert "HCY-CA1" in detail and "Hôpital Central" in detail


def test_a_refused_login_saves_nothing_and_keeps_the_input(client, imis_admin, hcy):
    make_user("HCY-CA1")
    login(client, imis_admin)
    response = client.post(
        url("claim_admins:create"),
        dict(CA_POST, health_facility=hcy.uuid, with_login="on", password="Kinga#Claims2026"),
    )
    assert response.status_code == 200 and "The login cannot be created" in response.text
    assert 'value="Mvondo"' in response.text
    assert not ClaimAdmin.objects.exists()


def test_a_scheme_admin_sees_the_login_box_and_may_leave_it_unticked(client, scheme_admin, hcy):
    login(client, scheme_admin)
    assert "Create a login" in client.get(url("claim_admins:create")).text
    response = client.post(url("claim_admins:create"), dict(CA_POST, health_facility=hcy.uuid))
    assert response.status_code == 302
    assert ClaimAdmin.objects.get().user is None


def test_claim_admins_of_another_district_are_not_listed_and_403_by_url(
    client, imis_admin, world, hcy, douala_hf
):
    ca = claim_admin_services.claim_admin_create(
        actor=imis_admin, code="CA1", last_name="Mvondo", other_names="Eric", health_facility=hcy
    )
    claim_admin_services.claim_admin_create(
        actor=imis_admin,
        code="CA2",
        last_name="Ekwalla",
        other_names="Jean",
        health_facility=douala_hf,
    )
    login(client, make_user(roles=["scheme_admin"], districts=[world.wouri]))
    listing = client.get(url("claim_admins:list")).text
    assert "CA2" in listing and "CA1" not in listing
    for name in ("detail", "edit", "retire"):
        assert client.get(url(f"claim_admins:{name}", ca)).status_code == 403, name
    form = client.get(url("claim_admins:create")).text
    assert "HLD" in form and "HCY" not in form


def test_edit_and_retire_a_claim_admin(client, scheme_admin, hcy, obala_hd):
    ca = claim_admin_services.claim_admin_create(
        actor=scheme_admin, code="CA1", last_name="Mvondo", other_names="Eric", health_facility=hcy
    )
    login(client, scheme_admin)
    assert 'value="Mvondo"' in client.get(url("claim_admins:edit", ca)).text
    response = client.post(
        url("claim_admins:edit", ca),
        dict(CA_POST, code="CA1", health_facility=obala_hd.uuid),
    )
    assert response.status_code == 302
    ca.refresh_from_db()
    assert ca.health_facility == obala_hd
    assert "Retire the claim administrator" in client.get(url("claim_admins:retire", ca)).text
    assert client.post(url("claim_admins:retire", ca)).status_code == 302
    ca.refresh_from_db()
    assert ca.is_retired
    assert url("claim_admins:detail", ca) not in client.get(url("claim_admins:list")).text
    shown = client.get(url("claim_admins:list"), {"retired": "on"}).text
    assert url("claim_admins:detail", ca) in shown
    assert client.get(url("claim_admins:edit", ca)).status_code == 403


def test_the_claim_admin_list_makes_a_bounded_number_of_queries(
    client, imis_admin, hcy, django_assert_max_num_queries
):
    for i in range(20):
        claim_admin_services.claim_admin_create(
            actor=imis_admin,
            code=f"CA{i:02}",
            last_name="Nom",
            other_names="Prénom",
            health_facility=hcy,
            with_login=i % 2 == 0,
        )
    login(client, imis_admin)
    client.get(url("claim_admins:list"))
    with django_assert_max_num_queries(12):
        assert client.get(url("claim_admins:list")).status_code == 200
