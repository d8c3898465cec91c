"""Policies and contributions: a Mfoundi family, health-programme products and officers.

Nothing here is autouse, so the payers' tests are unaffected."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from kinga.insurees.models import Officer
from kinga.products.models import Product, Programme

from ..factories import make_family

TODAY = date(2026, 3, 15)


def make_product(code: str, **fields) -> Product:
    values = {
        "name": code.replace("_", " "),
        "location": None,
        "date_from": date(2026, 1, 1),
        "date_to": date(2026, 12, 31),
        "insurance_period": 12,
        "max_installments": 0,
        "ceiling_type": "I",
        "ceiling_interpretation": "I",
    }
    values.update(fields)
    return Product.objects.create(code=code, **values)


def pay(actor, policy, amount, receipt: str, *, pay_date: date, today: date | None = None):
    """A cash contribution by the family, answering "wait" if the payment is partial."""
    from kinga.policies.services import contributions as contribution_services

    return contribution_services.contribution_add(
        actor=actor,
        policy=policy,
        payer=None,
        amount=Decimal(amount),
        receipt=receipt,
        pay_date=pay_date,
        pay_type="C",
        action="wait",
        confirm_overpayment=True,
        today=today,
    )


@pytest.fixture
def enrolment(world):
    """VIH_Test (3 months, free) and VIH_Soins (12 months, free) of the VIH programme, national;
    MUT, a contributory product of the Centre region (5,000 per adult, 2,000 per child, at most
    3 members, one month to pay, 3 instalments); DLA, a product of Wouri only; officers of
    Mfoundi (one who stopped working on 28 February 2026) and of Wouri; the Mballa family of
    Nlongkak (Mfoundi): father, mother and two children."""

    class E:
        pass

    e = E()
    e.vih = Programme.objects.create(code="VIH", name="VIH", valid_from=date(2025, 1, 1))
    e.vih_test = make_product("VIH_Test", programme=e.vih, insurance_period=3)
    e.vih_soins = make_product("VIH_Soins", programme=e.vih, insurance_period=12)
    e.mut = make_product(
        "MUT",
        location=world.centre,
        premium_adult=Decimal(5000),
        premium_child=Decimal(2000),
        max_members=3,
        grace_period_payment=1,
        max_installments=3,
    )
    e.dla = make_product("DLA", location=world.wouri)
    e.officer = Officer.objects.create(
        code="EO1", last_name="Ateba", other_names="Paul", district=world.mfoundi
    )
    e.gone = Officer.objects.create(
        code="EO2",
        last_name="Owona",
        other_names="Marie",
        district=world.mfoundi,
        substitute=e.officer,
        works_to=date(2026, 2, 28),
    )
    e.douala_officer = Officer.objects.create(
        code="EO3", last_name="Ekwalla", other_names="Jean", district=world.wouri
    )
    e.family = make_family(
        world.nlongkak,
        ("Jean", date(1980, 5, 1), None),
        ("Marie", date(1985, 6, 1), 8),
        ("Paul", date(2012, 1, 1), 4),
        ("Luc", date(2016, 1, 1), 4),
    )
    return e
