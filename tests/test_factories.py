"""The named cast of tests/factories.py: each member holds exactly the rights of his system role,
in his districts, and the whole cast can share one test."""

import pytest
from django.urls import reverse

from kinga.core import access
from kinga.core.models import User
from kinga.core.rights import SYSTEM_ROLES

from .factories import PASSWORD

CAST = [
    # fixture, its system role (English name), its districts
    ("mfoundi_clerk", "Clerk", {"MFO"}),
    ("other_district_clerk", "Clerk", {"WOU"}),
    ("scheme_admin", "Scheme Administrator", {"MFO", "LEK"}),
    ("hf_admin", "HF Administrator", {"MFO"}),
    ("enrolment_officer", "Enrolment Officer", {"MFO"}),
    ("claim_admin", "Claim Administrator", {"MFO"}),
    ("medical_officer", "Medical Officer", {"MFO"}),
    ("accountant", "Accountant", {"MFO"}),
]


def rights_of_role(name: str) -> frozenset[int]:
    return frozenset(next(rights for n, _, _, rights in SYSTEM_ROLES if n == name))


@pytest.mark.parametrize(("who", "role", "districts"), CAST)
def test_each_member_holds_exactly_his_system_roles_rights_in_his_districts(
    request, world, who, role, districts
):
    user = User.objects.get(pk=request.getfixturevalue(who).pk)  # as a request loads him
    assert [r.name for r in user.roles.all()] == [role]
    assert access.rights_of(user) == rights_of_role(role)
    assert not access.is_imis_admin(user)
    scope = access.scope_of(user)
    assert not scope.everything
    assert {d.code for d in user.districts.all()} == districts
    assert scope.district_ids == {d.pk for d in user.districts.all()}


@pytest.mark.parametrize(
    "who", ["enrolment_officer", "claim_admin", "medical_officer", "accountant"]
)
def test_the_new_members_work_in_mfoundi_only(request, world, who):
    user = request.getfixturevalue(who)
    assert access.can_see_location(user, world.nlongkak)
    assert not access.can_see_location(user, world.nkolpoblo)
    assert not access.can_see_location(user, world.akwa)


def test_the_claim_admin_works_at_the_hopital_central_of_mfoundi(claim_admin, hcy, world):
    claim_admin.refresh_from_db()
    assert claim_admin.health_facility == hcy
    assert (hcy.code, hcy.district) == ("HCY", world.mfoundi)


def test_the_imis_admin_sees_everything_without_a_district(imis_admin):
    assert access.is_imis_admin(imis_admin)
    assert access.scope_of(imis_admin).everything
    assert not imis_admin.districts.exists()


def test_the_whole_cast_shares_one_test_and_logs_in_with_the_test_password(client, request):
    names = [who for who, _, _ in CAST] + ["imis_admin", "mfoundi_location_admin"]
    users = [request.getfixturevalue(who) for who in names]
    assert len({u.username for u in users}) == len(names)
    for user in users:
        response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
        assert response.status_code == 302 and response["Location"] == reverse("home"), user
        assert client.get(reverse("home")).status_code == 200
        client.post(reverse("logout"))
