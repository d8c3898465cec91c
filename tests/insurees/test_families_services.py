"""Families and insurees: every operation of spec §8.4 and its refusals, through the services."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from kinga.core.errors import Refused
from kinga.facilities.models import HealthFacility
from kinga.insurees.models import Family, Insuree, Relationship
from kinga.insurees.queries import families as queries
from kinga.insurees.services import families as services
from kinga.locations.services import location_retire

from ..conftest import make_location, make_user

TODAY = date(2026, 3, 15)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
_numbers = iter(range(1000, 10**6))


def person(**fields) -> dict:
    values = {
        "insurance_number": f"N{next(_numbers)}",
        "last_name": "Mballa",
        "other_names": "Jean",
        "dob": date(1980, 4, 2),
        "gender": "M",
    }
    values.update(fields)
    return values


def new_family(actor, village, **head) -> Family:
    return services.family_create(actor=actor, village=village, head=person(**head), today=TODAY)


def add_member(actor, family, **fields) -> Insuree:
    fields.setdefault("relationship", Relationship.CHILD)
    fields.setdefault("other_names", "Marie")
    fields.setdefault("gender", "F")
    fields.setdefault("dob", date(2010, 6, 1))
    return services.insuree_add(actor=actor, family=family, today=TODAY, **person(**fields))


def edit_values(insuree, **changes) -> dict:
    values = {n: getattr(insuree, n) for n in services.INSUREE_FIELDS}
    values.update(changes)
    return values


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def clerk(mfoundi_clerk):
    return mfoundi_clerk


@pytest.fixture
def family(clerk, world):
    return new_family(clerk, world.nlongkak, insurance_number="H001")


def test_a_family_is_created_with_its_head_in_one_step(clerk, world):
    fam = new_family(clerk, world.nlongkak, insurance_number="H001", phone="699 00 11 22")
    head = fam.head
    assert head.family == fam and head.is_head and head.relationship is None
    assert fam.village == world.nlongkak and head.status == "AC"
    assert list(fam.members.all()) == [head]
    row = fam.history.first()
    assert row.history_user == clerk and row.history_type == "+"


def test_a_family_refused_half_way_leaves_nothing(clerk, world):
    with pytest.raises(Refused) as e:
        services.family_create(
            actor=clerk, village=world.nlongkak, head=person(last_name=""), today=TODAY
        )
    assert e.value.field == "last_name"
    assert not Family.objects.exists() and not Insuree.objects.exists()


def test_the_village_must_be_in_one_of_the_clerks_districts(clerk, world):
    with pytest.raises(Refused) as e:
        new_family(clerk, world.akwa)
    assert e.value.field == "village" and "not in one of your districts" in e.value.message
    with pytest.raises(Refused) as e:
        new_family(clerk, world.yaounde1)
    assert "is not a village" in e.value.message


def test_creating_a_family_needs_the_right(world):
    receptionist = make_user(roles=["receptionist"], districts=[world.mfoundi])
    with pytest.raises(PermissionDenied):
        new_family(receptionist, world.nlongkak)


def test_the_insurance_number_is_unique_among_current_insurees(clerk, family, world):
    with pytest.raises(Refused) as e:
        new_family(clerk, world.nlongkak, insurance_number="H001")
    assert e.value.field == "insurance_number" and "already given to Jean Mballa" in e.value.message


def test_the_insurance_number_follows_the_scheme_check(clerk, world, settings):
    settings.KINGA_INSUREE_NUMBER = {"length": 9, "check": "modulo7", "generate": False}
    with pytest.raises(Refused) as e:
        new_family(clerk, world.nlongkak, insurance_number="123456784")
    assert e.value.field == "insurance_number" and "by 7" in e.value.message
    assert new_family(clerk, world.nlongkak, insurance_number="123456782").head


def test_schemes_that_assign_numbers_give_the_next_valid_one(clerk, world, settings):
    settings.KINGA_INSUREE_NUMBER = {"length": 9, "check": "luhn", "generate": True}
    a = new_family(clerk, world.nlongkak, insurance_number="").head
    b = new_family(clerk, world.nlongkak, insurance_number="").head
    assert a.insurance_number == "000000018" and b.insurance_number == "000000026"


def test_field_checks_name_the_field(clerk, family):
    cases = [
        ({"dob": date(2030, 1, 1)}, "dob", "future"),
        ({"gender": ""}, "gender", "gender"),
        ({"relationship": None}, "relationship", "relationship"),
        ({"email": "not-an-address"}, "email", "e-mail"),
        ({"status": "DE", "status_date": None}, "status_date", "date"),
        ({"status": "DE", "status_date": date(2026, 1, 2)}, "status_reason", "reason"),
        ({"id_number": "A123"}, "type_of_id", "identification"),
    ]
    for change, field, word in cases:
        with pytest.raises(Refused) as e:
            add_member(clerk, family, **change)
        assert e.value.field == field and word in e.value.message.lower(), change


def test_a_member_is_added_with_all_the_spec_fields(clerk, family, world):
    fsp = HealthFacility.objects.create(code="HF01", name="CSI Nlongkak", district=world.mfoundi)
    photo = SimpleUploadedFile("me.png", PNG, content_type="image/png")
    member = add_member(
        clerk,
        family,
        marital="S",
        type_of_id="N",
        id_number="CM123",
        phone="677",
        email="marie@example.org",
        current_address="Rue 1",
        current_village=world.nlongkak,
        card_issued=True,
        profession=4,
        education=2,
        first_service_point=fsp,
        photo=photo,
    )
    member.refresh_from_db()
    assert member.family == family and not member.is_head and member.relationship == 4
    assert member.first_service_point == fsp and member.card_issued
    assert member.photo.name.endswith(".png") and member.photo_date == TODAY
    assert member.history.first().history_user == clerk


def test_a_photo_must_be_a_small_jpeg_or_png(clerk, family):
    fake = SimpleUploadedFile("x.png", b"GIF89a....", content_type="image/png")
    with pytest.raises(Refused) as e:
        add_member(clerk, family, photo=fake)
    assert e.value.field == "photo" and "JPEG or PNG" in e.value.message
    big = SimpleUploadedFile("x.jpg", b"\xff\xd8\xff" + b"0" * (1024 * 1024), "image/jpeg")
    with pytest.raises(Refused) as e:
        add_member(clerk, family, photo=big)
    assert "1 MB" in e.value.message


def test_an_insuree_is_updated_with_history(clerk, family):
    head = family.head
    services.insuree_update(
        actor=clerk, insuree=head, today=TODAY, **edit_values(head, phone="655 55 55 55")
    )
    head.refresh_from_db()
    assert head.phone == "655 55 55 55" and head.relationship is None
    assert head.history.first().history_user == clerk


def test_a_dead_insuree_has_a_status_date_and_reason(clerk, family):
    member = add_member(clerk, family)
    services.insuree_update(
        actor=clerk,
        insuree=member,
        today=TODAY,
        **edit_values(member, status="DE", status_date=date(2026, 3, 1), status_reason="Illness"),
    )
    member.refresh_from_db()
    assert member.status == "DE" and member.status_date == date(2026, 3, 1)


def test_the_head_of_family_is_changed_to_a_member(clerk, family):
    old = family.head
    wife = add_member(clerk, family, relationship=Relationship.SPOUSE)
    services.family_change_head(
        actor=clerk, family=family, new_head=wife, old_head_relationship=Relationship.SPOUSE
    )
    family.refresh_from_db()
    old.refresh_from_db()
    wife.refresh_from_db()
    assert family.head == wife and wife.is_head and wife.relationship is None
    assert not old.is_head and old.relationship == Relationship.SPOUSE and old.family == family
    assert family.history.first().history_change_reason == "Head of family changed"


def test_the_new_head_must_be_a_current_member_of_the_family(clerk, family, world):
    other = new_family(clerk, world.nlongkak).head
    with pytest.raises(Refused) as e:
        services.family_change_head(
            actor=clerk, family=family, new_head=other, old_head_relationship=1
        )
    assert e.value.field == "new_head"
    member = add_member(clerk, family)
    with pytest.raises(Refused) as e:
        services.family_change_head(
            actor=clerk, family=family, new_head=member, old_head_relationship=None
        )
    assert e.value.field == "old_head_relationship"


def test_a_member_moves_to_another_family_but_not_the_head(clerk, family, world):
    member = add_member(clerk, family)
    other = new_family(clerk, world.nlongkak)
    services.insuree_move(
        actor=clerk, insuree=member, family=other, relationship=Relationship.OTHERS, today=TODAY
    )
    member.refresh_from_db()
    assert member.family == other and member.relationship == Relationship.OTHERS
    with pytest.raises(Refused) as e:
        services.insuree_move(actor=clerk, insuree=family.head, family=other, relationship=7)
    assert "head of family cannot be moved" in e.value.message


def test_a_member_cannot_move_to_a_family_outside_the_clerks_districts(clerk, family, world):
    member = add_member(clerk, family)
    wouri = new_family(make_user(roles=["imis_admin"]), world.akwa)
    with pytest.raises(Refused) as e:
        services.insuree_move(actor=clerk, insuree=member, family=wouri, relationship=7)
    assert e.value.field == "family"


def test_the_family_changes_location_within_the_clerks_districts(
    clerk, family, world, scheme_admin
):
    with pytest.raises(Refused):
        services.family_change_location(actor=clerk, family=family, village=world.nkolpoblo)
    # The scheme administrator holds no family right: not allowed at all.
    with pytest.raises(PermissionDenied):
        services.family_change_location(actor=scheme_admin, family=family, village=world.nkolpoblo)
    etoudi = make_location("ETD", "Etoudi", "V", world.yaounde1)
    services.family_change_location(actor=clerk, family=family, village=etoudi)
    family.refresh_from_db()
    assert family.village == etoudi


def test_a_member_is_removed_from_his_family_and_stays_in_scope(clerk, family):
    member = add_member(clerk, family)
    services.insuree_detach(actor=clerk, insuree=member, today=TODAY)
    member.refresh_from_db()
    assert member.family is None and member.current_village == family.village
    assert member in queries.visible_insurees(clerk)
    with pytest.raises(Refused):
        services.insuree_detach(actor=clerk, insuree=family.head)


def test_the_head_cannot_be_retired_alone(clerk, family):
    with pytest.raises(Refused) as e:
        services.insuree_retire(actor=clerk, insuree=family.head)
    assert "head of family" in e.value.message


def test_a_member_is_retired_softly(clerk, family):
    member = add_member(clerk, family)
    services.insuree_retire(actor=clerk, insuree=member)
    member.refresh_from_db()
    assert member.retired_at is not None and member not in queries.visible_insurees(clerk)
    assert member in queries.visible_insurees(clerk, include_retired=True)
    # Its number is free again.
    add_member(clerk, family, insurance_number=member.insurance_number)


def test_a_family_with_members_cannot_be_retired_then_is_retired_with_its_head(clerk, family):
    member = add_member(clerk, family)
    with pytest.raises(Refused) as e:
        services.family_retire(actor=clerk, family=family)
    assert "1 member" in e.value.message
    services.insuree_retire(actor=clerk, insuree=member)
    services.family_retire(actor=clerk, family=family)
    family.refresh_from_db()
    family.head.refresh_from_db()
    assert family.retired_at is not None and family.head.retired_at is not None


def test_another_districts_clerk_cannot_touch_the_family(family, other_district_clerk):
    with pytest.raises(PermissionDenied):
        add_member(other_district_clerk, family)
    with pytest.raises(PermissionDenied):
        services.family_retire(actor=other_district_clerk, family=family)
    with pytest.raises(PermissionDenied):
        services.insuree_update(
            actor=other_district_clerk, insuree=family.head, **edit_values(family.head)
        )


def test_a_village_where_families_live_cannot_be_retired(clerk, family, world, imis_admin):
    with pytest.raises(Refused) as e:
        location_retire(actor=imis_admin, location=world.nlongkak)
    assert "1 current family lives there" in e.value.message
    services.family_retire(actor=clerk, family=family)
    location_retire(actor=imis_admin, location=world.nlongkak)


def test_search_by_number_name_birth_date_phone_place_and_status(clerk, family, world):
    member = add_member(clerk, family, last_name="Essomba", phone="670 11 22 33")
    admin = make_user(roles=["imis_admin"])
    new_family(admin, world.akwa, last_name="Essomba")
    assert list(queries.search(clerk, number="H001")) == [family.head]
    assert list(queries.search(clerk, name="essomba mar")) == [member]
    assert list(queries.search(clerk, dob=date(2010, 6, 1))) == [member]
    assert list(queries.search(clerk, phone="11 22")) == [member]
    assert set(queries.search(clerk, village=world.nlongkak)) == {family.head, member}
    assert list(queries.search(clerk, district=world.lekie)) == []
    assert list(queries.search(clerk, status="DE")) == []
    assert queries.search(admin, name="Essomba").count() == 2


def test_a_removed_member_is_edited_without_relationship(clerk, family):
    member = add_member(clerk, family)
    services.insuree_detach(actor=clerk, insuree=member, today=TODAY)
    member.refresh_from_db()
    services.insuree_update(
        actor=clerk, insuree=member, today=TODAY, **edit_values(member, phone="600")
    )
    member.refresh_from_db()
    assert member.phone == "600" and member.relationship is None


def test_a_photo_is_written_only_when_the_save_commits(
    clerk, family, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(RuntimeError), transaction.atomic():
        with django_capture_on_commit_callbacks(execute=False) as pending:
            add_member(clerk, family, photo=SimpleUploadedFile("a.png", PNG, "image/png"))
        raise RuntimeError("the caller's transaction fails after the save")
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]
    assert not Insuree.objects.filter(photo__endswith=".png").exists()

    with django_capture_on_commit_callbacks(execute=True):
        member = add_member(clerk, family, photo=SimpleUploadedFile("b.png", PNG, "image/png"))
    member.refresh_from_db()
    assert (tmp_path / member.photo.name).read_bytes() == PNG
    assert len(pending) == 1  # the first save had queued its write, and it never ran
