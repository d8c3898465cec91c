"""The htmx fragments of the claim entry form, as the clerk types: the insuree's card (name,
age, sex, coverage) with the proposed claim number, the suggestions of diagnoses and of
services and items, a new line, a line's name and price once its code is typed, and the
totals.  Each asks the claim add right first (kinga.claims.queries.claims.CLAIM); bad input
gives an empty or explained fragment, never an error page."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from kinga.facilities.models import HealthFacility

from ..forms.entry import DATE_FORMATS, LineRow, parse_price, parse_quantity, read_row, resolve_row
from ..forms.entry import line_numbers as typed_line_numbers
from ..models import Claim
from ..queries import claims as queries
from ..queries import lookups
from ..services import claims as services

MAX_LINE_NUMBER = 9999


def facility_for(user, key, claim: Claim | None = None) -> HealthFacility | None:
    """The facility the form names, if the user may enter claims for it (the claim's own when
    editing)."""
    if claim is not None:
        return claim.health_facility
    facility = lookups.facility_by_pk(key)
    if facility is None or facility.is_retired or not queries.reaches_facility(user, facility):
        return None
    return facility


def care_day(data):
    """The last day of care the form holds, else today."""
    field = forms.DateField(input_formats=DATE_FORMATS)
    for name in ("date_to", "date_from"):
        try:
            return field.clean(str(data.get(name, "") or "")[:20])
        except forms.ValidationError:  # not typed yet, or not in full
            continue
    return timezone.localdate()


def resolvers(facility: HealthFacility | None, data) -> dict:
    """The price of a service or item at `facility`, and whether the clerk may change it (a
    product of the insuree's coverage on the day of care takes the provider's price)."""
    insuree = lookups.insuree_by_number(data.get("insurance_number"))
    day = care_day(data)

    def price_of(medical):
        if facility is None:
            return medical.price
        listed = services.list_price(facility, medical)
        return medical.price if listed is None else listed

    def provider_priced(medical):
        return insuree is not None and services.provider_priced(insuree, medical, day)

    return {"price_of": price_of, "provider_priced": provider_priced}


def _row_number(value) -> int:
    try:
        n = int(str(value))
    except (TypeError, ValueError):
        return 0
    return n if 0 <= n <= MAX_LINE_NUMBER else 0


@login_required
@require_GET
def insuree_card(request: HttpRequest) -> HttpResponse:
    """The insuree's card under his number, and the proposed claim number with his programme
    (swapped in only while the clerk has not typed his own)."""
    user = request.user
    queries.CLAIM.require_right(user, "add")
    data = request.GET
    insuree = lookups.insuree_by_number(data.get("insurance_number"))
    day = care_day(data)
    insuree_card = lookups.card(user, insuree, day)
    coverage = insuree_card["coverage"] if insuree_card else []
    facility = facility_for(user, data.get("health_facility"))
    proposal = ""
    typed_code = (data.get("code") or "").strip()
    if facility is not None and (not typed_code or typed_code == data.get("code_proposed")):
        programme = next((c.programme_code for c in coverage if c.programme_code), None)
        proposal = services.proposed_code(facility, day, programme)
    return render(
        request,
        "claims/entry/_insuree.html",
        {
            "card": insuree_card,
            "number": (data.get("insurance_number") or "").strip()[:50],
            "proposal": proposal,
            "day": day,
        },
    )


@login_required
@require_GET
def diagnosis_options(request: HttpRequest) -> HttpResponse:
    queries.CLAIM.require_right(request.user, "add")
    q = next((v for k, v in request.GET.items() if k.startswith("icd") and v), "")
    return render(
        request,
        "claims/entry/_diagnosis_options.html",
        {"diagnoses": lookups.search_diagnoses(q)},
    )


@login_required
@require_GET
def medical_options(request: HttpRequest) -> HttpResponse:
    queries.CLAIM.require_right(request.user, "add")
    q = next((v for k, v in request.GET.items() if k.endswith("-code") and v), "")
    return render(
        request, "claims/entry/_medical_options.html", {"found": lookups.search_medical(q)}
    )


@login_required
@require_GET
def line_new(request: HttpRequest) -> HttpResponse:
    """A new empty line (the « Add a line » button, or Enter in the last quantity)."""
    queries.CLAIM.require_right(request.user, "add")
    n = _row_number(request.GET.get("next_line"))
    return render(request, "claims/entry/_line_new.html", {"row": LineRow(n=n), "next_line": n + 1})


@login_required
@require_GET
def line_refresh(request: HttpRequest) -> HttpResponse:
    """A line's name, price (editable or not), total and message once its code or quantity
    is typed; the page then asks for the totals."""
    user = request.user
    queries.CLAIM.require_right(user, "add")
    data = request.GET
    numbers = typed_line_numbers(data)
    n = numbers[0] if numbers else 0
    facility = facility_for(user, data.get("health_facility"))
    row = resolve_row(read_row(data, n), **resolvers(facility, data))
    response = render(request, "claims/entry/_line_cells.html", {"row": row, "oob": True})
    response["HX-Trigger"] = "claims-totals"
    return response


@login_required
@require_POST
def totals(request: HttpRequest) -> HttpResponse:
    """Each line's total and the claim's, from the quantities and prices on the form."""
    queries.CLAIM.require_right(request.user, "add")
    rows = []
    grand = 0
    for n in typed_line_numbers(request.POST):
        row = read_row(request.POST, n)
        row.qty, _error = parse_quantity(row.quantity)
        row.unit_price, _error = parse_price(row.price)
        if row.total is not None:
            grand += row.total
        rows.append(row)
    return render(request, "claims/entry/_totals.html", {"rows": rows, "total": grand})
