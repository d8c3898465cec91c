"""Health facilities, catchment and claim administrators through their services."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from kinga.core.errors import Refused
from kinga.core.models import User
from kinga.facilities.models import Catchment, ClaimAdmin, HealthFacility
from kinga.facilities.services import claim_admins as claim_admin_services
from kinga.facilities.services import facilities as facility_services
from kinga.locations import services as location_services

from ..conftest import make_location, make_user
from .conftest import make_facility, make_price_lists


def refusal(callable_, **kwargs) -> Refused:
    with pytest.raises(Refused) as info:
        callable_(**kwargs)
    return info.value


# --- facilities -------------------------------------------------------------------------------


def test_a_scheme_admin_creates_a_facility_in_his_district_with_a_history_row(scheme_admin, world):
    hf = make_facility(
        scheme_admin,
        world.mfoundi,
        code="HGY",
        name="Hôpital Général de Yaoundé",
        acc_code="411-HGY",
        sub_level="R",
        address="Ngousso",
        phone="+237 222 21 31 81",
        email="contact@hgy.cm",
        contract_start_date=date(2026, 1, 1),
        contract_end_date=date(2026, 12, 31),
    )
    assert hf.district == world.mfoundi and hf.status == "AC"
    row = hf.history.get()
    assert row.history_user == scheme_admin and row.history_type == "+"


def test_the_code_is_required_at_most_8_characters_and_unique_among_current(
    scheme_admin, world, hcy
):
    assert refusal(make_facility, actor=scheme_admin, district=world.mfoundi, code="").field == (
        "code"
    )
    long = refusal(make_facility, actor=scheme_admin, district=world.mfoundi, code="ABCDEFGHI")
    assert long.field == "code" and "At most 8 characters" in long.message
    taken = refusal(make_facility, actor=scheme_admin, district=world.lekie, code="HCY")
    assert taken.field == "code" and "HCY is already used by" in taken.message


def test_a_retired_facility_frees_its_code(scheme_admin, world, hcy):
    facility_services.facility_retire(actor=scheme_admin, facility=hcy)
    again = make_facility(scheme_admin, world.mfoundi, code="HCY", name="Nouveau HCY")
    assert again.pk != hcy.pk


def test_the_district_must_be_a_district_of_the_actors_scope(scheme_admin, world):
    outside = refusal(make_facility, actor=scheme_admin, district=world.wouri, code="X1")
    assert outside.field == "district" and "not one of your districts" in outside.message
    village = refusal(make_facility, actor=scheme_admin, district=world.nlongkak, code="X2")
    assert village.field == "district" and "is not a district" in village.message
    missing = refusal(make_facility, actor=scheme_admin, district=None, code="X3")
    assert missing.field == "district"


def test_the_contract_has_both_dates_or_neither_and_ends_after_it_starts(scheme_admin, world):
    one = refusal(
        make_facility,
        actor=scheme_admin,
        district=world.mfoundi,
        contract_start_date=date(2026, 1, 1),
    )
    assert one.field == "contract_end_date" and "both contract dates" in one.message
    backwards = refusal(
        make_facility,
        actor=scheme_admin,
        district=world.mfoundi,
        contract_start_date=date(2026, 6, 1),
        contract_end_date=date(2026, 6, 1),
    )
    assert backwards.field == "contract_end_date" and "end after it starts" in backwards.message


def test_choices_email_and_lengths_are_checked_by_field(scheme_admin, world):
    assert refusal(make_facility, actor=scheme_admin, district=world.mfoundi, level="X").field == (
        "level"
    )
    assert (
        refusal(make_facility, actor=scheme_admin, district=world.mfoundi, legal_form="").field
        == "legal_form"
    )
    assert (
        refusal(make_facility, actor=scheme_admin, district=world.mfoundi, email="nope").field
        == "email"
    )
    assert (
        refusal(make_facility, actor=scheme_admin, district=world.mfoundi, name=" ").field == "name"
    )


def test_price_lists_are_national_or_of_the_facilitys_region_or_district(scheme_admin, world):
    national_s, national_i = make_price_lists("National")
    centre_s, _ = make_price_lists("Centre", world.centre)
    mfoundi_s, _ = make_price_lists("Mfoundi", world.mfoundi)
    lekie_s, _ = make_price_lists("Lekié", world.lekie)
    littoral_s, _ = make_price_lists("Littoral", world.littoral)
    for i, good in enumerate((national_s, centre_s, mfoundi_s)):
        make_facility(
            scheme_admin,
            world.mfoundi,
            code=f"OK{i}",
            services_price_list=good,
            items_price_list=national_i,
        )
    for bad in (lekie_s, littoral_s):
        refused = refusal(
            make_facility,
            actor=scheme_admin,
            district=world.mfoundi,
            code="BAD",
            services_price_list=bad,
        )
        assert refused.field == "services_price_list"
        assert "choose a national list" in refused.message


def test_price_lists_are_checked_again_when_the_district_changes(scheme_admin, world):
    mfoundi_s, mfoundi_i = make_price_lists("Mfoundi", world.mfoundi)
    hf = make_facility(
        scheme_admin, world.mfoundi, services_price_list=mfoundi_s, items_price_list=mfoundi_i
    )
    values = {f: getattr(hf, f) for f in facility_services.FACILITY_FIELDS}
    values["district"] = world.lekie
    refused = refusal(facility_services.facility_update, actor=scheme_admin, facility=hf, **values)
    assert refused.field == "services_price_list"
    hf.refresh_from_db()
    assert hf.district == world.mfoundi


def test_an_update_names_who_changed_what(scheme_admin, imis_admin, world, hcy):
    values = {f: getattr(hcy, f) for f in facility_services.FACILITY_FIELDS}
    values.update(name="Hôpital Central de Yaoundé", phone="222 23 40 20")
    facility_services.facility_update(actor=scheme_admin, facility=hcy, **values)
    hcy.refresh_from_db()
    assert hcy.name == "Hôpital Central de Yaoundé"
    last = hcy.history.order_by("-history_id").first()
    assert last.history_user == scheme_admin
    delta = last.diff_against(last.prev_record)
    assert {c.field for c in delta.changes} == {"name", "phone"}


def test_a_user_cannot_change_a_facility_of_another_district(world, douala_hf, scheme_admin):
    values = {f: getattr(douala_hf, f) for f in facility_services.FACILITY_FIELDS}
    with pytest.raises(PermissionDenied):
        facility_services.facility_update(actor=scheme_admin, facility=douala_hf, **values)
    with pytest.raises(PermissionDenied):
        facility_services.facility_retire(actor=scheme_admin, facility=douala_hf)


def test_a_user_without_the_rights_cannot_create(mfoundi_clerk, world):
    with pytest.raises(PermissionDenied):
        make_facility(mfoundi_clerk, world.mfoundi)


def test_retiring_is_refused_while_claim_administrators_are_attached(scheme_admin, hcy):
    for code in ("CA1", "CA2"):
        claim_admin_services.claim_admin_create(
            actor=scheme_admin,
            code=code,
            last_name="Mvondo",
            other_names="Eric",
            health_facility=hcy,
        )
    refused = refusal(facility_services.facility_retire, actor=scheme_admin, facility=hcy)
    assert "2 current claim administrators submit for it" in refused.message
    for ca in ClaimAdmin.objects.all():
        claim_admin_services.claim_admin_retire(actor=scheme_admin, claim_admin=ca)
    facility_services.facility_retire(actor=scheme_admin, facility=hcy)
    hcy.refresh_from_db()
    assert hcy.is_retired and HealthFacility.objects.current().count() == 0
    assert hcy.history.order_by("-history_id").first().history_change_reason == "Retired"


def test_a_district_with_a_current_facility_cannot_be_retired(imis_admin, world):
    district = make_location("NYO", "Nyong-et-So'o", "D", world.centre)
    make_facility(imis_admin, district, code="HDM", name="Hôpital de District de Mbalmayo")
    refused = refusal(location_services.location_retire, actor=imis_admin, location=district)
    assert "current health facility" in refused.message


# --- catchment --------------------------------------------------------------------------------


def test_catchment_villages_are_added_with_a_percentage_once_each(scheme_admin, world, hcy):
    c = facility_services.catchment_add(
        actor=scheme_admin, facility=hcy, village=world.nlongkak, percentage=60
    )
    assert c.percentage == 60 and c.history.get().history_user == scheme_admin
    twice = refusal(
        facility_services.catchment_add, actor=scheme_admin, facility=hcy, village=world.nlongkak
    )
    assert twice.field == "village" and "already in the catchment area" in twice.message
    for bad in (0, 101, "x"):
        refused = refusal(
            facility_services.catchment_add,
            actor=scheme_admin,
            facility=hcy,
            village=world.nkolpoblo,
            percentage=bad,
        )
        assert refused.field == "percentage"


def test_a_village_of_the_same_region_may_be_in_the_catchment(scheme_admin, world, hcy):
    """Nkolpoblo (Lekié) is served by a Yaoundé hospital: same region, in the user's scope."""
    facility_services.catchment_add(actor=scheme_admin, facility=hcy, village=world.nkolpoblo)
    assert Catchment.objects.current().filter(health_facility=hcy).count() == 1


def test_a_village_of_another_region_or_not_a_village_is_refused(scheme_admin, world, hcy):
    other_region = refusal(
        facility_services.catchment_add, actor=scheme_admin, facility=hcy, village=world.akwa
    )
    assert other_region.field == "village" and "not in the region" in other_region.message
    municipality = refusal(
        facility_services.catchment_add, actor=scheme_admin, facility=hcy, village=world.yaounde1
    )
    assert municipality.field == "village" and "is not a village" in municipality.message


def test_a_village_outside_the_users_districts_is_refused(world, hcy):
    mfoundi_only = make_user(roles=["scheme_admin"], districts=[world.mfoundi])
    refused = refusal(
        facility_services.catchment_add, actor=mfoundi_only, facility=hcy, village=world.nkolpoblo
    )
    assert "not in your districts" in refused.message


def test_a_removed_village_may_be_added_again(scheme_admin, world, hcy):
    c = facility_services.catchment_add(actor=scheme_admin, facility=hcy, village=world.nlongkak)
    facility_services.catchment_remove(actor=scheme_admin, catchment=c)
    assert not Catchment.objects.current().exists()
    facility_services.catchment_add(
        actor=scheme_admin, facility=hcy, village=world.nlongkak, percentage=40
    )
    facility_services.catchment_update(
        actor=scheme_admin,
        catchment=Catchment.objects.current().get(),
        percentage=50,
    )
    assert Catchment.objects.current().get().percentage == 50


def test_a_village_in_a_current_catchment_cannot_be_retired(imis_admin, world, hcy):
    village = make_location("ETD", "Etoudi", "V", world.yaounde1)
    facility_services.catchment_add(actor=imis_admin, facility=hcy, village=village)
    refused = refusal(location_services.location_retire, actor=imis_admin, location=village)
    assert "catchment area of 1 current health facility" in refused.message


# --- claim administrators --------------------------------------------------------------------


def ca_values(hf, **over):
    values = {
        "code": "HCY-CA1",
        "last_name": "Mvondo",
        "other_names": "Eric",
        "health_facility": hf,
        "phone": "699 00 00 01",
        "email": "eric.mvondo@hcy.cm",
        "dob": date(1985, 4, 2),
    }
    values.update(over)
    return values


def test_a_claim_admin_and_his_login_are_created_in_one_step(imis_admin, world, hcy):
    ca = claim_admin_services.claim_admin_create(
        actor=imis_admin, with_login=True, password="Kinga#Claims2026", **ca_values(hcy)
    )
    user = ca.user
    assert user.username == "HCY-CA1" and user.check_password("Kinga#Claims2026")
    assert [r.is_system for r in user.roles.all()] == [256]
    assert list(user.districts.all()) == [world.mfoundi]
    assert user.health_facility == hcy
    assert ca.history.get().history_user == imis_admin


def test_nothing_is_saved_when_the_login_is_refused(imis_admin, world, hcy):
    make_user("HCY-CA1")
    refused = refusal(
        claim_admin_services.claim_admin_create,
        actor=imis_admin,
        with_login=True,
        password="Kinga#Claims2026",
        **ca_values(hcy),
    )
    assert refused.field == "code" and "login cannot be created" in refused.message
    assert not ClaimAdmin.objects.exists()
    weak = refusal(
        claim_admin_services.claim_admin_create,
        actor=imis_admin,
        with_login=True,
        password="123",
        **ca_values(hcy, code="HCY-CA2"),
    )
    assert weak.field == "password"
    assert not ClaimAdmin.objects.exists()
    assert not User.objects.filter(username="HCY-CA2").exists()


def test_a_scheme_admin_creates_the_login_with_only_the_claim_administrator_role(scheme_admin, hcy):
    # Issue 11: he does not hold the role's rights, so no password of his choosing: a one-time
    # activation code (tests/facilities/test_claim_admin_logins.py).
    ca = claim_admin_services.claim_admin_create(
        actor=scheme_admin, with_login=True, **ca_values(hcy)
    )
    user = ca.user
    assert user.username == "HCY-CA1"
    assert [r.is_system for r in user.roles.all()] == [256]
    assert list(user.districts.all()) == [hcy.district]
    assert user.login_code.code and not user.has_usable_password()


def test_a_scheme_admin_cannot_give_a_login_more_than_its_role(scheme_admin, hcy):
    from kinga.core.models import Role
    from kinga.core.services import users as user_services

    with pytest.raises(Refused, match="may only hold the role"):
        user_services.user_create(
            actor=scheme_admin,
            username="sneaky",
            last_name="S",
            other_names="S",
            roles=list(Role.objects.filter(is_system__in=[256, 32])),
            districts=[hcy.district],
            password="Sneaky#2026x",
            login_for=user_services.CLAIM_ADMIN_LOGIN,
        )
    assert not User.objects.filter(username="sneaky").exists()


def test_claim_admin_rules_by_field(scheme_admin, hcy, douala_hf):
    claim_admin_services.claim_admin_create(actor=scheme_admin, **ca_values(hcy))
    taken = refusal(claim_admin_services.claim_admin_create, actor=scheme_admin, **ca_values(hcy))
    assert taken.field == "code" and "already used by the claim administrator" in taken.message
    long = refusal(
        claim_admin_services.claim_admin_create,
        actor=scheme_admin,
        **ca_values(hcy, code="123456789"),
    )
    assert long.field == "code"
    outside = refusal(
        claim_admin_services.claim_admin_create,
        actor=scheme_admin,
        **ca_values(douala_hf, code="X"),
    )
    assert outside.field == "health_facility" and "outside your districts" in outside.message
    none = refusal(
        claim_admin_services.claim_admin_create, actor=scheme_admin, **ca_values(None, code="Y")
    )
    assert none.field == "health_facility"
    for field in ("last_name", "other_names"):
        assert (
            refusal(
                claim_admin_services.claim_admin_create,
                actor=scheme_admin,
                **ca_values(hcy, code="Z", **{field: ""}),
            ).field
            == field
        )
    assert (
        refusal(
            claim_admin_services.claim_admin_create,
            actor=scheme_admin,
            **ca_values(hcy, code="Z", email="bad"),
        ).field
        == "email"
    )


def test_moving_a_claim_admin_to_another_facility_moves_his_login(imis_admin, world, hcy, obala_hd):
    ca = claim_admin_services.claim_admin_create(
        actor=imis_admin, with_login=True, **ca_values(hcy)
    )
    claim_admin_services.claim_admin_update(
        actor=imis_admin, claim_admin=ca, **ca_values(obala_hd, last_name="Mvondo Ela")
    )
    ca.refresh_from_db()
    ca.user.refresh_from_db()
    assert ca.health_facility == obala_hd
    assert ca.user.health_facility == obala_hd and ca.user.last_name == "Mvondo Ela"
    assert list(ca.user.districts.all()) == [world.lekie]
    changed = refusal(
        claim_admin_services.claim_admin_update,
        actor=imis_admin,
        claim_admin=ca,
        **ca_values(obala_hd, code="NEW"),
    )
    assert changed.field == "code"


def test_retiring_a_claim_admin_retires_his_login(imis_admin, hcy):
    ca = claim_admin_services.claim_admin_create(
        actor=imis_admin, with_login=True, password="Kinga#Claims2026", **ca_values(hcy)
    )
    claim_admin_services.claim_admin_retire(actor=imis_admin, claim_admin=ca)
    ca.refresh_from_db()
    ca.user.refresh_from_db()
    assert ca.is_retired and ca.user.retired_at is not None and not ca.user.is_active


def test_a_scheme_admin_retires_a_claim_admin_and_his_login_together(imis_admin, scheme_admin, hcy):
    ca = claim_admin_services.claim_admin_create(
        actor=imis_admin, with_login=True, password="Mvondo#Hcy2026", **ca_values(hcy)
    )
    claim_admin_services.claim_admin_retire(actor=scheme_admin, claim_admin=ca)
    ca.refresh_from_db()
    ca.user.refresh_from_db()
    assert ca.is_retired and not ca.user.is_active


def test_claim_admins_of_another_district_are_out_of_reach(imis_admin, scheme_admin, douala_hf):
    ca = claim_admin_services.claim_admin_create(actor=imis_admin, **ca_values(douala_hf))
    with pytest.raises(PermissionDenied):
        claim_admin_services.claim_admin_retire(actor=scheme_admin, claim_admin=ca)
    with pytest.raises(PermissionDenied):
        claim_admin_services.claim_admin_update(
            actor=scheme_admin, claim_admin=ca, **ca_values(douala_hf)
        )
