"""The reads of the claim entry page's lookups (issue 12, 3.2.1): the insuree by his insurance
number with his coverage on a day, the services and items of the register and the ICD-10
diagnoses found by code or name as the clerk types, and a line's price at a facility.

Every lookup needs the claim add right (asked by the caller through `CLAIM.require_right`); a
claim administrator may lack the register search rights (121401, 122101), so the registers are
read here rather than through the medical app's searches.  Searches are bounded (`LIMIT`)."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from kinga.facilities.models import HealthFacility
from kinga.insurees.hooks import confidential_insuree_q
from kinga.insurees.models import Insuree
from kinga.medical.models import Diagnosis, Item, Service
from kinga.policies.queries.policies import insuree_policies
from kinga.products.queries.confidential import hidden_programme_ids

from .claims import withhold

LIMIT = 10
NUMBER_MAX_LENGTH = 50
QUERY_MAX_LENGTH = 100


def _clean(text: str | None, max_length: int = QUERY_MAX_LENGTH) -> str:
    return " ".join(str(text or "").split())[:max_length]


def insurance_number(number: str | None) -> str:
    """The insurance number as typed, without its blanks."""
    return _clean(number, NUMBER_MAX_LENGTH).replace(" ", "")


def insuree_by_number(number: str | None) -> Insuree | None:
    """The current insuree with exactly this insurance number (no prefix search: a clerk
    reads the number off the card)."""
    number = insurance_number(number)
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


def coverage_on(insuree: Insuree, day: date, hidden=frozenset()) -> list[Coverage]:
    """The insuree's policies in force on `day` (his own coverage rows), latest expiry first,
    without those of the programmes `hidden` (that the reader may not see)."""
    rows = insuree_policies(insuree, day).select_related("policy__product__programme")
    if hidden:
        rows = rows.exclude(policy__product__programme_id__in=sorted(hidden))
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


def card(user, insuree: Insuree | None, day: date) -> dict | None:
    """The insuree's card on the claim entry page as `user` may read it: for an insuree whose
    cover by a confidential programme he may not see, only the number, sex and year of birth
    (« Données confidentielles » for the names), and never that programme's policies."""
    if insuree is None:
        return None
    hidden = hidden_programme_ids(user)
    shown, withheld = insuree, False
    if hidden and Insuree.objects.filter(confidential_insuree_q(user), pk=insuree.pk).exists():
        shown, withheld = copy.copy(insuree), True  # the form keeps the insuree it found
        withhold(shown)
    return {
        "insuree": shown,
        "withheld": withheld,
        "age": age_on(insuree.dob, day),
        "coverage": coverage_on(insuree, day, hidden),
    }


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


def diagnosis_by_code(code: str | None, exact=None) -> Diagnosis | None:
    """The current diagnosis with this ICD-10 code, else the only one whose code starts with,
    or French or English name contains, what the clerk typed.  `exact(code)`, when given,
    finds the diagnosis by its exact code instead of the ORM (the entry form's statement)."""
    code = _clean(code).split(" — ")[0].strip()
    if not code:
        return None
    if exact is not None:
        found = exact(code)
    else:
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


# --- the lines of a form, in a few queries whatever their number -----------------------------


def code_of(text: str | None) -> str:
    """The code in what the clerk typed (the text before a « — » of a picked suggestion)."""
    return _clean(text).split(" — ")[0].strip()


_code_of = code_of


def medical_by_codes(texts) -> dict[str, Service | Item]:
    """{typed text: service or item} for every text `medical_by_code` resolves: the exact
    codes in two queries, the rest one by one (names typed, rare)."""
    codes = {t: _code_of(t) for t in texts if _code_of(t)}
    wanted = {c.upper() for c in codes.values()}
    found: dict[str, Service | Item] = {}
    if wanted:
        for model in (Item, Service):  # services last: a service wins a shared code
            q = Q()
            for c in wanted:
                q |= Q(code__iexact=c)
            for record in model.objects.filter(q, retired_at__isnull=True):
                found[record.code.upper()] = record
    out = {}
    for text, code in codes.items():
        record = found.get(code.upper())
        out[text] = record if record is not None else medical_by_code(text)
    return {t: m for t, m in out.items() if m is not None}


def list_prices(facility: HealthFacility | None, medicals) -> dict[tuple[str, int], object]:
    """{(model name, id): the facility's price} — its price list's override, else the register
    price; the register price when the list does not hold it (the check then rejects the line
    with code 2), as kinga.claims.services.claims does line by line."""
    from kinga.medical.models import ItemsPriceListEntry, ServicesPriceListEntry

    out = {}
    for model, entries, name, list_id in (
        (
            Service,
            ServicesPriceListEntry,
            "service",
            getattr(facility, "services_price_list_id", None),
        ),
        (Item, ItemsPriceListEntry, "item", getattr(facility, "items_price_list_id", None)),
    ):
        records = [m for m in medicals if isinstance(m, model)]
        overrides = {}
        if records and list_id is not None:
            overrides = dict(
                entries.objects.filter(
                    price_list_id=list_id,
                    retired_at__isnull=True,
                    **{f"{name}__in": records},
                ).values_list(f"{name}_id", "price_override")
            )
        for m in records:
            override = overrides.get(m.pk)
            out[(name, m.pk)] = override if override is not None else m.price
    return out


def provider_priced_keys(insuree: Insuree | None, day: date, medicals) -> set[tuple[str, int]]:
    """The (model name, id) of the services and items that a product of the insuree's coverage
    on `day` takes at the provider's price (price origin O): their price may be changed."""
    from kinga.policies.models import InsureePolicy
    from kinga.products.models import PriceOrigin, ProductItem, ProductService

    if insuree is None or not medicals:
        return set()
    products = InsureePolicy.objects.filter(
        insuree=insuree,
        retired_at__isnull=True,
        effective_date__lte=day,
        expiry_date__gte=day,
        policy__retired_at__isnull=True,
    ).values("policy__product_id")
    out = set()
    for model, lines, name in ((Service, ProductService, "service"), (Item, ProductItem, "item")):
        records = [m for m in medicals if isinstance(m, model)]
        if records:
            out.update(
                (name, pk)
                for pk in lines.objects.filter(
                    product_id__in=products,
                    retired_at__isnull=True,
                    price_origin=PriceOrigin.PROVIDER,
                    **{f"{name}__in": records},
                ).values_list(f"{name}_id", flat=True)
            )
    return out


def key_of(medical) -> tuple[str, int]:
    return ("service" if isinstance(medical, Service) else "item", medical.pk)
