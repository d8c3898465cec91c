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

from kinga.claims.codes import ClaimStatus, Rejection, ReviewStatus
from kinga.claims.models import Claim, ClaimLine, ClaimReturn, Feedback
from kinga.claims.queries import claims as claim_queries
from kinga.core.models import Role, User
from kinga.demo import claims, enrolment, facilities, officers
from kinga.demo.data import DEMO_PASSWORD
from kinga.facilities.models import Catchment, ClaimAdmin, HealthFacility
from kinga.insurees.models import Family, Insuree, Officer
from kinga.locations.models import Location
from kinga.policies.models import Contribution, Policy
from kinga.policies.status import PolicyStatus as Status

pytestmark = pytest.mark.django_db

APPS = {
    "core",
    "locations",
    "medical",
    "facilities",
    "products",
    "insurees",
    "policies",
    "claims",
}


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
    assert "GPHDO1" in text and "GPCSINM1" in text
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
    # Every facility has a claim administrator with a login.
    assert set(
        ClaimAdmin.objects.current()
        .filter(user__isnull=False)
        .values_list("health_facility__code", flat=True)
    ) == {row["code"] for row in facilities.FACILITIES}
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


def test_the_demo_claims_are_in_every_status(admin):
    current = Claim.objects.current()
    assert 2000 <= current.count() <= 3000
    assert set(current.values_list("status", flat=True)) == {
        ClaimStatus.ENTERED,
        ClaimStatus.CHECKED,
        ClaimStatus.REJECTED,
        ClaimStatus.VALUATED,
    }
    # The claims submitted more than 20 days ago are valued (those awaiting review stay
    # Checked), with their amounts and the consumption ledger.
    valuated = current.filter(status=ClaimStatus.VALUATED)
    assert valuated.count() > 1000
    assert not valuated.filter(valuated__isnull=True).exists()
    assert not current.filter(
        status=ClaimStatus.VALUATED, review_status=ReviewStatus.SELECTED
    ).exists()
    for field in ("review_status", "feedback_status"):
        statuses = set(current.values_list(field, flat=True))
        assert {
            ReviewStatus.IDLE,
            ReviewStatus.NOT_SELECTED,
            ReviewStatus.SELECTED,
            ReviewStatus.DELIVERED,
        } <= statuses, field
    assert current.filter(review_status=ReviewStatus.BYPASSED).exists()
    assert Feedback.objects.filter(claim__feedback_status=ReviewStatus.DELIVERED).exists()
    # The medical officer rejected some lines at review, with his justification.
    assert ClaimLine.objects.filter(rejection_reason=Rejection.REVIEW).exclude(justification="")
    # HIV-programme claims of VIH_Test and VIH_Soins beneficiaries.
    hiv = current.filter(programme__code="VIH", status=ClaimStatus.CHECKED)
    products = set(hiv.values_list("insuree__insuree_policies__policy__product__code", flat=True))
    assert {"VIH_Test", "VIH_Soins"} <= products
    # People without a policy: every line rejected with code 3.
    uncovered = current.filter(
        status=ClaimStatus.REJECTED, lines__rejection_reason=Rejection.NOT_COVERED
    ).distinct()
    assert uncovered.count() > 20
    assert not ClaimLine.objects.filter(claim__in=uncovered, rejection_reason=0).exists()
    # Returned for completion: some wait at the facility (Entered, with the comment), some
    # were completed and submitted again.
    returned = ClaimReturn.objects.exclude(comment="")
    assert returned.filter(claim__status=ClaimStatus.ENTERED).exists()
    assert returned.exclude(claim__status=ClaimStatus.ENTERED).exists()
    # A second load changes nothing.
    count = Claim.history.count()
    assert claims.load(admin) == 0
    assert Claim.history.count() == count


def test_a_demo_claim_administrator_logs_in_and_sees_only_his_facility(demo, client):
    response = client.post("/login/", {"username": "GPHDO1", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    clerk = User.objects.get(username="GPHDO1")
    seen = claim_queries.visible(clerk)
    assert seen.exists()
    assert set(seen.values_list("health_facility__code", flat=True)) == {"HDO"}
    assert seen.count() == Claim.objects.current().filter(health_facility__code="HDO").count()
    # Another facility's claim of his district is out of his reach.
    other = Claim.objects.current().exclude(health_facility__code="HDO").first()
    assert not claim_queries.in_reach(clerk, other)


def test_the_demo_scheme_admin_sees_the_contracts_ending_within_30_days(demo, client):
    client.force_login(User.objects.get(username="scheme.admin"))
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Contrats de formations sanitaires se terminant dans les 30 jours" in page
    assert "HGY Hôpital Général de Yaoundé" in page and "dans 12 jours" in page
    assert page.index("HGY ") < page.index("HCY ")  # soonest first
    assert "CHUY Centre" not in page


def test_the_demo_user_fees_focal_point_of_a_mfoundi_facility_enrols_and_attaches_a_package(
    demo, client
):
    """The second seed's « tout utilisateur autorisé au sein d'une FOSA »: the demo login
    `fosa.mfoundi` works at a facility of Mfoundi, adds a beneficiary's family from the pages and
    attaches the HIV programme's package to it in that facility's district."""
    from datetime import date

    from django.urls import reverse
    from django.utils import timezone

    from kinga.policies.queries import policies as policy_queries
    from kinga.products.models import Product, Programme

    # The programme reads in French (« Sélectionner un programme de santé »).
    assert Programme.objects.get(code="VIH").name == "Gratuité de la prise en charge du VIH"
    user = User.objects.get(username="fosa.mfoundi")
    assert user.health_facility.code == "CSIET"
    assert user.health_facility.district.code == "MFD"
    assert [r.alt_language for r in user.roles.all()] == ["Point focal User Fees"]
    response = client.post("/login/", {"username": "fosa.mfoundi", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.get("/families/new/").status_code == 200
    village = Location.objects.filter(type="V", parent__parent__code="MFD").first()
    saved = client.post(
        "/families/new/",
        {
            "village": village.pk,
            "family_type": "H",
            "address": "Derrière le CSI",
            "insurance_number": "CM9990001",
            "last_name": "Owona",
            "other_names": "Marthe",
            "dob": "1990-03-14",
            "gender": "F",
            "status": "AC",
            "phone": "699 00 11 22",
        },
    )
    assert saved.status_code == 302
    family = Family.objects.get(head__insurance_number="CM9990001")
    assert family.village == village
    # The programme's package, on sale today for the test's clock.
    today = timezone.localdate()
    Product.objects.filter(code="VIH_Soins").update(
        date_from=date(today.year - 1, 1, 1), date_to=date(today.year + 1, 12, 31)
    )
    soins = Product.objects.get(code="VIH_Soins", retired_at__isnull=True)
    url = reverse("policies:create", args=[family.uuid])
    page = client.get(url)
    assert page.status_code == 200 and "VIH_Soins" in page.text
    officer = policy_queries.officers_for_policy(user, family, today).first()
    assert officer is not None
    response = client.post(
        url,
        {
            "enroll_date": today.isoformat(),
            "product": str(soins.uuid),
            "start_date": "",
            "officer": str(officer.uuid),
            "save": "1",
        },
    )
    assert response.status_code == 302
    policy = Policy.objects.get(family=family)
    assert policy.product == soins and policy.status == Status.ACTIVE
    # Another district's families stay out of his reach.
    other = Family.objects.exclude(village__parent__parent__code="MFD").first()
    assert client.get(reverse("families:detail", args=[other.uuid])).status_code == 403


def test_the_demo_hiv_programme_is_confidential_to_the_district_clerk(demo, client):
    """Issue 15: the clerk reads « Données confidentielles » for a VIH_Soins beneficiary, found
    by his number; the FOSA focal point and the claims staff are the programme's users."""
    from django.urls import reverse

    from kinga.products.models import Programme

    programme = Programme.objects.current().get(code="VIH")
    assert programme.confidential
    users = set(programme.users.values_list("username", flat=True))
    assert {"fosa.mfoundi", "medical.officer", "accountant", "claim.admin", "GPHCY1"} <= users
    assert "clerk.mfoundi" not in users
    policy = (
        Policy.objects.current()
        .filter(product__code="VIH_Soins", family__village__parent__parent__code="MFD")
        .select_related("family__head")
        .first()
    )
    head = policy.family.head
    url = reverse("families:list")
    client.force_login(User.objects.get(username="clerk.mfoundi"))
    page = client.get(url, {"number": head.insurance_number}, HTTP_ACCEPT_LANGUAGE="fr").text
    assert "Données confidentielles" in page and head.last_name not in page
    client.force_login(User.objects.get(username="fosa.mfoundi"))
    page = client.get(url, {"number": head.insurance_number}, HTTP_ACCEPT_LANGUAGE="fr").text
    assert head.last_name in page and "Données confidentielles" not in page
