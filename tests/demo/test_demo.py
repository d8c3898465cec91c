from io import StringIO

import pytest
from django.core.management import call_command

from kinga.core.models import Role, User
from kinga.locations.models import Location

pytestmark = pytest.mark.django_db


def _snapshot() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "user_history": User.history.count(),
        "locations": Location.objects.count(),
        "location_history": Location.history.count(),
        "roles": Role.objects.count(),
    }


def test_the_demo_loads_the_centre_region_and_prints_one_login_per_system_role(client):
    out = StringIO()
    call_command("demo", stdout=out)
    text = out.getvalue()
    centre = Location.objects.get(code="CE")
    assert centre.name == "Centre" and centre.type == "R"
    assert set(Location.objects.filter(parent=centre).values_list("name", flat=True)) >= {
        "Mfoundi",
        "Lekié",
        "Mefou-et-Afamba",
    }
    assert Location.objects.filter(type="V").count() >= 20
    for role in Role.objects.filter(is_system__gt=0):
        assert role.users.exists(), f"no demo user for {role.name}"
    assert "Kinga@2026" in text and "clerk.mfoundi" in text
    response = client.post("/login/", {"username": "admin", "password": "Kinga@2026"})
    assert response.status_code == 302


def test_running_the_demo_twice_changes_nothing(client):
    call_command("demo", stdout=StringIO())
    before = _snapshot()
    call_command("demo", stdout=StringIO())
    assert _snapshot() == before


def test_the_demo_clerk_sees_only_his_district(client):
    call_command("demo", stdout=StringIO())
    clerk = User.objects.get(username="clerk.mfoundi")
    assert list(clerk.districts.values_list("name", flat=True)) == ["Mfoundi"]
