"""The smoke test of the whole demo: `kinga demo` is loaded once for this module (it takes
seconds), then each test reads what it made: the Centre region and one login per system role,
the facilities and claim administrators, the enrolment officers, the HIV beneficiaries and FAM
families with policies in every status; a second run, and a second run of each loader, changes
nothing."""

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.test import override_settings

from kinga.core.models import Role, User
from kinga.demo import enrolment, facilities, officers
from kinga.demo.data import DEMO_PASSWORD
from kinga.facilities.models import Catchment, ClaimAdmin, HealthFacility
from kinga.insurees.models import Family, Insuree, Officer
from kinga.locations.models import Location
from kinga.policies.models import Contribution, Policy
from kinga.policies.status import PolicyStatus as Status

pytestmark = pytest.mark.django_db

APPS = {"core", "locations", "medical", "facilities", "products", "insurees", "policies"}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """`kinga demo`, once for the module, in a transaction rolled back after its last test so
    that the other modules find an empty database; each test runs in a savepoint inside it and
    leaves the demo as it found it.  Returns what the command printed."""
    out = StringIO()
    # The cheap hasher of the tests' `_fast_password_hashing`, which is per test.
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=hashers):
        with transaction.atomic():
            call_command("demo", stdout=out)
            yield out.getvalue()
            transaction.set_rollback(True)


@pytest.fixture
def admin(demo):
    return User.objects.get(username="admin")


def _snapshot() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "user_history": User.history.count(),
        "locations": Location.objects.count(),
        "location_history": Location.history.count(),
        "roles": Role.objects.count(),
    }


def _row_counts() -> dict[str, int]:
    """The number of rows of every Kinga table, history tables included."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in APPS
    }


def test_the_demo_loads_the_centre_region_and_prints_one_login_per_system_role(demo, client):
    text = demo
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


def test_running_the_demo_twice_changes_nothing(demo):
    before, rows = _snapshot(), _row_counts()
    out = StringIO()
    call_command("demo", stdout=out)
    assert _snapshot() == before
    assert _row_counts() == rows
    assert "(0 records created)" in out.getvalue()


def test_the_demo_clerk_sees_only_his_district(demo):
    clerk = User.objects.get(username="clerk.mfoundi")
    assert list(clerk.districts.values_list("name", flat=True)) == ["Mfoundi"]


def test_the_demo_facilities_load_once_and_keep_the_existing_codes(admin):
    assert HealthFacility.objects.current().count() == len(facilities.FACILITIES)
    hcy = HealthFacility.objects.get(code="HCY")
    assert hcy.level == "H" and hcy.phone
    # The national price lists of the medical demo.
    assert hcy.services_price_list.location is None and hcy.items_price_list.location is None
    assert HealthFacility.objects.get(code="HSMP").legal_form == "C"
    assert Catchment.objects.current().filter(health_facility=hcy).count() == 2
    ca = ClaimAdmin.objects.get(code="GPHCY1")
    assert ca.user.username == "GPHCY1" and ca.user.check_password("Kinga@2026")
    assert ClaimAdmin.objects.count() == len(facilities.CLAIM_ADMINS)
    history = sum(hf.history.count() for hf in HealthFacility.objects.all())
    assert facilities.load(admin) == 0
    assert sum(hf.history.count() for hf in HealthFacility.objects.all()) == history


def test_the_demo_officers_load_once_through_the_services(admin):
    # `kinga demo` loaded them; a second load changes nothing.
    assert Officer.objects.count() == 10
    assert officers.load(admin) == 0
    assert set(Officer.objects.values_list("district__code", flat=True)) == {"MFD", "LEK", "MEA"}
    assert Officer.objects.filter(substitute__isnull=False, works_to__isnull=False).count() == 2
    logins = Officer.objects.filter(user__isnull=False)
    assert logins.count() == 3
    assert all(o.user.username == o.code and o.user.check_password(DEMO_PASSWORD) for o in logins)
    for officer in Officer.objects.all():
        assert 2 <= officer.villages.count() <= 4
        assert {v.parent.parent_id for v in officer.villages.all()} == {officer.district_id}


def test_the_enrolment_demo_loads_every_status_once(admin):
    # `kinga demo` loads the enrolment demo last; the checks below read what it made.
    policies = Policy.objects.current()
    hiv = policies.filter(product__code__in=["VIH_Test", "VIH_Soins"])
    fam = policies.filter(product__code="FAM")
    hiv_families = Family.objects.current().filter(policies__in=hiv).distinct()
    fam_families = Family.objects.current().filter(policies__in=fam).distinct()
    assert hiv_families.count() > 200
    assert fam_families.count() > 150
    # HIV beneficiaries are alone in their family; FAM families have 2 to 6 members.
    sizes = set(
        hiv_families.annotate(n=Count("members", distinct=True)).values_list("n", flat=True)
    )
    assert sizes == {1}
    fam_sizes = set(
        fam_families.annotate(n=Count("members", distinct=True)).values_list("n", flat=True)
    )
    assert min(fam_sizes) >= 2 and max(fam_sizes) <= 6
    # Insurance numbers are unique.
    numbers = list(Insuree.objects.current().values_list("insurance_number", flat=True))
    assert len(numbers) == len(set(numbers))

    statuses = set(policies.values_list("status", flat=True))
    assert {Status.IDLE, Status.ACTIVE, Status.SUSPENDED, Status.EXPIRED} <= statuses
    assert {Status.ACTIVE, Status.EXPIRED} <= set(hiv.values_list("status", flat=True))
    assert {Status.IDLE, Status.ACTIVE, Status.SUSPENDED, Status.EXPIRED} <= set(
        fam.values_list("status", flat=True)
    )
    # VIH_Soins replaced a test; a test was renewed.
    assert hiv.filter(product__code="VIH_Soins").count() > 30
    assert hiv.filter(stage="R", previous__isnull=False).exists()
    assert fam.filter(stage="R", previous__isnull=False).exists()
    # Contributions: photo fees, over-payments (paid > value), partial Idle.
    contributions = Contribution.objects.current()
    assert contributions.filter(is_photo_fee=True).exists()
    paid = {
        p.pk: sum(c.amount for c in p.contributions.all() if not c.is_photo_fee)
        for p in fam.prefetch_related("contributions")
    }
    values = dict(fam.values_list("pk", "value"))
    assert any(paid[pk] > values[pk] for pk in paid)
    assert any(0 < paid[pk] < values[pk] for pk in paid)
    assert fam.filter(status=Status.IDLE, contributions__isnull=False).exists()

    history = Policy.history.count()
    assert enrolment.load(admin) == 0
    assert Policy.history.count() == history
