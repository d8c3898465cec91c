"""The reads of the claim entry page's lookups (issue 12, 3.2.1): the insuree by his insurance
number with his coverage on a day, the services and items of the register and the ICD-10
diagnoses found by code or name as the clerk types, and a line's price at a facility.

Every lookup needs the claim add right (asked by the caller through `CLAIM.require_right`); a
claim administrator may lack the register search rights (121401, 122101), so the registers are
read here rather than through the medical app's searches.  Searches are bounded (`LIMIT`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from kinga.facilities.models import HealthFacility
from kinga.insurees.models import Insuree
from kinga.medical.models import Diagnosis, Item, Service
from kinga.policies.queries.policies import insuree_policies

LIMIT = 10
NUMBER_MAX_LENGTH = 50
QUERY_MAX_LENGTH = 100


def _clean(text: str | None, max_length: int = QUERY_MAX_LENGTH) -> str:
    return " ".join(str(text or "").split())[:max_length]


def insuree_by_number(number: str | None) -> Insuree | None:
    """The current insuree with exactly this insurance number (no prefix search: a clerk
    reads the number off the card)."""
    number = _clean(number, NUMBER_MAX_LENGTH).replace(" ", "")
    if not number:
        return None
    return (
        Insuree.objects.filter(insurance_number=number, retired_at__isnull=True)
        .select_related("family")
        .first()
    )


def age_on(dob: date, day: date) -> int:
    """Exact age in whole years on `day` (Q12)."""
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


@dataclass(frozen=True)
class Coverage:
    product_code: str
    product_name: str
    programme_code: str
    effective_date: date | None
    expiry_date: date
    status: int
    status_label: str


def coverage_on(insuree: Insuree, day: date) -> list[Coverage]:
    """The insuree's policies in force on `day` (his own coverage rows), latest expiry first."""
    rows = insuree_policies(insuree, day).select_related("policy__product__programme")
    return [
        Coverage(
            product_code=row.policy.product.code,
            product_name=row.policy.product.name,
            programme_code=getattr(row.policy.product.programme, "code", "") or "",
            effective_date=row.effective_date,
            expiry_date=row.expiry_date,
            status=row.policy.status,
            status_label=str(row.policy.get_status_display()),
        )
        for row in rows
    ]


def search_medical(q: str | None) -> list[Service | Item]:
    """Current services then items whose code starts with, or name contains, `q`."""
    q = _clean(q)
    if not q:
        return []
    match = Q(code__istartswith=q) | Q(name__icontains=q)
    services = list(
        Service.objects.filter(match, retired_at__isnull=True).order_by("code", "pk")[:LIMIT]
    )
    items = list(
        Item.objects.filter(match, retired_at__isnull=True).order_by("code", "pk")[
            : LIMIT - len(services)
        ]
    )
    return services + items


def medical_by_code(code: str | None) -> Service | Item | None:
    """The current service, else item, with this code (case-insensitive; the text before a
    « — » when the clerk picked a suggestion « CODE — name »); else the only one whose code
    starts with, or name contains, what he typed."""
    code = _clean(code).split(" — ")[0].strip()
    if not code:
        return None
    for model in (Service, Item):
        found = model.objects.filter(code__iexact=code, retired_at__isnull=True).first()
        if found is not None:
            return found
    found = search_medical(code)[:2]
    return found[0] if len(found) == 1 else None


def search_diagnoses(q: str | None) -> list[Diagnosis]:
    """Current diagnoses whose code starts with `q` or whose English or French name contains
    it."""
    q = _clean(q)
    if not q:
        return []
    match = Q(code__istartswith=q) | Q(name__icontains=q) | Q(name_fr__icontains=q)
    return list(Diagnosis.objects.filter(match, retired_at__isnull=True).order_by("code")[:LIMIT])


def diagnosis_by_code(code: str | None) -> Diagnosis | None:
    """The current diagnosis with this ICD-10 code, else the only one whose code starts with,
    or French or English name contains, what the clerk typed."""
    code = _clean(code).split(" — ")[0].strip()
    if not code:
        return None
    found = Diagnosis.objects.filter(code__iexact=code, retired_at__isnull=True).first()
    if found is not None:
        return found
    found = search_diagnoses(code)[:2]
    return found[0] if len(found) == 1 else None


def facility_by_pk(pk) -> HealthFacility | None:
    try:
        return HealthFacility.objects.filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        return None
