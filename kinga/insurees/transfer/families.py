"""Import and export of families with their members, and optionally a policy and its
contributions (CSV, Excel, JSON).

One row per insuree.  A family is the rows sharing a `head_insuree_number`; the head's own row
(`insurance_number` = `head_insuree_number`) carries the family's fields, its village and its
policy.  Columns (names are case-insensitive; openIMIS's im_export names `insuree_number` and
`sex` are understood, so its `insurees_im_export.csv` imports as it is):

- family (head's row): village (code), poverty, family_type, address, confirmation_type,
  confirmation_no; municipality / district / region codes, when given, must be the village's;
- insuree: insurance_number, last_name, other_names, dob, gender (M/F/O), relationship (code
  1–8, required for members), marital, type_of_id, id_number, phone, email, current_address,
  profession, education, first_service_point (facility code), card_issued, status (AC/IN/DE),
  status_date, status_reason;
- policy (head's row, optional): product (code), enroll_date, start_date (products without
  cycles only), officer (code);
- contribution (any row of the family, optional): amount, receipt, pay_date, pay_type
  (C/B/M/F), payer (name; empty: the family pays), photo_fee, action (wait / suspend /
  enforce: the answer to a partial, late or last-instalment payment; wait by default).

The rules are the pages' (kinga.insurees.services.families, kinga.policies.policy_services and
the pure rules of both apps), checked for every row before anything is written: the village in
one of the importer's districts, the number's check and uniqueness (in the file and among
current insurees), the product on sale for the village on the enrolment date, the officer of
the district still working, the receipt unique per product, the outcome of each payment in
pay-date order.  All or nothing, with a dry run, as every register.

Dates are YYYY-MM-DD, or day/month/year or month/day/year: a file's slashed dates are read one
way for the whole file, the way its values allow (openIMIS exports month/day/year); a file whose
slashed dates fit both ways is refused — write them YYYY-MM-DD.

New families are written in bulk (a handful of statements per thousand families, a history row
for each record naming the importer); with the strategy "update" or "insert_update" a family
whose head already exists gets its members' fields updated and new members added through the
page's service (their coverage follows); policies and contributions are only imported with new
families (an existing family's are taken on its pages).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_update_with_history

from kinga.core import access, bulk, transfer
from kinga.core.errors import Refused
from kinga.core.rights import Right
from kinga.core.transfer import CREATED, REJECTED, UNCHANGED, UPDATED, ImportLine, ImportReport
from kinga.facilities.models import HealthFacility
from kinga.locations.models import Location

from .. import rules as insuree_rules
from ..models import (
    ConfirmationType,
    Education,
    Family,
    FamilyType,
    Gender,
    IdType,
    Insuree,
    InsureeStatus,
    MaritalStatus,
    Officer,
    Profession,
    Relationship,
)
from ..queries.families import FUNDING_NUMBER, visible_insurees
from ..services import families as services

FAMILY_COLUMNS = [
    "head_insuree_number",
    "village",
    "poverty",
    "family_type",
    "address",
    "confirmation_type",
    "confirmation_no",
]
INSUREE_COLUMNS = [
    "insurance_number",
    "last_name",
    "other_names",
    "dob",
    "gender",
    "relationship",
    "marital",
    "type_of_id",
    "id_number",
    "phone",
    "email",
    "current_address",
    "profession",
    "education",
    "first_service_point",
    "card_issued",
    "status",
    "status_date",
    "status_reason",
]
POLICY_COLUMNS = ["product", "enroll_date", "start_date", "officer"]
CONTRIBUTION_COLUMNS = ["amount", "receipt", "pay_date", "pay_type", "payer", "photo_fee", "action"]
ALIASES = {"insuree_number": "insurance_number", "sex": "gender", "village_code": "village"}
PERSONAL_FIELDS = [c for c in INSUREE_COLUMNS if c != "insurance_number"]
DATE_COLUMNS = ("dob", "status_date", "enroll_date", "start_date", "pay_date")
SLASHED = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
TRUE_WORDS = {"1", "true", "yes", "oui", "y", "o", "x"}
FALSE_WORDS = {"", "0", "false", "no", "non", "n"}


# --- reading one row ---------------------------------------------------------------------------


def _normalise(rows: list[transfer.Row]) -> None:
    for row in rows:
        for old, new in ALIASES.items():
            if old in row.data and not row.data.get(new):
                row.data[new] = row.data.pop(old)


def _slash_order(rows: list[transfer.Row]) -> str:
    """ "dmy", "mdy" or "" (no slashed date) for the whole file; Refused when the file's slashed
    dates fit both readings or neither."""
    day_first = month_first = False  # some date can only be read that way
    found = False
    for row in rows:
        for column in DATE_COLUMNS:
            match = SLASHED.match(row.get(column))
            if not match:
                continue
            found = True
            a, b = int(match[1]), int(match[2])
            day_first |= a > 12
            month_first |= b > 12
    if not found:
        return ""
    if day_first and month_first:
        raise Refused(
            _("The file mixes day/month/year and month/day/year dates: write them YYYY-MM-DD."),
            "file",
        )
    if not day_first and not month_first:
        raise Refused(
            _(
                "The file's dates (e.g. 03/04/2020) can be read as day/month or month/day: "
                "write them YYYY-MM-DD."
            ),
            "file",
        )
    return "dmy" if day_first else "mdy"


def _date(row: transfer.Row, column: str, order: str, *, label: str) -> date | None:
    raw = row.get(column)
    match = SLASHED.match(raw)
    if match and order:
        a, b, year = int(match[1]), int(match[2]), int(match[3])
        day, month = (a, b) if order == "dmy" else (b, a)
        try:
            return date(year, month, day)
        except ValueError:
            raise Refused(
                _("%(field)s: “%(value)s” is not a date.") % {"field": label, "value": raw},
                column,
            ) from None
    return transfer.date_value(row, column, label=label)


def _flag(row: transfer.Row, column: str, *, label: str) -> bool:
    raw = row.get(column).lower()
    if raw in TRUE_WORDS:
        return True
    if raw in FALSE_WORDS:
        return False
    raise Refused(
        _("%(field)s: “%(value)s” is not yes (1) or no (0).") % {"field": label, "value": raw},
        column,
    )


@functools.cache
def _values_of(choices) -> dict[str, Any]:
    return {str(c.value): c.value for c in choices}


def _choice(row: transfer.Row, column: str, choices, *, label: str, required: bool = False):
    raw = row.get(column)
    valid = _values_of(choices)
    if raw in valid:
        return valid[raw]
    if not raw and not required:
        return None if issubclass(choices, int) else ""
    value = transfer.choice_value(
        row, column, label=label, choices=choices.choices, required=required
    )  # empty or refused, with the register's message
    return value if value else (None if issubclass(choices, int) else "")


# --- what `prepare` loads in bulk --------------------------------------------------------------


@dataclass
class Context:
    today: date
    order: str
    scheme: insuree_rules.NumberScheme
    villages: dict[str, Location] = field(default_factory=dict)
    facilities: dict[str, HealthFacility] = field(default_factory=dict)
    existing: dict[str, Insuree] = field(default_factory=dict)  # current insurees by number
    products: dict[str, Any] = field(default_factory=dict)
    officers: dict[str, Officer] = field(default_factory=dict)
    payers: list = field(default_factory=list)
    receipts: set[tuple[int, str]] = field(default_factory=set)  # (product id, receipt)
    terms: dict[int, Any] = field(default_factory=dict)  # product id -> rules.ProductTerms
    labels: dict[str, str] = field(default_factory=dict)  # column -> its name in messages
    family_labels: dict[str, str] = field(default_factory=dict)

    def terms_of(self, product):
        from kinga.policies import rules

        if product.pk not in self.terms:
            self.terms[product.pk] = rules.ProductTerms.of(product)
        return self.terms[product.pk]


def _in_chunks(values: Iterable, size: int = 5000):
    values = list(values)
    for i in range(0, len(values), size):
        yield values[i : i + size]


def _prepare(actor, rows: list[transfer.Row], today: date) -> Context:
    from kinga.policies.models import Contribution, Payer
    from kinga.products.models import Product

    ctx = Context(today=today, order=_slash_order(rows), scheme=services.number_scheme())
    # The columns' names, translated once (not once per row).
    ctx.labels = {f.name: capfirst(str(f.verbose_name)) for f in Insuree._meta.fields} | {
        "enroll_date": _("Enrolment date"),
        "start_date": _("Start date"),
        "amount": _("Amount"),
        "pay_date": _("Payment date"),
        "pay_type": _("Payment type"),
        "photo_fee": _("Photo fee"),
    }
    ctx.family_labels = {f.name: capfirst(str(f.verbose_name)) for f in Family._meta.fields}
    codes = {row.get("village") for row in rows} - {""}
    ctx.villages = {
        v.code: v
        for v in Location.objects.filter(code__in=codes, retired_at__isnull=True).select_related(
            "parent__parent__parent"
        )
    }
    codes = {row.get("first_service_point") for row in rows} - {""}
    ctx.facilities = {
        f.code: f for f in HealthFacility.objects.filter(code__in=codes, retired_at__isnull=True)
    }
    numbers = {row.get("insurance_number") for row in rows} | {
        row.get("head_insuree_number") for row in rows
    }
    for chunk in _in_chunks(numbers - {""}):
        for insuree in Insuree.objects.filter(
            insurance_number__in=chunk, retired_at__isnull=True
        ).select_related("family__head", "family__village__parent__parent"):
            ctx.existing[insuree.insurance_number] = insuree
    codes = {row.get("product") for row in rows} - {""}
    if codes:
        ctx.products = {p.code: p for p in Product.objects.current().filter(code__in=codes)}
        ctx.officers = {
            o.code: o
            for o in Officer.objects.current().filter(
                code__in={row.get("officer") for row in rows} - {""}
            )
        }
    if any(row.get("amount") for row in rows):
        ctx.payers = list(Payer.objects.current().select_related("location"))
        receipts = {row.get("receipt") for row in rows} - {""}
        for chunk in _in_chunks(receipts):
            ctx.receipts.update(
                Contribution.objects.current()
                .filter(receipt__in=chunk)
                .values_list("policy__product_id", "receipt")
            )
    return ctx


# --- one family's rows, checked ---------------------------------------------------------------


@dataclass
class Person:
    row: transfer.Row
    line: ImportLine
    values: dict[str, Any]
    existing: Insuree | None = None
    pk: int | None = None


@dataclass
class PolicyPlan:
    product: Any
    officer: Officer
    enroll_date: date
    start_date: date
    expiry_date: date
    value: Decimal
    status: int
    effective_date: date | None
    covered: list[int]  # indexes of covered people
    contributions: list[dict] = field(default_factory=list)


@dataclass
class FamilyPlan:
    head_number: str
    people: list[Person]
    values: dict[str, Any] = field(default_factory=dict)
    village: Location | None = None
    existing: Family | None = None
    policy: PolicyPlan | None = None


def _clean_person(
    actor, row: transfer.Row, ctx: Context, *, is_head: bool, existing: Insuree | None = None
) -> dict[str, Any]:
    label = ctx.labels.__getitem__
    data: dict[str, Any] = {}
    data["last_name"] = transfer.text(
        row, "last_name", label=label("last_name"), required=True, max_length=100
    )
    data["other_names"] = transfer.text(
        row, "other_names", label=label("other_names"), required=True, max_length=100
    )
    dob = _date(row, "dob", ctx.order, label=label("dob"))
    if dob is None:
        raise Refused(_("Enter the date of birth."), "dob")
    if dob > ctx.today:
        raise Refused(_("The date of birth cannot be in the future."), "dob")
    data["dob"] = dob
    data["gender"] = _choice(row, "gender", Gender, label=label("gender"), required=True)
    data["marital"] = _choice(row, "marital", MaritalStatus, label=label("marital"))
    if is_head:
        data["relationship"] = None
    elif "relationship" in row.data and (existing is None or row.get("relationship")):
        data["relationship"] = _choice(
            row, "relationship", Relationship, label=label("relationship"), required=True
        )
    else:
        # openIMIS's im_export format has no relationship: left unknown, as openIMIS does (and
        # an existing member's unknown relationship may stay unknown).
        data["relationship"] = existing.relationship if existing is not None else None
    data["type_of_id"] = _choice(row, "type_of_id", IdType, label=label("type_of_id"))
    data["id_number"] = transfer.text(row, "id_number", label=label("id_number"), max_length=25)
    if data["id_number"] and not data["type_of_id"]:
        raise Refused(_("Choose the type of identification of this number."), "type_of_id")
    data["phone"] = transfer.text(row, "phone", label=label("phone"), max_length=50)
    data["email"] = transfer.text(row, "email", label=label("email"), max_length=100)
    if data["email"]:
        try:
            validate_email(data["email"])
        except ValidationError:
            raise Refused(_("Enter a valid e-mail address."), "email") from None
    data["current_address"] = transfer.text(
        row, "current_address", label=label("current_address"), max_length=200
    )
    data["profession"] = _choice(row, "profession", Profession, label=label("profession"))
    data["education"] = _choice(row, "education", Education, label=label("education"))
    code = row.get("first_service_point")
    data["first_service_point"] = None
    if code:
        facility = ctx.facilities.get(code)
        if facility is None:
            raise Refused(
                _("No current health facility has the code %(code)s.") % {"code": code},
                "first_service_point",
            )
        data["first_service_point"] = facility
    data["card_issued"] = _flag(row, "card_issued", label=label("card_issued"))
    status = _choice(row, "status", InsureeStatus, label=label("status")) or InsureeStatus.ACTIVE
    data["status"] = status
    data["status_date"] = _date(row, "status_date", ctx.order, label=label("status_date"))
    data["status_reason"] = transfer.text(
        row, "status_reason", label=label("status_reason"), max_length=200
    )
    if status != InsureeStatus.ACTIVE:
        if data["status_date"] is None:
            raise Refused(_("Enter the date of the status."), "status_date")
        if not data["status_reason"]:
            raise Refused(_("Enter the reason of the status."), "status_reason")
    if data["status_date"] is not None:
        if data["status_date"] > ctx.today:
            raise Refused(_("The status date cannot be in the future."), "status_date")
        if data["status_date"] < dob:
            raise Refused(_("The status date cannot be before the date of birth."), "status_date")
    return data


def _clean_family(actor, head: transfer.Row, ctx: Context) -> tuple[Location, dict]:
    code = head.get("village")
    if not code:
        raise Refused(_("Village is missing."), "village")
    village = ctx.villages.get(code)
    if village is None or village.type != "V":
        raise Refused(_("No current village has the code %(code)s.") % {"code": code}, "village")
    municipality = village.parent
    district = municipality.parent if municipality else None
    region = district.parent if district else None
    for column, place in (
        ("municipality", municipality),
        ("district", district),
        ("region", region),
    ):
        given = head.get(column)
        if given and (place is None or place.code != given):
            raise Refused(
                _("The village %(village)s is not in %(place)s.")
                % {"village": village.code, "place": given},
                column,
            )
    if district is None or not access.scope_of(actor).covers_district(district.pk):
        raise Refused(
            _("You cannot choose the village %(village)s: it is not in one of your districts.")
            % {"village": village.name},
            "village",
        )
    label = ctx.family_labels.__getitem__
    data = {
        "poverty": _flag(head, "poverty", label=label("poverty")),
        "family_type": _choice(head, "family_type", FamilyType, label=label("family_type")),
        "address": transfer.text(head, "address", label=label("address"), max_length=200),
        "ethnicity": "",
        "confirmation_type": _choice(
            head, "confirmation_type", ConfirmationType, label=label("confirmation_type")
        ),
        "confirmation_no": transfer.text(
            head, "confirmation_no", label=label("confirmation_no"), max_length=12
        ),
    }
    if data["confirmation_no"] and not data["confirmation_type"]:
        raise Refused(_("Choose the type of confirmation of this number."), "confirmation_type")
    return village, data


def _clean_policy(actor, plan: FamilyPlan, ctx: Context, majority: int) -> PolicyPlan | None:
    from kinga.policies import rules
    from kinga.policies.services import policies as policy_services

    head = plan.people[0].row
    code = head.get("product")
    if not code:
        if any(p.row.get(c) for p in plan.people for c in POLICY_COLUMNS):
            raise Refused(_("Give the product of the policy."), "product")
        return None
    if not access.has_right(actor, Right.POLICY_ADD):
        raise Refused(_("You may not add policies."), "product")
    enroll = _date(head, "enroll_date", ctx.order, label=ctx.labels["enroll_date"])
    policy_services.check_enroll_date(enroll, ctx.today)
    product = ctx.products.get(code)
    village = plan.village
    district = village.parent.parent
    on_sale = (
        product is not None
        and product.date_from <= enroll <= product.date_to
        and product.location_id in (None, district.pk, district.parent_id)
    )
    if not on_sale:
        raise Refused(
            _("The product %(code)s is not on sale in %(village)s on %(day)s.")
            % {"code": code, "village": village.name, "day": enroll.isoformat()},
            "product",
        )
    officer = ctx.officers.get(head.get("officer"))
    if not head.get("officer"):
        raise Refused(_("Choose the enrolment officer."), "officer")
    if (
        officer is None
        or officer.district_id != district.pk
        or (officer.works_to is not None and officer.works_to < enroll)
    ):
        raise Refused(
            _("The officer %(officer)s does not work in the district of %(district)s on %(day)s.")
            % {"officer": head.get("officer"), "district": district.name, "day": enroll},
            "officer",
        )
    terms = ctx.terms_of(product)
    start = _date(head, "start_date", ctx.order, label=ctx.labels["start_date"])
    period = policy_services.checked_period(terms, enroll, start)
    members = [
        rules.Member(dob=p.values["dob"], relationship=p.values["relationship"], ref=i)
        for i, p in enumerate(plan.people)
        if p.values["status"] == InsureeStatus.ACTIVE
    ]
    breakdown = rules.value_breakdown(
        terms, members, enroll, rules.NEW, None, start_date=period.start_date, majority=majority
    )
    status, effective = rules.status_on_save(breakdown.value, period.start_date)
    for member in breakdown.not_covered:
        # The page's warning, on the member's own line of the report.
        plan.people[member.ref].line.reason = _(
            "Not covered by %(code)s: the product covers at most %(n)d members."
        ) % {"code": product.code, "n": terms.max_members}
    return PolicyPlan(
        product=product,
        officer=officer,
        enroll_date=enroll,
        start_date=period.start_date,
        expiry_date=period.expiry_date,
        value=breakdown.value,
        status=status,
        effective_date=effective,
        covered=[m.ref for m in breakdown.covered],
    )


def _clean_contribution(actor, row: transfer.Row, plan: FamilyPlan, ctx: Context) -> dict | None:
    from kinga.policies.models import PayType
    from kinga.policies.rules import Action
    from kinga.policies.services import contributions as contribution_services

    if not row.get("amount"):
        if any(row.get(c) for c in ("receipt", "pay_date", "pay_type", "payer")):
            raise Refused(_("Enter an amount."), "amount")
        return None
    if plan.policy is None:
        raise Refused(_("A contribution needs the family's policy (product column)."), "amount")
    if not access.has_right(actor, Right.CONTRIBUTION_ADD):
        raise Refused(_("You may not add contributions."), "amount")
    amount = contribution_services.clean_amount(row.get("amount"))
    receipt = contribution_services.clean_receipt(row.get("receipt"))
    product = plan.policy.product
    if (product.pk, receipt) in ctx.receipts:
        raise Refused(contribution_services.receipt_taken_message(receipt, product), "receipt")
    ctx.receipts.add((product.pk, receipt))
    pay_date = contribution_services.check_pay_date(
        _date(row, "pay_date", ctx.order, label=ctx.labels["pay_date"]), ctx.today
    )
    pay_type = transfer.choice_value(
        row, "pay_type", label=ctx.labels["pay_type"], choices=PayType.choices
    )
    payer = None
    name = row.get("payer")
    if name:
        village = plan.village
        places = {village.parent.parent_id, village.parent.parent.parent_id}
        found = [
            p
            for p in ctx.payers
            if p.name.lower() == name.lower() and (p.location_id is None or p.location_id in places)
        ]
        if len(found) != 1:
            raise Refused(
                _("The payer %(name)s does not pay for families of %(village)s.")
                % {"name": name, "village": village.name}
                if not found
                else _("Several payers are named %(name)s.") % {"name": name},
                "payer",
            )
        payer = found[0]
    action = row.get("action").lower() or None
    if action is not None and action not in Action._value2member_map_:
        raise Refused(
            _("Action: “%(value)s” is not one of %(valid)s.")
            % {"value": action, "valid": ", ".join(a.value for a in Action)},
            "action",
        )
    return {
        "payer": payer,
        "amount": amount,
        "receipt": receipt,
        "pay_date": pay_date,
        "pay_type": pay_type,
        "is_photo_fee": _flag(row, "photo_fee", label=ctx.labels["photo_fee"]),
        "action": action,
        "where": row.where,
    }


def _apply_payments(policy: PolicyPlan, ctx: Context) -> None:
    """The policy's status after its contributions, taken in pay-date order as the contribution
    page would take them (an unanswered partial or late payment waits)."""
    from kinga.policies import rules
    from kinga.policies.services._common import activation_option

    terms = ctx.terms_of(policy.product)
    last_day = rules.last_date_for_payment(
        terms, rules.NEW, policy.start_date, policy.enroll_date, None
    )
    paid: list[rules.Contribution] = []
    for c in sorted(policy.contributions, key=lambda c: c["pay_date"]):
        if c["is_photo_fee"]:
            paid.append(rules.Contribution(c["amount"], c["pay_date"], True))
            continue
        paid.append(rules.Contribution(c["amount"], c["pay_date"], False))
        check = rules.check_payment(
            policy.value, paid, c["pay_date"], last_day, terms.max_installments
        )
        action = None
        if check.choices and policy.status != rules.PolicyStatus.EXPIRED:
            action = rules.Action(c["action"] or rules.Action.WAIT)
            if action not in check.choices:
                raise Refused(_("This answer is not offered for this payment."), "action")
        outcome = rules.status_after_payment(
            value=policy.value,
            paid=check.paid,
            pay_date=c["pay_date"],
            start_date=policy.start_date,
            status=policy.status,
            effective_date=policy.effective_date,
            activation_option=activation_option(),
            action=action,
        )
        policy.status, policy.effective_date = outcome.status, outcome.effective_date
    policy.status = rules.expire(policy.status, policy.expiry_date, ctx.today)


# --- the kind ----------------------------------------------------------------------------------


class FamilyKind(transfer.RegisterKind):
    key = "families"
    label = gettext_lazy("Families and insurees")
    model = Insuree
    key_field = "insurance_number"
    key_column = "insurance_number"
    columns = FAMILY_COLUMNS[:1] + INSUREE_COLUMNS + FAMILY_COLUMNS[1:]
    optional_columns = POLICY_COLUMNS + CONTRIBUTION_COLUMNS
    update_fields = PERSONAL_FIELDS
    upload_rights = (Right.FAMILY_ADD,)
    download_rights = (Right.FAMILY_SEARCH, Right.INSUREE_SEARCH)

    def queryset(self, actor):
        return visible_insurees(actor).filter(family__isnull=False)

    # -- export
    def export_queryset(self, actor):
        return self.queryset(actor).order_by("family_id", "-is_head", "id")

    def export_rows(self, actor, queryset=None):
        qs = (queryset if queryset is not None else self.export_queryset(actor)).filter(
            family__isnull=False
        )
        qs = qs.select_related("family__head", "family__village", "first_service_point").order_by(
            "family_id", "-is_head", "id"
        )
        for insuree in qs.iterator(chunk_size=2000):
            yield self.export_row(insuree)

    def export_row(self, insuree: Insuree) -> dict[str, Any]:
        family = insuree.family
        row = {name: getattr(insuree, name) for name in INSUREE_COLUMNS}
        row["first_service_point"] = (
            insuree.first_service_point.code if insuree.first_service_point_id else ""
        )
        row["head_insuree_number"] = family.head.insurance_number if family.head_id else ""
        row["village"] = family.village.code
        for name in FAMILY_COLUMNS[2:]:
            row[name] = getattr(family, name)
        return row

    # -- import
    def import_rows(
        self,
        actor,
        rows: list[transfer.Row],
        *,
        strategy: str,
        dry_run: bool,
        progress: Callable[[int, int], None] | None,
    ) -> ImportReport:
        from django.conf import settings

        report = ImportReport(dry_run=dry_run)
        _normalise(rows)
        today = timezone.localdate()
        try:
            ctx = _prepare(actor, rows, today)
        except Refused as refused:
            report.error = refused.message
            return report
        majority = getattr(settings, "KINGA_AGE_OF_MAJORITY", 18)
        families = self._group(actor, rows, report, ctx)
        for i, plan in enumerate(families.values()):
            if progress and i % 500 == 0:
                progress(i, len(families))
            self._check_family(actor, plan, ctx, strategy, majority)
        if progress:
            progress(len(families), len(families))
        if report.rejected or dry_run:
            return report
        new = [plan for plan in families.values() if plan.existing is None]
        old = [plan for plan in families.values() if plan.existing is not None]
        if new:
            _write_new(actor, new, ctx)
        for plan in old:
            _write_existing(actor, plan, ctx)
        report.written = True
        return report

    def _group(self, actor, rows, report, ctx) -> dict[str, FamilyPlan]:
        families: dict[str, FamilyPlan] = {}
        seen: dict[str, str] = {}
        for row in rows:
            number = row.get("insurance_number")
            line = ImportLine(row.where, number, CREATED)
            report.lines.append(line)
            try:
                if not number:
                    raise Refused(_("Enter the insurance number."), "insurance_number")
                if number in seen:
                    raise Refused(
                        _("%(key)s appears twice in the file (first at %(where)s).")
                        % {"key": number, "where": seen[number]}
                    )
                seen[number] = row.where
                head_number = row.get("head_insuree_number")
                if not head_number:
                    raise Refused(
                        _("Give the insurance number of the head of family."),
                        "head_insuree_number",
                    )
            except Refused as refused:
                line.outcome, line.reason = REJECTED, refused.message
                continue
            plan = families.setdefault(head_number, FamilyPlan(head_number, []))
            person = Person(row, line, {})
            if number == head_number:
                plan.people.insert(0, person)
            else:
                plan.people.append(person)
        return families

    def _check_family(self, actor, plan: FamilyPlan, ctx: Context, strategy: str, majority: int):
        people = plan.people
        if not people or people[0].row.get("insurance_number") != plan.head_number:
            for p in people:
                _reject(
                    p,
                    _("The row of the head of family %(n)s is missing.") % {"n": plan.head_number},
                )
            return
        head = people[0]
        existing_head = ctx.existing.get(plan.head_number)
        if existing_head is not None:
            if strategy == "insert":
                return _reject_all(
                    plan, _("The family of %(n)s already exists.") % {"n": plan.head_number}
                )
            if not existing_head.is_head or existing_head.family is None:
                return _reject_all(
                    plan,
                    _("%(n)s is not the head of a family.") % {"n": plan.head_number},
                )
            plan.existing = existing_head.family
            if not access.scope_of(actor).covers_district(
                plan.existing.village.parent.parent_id
            ) or not access.has_right(actor, Right.FAMILY_EDIT, Right.INSUREE_EDIT):
                return _reject_all(
                    plan,
                    _("%(key)s is outside the locations you may change.")
                    % {"key": plan.head_number},
                )
        elif strategy == "update":
            return _reject_all(plan, _("%(key)s does not exist.") % {"key": plan.head_number})
        try:
            if plan.existing is None:
                plan.village, plan.values = _clean_family(actor, head.row, ctx)
            else:
                plan.village = plan.existing.village
        except Refused as refused:
            return _reject_all(plan, refused.message)
        for i, person in enumerate(people):
            try:
                number = person.row.get("insurance_number")
                person.existing = ctx.existing.get(number)
                if person.existing is not None:
                    if plan.existing is None or person.existing.family_id != plan.existing.pk:
                        raise Refused(
                            _("The insurance number %(number)s is already given to %(insuree)s.")
                            % {"number": number, "insuree": person.existing.full_name},
                            "insurance_number",
                        )
                else:
                    problem = insuree_rules.number_problem(number, ctx.scheme)
                    if problem:
                        raise Refused(problem, "insurance_number")
                person.values = _clean_person(
                    actor, person.row, ctx, is_head=i == 0, existing=person.existing
                )
                if person.existing is not None:
                    changed = any(
                        transfer._differs(person.existing, k, v) for k, v in person.values.items()
                    )
                    person.line.outcome = UPDATED if changed else UNCHANGED
                elif plan.existing is not None:
                    person.line.outcome = CREATED
            except Refused as refused:
                _reject(person, refused.message)
        if any(p.line.outcome == REJECTED for p in people):
            return
        try:
            if plan.existing is not None:
                if any(p.row.get(c) for p in people for c in POLICY_COLUMNS + ["amount"]):
                    raise Refused(
                        _(
                            "Policies and contributions are imported with new families only; "
                            "take them on the family's page."
                        )
                    )
                return
            plan.policy = _clean_policy(actor, plan, ctx, majority)
        except Refused as refused:
            return _reject(head, refused.message)
        for person in people:
            try:
                contribution = _clean_contribution(actor, person.row, plan, ctx)
                if contribution is not None:
                    plan.policy.contributions.append(contribution)
            except Refused as refused:
                _reject(person, refused.message)
        if plan.policy is not None:
            try:
                _apply_payments(plan.policy, ctx)
            except Refused as refused:
                _reject(head, refused.message)


def _reject(person: Person, message: str) -> None:
    person.line.outcome, person.line.reason = REJECTED, message


def _reject_all(plan: FamilyPlan, message: str) -> None:
    for person in plan.people:
        _reject(person, message)


# --- writing -----------------------------------------------------------------------------------


def _write_new(actor, plans: list[FamilyPlan], ctx: Context) -> None:
    """New families, members, policies, coverage and contributions in bulk, with history."""
    from kinga.policies.models import Contribution, InsureePolicy, Policy

    reason = _("Imported")
    copy = bulk.uses_copy()
    family_ids = bulk.take_ids(Family, len(plans)) if copy else [None] * len(plans)
    insuree_ids = iter(bulk.take_ids(Insuree, sum(len(p.people) for p in plans)) or [])
    families, insurees = [], []
    for plan, family_id in zip(plans, family_ids, strict=True):
        for i, person in enumerate(plan.people):
            person.pk = next(insuree_ids, None)
            insurees.append(
                {
                    "family_id": family_id,
                    "is_head": i == 0,
                    "insurance_number": person.row.get("insurance_number"),
                    **_attnames(person.values),
                }
                | ({"id": person.pk} if copy else {})
            )
        families.append(
            {"head_id": plan.people[0].pk, "village_id": plan.village.pk, **plan.values}
            | ({"id": family_id} if copy else {})
        )
    if copy:
        # The ids are known before writing: each family is written once with its head (the
        # family → head key is checked at commit).
        bulk.create_rows(Family, families, user=actor, reason=reason)
        bulk.create_rows(Insuree, insurees, user=actor, reason=reason)
    else:
        family_ids = _write_families_then_heads(actor, plans, families, insurees, reason)
    with_policy = [
        (plan, family_id) for plan, family_id in zip(plans, family_ids, strict=True) if plan.policy
    ]
    if not with_policy:
        return
    policies = [
        {
            "family_id": family_id,
            "product_id": plan.policy.product.pk,
            "officer_id": plan.policy.officer.pk,
            "stage": "N",
            "status": plan.policy.status,
            "enroll_date": plan.policy.enroll_date,
            "start_date": plan.policy.start_date,
            "effective_date": plan.policy.effective_date,
            "expiry_date": plan.policy.expiry_date,
            "value": plan.policy.value,
        }
        for plan, family_id in with_policy
    ]
    policy_ids = bulk.create_rows(Policy, policies, user=actor, reason=reason)
    rows, contributions = [], []
    for (plan, _family_id), policy, policy_id in zip(
        with_policy, policies, policy_ids, strict=True
    ):
        for index in plan.policy.covered:
            rows.append(
                {
                    "policy_id": policy_id,
                    "insuree_id": plan.people[index].pk,
                    "enrollment_date": policy["enroll_date"],
                    "start_date": policy["start_date"],
                    "effective_date": policy["effective_date"],
                    "expiry_date": policy["expiry_date"],
                }
            )
        for c in plan.policy.contributions:
            contributions.append(
                {
                    "policy_id": policy_id,
                    "payer_id": c["payer"].pk if c["payer"] else None,
                    "amount": c["amount"],
                    "receipt": c["receipt"],
                    "pay_date": c["pay_date"],
                    "pay_type": c["pay_type"],
                    "is_photo_fee": c["is_photo_fee"],
                }
            )
    bulk.create_rows(InsureePolicy, rows, user=actor, reason=_("Covered by the policy"))
    bulk.create_rows(Contribution, contributions, user=actor, reason=reason)


def _attnames(values: dict[str, Any]) -> dict[str, Any]:
    """Model values with foreign keys as ids (first_service_point → first_service_point_id)."""
    out = dict(values)
    fsp = out.pop("first_service_point", None)
    out["first_service_point_id"] = fsp.pk if fsp is not None else None
    return out


def _write_families_then_heads(actor, plans, families, insurees, reason) -> list[int]:
    """Without COPY (SQLite): the families first without their heads, the members, then the
    heads, then the families' history (with their heads)."""
    objs = Family.objects.bulk_create([Family(**f) for f in families], batch_size=transfer.BATCH)
    position = 0
    for plan, family in zip(plans, objs, strict=True):
        for row in insurees[position : position + len(plan.people)]:
            row["family_id"] = family.pk
        position += len(plan.people)
    ids = iter(bulk.create_rows(Insuree, insurees, user=actor, reason=reason))
    for plan, family in zip(plans, objs, strict=True):
        for person in plan.people:
            person.pk = next(ids)
        family.head_id = plan.people[0].pk
    for chunk in _in_chunks(objs, 5000):
        Family.objects.filter(pk__in=[f.pk for f in chunk]).update(
            head=Subquery(
                Insuree.objects.filter(family=OuterRef("pk"), is_head=True).values("pk")[:1]
            )
        )
    Family.history.bulk_history_create(
        objs, batch_size=transfer.BATCH, default_user=actor, default_change_reason=reason
    )
    return [f.pk for f in objs]


def _write_existing(actor, plan: FamilyPlan, ctx: Context) -> None:
    """Members' fields updated, new members added through the page's service."""
    changed = []
    for person in plan.people:
        if person.existing is None:
            services.insuree_add(
                actor=actor,
                family=plan.existing,
                today=ctx.today,
                insurance_number=person.row.get("insurance_number"),
                **person.values,
            )
        elif person.line.outcome == UPDATED:
            for k, v in person.values.items():
                setattr(person.existing, k, v)
            changed.append(person.existing)
    if changed:
        bulk_update_with_history(
            changed,
            Insuree,
            PERSONAL_FIELDS,
            batch_size=transfer.UPDATE_BATCH,
            default_user=actor,
            default_change_reason=_("Imported"),
        )


FAMILIES = FamilyKind()


def export_search(actor, insurees, fmt: str) -> tuple[bytes, str, str]:
    """The rows of a search result (the insurees found, with their family's fields), in the
    import's columns."""
    rows = FAMILIES.export_rows(actor, insurees.exclude(insurance_number=FUNDING_NUMBER))
    return transfer.write_rows(FAMILIES, fmt, rows, filename="insurees")
