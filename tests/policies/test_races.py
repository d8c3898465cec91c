"""Two clerks at the same moment, on PostgreSQL: each race has exactly one winner, and the other
clerk gets the services' clear refusal — never a deadlock, a database error or a 500.

Each test starts two threads (each with its own database connection) on a barrier, so that
both transactions run at once; the rules that decide the winner are the lock order of
kinga.core.locks (the family first) and the database's unique constraints."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from kinga.core.errors import Refused
from kinga.core.models import User
from kinga.insurees.models import Family
from kinga.policies.models import Contribution, Payer, Policy
from kinga.policies.services import contributions as contribution_services
from kinga.policies.services import payers as payer_services
from kinga.policies.services import policies as policy_services
from kinga.products.models import Product

from ..races import race
from .conftest import TODAY, make_family, make_product

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks and concurrent transactions need PostgreSQL (SQLite has one writer)",
    ),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("english"),
]

ROUNDS = 3  # each race is run on fresh records this many times


def one_winner(outcomes) -> Refused:
    """Exactly one call succeeded and the other was refused: the refusal."""
    errors = [value for kind, value in outcomes if kind == "error"]
    assert not errors, errors
    kinds = sorted(kind for kind, _value in outcomes)
    assert kinds == ["ok", "refused"], outcomes
    return next(value for kind, value in outcomes if kind == "refused")


def clerk(user) -> User:
    return User.objects.get(pk=user.pk)  # one instance per thread


def test_renew_against_attach_one_wins_and_no_deadlock(enrolment, mfoundi_clerk, world):
    """VIH_Test, no longer on sale, converts to VIH_Soins on renewal: a clerk renews the family's
    VIH_Test while another attaches VIH_Soins, replacing it.  (The renewal used to lock the
    policy then the family, the attachment the family then the policy: a deadlock.)"""
    e = enrolment
    Product.objects.filter(pk=e.vih_test.pk).update(
        date_to=date(2026, 3, 10), conversion_product=e.vih_soins
    )
    for _round in range(ROUNDS):
        family = make_family(world.nlongkak, ("Jean", date(1980, 5, 1), None))
        vih_test = policy_services.policy_attach(
            actor=mfoundi_clerk,
            family=family,
            product=Product.objects.get(pk=e.vih_test.pk),
            enroll_date=date(2026, 3, 1),
            officer=e.officer,
            today=TODAY,
        ).policy

        def renew(vih_test=vih_test):
            return policy_services.policy_renew(
                actor=clerk(mfoundi_clerk),
                policy=Policy.objects.get(pk=vih_test.pk),
                enroll_date=TODAY,
                officer=e.officer,
                today=TODAY,
            )

        def replace(family=family):
            return policy_services.policy_attach(
                actor=clerk(mfoundi_clerk),
                family=Family.objects.get(pk=family.pk),
                product=Product.objects.get(pk=e.vih_soins.pk),
                enroll_date=TODAY,
                officer=e.officer,
                today=TODAY,
                confirm_replace=True,
            )

        refused = one_winner(race(renew, replace))
        assert "already holds the product VIH_Soins over these dates" in refused.message
        assert Policy.objects.current().filter(family=family, product=e.vih_soins).count() == 1


def test_update_against_attach_one_wins(enrolment, mfoundi_clerk, world):
    """An idle policy changed to MUT while another clerk attaches MUT to the same family: the
    overlap check of the change runs under the family's lock."""
    e = enrolment
    aux = make_product("AUX", location=world.centre, premium_adult=Decimal(1000))
    for _round in range(ROUNDS):
        family = make_family(world.nlongkak, ("Jean", date(1980, 5, 1), None))
        idle = policy_services.policy_attach(
            actor=mfoundi_clerk,
            family=family,
            product=aux,
            enroll_date=TODAY,
            officer=e.officer,
            today=TODAY,
        ).policy

        def change(idle=idle):
            return policy_services.policy_update(
                actor=clerk(mfoundi_clerk),
                policy=Policy.objects.get(pk=idle.pk),
                enroll_date=TODAY,
                product=Product.objects.get(pk=e.mut.pk),
                officer=e.officer,
                today=TODAY,
            )

        def attach(family=family):
            return policy_services.policy_attach(
                actor=clerk(mfoundi_clerk),
                family=Family.objects.get(pk=family.pk),
                product=Product.objects.get(pk=e.mut.pk),
                enroll_date=TODAY,
                officer=e.officer,
                today=TODAY,
            )

        refused = one_winner(race(change, attach))
        assert "already holds the product MUT over these dates" in refused.message
        assert refused.field == "product"
        assert Policy.objects.current().filter(family=family, product=e.mut).count() == 1


def test_two_payers_with_one_name_one_is_saved(world, imis_admin):
    for n in range(ROUNDS):
        name = f"Fonds de solidarité {n}"

        def create(name=name):
            return payer_services.payer_create(
                actor=clerk(imis_admin), type="G", name=name, location=None
            )

        refused = one_winner(race(create, create))
        assert refused.message == f"The name {name} is already used by another payer."
        assert refused.field == "name"
        assert Payer.objects.current().filter(name=name).count() == 1


def test_two_payments_with_one_receipt_one_is_saved(enrolment, mfoundi_clerk, world):
    e = enrolment
    for n in range(ROUNDS):
        policies = [
            policy_services.policy_attach(
                actor=mfoundi_clerk,
                family=make_family(world.nlongkak, (name, date(1980, 5, 1), None)),
                product=e.mut,
                enroll_date=TODAY,
                officer=e.officer,
                today=TODAY,
            ).policy
            for name in ("Jean", "Paul")
        ]
        receipt = f"R-{n}"

        def paying(policy, receipt=receipt):
            def pay():
                return contribution_services.contribution_add(
                    actor=clerk(mfoundi_clerk),
                    policy=Policy.objects.get(pk=policy.pk),
                    payer=None,
                    amount=Decimal(5000),
                    receipt=receipt,
                    pay_date=TODAY,
                    pay_type="C",
                    today=TODAY,
                )

            return pay

        refused = one_winner(race(paying(policies[0]), paying(policies[1])))
        assert refused.message.startswith(
            f"The receipt {receipt} is already used for the product MUT by another family ("
        )
        assert refused.field == "receipt"
        assert Contribution.objects.current().filter(receipt=receipt).count() == 1
