"""Entering many claims at once (set-based, decision 5): `claims_create` takes the claims an
import, a phone upload or the demo brings, checks each by the rules of `claim_create`
(kinga.claims.services.claims) and writes them all, lines included, with their history rows, in
a few statements (kinga.core.bulk.create_rows) — all or nothing, one transaction.

What differs from entering one claim: the code is given (no proposal), the claim administrator
is given or left empty, and the prices and the facilities' price lists are read once for the
whole set.  A price other than the price list's is still asked of `provider_priced` line by
line (rare)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kinga.core import bulk
from kinga.core.errors import Refused
from kinga.core.unique import unique_or_refused
from kinga.facilities.models import ClaimAdmin, HealthFacility
from kinga.insurees.models import Insuree
from kinga.medical.models import Diagnosis, ItemsPriceListEntry, Service, ServicesPriceListEntry

from ..codes import ClaimStatus, LineKind, LineStatus, VisitType
from ..models import CODE_MAX_LENGTH, Claim, ClaimLine
from ..queries import claims as queries
from .claims import (
    TEXT_MAX_LENGTH,
    LineInput,
    _check_dates,
    _check_diagnoses,
    _check_facility,
    _code_refused,
    _text,
    _today,
    provider_priced,
)

REASON = gettext_noop("entered")


@dataclass(frozen=True)
class ClaimEntry:
    """One claim to enter: the arguments of `claim_create`, the code given."""

    health_facility: HealthFacility
    insuree: Insuree
    code: str
    date_from: date
    icd: Diagnosis
    lines: Sequence[LineInput]
    date_to: date | None = None
    date_claimed: date | None = None
    visit_type: str = VisitType.ORDINARY
    secondary: Sequence[Diagnosis] = field(default_factory=tuple)
    guarantee_number: str = ""
    explanation: str = ""
    admin: ClaimAdmin | None = None


def _price_lists(facilities: list[HealthFacility]) -> dict[tuple[str, int, int], Decimal | None]:
    """(kind, price list, service or item) → the member's price override (None: the register
    price) for every member of the facilities' price lists."""
    out: dict[tuple[str, int, int], Decimal | None] = {}
    for kind, model, name, attr in (
        (LineKind.SERVICE, ServicesPriceListEntry, "service_id", "services_price_list_id"),
        (LineKind.ITEM, ItemsPriceListEntry, "item_id", "items_price_list_id"),
    ):
        lists = {getattr(f, attr) for f in facilities} - {None}
        for price_list, medical, override in model.objects.filter(
            price_list_id__in=lists, retired_at__isnull=True
        ).values_list("price_list_id", name, "price_override"):
            out[(kind, price_list, medical)] = override
    return out


def _clean_code(value, facility: HealthFacility, taken: set[tuple[int, str]]) -> str:
    code = "".join(str(value or "").split())
    if not code:
        raise Refused(_("Enter the claim number."), "code")
    if len(code) > CODE_MAX_LENGTH:
        raise Refused(_("At most %(n)d characters.") % {"n": CODE_MAX_LENGTH}, "code")
    if (facility.pk, code) in taken:
        raise _code_refused(code)
    taken.add((facility.pk, code))
    return code


def _line_rows(entry: ClaimEntry, prices, day: date) -> list[dict]:
    facility = entry.health_facility
    rows = []
    for n, line in enumerate(entry.lines):
        where = f"lines-{n}"
        medical = line.medical
        if medical is None or medical.is_retired:
            raise Refused(_("This service or item is not in the register."), where)
        quantity = line.quantity
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
            raise Refused(_("The quantity must be a whole number of at least 1."), where)
        kind = line.kind
        price_list = (
            facility.services_price_list_id
            if kind == LineKind.SERVICE
            else facility.items_price_list_id
        )
        key = (kind, price_list, medical.pk)
        # Not in the price list: the register's price, and the check rejects it (code 2).
        listed = prices[key] if prices.get(key) is not None else medical.price
        try:
            price = listed if line.price is None else Decimal(line.price)
        except (InvalidOperation, TypeError, ValueError):
            raise Refused(_("Enter a valid price."), where) from None
        if not price.is_finite() or price < 0:
            raise Refused(_("Enter a valid price."), where)
        if price != listed and not provider_priced(entry.insuree, medical, day):
            raise Refused(
                _("The price of %(name)s is the price list's; it cannot be changed.")
                % {"name": medical},
                where,
            )
        rows.append(
            {
                "kind": kind,
                "service_id": medical.pk if isinstance(medical, Service) else None,
                "item_id": None if isinstance(medical, Service) else medical.pk,
                "quantity": quantity,
                "price_asked": price,
                "explanation": _text(line.explanation, where),
                "status": LineStatus.PASSED,
                "rejection_reason": 0,
            }
        )
    return rows


@transaction.atomic
def claims_create(*, actor, entries: Sequence[ClaimEntry], today: date | None = None) -> list[int]:
    """Enter `entries` as Entered claims with their lines; returns the new claims' ids in the
    order given.  The first bad entry refuses the whole set: `Refused(message, field)` with
    `entry-<n>:` before the field."""
    if not entries:
        return []
    today = _today(today)
    facilities = {e.health_facility.pk: e.health_facility for e in entries if e.health_facility}
    insurees = set(
        Insuree.objects.filter(
            pk__in={e.insuree.pk for e in entries if e.insuree is not None},
            retired_at__isnull=True,
        ).values_list("pk", flat=True)
    )
    prices = _price_lists(list(facilities.values()))
    taken = set(
        Claim.objects.filter(
            health_facility_id__in=facilities,
            retired_at__isnull=True,
            code__in={"".join(str(e.code or "").split()) for e in entries},
        ).values_list("health_facility_id", "code")
    )
    checked_facilities: set[int] = set()
    claim_rows, lines_of = [], []
    for n, entry in enumerate(entries):
        try:
            facility = entry.health_facility
            if facility is None or facility.pk not in checked_facilities:
                _check_facility(actor, facility)
                checked_facilities.add(facility.pk)
            if entry.insuree is None:
                raise Refused(_("Enter the insurance number."), "insuree")
            if entry.insuree.pk not in insurees:
                raise Refused(_("This insuree is retired."), "insuree")
            date_claimed = entry.date_claimed or today
            _check_dates(entry.date_from, entry.date_to, date_claimed, today)
            if entry.visit_type not in VisitType.values:
                raise Refused(_("Choose the visit type."), "visit_type")
            icds = _check_diagnoses(entry.icd, entry.secondary)
            admin = entry.admin
            if admin is not None and (admin.health_facility_id != facility.pk or admin.is_retired):
                raise Refused(_("This claim administrator works for another facility."), "admin")
            lines = _line_rows(entry, prices, entry.date_to or entry.date_from)
            claim_rows.append(
                {
                    "health_facility_id": facility.pk,
                    "insuree_id": entry.insuree.pk,
                    "code": _clean_code(entry.code, facility, taken),
                    "date_from": entry.date_from,
                    "date_to": entry.date_to,
                    "date_claimed": date_claimed,
                    "visit_type": str(entry.visit_type),
                    "icd_id": entry.icd.pk,
                    "icd_1_id": icds[0].pk if icds[0] else None,
                    "icd_2_id": icds[1].pk if icds[1] else None,
                    "icd_3_id": icds[2].pk if icds[2] else None,
                    "icd_4_id": icds[3].pk if icds[3] else None,
                    "guarantee_number": _text(
                        entry.guarantee_number, "guarantee_number", TEXT_MAX_LENGTH
                    ),
                    "explanation": _text(entry.explanation, "explanation"),
                    "admin_id": admin.pk if admin is not None else None,
                    "status": ClaimStatus.ENTERED,
                    "claimed": sum(
                        (row["quantity"] * row["price_asked"] for row in lines), Decimal(0)
                    ),
                    "created_by_id": actor.pk,
                }
            )
            lines_of.append(lines)
        except Refused as refused:
            raise Refused(refused.message, f"entry-{n}:{refused.field or ''}") from None

    def codes_free() -> None:
        for row in claim_rows:
            if queries.code_taken(row["health_facility_id"], row["code"]):
                raise _code_refused(row["code"])

    with unique_or_refused(codes_free):
        ids = bulk.create_rows(Claim, claim_rows, user=actor, reason=_(REASON))
    line_rows = [
        line | {"claim_id": claim_id}
        for claim_id, lines in zip(ids, lines_of, strict=True)
        for line in lines
    ]
    bulk.create_rows(ClaimLine, line_rows, user=actor, reason=_(REASON))
    return ids
