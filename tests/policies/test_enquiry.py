"""Insuree enquiry (spec §11.1, right 101105): photo, name, age, first service point and, per
policy, the member's own status letter, deductibles and ceilings, waiting periods; scoped to
the reader's districts; a bounded number of queries."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from kinga.policies import enquiry, policy_services
from kinga.products.models import Product

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
    with django_assert_max_num_queries(10):
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
