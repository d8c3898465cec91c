"""Insuree enquiry (spec §11.1, right 101105): photo, name, age, first service point and, per
policy, the member's own status letter, deductibles and ceilings, waiting periods; scoped to
the reader's districts; a bounded number of queries."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from kinga.core import access
from kinga.facilities.models import HealthFacility
from kinga.insurees.models import Insuree
from kinga.insurees.queries.families import FUNDING_NUMBER, visible_insurees
from kinga.policies.models import InsureePolicy, Policy
from kinga.policies.queries import enquiry
from kinga.policies.services import policies as policy_services
from kinga.products.models import Product
from kinga.products.queries.confidential import hidden_programme_ids

from ..conftest import login, make_user
from .conftest import TODAY


def attach(actor, e, product, day=TODAY):
    return policy_services.policy_attach(
        actor=actor,
        family=e.family,
        product=product,
        enroll_date=day,
        officer=e.officer,
        today=day,
    ).policy


def test_the_enquiry_shows_the_covered_beneficiary(enrolment, mfoundi_clerk):
    e = enrolment
    e.vih_soins.deductible = Decimal(1000)
    e.vih_soins.ceiling = Decimal(50000)
    e.vih_soins.save()
    policy = attach(mfoundi_clerk, e, e.vih_soins)
    head = e.family.head
    result = enquiry.enquire(mfoundi_clerk, f" {head.insurance_number} ", date(2026, 4, 1))
    assert result is not None and result.insuree == head
    assert result.age == 45 and result.covered
    (line,) = result.lines
    assert line.policy == policy and line.letter == "A"
    assert [a.value for a in line.deductibles] == [Decimal(1000)]
    assert [a.value for a in line.ceilings] == [Decimal(50000)]


def test_the_letter_is_the_members_own(enrolment, mfoundi_clerk):
    e = enrolment
    attach(mfoundi_clerk, e, e.mut)  # contributory: idle until paid
    result = enquiry.enquire(mfoundi_clerk, e.family.head.insurance_number, TODAY)
    assert [line.letter for line in result.lines] == ["I"] and not result.covered
    after = enquiry.enquire(mfoundi_clerk, e.family.head.insurance_number, date(2027, 6, 1))
    assert [line.letter for line in after.lines] == ["I"]


def test_an_expired_policy_shows_e(enrolment, mfoundi_clerk):
    e = enrolment
    attach(mfoundi_clerk, e, e.vih_test)  # 3 months
    result = enquiry.enquire(mfoundi_clerk, e.family.head.insurance_number, date(2026, 7, 1))
    assert [line.letter for line in result.lines] == ["E"]


def test_another_districts_number_is_not_found(enrolment, mfoundi_clerk, other_district_clerk):
    e = enrolment
    attach(mfoundi_clerk, e, e.vih_soins)
    number = e.family.head.insurance_number
    assert enquiry.enquire(other_district_clerk, number, TODAY) is None
    assert enquiry.enquire(mfoundi_clerk, "000", TODAY) is None
    assert enquiry.enquire(mfoundi_clerk, "", TODAY) is None


def test_the_enquiry_needs_the_right(enrolment, world):
    hf = make_user("hf.only", roles=["hf_admin"], districts=[world.mfoundi])
    with pytest.raises(PermissionDenied):
        enquiry.enquire(hf, enrolment.family.head.insurance_number, TODAY)


@pytest.fixture
def on_sale_today(enrolment):
    today = timezone.localdate()
    Product.objects.update(
        date_from=date(today.year - 1, 1, 1), date_to=date(today.year + 1, 12, 31)
    )
    return enrolment


@pytest.mark.usefixtures("english")
def test_the_enquiry_page(client, on_sale_today, mfoundi_clerk, django_assert_max_num_queries):
    e = on_sale_today
    today = timezone.localdate()
    attach(mfoundi_clerk, e, e.vih_soins, day=today)
    attach(mfoundi_clerk, e, e.mut, day=today)
    login(client, mfoundi_clerk)
    url = reverse("policies:enquiry")
    assert client.get(url).status_code == 200
    # Session, user, the user's rights and districts, the insuree with his coverage, the
    # waiting periods.
    with django_assert_max_num_queries(5):
        page = client.get(url, {"number": e.family.head.insurance_number})
    assert page.status_code == 200
    assert 'id="enquiry-result"' in page.text and e.family.head.full_name in page.text
    assert "VIH_Soins" in page.text and 'data-letter="A"' in page.text
    assert "MUT" not in page.text  # only the rows in force when there are some (§11.1)


@pytest.mark.usefixtures("english")
def test_the_enquiry_page_refuses_another_districts_number(
    client, on_sale_today, mfoundi_clerk, other_district_clerk
):
    e = on_sale_today
    attach(mfoundi_clerk, e, e.vih_soins, day=timezone.localdate())
    login(client, other_district_clerk)
    page = client.get(reverse("policies:enquiry"), {"number": e.family.head.insurance_number})
    assert page.status_code == 200
    assert 'id="enquiry-not-found"' in page.text and 'id="enquiry-result"' not in page.text


def test_the_enquiry_page_needs_the_right(client, world):
    login(client, make_user("hf.only", roles=["hf_admin"], districts=[world.mfoundi]))
    assert client.get(reverse("policies:enquiry")).status_code == 403


@pytest.mark.usefixtures("english")
def test_the_waiting_periods_end_per_category(enrolment, mfoundi_clerk):
    from kinga.medical.models import Item, Service
    from kinga.products.models import ProductItem, ProductService

    e = enrolment
    common = {"price": Decimal(1000), "care_type": "O"}
    delivery = Service.objects.create(
        code="ACC1", name="Accouchement", type="C", level="S", category="D", **common
    )
    drug = Item.objects.create(code="ARV1", name="ARV", type="D", **common)
    ProductService.objects.create(
        product=e.vih_soins, service=delivery, waiting_period_adult=9, waiting_period_child=0
    )
    ProductItem.objects.create(product=e.vih_soins, item=drug, waiting_period_adult=2)
    attach(mfoundi_clerk, e, e.vih_soins)
    result = enquiry.enquire(mfoundi_clerk, e.family.head.insurance_number, TODAY)
    (line,) = result.lines
    assert [(w.label, w.until) for w in line.waiting] == [
        ("Delivery", date(2026, 12, 15)),
        ("Medical items", date(2026, 5, 15)),
    ]
    child = e.family.members.get(other_names="Luc")
    (child_line,) = enquiry.enquire(mfoundi_clerk, child.insurance_number, TODAY).lines
    assert child_line.waiting == []


def test_the_enquiry_reads_whole_objects_in_three_queries(
    enrolment, world, mfoundi_clerk, django_assert_num_queries
):
    e = enrolment
    e.vih_soins.deductible = Decimal("1000.50")
    e.vih_soins.save()
    head = e.family.head
    head.first_service_point = HealthFacility.objects.create(
        code="HF01", name="CSI Nlongkak", district=world.mfoundi
    )
    head.save()
    policy = attach(mfoundi_clerk, e, e.vih_soins)
    access.scope_of(mfoundi_clerk)  # the rights and districts: read once per request anyway
    hidden_programme_ids(mfoundi_clerk)  # the confidential programmes: likewise (issue 15)
    # the insuree with his coverage, the waiting periods, the claims' consumption ledger (the
    # product has a deductible); and the read audit's entry (kinga.core.audit: outside a
    # request it is written at once)
    with django_assert_num_queries(4):
        result = enquiry.enquire(mfoundi_clerk, head.insurance_number, TODAY)
        (line,) = result.lines
        assert result.insuree == head and result.insuree.uuid == head.uuid
        assert result.insuree.dob == head.dob and isinstance(result.insuree.dob, date)
        assert result.insuree.first_service_point.name == "CSI Nlongkak"
        assert line.policy == policy and line.product == e.vih_soins
        assert line.row.insuree is result.insuree and line.row.covered_members == 4
        assert line.row.expiry_date == policy.expiry_date
        assert isinstance(line.product.deductible, Decimal)
        assert [a.value for a in line.deductibles] == [Decimal("1000.50")]
        assert result.insuree.get_gender_display() and not result.insuree.photo


def test_an_insuree_without_policy_is_found_in_one_query(
    enrolment, mfoundi_clerk, django_assert_num_queries
):
    access.scope_of(mfoundi_clerk)
    hidden_programme_ids(mfoundi_clerk)
    with django_assert_num_queries(2):  # and the read audit's entry
        result = enquiry.enquire(mfoundi_clerk, enrolment.family.head.insurance_number, TODAY)
        assert result.lines == [] and not result.covered


def test_retired_policies_and_coverage_rows_are_left_out(enrolment, mfoundi_clerk):
    e = enrolment
    kept = attach(mfoundi_clerk, e, e.mut)  # idle
    retired = attach(mfoundi_clerk, e, e.vih_soins)  # active: it alone would be shown
    Policy.objects.filter(pk=retired.pk).update(retired_at=timezone.now())
    head = e.family.head
    (line,) = enquiry.enquire(mfoundi_clerk, head.insurance_number, TODAY).lines
    assert line.policy == kept and line.letter == "I"
    members = line.row.covered_members
    member = InsureePolicy.objects.filter(policy=kept).exclude(insuree=head).first()
    InsureePolicy.objects.filter(pk=member.pk).update(retired_at=timezone.now())
    (line,) = enquiry.enquire(mfoundi_clerk, head.insurance_number, TODAY).lines
    assert line.row.covered_members == members - 1
    assert enquiry.enquire(mfoundi_clerk, member.insuree.insurance_number, TODAY).lines == []


def test_the_enquiry_finds_exactly_the_insurees_the_user_sees(
    enrolment, world, mfoundi_clerk, other_district_clerk, imis_admin
):
    """The enquiry checks the scope on the row it read; it must agree with visible_insurees:
    the family's district, else the current village's; no retired insuree, no funding one."""
    e = enrolment
    attach(mfoundi_clerk, e, e.vih_soins)

    def insuree(number, **fields):
        return Insuree.objects.create(
            insurance_number=number, last_name="Seul", other_names="Paul", dob=date(1990, 1, 1),
            gender="M", **fields,
        )  # fmt: skip

    insuree("200000001", current_village=world.nlongkak)
    insuree("200000002", current_village=world.akwa)
    insuree("200000003")
    insuree("200000004", family=e.family, retired_at=timezone.now())
    insuree(FUNDING_NUMBER, current_village=world.nlongkak)
    numbers = [m.insurance_number for m in e.family.members.all()]
    numbers += ["200000001", "200000002", "200000003", "200000004", FUNDING_NUMBER]
    lekie_clerk = make_user("clerk.lekie", roles=["clerk"], districts=[world.lekie])
    for user in (mfoundi_clerk, other_district_clerk, lekie_clerk, imis_admin):
        visible = set(visible_insurees(user).values_list("insurance_number", flat=True))
        found = {n for n in numbers if enquiry.enquire(user, n, TODAY) is not None}
        assert found == visible & set(numbers), user
    assert "200000001" in visible and FUNDING_NUMBER not in visible  # imis_admin's
