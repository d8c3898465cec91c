"""Query counts of the policies app's lists: payers, a family's policies (the htmx block of the
family page) and the enquiry's policy lines — the same with 30 rows as with 60."""

import itertools

import pytest
from django.urls import reverse

from kinga.policies.services import payers as payer_services

from ..conftest import login
from ..querycount import assert_flat
from .conftest import TODAY, make_product
from .test_enquiry import attach

_seq = itertools.count()


@pytest.fixture(autouse=True)
def _today_and_one_page(monkeypatch, settings):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)
    settings.KINGA_PAGE_SIZE = 100  # every row on the page: a query per row would show


def attach_products(actor, e, n: int) -> None:
    """`n` policies of the family, each of its own free product (no programme)."""
    for _ in range(n):
        attach(actor, e, make_product(f"P{next(_seq):03}"))


@pytest.mark.usefixtures("english")
def test_the_payer_list_with_30_or_60_payers(client, world, imis_admin, scheme_admin):
    places = [None, world.centre, world.mfoundi, world.lekie, world.wouri]

    def add(n=40):  # a fifth in Wouri, which the scheme administrator does not see
        for _ in range(n):
            i = next(_seq)
            payer_services.payer_create(
                actor=imis_admin, type="O", name=f"Payeur {i:03}", location=places[i % 5]
            )

    add()
    login(client, scheme_admin)
    assert_flat(
        client,
        reverse("payers:list"),
        add,
        at_most=7,
        shown=lambda response: len(response.context["page_obj"]),
    )


def test_a_familys_policies_block_with_30_or_60_policies(client, enrolment, mfoundi_clerk):
    e = enrolment
    attach_products(mfoundi_clerk, e, 30)
    login(client, mfoundi_clerk)
    assert_flat(
        client,
        reverse("policies:family_block", args=[e.family.uuid]),
        lambda: attach_products(mfoundi_clerk, e, 30),
        at_most=6,
        shown=lambda response: len(response.context["policies"]),
    )


def test_the_enquiry_of_an_insuree_with_30_or_60_policies(client, enrolment, mfoundi_clerk):
    e = enrolment
    attach_products(mfoundi_clerk, e, 30)
    login(client, mfoundi_clerk)
    assert_flat(
        client,
        reverse("policies:enquiry"),
        lambda: attach_products(mfoundi_clerk, e, 30),
        # Session, user, rights and districts, the insuree with his coverage, the waiting
        # periods.
        at_most=5,
        params={"number": e.family.head.insurance_number},
        shown=lambda response: len(response.context["result"].lines),
    )


def test_a_policy_page_with_30_or_60_contributions(client, enrolment, mfoundi_clerk):
    from decimal import Decimal

    from kinga.products.models import Product

    from .conftest import pay

    e = enrolment
    Product.objects.filter(pk=e.mut.pk).update(max_installments=200)
    policy = attach(mfoundi_clerk, e, e.mut)

    def add(n=30):
        for _ in range(n):
            pay(
                mfoundi_clerk, policy, Decimal(10), f"R{next(_seq):04}", pay_date=TODAY, today=TODAY
            )

    add()
    login(client, mfoundi_clerk)
    assert_flat(
        client,
        reverse("policies:detail", args=[policy.uuid]),
        add,
        at_most=10,
        shown=lambda response: len(response.context["contributions"]),
    )
