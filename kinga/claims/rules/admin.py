"""The administrative check (first seed 3.2.4, Kinga's decision 3): timeliness and completeness,
shown on the claim and in the lists before the medical review.

- Timeliness: the days from the end of care (date to, else date from) to the day of submission,
  against the scheme's limit (setting KINGA_CLAIM_TIMELINESS_DAYS).
- Completeness: the mandatory fields, at least one line, and the attachments that the visit type
  (e.g. a referral letter for a referral) or a covering product requires.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

# The fields a claim cannot go without, by the claim's field name.
MANDATORY = ("code", "insuree", "health_facility", "date_from", "icd")
LINES = "lines"


@dataclass(frozen=True)
class ClaimForm:
    """What the completeness check reads of a claim: the fields filled (name → filled), the
    number of current lines, the attachment types joined, the visit type and the codes of the
    products that cover it."""

    filled: Mapping[str, bool]
    line_count: int
    attachment_types: frozenset[str]
    visit_type: str
    product_codes: frozenset[str] = frozenset()


@dataclass(frozen=True)
class AdminCheck:
    timeliness_days: int | None
    timely: bool | None
    missing: tuple[str, ...]  # "field:<name>", "lines", "attachment:<type>"

    @property
    def complete(self) -> bool:
        return not self.missing


def timeliness(date_from: date | None, date_to: date | None, submitted_on: date) -> int | None:
    """Days from the end of care to submission (None without a date of care)."""
    end = date_to or date_from
    return None if end is None else (submitted_on - end).days


def required_attachments(
    visit_type: str,
    product_codes: Iterable[str],
    by_visit_type: Mapping[str, Iterable[str]],
    by_product: Mapping[str, Iterable[str]],
) -> list[str]:
    wanted = list(by_visit_type.get(visit_type, ()))
    for code in sorted(product_codes):
        wanted.extend(by_product.get(code, ()))
    return list(dict.fromkeys(wanted))


def missing_parts(
    form: ClaimForm,
    by_visit_type: Mapping[str, Iterable[str]],
    by_product: Mapping[str, Iterable[str]],
) -> tuple[str, ...]:
    missing = [f"field:{name}" for name in MANDATORY if not form.filled.get(name)]
    if form.line_count <= 0:
        missing.append(LINES)
    for kind in required_attachments(
        form.visit_type, form.product_codes, by_visit_type, by_product
    ):
        if kind not in form.attachment_types:
            missing.append(f"attachment:{kind}")
    return tuple(missing)


def admin_check(
    form: ClaimForm,
    date_from: date | None,
    date_to: date | None,
    submitted_on: date,
    *,
    max_days: int | None,
    by_visit_type: Mapping[str, Iterable[str]],
    by_product: Mapping[str, Iterable[str]],
) -> AdminCheck:
    days = timeliness(date_from, date_to, submitted_on)
    timely = None if days is None or max_days is None else days <= max_days
    return AdminCheck(days, timely, missing_parts(form, by_visit_type, by_product))
