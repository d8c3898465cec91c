"""Builders for the batch run tests: processed claims written straight into the tables, as the
valuation leaves them (status Processed, processed_at set; per passed line its product, price
origin and valuated amount; non-R lines already remunerated, R lines not yet), a relative
product of Mfoundi with its contributions, and a snapshot of what a run may change."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time
from decimal import Decimal

from django.utils import timezone

from kinga.claims.codes import ClaimStatus
from kinga.claims.models import Claim, ClaimLine
from kinga.policies.models import Contribution
from kinga.products.models import RelativeDistribution

from .conftest import cover_family, make_product

_codes = itertools.count(1)
_receipts = itertools.count(1)


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.get_default_timezone())


def relative_product(care, world, code="REL", *, share=None, **fields):
    """A Mfoundi product paying its lines at relative prices, monthly, with a policy for the
    Mballa family from 1 January to 31 December 2026 (no contribution yet)."""
    fields.setdefault("period_rel_prices", "M")
    fields.setdefault("location", world.mfoundi)
    product = make_product(code, **fields)
    if share is not None:
        RelativeDistribution.objects.create(
            product=product, periods=12, care_type="B", period=1, share=Decimal(share)
        )
    product.policy = cover_family(care.family, product, date(2026, 1, 1), date(2026, 12, 31))
    return product


def contribute(policy, amount, pay_date: date) -> Contribution:
    return Contribution.objects.create(
        policy=policy,
        product=policy.product,
        amount=Decimal(amount),
        receipt=f"R{next(_receipts)}",
        pay_date=pay_date,
        pay_type="C",
    )


def processed_claim(
    care,
    product,
    lines,
    *,
    processed: datetime,
    facility=None,
    status=ClaimStatus.PROCESSED,
    date_to=None,
) -> Claim:
    """A claim as valuation leaves it; `lines` are (price origin, valuated amount) or
    (origin, valuated, product) for a line of another product."""
    claim = Claim.objects.create(
        code=f"B{next(_codes):06d}",
        health_facility=facility or care.hcy,
        insuree=care.jean,
        date_from=processed.date(),
        date_to=date_to,
        date_claimed=processed.date(),
        icd=care.hiv,
        status=status,
        processed_at=processed,
    )
    total = Decimal(0)
    remunerated = Decimal(0)
    for spec in lines:
        origin, valuated = spec[0], Decimal(spec[1])
        line_product = spec[2] if len(spec) > 2 else product
        paid = None if origin == "R" else valuated
        ClaimLine.objects.create(
            claim=claim,
            kind="S",
            service=care.consultation,
            quantity=1,
            price_asked=valuated,
            price_adjusted=valuated,
            product=line_product,
            price_origin=origin,
            price_valuated=valuated,
            remunerated_amount=paid,
        )
        total += valuated
        remunerated += paid or 0
    claim.valuated = total
    claim.remunerated = remunerated if status == ClaimStatus.VALUATED else None
    claim.save()
    return claim


def snapshot() -> tuple[list, list]:
    """Every claim's (id, status, remunerated, batch run) and every line's (id, remunerated)."""
    claims = list(
        Claim.objects.order_by("id").values_list("id", "status", "remunerated", "batch_run_id")
    )
    lines = list(ClaimLine.objects.order_by("id").values_list("id", "remunerated_amount"))
    return claims, lines
