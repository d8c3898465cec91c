"""Insuree enquiry (spec §11.1, uspPolicyInquiry; right 101105): an insurance number gives the
insuree's photo, name, age, first service point and, per policy of his family, the product,
his own dates and status letter, the deductibles and ceilings remaining (the product's amounts
less what the valued claims consumed, read from the claims' ledger through
kinga.policies.hooks) and the end of the waiting periods per covered category.

Scoped: a number outside the reader's districts is "not found", exactly like an unknown one.
Two queries whatever the size of the register (three when a product has deductibles or
ceilings): the insuree with his coverage rows, policies and
products (one hand-written query, see below), then the waiting periods of those products,
then the consumption of those policies."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache, lru_cache
from weakref import WeakKeyDictionary

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils.translation import gettext as _

from kinga.core import access, audit
from kinga.facilities.models import HealthFacility
from kinga.insurees.models import Family, Insuree
from kinga.insurees.queries import confidential as masking
from kinga.insurees.queries import families as family_queries
from kinga.insurees.queries.families import FUNDING_NUMBER
from kinga.insurees.rules import age_at
from kinga.locations.models import Location
from kinga.medical.models import Service, ServiceCategory
from kinga.products.models import CeilingType, Product, ProductItem, ProductService
from kinga.products.queries.confidential import hidden_programme_ids

from .. import hooks, rules
from ..models import InsureePolicy, Policy

NUMBER_MAX_LENGTH = 50
ITEMS = "*"  # not a service category: the covered items


def letter_label(letter: str) -> str:
    return {
        "A": _("Active: covered"),
        "I": _("Idle: not covered"),
        "S": _("Suspended: not covered"),
        "R": _("Ready: not covered yet"),
        "E": _("Expired: not covered"),
    }.get(letter, letter)


@dataclass(frozen=True)
class Amount:
    label: str
    value: Decimal


@dataclass(frozen=True)
class Waiting:
    label: str
    until: date


@dataclass
class PolicyLine:
    row: InsureePolicy
    letter: str
    deductibles: list[Amount] = field(default_factory=list)
    ceilings: list[Amount] = field(default_factory=list)
    waiting: list[Waiting] = field(default_factory=list)

    @property
    def policy(self):
        return self.row.policy

    @property
    def product(self):
        return self.row.policy.product

    @property
    def covered(self) -> bool:
        return self.letter == "A"

    @property
    def status_label(self) -> str:
        return letter_label(self.letter)


@dataclass
class Result:
    insuree: Insuree
    age: int | None
    lines: list[PolicyLine]

    @property
    def covered(self) -> bool:
        return any(line.covered for line in self.lines)


def clean_number(number: str | None) -> str:
    return "".join(str(number or "").split())[:NUMBER_MAX_LENGTH]


LIMIT_FIELDS = (
    "deductible",
    "deductible_ip",
    "deductible_op",
    "ceiling",
    "ceiling_ip",
    "ceiling_op",
)


def _has_limits(product) -> bool:
    return any(getattr(product, name) is not None for name in LIMIT_FIELDS)


def _used_of(product, consumed: tuple[dict, dict] | None) -> dict[str, Decimal]:
    """What the claims valued so far consumed of the product's deductibles and ceilings, at
    the product's level: nothing per treatment, the insuree's own claims per insuree, the
    family's per policy (the same ledger sums the valuation reads)."""
    if consumed is None or product.ceiling_type == CeilingType.TREATMENT:
        return {}
    policy_sums, member_sums = consumed
    return policy_sums if product.ceiling_type == CeilingType.POLICY else member_sums


def _amounts(
    product, members: int, used: dict[str, Decimal] | None = None
) -> tuple[list[Amount], list[Amount]]:
    """Deductibles and ceilings remaining: the product's amounts less what `used` says was
    consumed (ledger columns ded_g, ded_ip, ..., rem_op); a policy-type ceiling adds the
    extra-member ceiling above the threshold, capped (§11.1)."""
    used = used or {}

    def left(value: Decimal, column: str) -> Decimal:
        return max(Decimal(0), value - (used.get(column) or Decimal(0)))

    deductibles = [
        Amount(label, left(value, column))
        for label, value, column in (
            (_("Deductible"), product.deductible, "ded_g"),
            (_("In-patient deductible"), product.deductible_ip, "ded_ip"),
            (_("Out-patient deductible"), product.deductible_op, "ded_op"),
        )
        if value is not None
    ]
    ceilings = []
    counted = min(members, product.max_members) if product.max_members else members
    extra = max(0, counted - (product.threshold or 0))
    for label, base, per_member, cap, column in (
        (
            _("Ceiling"),
            product.ceiling,
            product.extra_member_ceiling,
            product.ceiling_cap,
            "rem_g",
        ),
        (
            _("In-patient ceiling"),
            product.ceiling_ip,
            product.extra_member_ceiling_ip,
            product.ceiling_cap_ip,
            "rem_ip",
        ),
        (
            _("Out-patient ceiling"),
            product.ceiling_op,
            product.extra_member_ceiling_op,
            product.ceiling_cap_op,
            "rem_op",
        ),
    ):
        if base is None:
            continue
        value = base
        if product.ceiling_type == CeilingType.POLICY and per_member:
            value = base + extra * per_member
            if cap:
                value = min(value, cap)
        ceilings.append(Amount(label, left(value, column)))
    return deductibles, ceilings


def _waiting_periods(product_ids: set[int], adult: bool) -> dict[int, dict[str, int]]:
    """Per product: the longest waiting period (months) of the covered services per category,
    and of the covered items, for an adult or a child."""
    out: dict[int, dict[str, int]] = {pk: {} for pk in product_ids}
    if not product_ids:
        return out
    ids = sorted(product_ids)
    with connection.cursor() as cursor:
        cursor.execute(_waiting_sql(connection.vendor, adult, len(ids)), ids + ids)
        rows = cursor.fetchall()
    categories = dict(ServiceCategory.choices)
    for product_id, category, months in rows:
        if category == ITEMS:
            label = _("Medical items")
        else:
            label = str(categories.get(category or "O", _("Other")))
        out[product_id][label] = max(months, out[product_id].get(label, 0))
    return out


@lru_cache(maxsize=64)
def _waiting_sql(vendor: str, adult: bool, products: int) -> str:
    """The current covered services (with their category) and items of `products` products
    whose waiting period for an adult or a child is set."""
    qn = connection.ops.quote_name
    months = qn("waiting_period_adult" if adult else "waiting_period_child")
    ids = ", ".join(["%s"] * products)
    return (
        f"SELECT ps.{_col(ProductService, 'product')}, sv.{_col(Service, 'category')}, ps.{months}"
        f" FROM {_table(ProductService)} ps INNER JOIN {_table(Service)} sv"
        f" ON sv.{_col(Service, 'id')} = ps.{_col(ProductService, 'service')}"
        f" WHERE ps.{_col(ProductService, 'product')} IN ({ids})"
        f" AND ps.{_col(ProductService, 'retired_at')} IS NULL AND ps.{months} > 0"
        " UNION ALL"
        f" SELECT pi.{_col(ProductItem, 'product')}, '{ITEMS}', pi.{months}"
        f" FROM {_table(ProductItem)} pi"
        f" WHERE pi.{_col(ProductItem, 'product')} IN ({ids})"
        f" AND pi.{_col(ProductItem, 'retired_at')} IS NULL AND pi.{months} > 0"
    )


def _select(rows: list[InsureePolicy], today: date) -> list[InsureePolicy]:
    """uspPolicyInquiry's row selection: the rows in force if any, else those that expired
    within two years, else all."""
    active = [r for r in rows if rules.is_covered(r.effective_date, r.expiry_date, today)]
    if active:
        return active
    recent = [r for r in rows if r.expiry_date.year >= today.year - 2]
    return recent or rows


def enquire(user, number: str, today: date, *, majority: int = 18) -> Result | None:
    """The enquiry of `number` for `user` (right 101105), or None when it is unknown or outside
    the user's districts."""
    family_queries.INSUREE.require_right(user, "enquire")
    number = clean_number(number)
    if not number or number == FUNDING_NUMBER:
        return None
    found = _coverage(number, sorted(hidden_programme_ids(user)))
    if found is None:
        return None
    insuree, family_district, current_district, rows = found
    # visible_insurees' scope: the family's district, or the current village's for an insuree
    # without family.
    district = family_district if insuree.family_id is not None else current_district
    if not access.scope_of(user).covers_district(district):
        audit.viewed(user, "policies.enquiry", insuree.pk, allowed=False)  # kinga.core.audit
        return None
    audit.viewed(user, "policies.enquiry", insuree.pk)
    rows = _select(rows, today)
    age = age_at(insuree.dob, today) if insuree.dob else None
    adult = age is None or age >= majority
    waiting = _waiting_periods({r.policy.product_id for r in rows}, adult)
    # The claims app's ledger reader (kinga.policies.hooks): one query, and none when no
    # product has a deductible or a ceiling.
    limited = {r.policy_id for r in rows if _has_limits(r.policy.product)}
    consumed = hooks.consumption()(limited, insuree.pk) if limited else {}
    lines = []
    for row in rows:
        policy = row.policy
        status = rules.expire(policy.status, policy.expiry_date, today)
        letter = rules.member_status_letter(status, row.effective_date, row.expiry_date, today)
        deductibles, ceilings = _amounts(
            policy.product,
            row.covered_members,
            _used_of(policy.product, consumed.get(policy.pk)),
        )
        start = row.effective_date or row.start_date
        lines.append(
            PolicyLine(
                row=row,
                letter=letter,
                deductibles=deductibles,
                ceilings=ceilings,
                waiting=[
                    Waiting(label, rules.add_months(start, months))
                    for label, months in sorted(waiting[policy.product_id].items())
                ],
            )
        )
    return Result(insuree=insuree, age=age, lines=lines)


# --- The one query of the insuree and his coverage ------------------------------------------
#
# The enquiry is the page asked most often (issue 6: p99 under 20 ms with 1,000,000 insurees),
# so it is read with one hand-written query, built once from the models' metadata: compiling
# the equivalent querysets (scope joins, select_related three levels deep, the covered-members
# subquery) cost more than PostgreSQL spends running them.  The rows become model instances
# through the converters the ORM itself applies, so the page and callers get the same objects.


class _Columns:
    """All the concrete columns of a model under a table alias, and the instance back."""

    def __init__(self, model, alias: str):
        self.model = model
        self.alias = alias
        self.fields = model._meta.concrete_fields
        self.attnames = [f.attname for f in self.fields]
        self._converters: WeakKeyDictionary = WeakKeyDictionary()

    def __len__(self) -> int:
        return len(self.fields)

    def sql(self) -> str:
        qn = connection.ops.quote_name
        return ", ".join(f"{self.alias}.{qn(f.column)}" for f in self.fields)

    def converters(self, db) -> list:
        """(position, column, converters) of the columns that need converting on `db` (dates,
        decimals and booleans on SQLite, JSON, …), as SQLCompiler.get_converters finds them."""
        found = self._converters.get(db)
        if found is None:
            found = []
            for i, model_field in enumerate(self.fields):
                column = model_field.get_col(self.alias)
                steps = db.ops.get_db_converters(column) + column.get_db_converters(db)
                if steps:
                    found.append((i, column, steps))
            self._converters[db] = found
        return found

    def instance(self, db, values):
        values = list(values)
        for i, column, steps in self.converters(db):
            for convert in steps:
                values[i] = convert(values[i], column, db)
        return self.model.from_db(db.alias, self.attnames, values)


INSUREE = _Columns(Insuree, "i")
SERVICE_POINT = _Columns(HealthFacility, "s")
ROW = _Columns(InsureePolicy, "r")
POLICY = _Columns(Policy, "p")
PRODUCT = _Columns(Product, "d")


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _col(model, name: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(name).column)


# Issue 15: for a reader who may not see some confidential programmes, the insuree is read from
# a derived table that says whether those programmes cover him; if so his personal columns are
# replaced in SQL (his date of birth by the first day of its year), his first service point is
# not joined, and the coverage rows of those programmes are never joined.
_BLANK_YEAR = {
    "postgresql": "CAST(date_trunc('year', i.{col}) AS date)",
    "sqlite": "strftime('%Y-01-01', i.{col})",
}


def _masked_insuree_sql(vendor: str) -> str:
    qn = connection.ops.quote_name
    masked = {"last_name", "dob", "search_name", *masking.TEXT_FIELDS, *masking.NULL_FIELDS}
    masked.add("first_service_point")
    columns = []
    for f in INSUREE.fields:
        col = f"i.{qn(f.column)}"
        if f.name not in masked:
            columns.append(col)
            continue
        if f.name == "dob":
            blank = _BLANK_YEAR.get(vendor, "NULL").format(col=qn(f.column))
        elif f.name in masking.NULL_FIELDS or f.name == "first_service_point":
            blank = "NULL"
        else:
            blank = "''"
        columns.append(f"CASE WHEN i.kinga_confidential THEN {blank} ELSE {col} END")
    return ", ".join(columns)


def _hidden_policy_sql(policy: str, programmes: int) -> str:
    """EXISTS: the policy (an SQL column) is one of the hidden programmes'."""
    marks = ", ".join(["%s"] * programmes)
    return (
        f"EXISTS (SELECT 1 FROM {_table(Policy)} hp"
        f" INNER JOIN {_table(Product)} hd ON hd.{_col(Product, 'id')} = hp.{_col(Policy, 'product')}"
        f" WHERE hp.{_col(Policy, 'id')} = {policy}"
        f" AND hd.{_col(Product, 'programme')} IN ({marks}))"
    )


@cache
def _coverage_sql(vendor: str, programmes: int = 0) -> str:
    """The current insuree of the number; the districts of his family's village and of his
    current village (for the scope); his current coverage rows with their policy, product and
    number of covered members; newest expiry first.  One row per coverage row, or one row with
    NULL coverage columns.  With `programmes` hidden programmes (their ids are parameters), the
    insuree masked when they cover him and their coverage rows left out; a last column says
    whether he is masked."""
    loc, fam, ip = Location, Family, InsureePolicy
    if not programmes:
        source = f"{_table(Insuree)} i"
        where = (
            f" WHERE i.{_col(Insuree, 'insurance_number')} = %s"
            f" AND i.{_col(Insuree, 'retired_at')} IS NULL"
        )
        insuree, flag, service_point, row_filter = INSUREE.sql(), "", "", ""
    else:
        covered = (
            f"EXISTS (SELECT 1 FROM {_table(ip)} hr"
            f" WHERE hr.{_col(ip, 'insuree')} = i.{_col(Insuree, 'id')}"
            f" AND {_hidden_policy_sql('hr.' + _col(ip, 'policy'), programmes)})"
        )
        # The fence keeps the derived table whole: pulled up, its EXISTS would be copied into
        # each masked column (planned 18 times: 30 ms on PostgreSQL instead of under 1).
        fence = " OFFSET 0" if vendor == "postgresql" else " LIMIT -1 OFFSET 0"
        source = (
            f"(SELECT i.*, {covered} AS kinga_confidential FROM {_table(Insuree)} i"
            f" WHERE i.{_col(Insuree, 'insurance_number')} = %s"
            f" AND i.{_col(Insuree, 'retired_at')} IS NULL{fence}) i"
        )
        where = ""
        insuree, flag = _masked_insuree_sql(vendor), ", i.kinga_confidential"
        service_point = " AND NOT i.kinga_confidential"
        row_filter = f" AND NOT {_hidden_policy_sql('r.' + _col(ip, 'policy'), programmes)}"
    return (
        f"SELECT {insuree}, {SERVICE_POINT.sql()}, {ROW.sql()}, {POLICY.sql()},"
        f" {PRODUCT.sql()},"
        f" (SELECT w.{_col(loc, 'parent')} FROM {_table(fam)} f"
        f" INNER JOIN {_table(loc)} v ON v.{_col(loc, 'id')} = f.{_col(fam, 'village')}"
        f" INNER JOIN {_table(loc)} w ON w.{_col(loc, 'id')} = v.{_col(loc, 'parent')}"
        f" WHERE f.{_col(fam, 'id')} = i.{_col(Insuree, 'family')}),"
        f" (SELECT w.{_col(loc, 'parent')} FROM {_table(loc)} v"
        f" INNER JOIN {_table(loc)} w ON w.{_col(loc, 'id')} = v.{_col(loc, 'parent')}"
        f" WHERE v.{_col(loc, 'id')} = i.{_col(Insuree, 'current_village')}),"
        f" (SELECT COUNT(*) FROM {_table(ip)} m"
        f" WHERE m.{_col(ip, 'policy')} = r.{_col(ip, 'policy')}"
        f" AND m.{_col(ip, 'retired_at')} IS NULL){flag}"
        f" FROM {source}"
        f" LEFT JOIN {_table(HealthFacility)} s"
        f" ON s.{_col(HealthFacility, 'id')} = i.{_col(Insuree, 'first_service_point')}"
        f"{service_point}"
        f" LEFT JOIN {_table(ip)} r ON r.{_col(ip, 'insuree')} = i.{_col(Insuree, 'id')}"
        f" AND r.{_col(ip, 'retired_at')} IS NULL{row_filter}"
        f" LEFT JOIN {_table(Policy)} p ON p.{_col(Policy, 'id')} = r.{_col(ip, 'policy')}"
        f" LEFT JOIN {_table(Product)} d ON d.{_col(Product, 'id')} = p.{_col(Policy, 'product')}"
        f"{where}"
        f" ORDER BY r.{_col(ip, 'expiry_date')} DESC, r.{_col(ip, 'id')} DESC"
    )


def _coverage(number: str, hidden: list[int] | None = None):
    """(insuree, family's district id, current village's district id, coverage rows) for the
    current insuree of `number`, or None.  The rows are those of current policies, with
    `policy`, `policy.product` and `covered_members` loaded.  Without the policies of the
    `hidden` programmes, and the insuree masked when they cover him (issue 15)."""
    hidden = hidden or []
    db = connections[DEFAULT_DB_ALIAS]
    with db.cursor() as cursor:
        cursor.execute(_coverage_sql(db.vendor, len(hidden)), [*hidden, number, *hidden])
        records = cursor.fetchall()
    if not records:
        return None
    bounds, at = [], 0
    for part in (INSUREE, SERVICE_POINT, ROW, POLICY, PRODUCT):
        bounds.append((at, at + len(part)))
        at += len(part)
    first = records[0]
    insuree = INSUREE.instance(db, first[slice(*bounds[0])])
    insuree.confidential = bool(hidden) and bool(first[at + 3])
    if insuree.confidential:  # his names were not read: the label in their place
        insuree.last_name = str(masking.LABEL)
    if insuree.first_service_point_id is not None:
        insuree.first_service_point = SERVICE_POINT.instance(db, first[slice(*bounds[1])])
    family_district, current_district = first[at], first[at + 1]
    rows = []
    for record in records:
        if record[bounds[2][0]] is None:  # no coverage row
            continue
        policy = POLICY.instance(db, record[slice(*bounds[3])])
        if policy.retired_at is not None:
            continue
        policy.product = PRODUCT.instance(db, record[slice(*bounds[4])])
        row = ROW.instance(db, record[slice(*bounds[2])])
        row.policy = policy
        row.insuree = insuree
        row.covered_members = record[at + 2]
        rows.append(row)
    return insuree, family_district, current_district, rows
