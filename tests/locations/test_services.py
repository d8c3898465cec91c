import pytest
from django.core.exceptions import PermissionDenied

from kinga.core import access
from kinga.core.errors import Refused
from kinga.core.models import Role
from kinga.facilities.models import HealthFacility
from kinga.locations import services
from kinga.locations.models import Location

from ..conftest import make_user


def test_it_creates_a_village_with_its_populations(imis_admin, world):
    village = services.location_create(
        actor=imis_admin,
        type="V",
        code="ETD",
        name="Etoudi",
        parent=world.yaounde1,
        male_population="10",
        female_population=12,
        families=3,
    )
    assert village.parent == world.yaounde1
    assert (village.male_population, village.female_population, village.families) == (10, 12, 3)


def test_populations_are_kept_for_villages_only(imis_admin, world):
    district = services.location_create(
        actor=imis_admin, type="D", code="MEF", name="Méfou", parent=world.centre, families=4
    )
    assert district.families is None


def test_the_code_is_unique_across_levels(imis_admin, world):
    with pytest.raises(Refused) as refused:
        services.location_create(
            actor=imis_admin, type="V", code="MFO", name="Mfoundi bis", parent=world.yaounde1
        )
    assert refused.value.field == "code"
    assert "MFO" in refused.value.message and "Mfoundi" in refused.value.message


def test_a_retired_locations_code_can_be_used_again(imis_admin, world):
    services.location_retire(actor=imis_admin, location=world.akwa)
    again = services.location_create(
        actor=imis_admin, type="V", code="AKW", name="Akwa Nord", parent=world.douala1
    )
    assert again.code == "AKW"


def test_the_code_has_at_most_eight_characters(imis_admin, world):
    with pytest.raises(Refused) as refused:
        services.location_create(
            actor=imis_admin, type="V", code="TOOLONG99", name="X", parent=world.yaounde1
        )
    assert refused.value.field == "code"


def test_a_name_is_required(imis_admin, world):
    with pytest.raises(Refused) as refused:
        services.location_create(
            actor=imis_admin, type="V", code="X1", name=" ", parent=world.yaounde1
        )
    assert refused.value.field == "name"


@pytest.mark.parametrize(
    ("type_", "parent_attr"),
    [("V", "mfoundi"), ("W", "centre"), ("D", None), ("R", "centre"), ("D", "yaounde1")],
)
def test_the_parent_must_be_exactly_one_level_above(imis_admin, world, type_, parent_attr):
    parent = getattr(world, parent_attr) if parent_attr else None
    with pytest.raises(Refused) as refused:
        services.location_create(actor=imis_admin, type=type_, code="NEW", name="N", parent=parent)
    assert refused.value.field == "parent"


def test_it_updates_name_and_code_and_keeps_who_did_it(imis_admin, world):
    services.location_update(
        actor=imis_admin, location=world.nlongkak, code="NLK2", name="Nlongkak II"
    )
    world.nlongkak.refresh_from_db()
    assert world.nlongkak.code == "NLK2"
    last = world.nlongkak.history.latest()
    assert last.history_user == imis_admin
    assert last.name == "Nlongkak II"


def test_a_district_user_cannot_change_another_district(mfoundi_location_admin, world):
    with pytest.raises(PermissionDenied):
        services.location_update(
            actor=mfoundi_location_admin, location=world.akwa, code="AKW", name="Akwa 2"
        )
    with pytest.raises(PermissionDenied):
        services.location_create(
            actor=mfoundi_location_admin, type="V", code="X", name="X", parent=world.douala1
        )


def test_a_district_user_can_add_villages_in_his_district(mfoundi_location_admin, world):
    v = services.location_create(
        actor=mfoundi_location_admin, type="V", code="EMB", name="Emana", parent=world.yaounde1
    )
    assert v.pk


def test_regions_and_districts_need_the_special_right(mfoundi_location_admin, world):
    with pytest.raises(PermissionDenied):
        services.location_update(
            actor=mfoundi_location_admin, location=world.mfoundi, code="MFO", name="Mfoundi 2"
        )
    with pytest.raises(PermissionDenied):
        services.location_create(
            actor=mfoundi_location_admin, type="D", code="NYO", name="Nyong", parent=world.centre
        )


def test_a_scoped_user_who_creates_a_district_gets_it(world):
    role = Role.objects.create(name="Regional", rights=[121901, 121902, 121906])
    user = make_user(roles=[role], districts=[world.mfoundi])
    district = services.location_create(
        actor=user, type="D", code="NYO", name="Nyong", parent=world.centre
    )
    assert district in user.districts.all()
    assert access.can_change_location(user, district)
    with pytest.raises(PermissionDenied):  # not his region
        services.location_create(
            actor=user, type="D", code="MUN", name="Moungo", parent=world.littoral
        )


def test_moving_a_village_to_another_municipality(imis_admin, world):
    services.location_move(actor=imis_admin, location=world.nlongkak, new_parent=world.obala)
    world.nlongkak.refresh_from_db()
    assert world.nlongkak.parent == world.obala and world.nlongkak.type == "V"
    assert world.nlongkak.history.latest().history_user == imis_admin


def test_moving_a_municipality_under_a_region_retypes_its_subtree(imis_admin, world):
    services.location_move(actor=imis_admin, location=world.yaounde1, new_parent=world.littoral)
    world.yaounde1.refresh_from_db()
    world.nlongkak.refresh_from_db()
    assert (world.yaounde1.type, world.yaounde1.parent) == ("D", world.littoral)
    assert (world.nlongkak.type, world.nlongkak.parent) == ("W", world.yaounde1)
    assert world.nlongkak.male_population is None  # populations are for villages


def test_moving_a_district_under_a_municipality_flattens_it_into_villages(imis_admin, world):
    services.location_move(actor=imis_admin, location=world.lekie, new_parent=world.yaounde1)
    for loc in (world.lekie, world.obala, world.nkolpoblo):
        loc.refresh_from_db()
        assert (loc.type, loc.parent) == ("V", world.yaounde1)


def test_a_location_cannot_move_under_its_own_subtree(imis_admin, world):
    with pytest.raises(Refused):
        services.location_move(actor=imis_admin, location=world.mfoundi, new_parent=world.yaounde1)


def test_a_district_user_cannot_move_a_village_out_of_his_district(mfoundi_location_admin, world):
    with pytest.raises(PermissionDenied):
        services.location_move(
            actor=mfoundi_location_admin, location=world.nlongkak, new_parent=world.douala1
        )


def test_retire_is_refused_while_there_are_current_children(imis_admin, world):
    with pytest.raises(Refused) as refused:
        services.location_retire(actor=imis_admin, location=world.yaounde1)
    assert "1 current sub-location" in refused.value.message


def test_retire_is_refused_while_a_health_facility_is_in_the_district(imis_admin, world):
    services.location_retire(actor=imis_admin, location=world.akwa)
    services.location_retire(actor=imis_admin, location=world.douala1)
    HealthFacility.objects.create(code="HF1", name="Hôpital Laquintinie", district=world.wouri)
    with pytest.raises(Refused) as refused:
        services.location_retire(actor=imis_admin, location=world.wouri)
    assert "1 current health facility" in refused.value.message


def test_other_apps_can_register_a_retire_check(imis_admin, world):
    def families_check(location):
        return "It still has 2 current families." if location.code == "NLK" else None

    services.RETIRE_CHECKS.append(families_check)
    try:
        with pytest.raises(Refused) as refused:
            services.location_retire(actor=imis_admin, location=world.nlongkak)
        assert "2 current families" in refused.value.message
    finally:
        services.RETIRE_CHECKS.remove(families_check)


def test_a_retired_location_stays_in_the_database(imis_admin, world):
    services.location_retire(actor=imis_admin, location=world.akwa)
    akwa = Location.objects.get(pk=world.akwa.pk)
    assert akwa.retired_at is not None
    assert akwa.history.latest().history_user == imis_admin
