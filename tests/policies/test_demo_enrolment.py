"""The enrolment demo (issue 6, item 7): HIV beneficiaries and FAM families through the
services, every policy status, a renewal, contributions in every outcome; loaded once."""

from io import StringIO

from django.core.management import call_command
from django.db.models import Count

from kinga.core.models import User
from kinga.insurees.models import Family, Insuree
from kinga.policies import demo_enrolment
from kinga.policies.models import Contribution, Policy
from kinga.policies.status import PolicyStatus as Status


def test_the_enrolment_demo_loads_every_status_once(db):
    call_command("demo", "--quiet", stdout=StringIO())
    admin = User.objects.get(username="admin")
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
    assert demo_enrolment.load(admin) == 0
    assert Policy.history.count() == history
