"""Product rules on plain values: no ORM, no request, no clock (spec registers §7).

`product_errors(values)` checks a whole product and returns every problem as (field, message);
`coverage_errors(values)` does the same for one covered service or item; `summary(...)` writes
the plain-language summary shown on the product's page, from the same values.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kinga.core import money as core_money

CODE_MAX_LENGTH = 16
NAME_MAX_LENGTH = 100
CYCLE_FIELDS = ("start_cycle_1", "start_cycle_2", "start_cycle_3", "start_cycle_4")
WEIGHT_FIELDS = (
    "weight_population",
    "weight_number_families",
    "weight_insured_population",
    "weight_number_insured_families",
    "weight_number_visits",
    "weight_adjusted_amount",
)
MONEY_FIELDS = (
    "lump_sum",
    "premium_adult",
    "premium_child",
    "registration_lump_sum",
    "registration_fee",
    "general_assembly_lump_sum",
    "general_assembly_fee",
    "deductible",
    "deductible_ip",
    "deductible_op",
    "ceiling",
    "ceiling_ip",
    "ceiling_op",
    "extra_member_ceiling",
    "extra_member_ceiling_ip",
    "extra_member_ceiling_op",
    "ceiling_cap",
    "ceiling_cap_ip",
    "ceiling_cap_op",
    "max_amount_consultation",
    "max_amount_surgery",
    "max_amount_delivery",
    "max_amount_hospitalisation",
    "max_amount_antenatal",
)
PERCENT_FIELDS = ("enrolment_discount_perc", "renewal_discount_perc", "share_contribution")
PERIODS = {"M": 12, "Q": 4, "Y": 1}  # relative pricing period -> number of distribution periods
REL_FIELDS = {"B": "period_rel_prices", "I": "period_rel_prices_ip", "O": "period_rel_prices_op"}
HUNDRED = Decimal(100)
ZERO = Decimal(0)

Errors = list[tuple[str, str]]

# --- small helpers ----------------------------------------------------------------------------


def _dec(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _set(value: Any) -> bool:
    """A money or number field that is filled in (zero counts as not set: openIMIS stores 0)."""
    d = _dec(value)
    return d is not None and d != ZERO


# --- start cycles -----------------------------------------------------------------------------

_CYCLE = re.compile(r"^(\d{2})-(\d{2})$")


def parse_cycle(text: str) -> tuple[int, int]:
    """`"DD-MM"` -> (day, month); raises ValueError when malformed or not a day of the year.
    29-02 is accepted (a cycle that starts in February of a leap year); 30-02 and 31-04 are not."""
    m = _CYCLE.match(text or "")
    if not m:
        raise ValueError(text)
    day, month = int(m.group(1)), int(m.group(2))
    date(2000, month, day)  # 2000 is a leap year: raises ValueError on impossible days
    return day, month


def cycle_errors(values: Mapping[str, Any]) -> Errors:
    errors: Errors = []
    seen: dict[tuple[int, int], str] = {}
    for name in CYCLE_FIELDS:
        text = (values.get(name) or "").strip()
        if not text:
            continue
        try:
            key = parse_cycle(text)
        except ValueError:
            errors.append(
                (
                    name,
                    _("“%(value)s” is not a day of the year written DD-MM (e.g. 01-07).")
                    % {"value": text},
                )
            )
            continue
        if key in seen:
            errors.append((name, _("This start cycle repeats an earlier one.")))
        seen[key] = name
    return errors


# --- conversion chain -------------------------------------------------------------------------


def conversion_chain_error(code: str, conversion: str | None, mapping: Mapping[str, str]) -> str:
    """'' if `code` may convert to `conversion`, else why not.  `mapping` gives, for the other
    current products, code -> code of their conversion product."""
    if not conversion:
        return ""
    if conversion == code:
        return _("A product cannot be its own conversion product.")
    chain = [code, conversion]
    seen = {code}
    node = conversion
    while node:
        if node in seen:
            return _("These conversions would form a cycle: %(chain)s.") % {
                "chain": " → ".join(chain)
            }
        seen.add(node)
        node = mapping.get(node) or ""
        if node:
            chain.append(node)
    return ""


# --- weights and distribution -----------------------------------------------------------------


def normalise_weights(weights: Mapping[str, Any]) -> dict[str, Decimal]:
    """All six capitation weights zero (or empty) -> insured population 100 (legacy UI)."""
    out = {name: _dec(weights.get(name)) or ZERO for name in WEIGHT_FIELDS}
    if all(v == ZERO for v in out.values()):
        out["weight_insured_population"] = HUNDRED
    return out


def weights_error(weights: Mapping[str, Any]) -> str:
    values = [_dec(weights.get(name)) or ZERO for name in WEIGHT_FIELDS]
    if any(v < ZERO or v > HUNDRED for v in values):
        return _("Each capitation weight is a percentage between 0 and 100.")
    total = sum(values, ZERO)
    if total not in (ZERO, HUNDRED):
        return _("The six capitation weights must add up to 100 (they add up to %(total)s).") % {
            "total": number(total)
        }
    return ""


def distribution_errors(values: Mapping[str, Any]) -> Errors:
    """Relative pricing: general (B) or split in-patient / out-patient, never both; each period
    chosen needs one share per period (12 monthly, 4 quarterly, 1 yearly) adding up to 100."""
    errors: Errors = []
    general = bool(values.get("period_rel_prices"))
    split = bool(values.get("period_rel_prices_ip") or values.get("period_rel_prices_op"))
    if general and split:
        errors.append(
            (
                "period_rel_prices",
                _(
                    "Choose either a general relative pricing period or in-patient and "
                    "out-patient periods, not both."
                ),
            )
        )
    distribution: Mapping[str, Iterable[Any]] = values.get("distribution") or {}
    for care, field in REL_FIELDS.items():
        period = values.get(field) or ""
        shares = [_dec(s) or ZERO for s in distribution.get(care) or []]
        if not period:
            if any(shares):
                errors.append((field, _("Choose the period of the shares given.")))
            continue
        if period not in PERIODS:
            errors.append((field, _("Choose monthly, quarterly or yearly.")))
            continue
        n = PERIODS[period]
        if len(shares) != n:
            errors.append(
                (
                    field,
                    ngettext(
                        "Give %(n)d share.", "Give one share for each of the %(n)d periods.", n
                    )
                    % {"n": n},
                )
            )
            continue
        if any(s < ZERO or s > HUNDRED for s in shares):
            errors.append((field, _("Each share is a percentage between 0 and 100.")))
            continue
        total = sum(shares, ZERO)
        if total != HUNDRED:
            errors.append(
                (
                    field,
                    _("The shares must add up to 100 (they add up to %(total)s).")
                    % {"total": number(total)},
                )
            )
    return errors


# --- the whole product ------------------------------------------------------------------------


def _ceiling_errors(values: Mapping[str, Any]) -> Errors:
    errors: Errors = []
    groups = [
        (
            ("deductible", "ceiling"),
            ("deductible_ip", "deductible_op", "ceiling_ip", "ceiling_op"),
            _(
                "Enter either a general deductible and ceiling or in-patient and out-patient "
                "ones, not both."
            ),
        ),
        (
            ("extra_member_ceiling", "ceiling_cap"),
            (
                "extra_member_ceiling_ip",
                "extra_member_ceiling_op",
                "ceiling_cap_ip",
                "ceiling_cap_op",
            ),
            _(
                "Enter either a general extra ceiling per member and absolute ceiling or "
                "in-patient and out-patient ones, not both."
            ),
        ),
    ]
    for general, split, message in groups:
        if any(_set(values.get(f)) for f in general) and any(_set(values.get(f)) for f in split):
            field = next(f for f in general if _set(values.get(f)))
            errors.append((field, message))
    if values.get("ceiling_type") != "P":
        for f in (
            "extra_member_ceiling",
            "extra_member_ceiling_ip",
            "extra_member_ceiling_op",
            "ceiling_cap",
            "ceiling_cap_ip",
            "ceiling_cap_op",
        ):
            if _set(values.get(f)):
                errors.append(
                    (
                        f,
                        _(
                            "Extra ceilings per member apply only to ceilings per policy: "
                            "choose “per policy” or clear this field."
                        ),
                    )
                )
    for ded, cap in (
        ("deductible", "ceiling"),
        ("deductible_ip", "ceiling_ip"),
        ("deductible_op", "ceiling_op"),
    ):
        d, c = _dec(values.get(ded)), _dec(values.get(cap))
        if d and c and d > c:
            errors.append((ded, _("The deductible is higher than the ceiling.")))
    return errors


def product_errors(values: Mapping[str, Any]) -> Errors:
    """Every rule of one product; `values` are the model's field names (codes for relations,
    `distribution` maps care type B/I/O to the list of shares)."""
    errors: Errors = []
    code = (values.get("code") or "").strip()
    if not code:
        errors.append(("code", _("Enter a code.")))
    elif len(code) > CODE_MAX_LENGTH:
        errors.append(
            ("code", _("The code may have at most %(n)d characters.") % {"n": CODE_MAX_LENGTH})
        )
    if not (values.get("name") or "").strip():
        errors.append(("name", _("Enter a name.")))
    date_from, date_to = values.get("date_from"), values.get("date_to")
    if not date_from:
        errors.append(("date_from", _("Enter the first day of sale.")))
    if not date_to:
        errors.append(("date_to", _("Enter the last day of sale.")))
    if date_from and date_to and date_to < date_from:
        errors.append(("date_to", _("The sale window ends before it starts.")))
    period = values.get("insurance_period")
    if not period or int(period) < 1:
        errors.append(("insurance_period", _("The insurance period is at least one month.")))
    if values.get("max_installments") is not None and int(values["max_installments"]) < 1:
        errors.append(("max_installments", _("Allow at least one instalment.")))
    max_members = int(values.get("max_members") or 0)
    threshold = int(values.get("threshold") or 0)
    if max_members and threshold > max_members:
        errors.append(
            ("threshold", _("The threshold cannot be above the maximum number of members."))
        )
    if _set(values.get("lump_sum")) and not threshold:
        errors.append(
            ("threshold", _("Give the number of members the lump sum covers (the threshold)."))
        )
    for f in MONEY_FIELDS:
        d = _dec(values.get(f))
        if d is not None and d < ZERO:
            errors.append((f, _("Amounts cannot be negative.")))
    for f in PERCENT_FIELDS:
        d = _dec(values.get(f))
        if d is not None and not ZERO <= d <= HUNDRED:
            errors.append((f, _("A percentage is between 0 and 100.")))
    errors += cycle_errors(values)
    has_cycles = any((values.get(f) or "").strip() for f in CYCLE_FIELDS)
    for kind in ("enrolment", "renewal"):
        perc, months = values.get(f"{kind}_discount_perc"), values.get(f"{kind}_discount_period")
        if _set(perc) and not months:
            errors.append(
                (f"{kind}_discount_period", _("Give the period that earns the discount."))
            )
    if _set(values.get("enrolment_discount_perc")) and not has_cycles:
        errors.append(
            (
                "enrolment_discount_perc",
                _("An enrolment discount needs start cycles (it rewards enrolling early)."),
            )
        )
    if values.get("ceiling_type") not in ("I", "T", "P"):
        errors.append(("ceiling_type", _("Choose per insuree, per treatment or per policy.")))
    if values.get("ceiling_interpretation") not in ("I", "H"):
        errors.append(("ceiling_interpretation", _("Choose how ceilings are interpreted.")))
    errors += _ceiling_errors(values)
    errors += distribution_errors(values)
    message = weights_error(values)
    if message:
        errors.append(("weight_population", message))
    for i in range(1, 5):
        if values.get(f"sublevel_{i}") and not values.get(f"level_{i}"):
            errors.append((f"level_{i}", _("Choose the facility level of this sub-level.")))
    return errors


def coverage_errors(values: Mapping[str, Any]) -> Errors:
    """One covered service or item: limits are never negative and a co-insurance covers at most
    100 % of the price, for adults and children, ordinary, referral and emergency visits."""
    errors: Errors = []
    for suffix in ("", "_r", "_e"):
        kind = values.get(f"limitation_type{suffix}") or "C"
        if kind not in ("C", "F"):
            errors.append((f"limitation_type{suffix}", _("Choose co-insurance or fixed amount.")))
            continue
        for who in ("adult", "child"):
            field = f"limit_{who}{suffix}"
            d = _dec(values.get(field))
            if d is None:
                errors.append((field, _("Enter a limit.")))
            elif d < ZERO:
                errors.append((field, _("A limit cannot be negative.")))
            elif kind == "C" and d > HUNDRED:
                errors.append((field, _("A co-insurance covers at most 100 % of the price.")))
    if (values.get("price_origin") or "P") not in ("P", "O", "R"):
        errors.append(("price_origin", _("Choose the price origin.")))
    return errors


# --- the plain summary ------------------------------------------------------------------------


def number(value: Decimal, language: str | None = None) -> str:
    return core_money.number(_dec(value) or ZERO, language)


def money(value: Any, currency: str = "FCFA") -> str:
    """12500 -> "12 500 FCFA" (non-breaking spaces): the one money format, kinga.core.money."""
    return core_money.money(_dec(value) or ZERO, currency)


def _period_text(months: int) -> str:
    if months % 12 == 0:
        years = months // 12
        return ngettext("one year", "%(n)d years", years) % {"n": years}
    return ngettext("one month", "%(n)d months", months) % {"n": months}


def _contribution_text(v: Mapping[str, Any], currency: str) -> str:
    parts = []
    adult, child = _dec(v.get("premium_adult")), _dec(v.get("premium_child"))
    per_head = []
    if _set(adult):
        per_head.append(_("%(amount)s per adult") % {"amount": money(adult, currency)})
    if _set(child):
        per_head.append(_("%(amount)s per child") % {"amount": money(child, currency)})
    if _set(v.get("lump_sum")):
        lump = _("%(amount)s for up to %(n)d members") % {
            "amount": money(v["lump_sum"], currency),
            "n": int(v.get("threshold") or 0),
        }
        if per_head:
            lump += ", " + _("then %(rates)s") % {"rates": _(" and ").join(per_head)}
        parts.append(lump)
    elif per_head:
        parts.append(_(" and ").join(per_head))
    for lump_field, fee_field, lump_label, fee_label in (
        (
            "registration_lump_sum",
            "registration_fee",
            _("registration %(amount)s"),
            _("registration %(amount)s per member"),
        ),
        (
            "general_assembly_lump_sum",
            "general_assembly_fee",
            _("general assembly %(amount)s"),
            _("general assembly %(amount)s per member"),
        ),
    ):
        if _set(v.get(lump_field)):
            parts.append(lump_label % {"amount": money(v[lump_field], currency)})
        elif _set(v.get(fee_field)):
            parts.append(fee_label % {"amount": money(v[fee_field], currency)})
    if not parts:
        return _("free")
    return ", ".join(parts)


def _per(ceiling_type: str) -> str:
    return {
        "I": _("per insuree"),
        "T": _("per treatment"),
        "P": _("per policy"),
    }.get(ceiling_type, "")


def _amounts_text(v: Mapping[str, Any], base: str, currency: str) -> str:
    """ "500 000 FCFA" or "in-patient 400 000 FCFA, out-patient 100 000 FCFA" ('' if none)."""
    general = _dec(v.get(base))
    if _set(general):
        return money(general, currency)
    split = []
    if _set(v.get(f"{base}_ip")):
        split.append(_("in-patient %(amount)s") % {"amount": money(v[f"{base}_ip"], currency)})
    if _set(v.get(f"{base}_op")):
        split.append(_("out-patient %(amount)s") % {"amount": money(v[f"{base}_op"], currency)})
    return ", ".join(split)


def summary(
    values: Mapping[str, Any],
    n_services: int,
    n_items: int,
    language: str | None = None,
    currency: str = "FCFA",
) -> str:
    """ "Covers one year from the start date; free; 12 services and 40 items; no ceiling"."""
    with translation.override(language or translation.get_language()):
        parts = []
        months = int(values.get("insurance_period") or 0)
        cycles = [
            (values.get(f) or "").strip() for f in CYCLE_FIELDS if (values.get(f) or "").strip()
        ]
        if cycles:
            cover = _("Covers %(period)s from the start of a cycle (%(cycles)s)") % {
                "period": _period_text(months),
                "cycles": ", ".join(cycles),
            }
        else:
            cover = _("Covers %(period)s from the start date") % {"period": _period_text(months)}
        admin = int(values.get("administration_period") or 0)
        if admin:
            cover += ", " + ngettext(
                "starting one month after enrolment",
                "starting %(n)d months after enrolment",
                admin,
            ) % {"n": admin}
        parts.append(cover)
        parts.append(_contribution_text(values, currency))
        services = ngettext("%(n)d service", "%(n)d services", n_services) % {"n": n_services}
        items = ngettext("%(n)d item", "%(n)d items", n_items) % {"n": n_items}
        parts.append(_("%(services)s and %(items)s") % {"services": services, "items": items})
        per = _per(values.get("ceiling_type") or "I")
        ceiling = _amounts_text(values, "ceiling", currency)
        parts.append(
            _("ceiling %(amounts)s %(per)s") % {"amounts": ceiling, "per": per}
            if ceiling
            else _("no ceiling")
        )
        deductible = _amounts_text(values, "deductible", currency)
        if deductible:
            parts.append(_("deductible %(amounts)s %(per)s") % {"amounts": deductible, "per": per})
        date_from, date_to = values.get("date_from"), values.get("date_to")
        if date_from and date_to:
            parts.append(
                _("on sale from %(start)s to %(end)s")
                % {
                    "start": formats.date_format(date_from, "SHORT_DATE_FORMAT"),
                    "end": formats.date_format(date_to, "SHORT_DATE_FORMAT"),
                }
            )
        text = "; ".join(p for p in parts if p)
        return text[:1].upper() + text[1:]
