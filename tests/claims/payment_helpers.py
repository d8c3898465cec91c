"""Valuated claims for the bon à payer and payment statement tests, written straight into the
tables (the valuation and the batch run have their own tests): the claim Valuated (16), each
passed line with its approved quantity and price, the price used, the valuated and remunerated
amounts, its product and policy; the claim's approved, valuated and remunerated totals.

`valuated_claim(care)` is Jean's claim at HCY of 22 500 FCFA: a consultation (2 000), a CD4
count (5 000), 6 boxes of ARV (6 × 2 500) and 5 pairs of gloves (5 × 100)."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

from kinga.claims.codes import ClaimStatus, LineKind, LineStatus, Rejection
from kinga.claims.models import Claim, ClaimLine

_codes = itertools.count(1)
VALUED_AT = timezone.make_aware(datetime(2026, 4, 2, 10, 0))


def standard_lines(care) -> list[tuple]:
    """(medical, quantity, unit price asked): 22 500 FCFA in all."""
    return [
        (care.consultation, 1, Decimal(2000)),
        (care.cd4, 1, Decimal(5000)),
        (care.arv, 6, Decimal(2500)),
        (care.gloves, 5, Decimal(100)),
    ]


def valuated_claim(
    care,
    *,
    insuree=None,
    facility=None,
    date_from: date = date(2026, 3, 10),
    date_to: date | None = None,
    lines: list[tuple] | None = None,
    rejected: list[tuple] = (),
    product=None,
    programme="default",
    status=ClaimStatus.VALUATED,
    code: str | None = None,
) -> Claim:
    """A claim with `lines` (medical, quantity, unit price[, approved quantity]) all passed and
    paid in full by `product` (VIH_Soins), and `rejected` lines (medical, quantity, price)."""
    product = product or care.vih_soins
    programme = care.vih if programme == "default" else programme
    facility = facility or care.hcy
    lines = standard_lines(care) if lines is None else lines
    claim = Claim.objects.create(
        code=code or f"{facility.code}.2026.VIH.{next(_codes)}",
        health_facility=facility,
        insuree=insuree or care.jean,
        date_from=date_from,
        date_to=date_to,
        date_claimed=date(2026, 3, 20),
        icd=care.hiv,
        status=status,
        programme=programme,
    )
    claimed = approved = Decimal(0)
    rows = []
    for entry in lines:
        medical, quantity, price = entry[:3]
        qty_ok = entry[3] if len(entry) > 3 else quantity
        amount = qty_ok * price
        claimed += quantity * price
        approved += amount
        rows.append(
            ClaimLine(
                claim=claim,
                kind=LineKind.SERVICE if medical._meta.model_name == "service" else LineKind.ITEM,
                service=medical if medical._meta.model_name == "service" else None,
                item=medical if medical._meta.model_name == "item" else None,
                quantity=quantity,
                price_asked=price,
                qty_approved=qty_ok,
                price_approved=price,
                price_adjusted=price,
                price_valuated=amount,
                remunerated_amount=amount,
                product=product,
                policy=getattr(care, "policy", None),
            )
        )
    for medical, quantity, price in rejected:
        claimed += quantity * price
        rows.append(
            ClaimLine(
                claim=claim,
                kind=LineKind.SERVICE if medical._meta.model_name == "service" else LineKind.ITEM,
                service=medical if medical._meta.model_name == "service" else None,
                item=medical if medical._meta.model_name == "item" else None,
                quantity=quantity,
                price_asked=price,
                status=LineStatus.REJECTED,
                rejection_reason=Rejection.REVIEW,
            )
        )
    ClaimLine.objects.bulk_create(rows)
    Claim.objects.filter(pk=claim.pk).update(
        claimed=claimed,
        approved=approved,
        valuated=approved,
        remunerated=approved,
        processed_at=VALUED_AT,
    )
    claim.refresh_from_db()
    return claim
