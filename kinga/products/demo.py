"""Demo products: the HIV programme's free packages VIH_Test and VIH_Soins (Centre region) and a
contributory family product FAM that exercises every rule.  Idempotent: a product or programme
whose code exists is left alone.  Services and items are picked by name from the medical
registers at run time; what is not there is skipped.  Everything goes through the services."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Q

from kinga.locations.models import Location
from kinga.medical.models import Item, Service

from .models import Product, Programme
from .services import products as product_services
from .services import programmes as programme_services

SALE_FROM = date(2025, 1, 1)
SALE_TO = date(2030, 12, 31)

TEST_SERVICES = ["consultation", "dépistage", "depistage", "test vih", "conseil", "counsel"]
TEST_ITEMS = ["test rapide", "determine", "bioline", "test vih"]
CARE_SERVICES = [
    "consultation",
    "charge virale",
    "viral load",
    "cd4",
    "numération",
    "hémogramme",
    "créatinin",
    "transaminase",
]
CARE_ITEMS = [
    "antirétrovir",
    "tdf",
    "ténofovir",
    "tenofovir",
    "3tc",
    "lamivudine",
    "dtg",
    "dolutégravir",
    "dolutegravir",
    "efavirenz",
    "zidovudine",
    "névirapine",
    "cotrimoxazole",
    "fluconazole",
    "isoniazide",
]


def _matching(model, words: list[str]):
    q = Q()
    for word in words:
        q |= Q(name__icontains=word) | Q(code__iexact=word)
    return list(model.objects.current().filter(q).order_by("code"))


def _region(code: str) -> Location | None:
    return Location.objects.current().filter(code=code, type="R").first()


def _programme(actor) -> tuple[Programme, int]:
    existing = Programme.objects.current().filter(code="VIH").first()
    if existing:
        return existing, 0
    programme = programme_services.programme_create(
        actor=actor, code="VIH", name="HIV User Fees (Gratuité VIH)", valid_from=SALE_FROM
    )
    return programme, 1


def _free(actor, code, name, programme, location, svc_words, item_words) -> int:
    if Product.objects.current().filter(code=code).exists():
        return 0
    product = product_services.product_create(
        actor=actor,
        code=code,
        name=name,
        location=location,
        programme=programme,
        date_from=SALE_FROM,
        date_to=SALE_TO,
        insurance_period=12,
        max_members=0,
        ceiling_type="I",
        ceiling_interpretation="I",
    )
    product_services.coverage_add(
        actor=actor,
        product=product,
        services=_matching(Service, svc_words),
        items=_matching(Item, item_words),
    )
    return 1


def _family(actor, location) -> int:
    if Product.objects.current().filter(code="FAM").exists():
        return 0
    product = product_services.product_create(
        actor=actor,
        code="FAM",
        name="Mutuelle Famille",
        location=location,
        date_from=SALE_FROM,
        date_to=SALE_TO,
        insurance_period=12,
        administration_period=0,
        max_members=10,
        threshold=4,
        lump_sum=Decimal(15000),
        premium_adult=Decimal(6000),
        premium_child=Decimal(3000),
        registration_fee=Decimal(1000),
        general_assembly_lump_sum=Decimal(500),
        max_installments=3,
        grace_period_enrolment=1,
        grace_period_renewal=2,
        grace_period_payment=1,
        start_cycle_1="01-01",
        start_cycle_2="01-07",
        enrolment_discount_perc=Decimal(10),
        enrolment_discount_period=1,
        renewal_discount_perc=Decimal(5),
        renewal_discount_period=1,
        ceiling_type="I",
        ceiling_interpretation="I",
        deductible_ip=Decimal(5000),
        deductible_op=Decimal(1000),
        ceiling_ip=Decimal(500000),
        ceiling_op=Decimal(150000),
        max_no_consultation=12,
        max_no_hospitalisation=2,
        max_no_delivery=1,
        max_amount_surgery=Decimal(250000),
        period_rel_prices_ip="Q",
        period_rel_prices_op="Q",
        weight_insured_population=Decimal(60),
        weight_number_visits=Decimal(40),
        share_contribution=Decimal(30),
        level_1="D",
        level_2="C",
        sublevel_2="I",
        distribution={"I": [25, 25, 25, 25], "O": [25, 25, 25, 25]},
    )
    everyday = Service.objects.current().exclude(category__in=["S", "D", "H"])
    big = Service.objects.current().filter(category__in=["S", "D", "H"])
    product_services.coverage_add(actor=actor, product=product, services=list(everyday))
    # Surgeries, deliveries and hospitalisations: six months' waiting for adults, three for
    # children, and outside the out-patient ceiling.
    product_services.coverage_add(
        actor=actor,
        product=product,
        services=list(big),
        values=product_services.coverage_values(
            waiting_period_adult=6, waiting_period_child=3, ceiling_exclusion_adult="N"
        ),
    )
    # Drugs and consumables: the product pays 80 % (co-insurance), the family 20 %.
    product_services.coverage_add(
        actor=actor,
        product=product,
        items=list(Item.objects.current()),
        values=product_services.coverage_values(limit_adult=80, limit_child=80, limit_no_adult=30),
    )
    return 1


def load(actor) -> int:
    """Create what is missing; returns the number of programmes and products created."""
    centre = _region("CE")
    programme, created = _programme(actor)
    created += _free(
        actor, "VIH_Test", "VIH – dépistage", programme, centre, TEST_SERVICES, TEST_ITEMS
    )
    created += _free(
        actor,
        "VIH_Soins",
        "VIH – soins et traitement",
        programme,
        centre,
        CARE_SERVICES,
        CARE_ITEMS,
    )
    created += _family(actor, centre)
    return created
