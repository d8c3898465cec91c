"""The renewal-reminder list (spec registers §9.7, decision 7: legacy meaning of the warnings).

Current Active or Expired policies whose expiry date falls within the renewal interval (14 days
by default, openIMIS `PolicyRenewalInterval`) from `today`, within the user's districts, that
have not been renewed yet.  Each row names the officer who must act — the policy's officer,
followed through his substitutes while he no longer works at the renewal date
(`renewal_officer`, at most 20 hops) — and the product the renewal will take: the old one, or,
when the renewal date is past its sale window, its conversion product (the whole chain, at most
20 hops, as `uspPolicyRenewalInserts`).

Warning bits are openIMIS's (`RenewalWarnings`, legacy meaning): 1 the renewal date is outside the
(final) product's sale window, 2 no officer, 4 the officer (after substitution) no longer works
at the renewal date.  Kinga adds informational warnings: the officer was replaced by a
substitute, the product was converted, the head of family has no phone.

Bounded: whatever the number of rows, the list is a few queries.  The officer who must act and
the product of the renewal depend on the renewal date only through the substitutes' last working
days and the products' sale windows, so they are step functions of the expiry date: the officers
and products concerned (and their substitutes and conversion products, one query per hop, usually
one or two) are read first, and the steps become `CASE` annotations of one policy query, which the
database then filters ("already has a next policy" is one `EXISTS`), orders by the acting
officer and paginates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import (
    Case,
    CharField,
    Exists,
    F,
    IntegerField,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils.translation import gettext as _

from kinga.core import access
from kinga.insurees.models import Officer
from kinga.insurees.queries import confidential as masking
from kinga.products.models import Product

from ..models import Policy, PolicyStatus
from .confidential import hidden_policy_q

RENEWAL_INTERVAL = 14  # days (tblIMISDefaults.PolicyRenewalInterval)
# The longest look-ahead the page offers: a quarter.  Reminders are for the officers' coming
# rounds (openIMIS prompts 14 days ahead); three months cover a quarter's planning, and beyond it
# the officer and product shown would often change before the renewal date.
MAX_DAYS = 90
MAX_CONVERSION_HOPS = 20
MAX_SUBSTITUTION_HOPS = 20  # kinga.insurees.queries.officers.renewal_officer

OUTSIDE_SALE_WINDOW = 1
NO_OFFICER = 2
OFFICER_NOT_WORKING = 4


@dataclass(frozen=True)
class Warning:
    code: str
    message: str


@dataclass
class ReminderRow:
    policy: Policy
    head_name: str
    insurance_number: str
    phone: str
    village: object
    product: Product  # the policy's product
    new_product: Product  # what the renewal takes (after conversion)
    expiry_date: date
    renewal_date: date
    officer: Officer | None  # the policy's officer
    acting_officer: Officer | None  # who must act (after substitution)
    bits: int = 0
    warnings: list[Warning] = field(default_factory=list)

    @property
    def converted(self) -> bool:
        return self.new_product.pk != self.product.pk


# --- the chains, in memory ------------------------------------------------------------------


def _follow(start, on_date: date, known: dict, next_of, stays: Callable, hops: int):
    """Walk from `start` to the record pointed to by `next_of` while `stays(record, on_date)`
    is false, at most `hops` times, through records already read into `known`."""
    current = start
    for _hop in range(hops):
        following = next_of(current)
        if stays(current, on_date) or following is None or following not in known:
            break
        current = known[following]
    return current


def _product_stays(product: Product, renewal_date: date) -> bool:
    return renewal_date <= product.date_to


def _officer_stays(officer: Officer, renewal_date: date) -> bool:
    return officer.works_to is None or officer.works_to >= renewal_date


def _conversion(product: Product):
    return product.conversion_product_id


def _substitute(officer: Officer):
    return officer.substitute_id


def _read_chains(
    model: type[Model], first: QuerySet, next_field: str, leaves_by: str, last_day: date
) -> dict[int, Model]:
    """`first`, then the records they point to through `next_field` for those that may be left
    before `last_day` (`leaves_by` < it): one query per hop, at most 20, usually one or two."""
    known: dict[int, Model] = {}
    batch = list(first)
    for _hop in range(MAX_CONVERSION_HOPS + 1):
        known.update((obj.pk, obj) for obj in batch)
        wanted = {
            getattr(obj, next_field)
            for obj in batch
            if getattr(obj, next_field) and getattr(obj, leaves_by) < last_day
        } - known.keys()
        if not wanted:
            break
        batch = list(model.objects.filter(pk__in=wanted))
    return known


def _steps(
    known: dict[int, Model],
    first_day: date,
    last_day: date,
    next_of,
    stays: Callable,
    leaves_by: str,
    hops: int,
) -> list[tuple[int, date, date, Model]]:
    """For each record of `known` that may be left within the renewal dates
    [`first_day`, `last_day`], the intervals [from, to) of renewal dates where the walk ends
    elsewhere, with where it ends: (pk, from, to, end)."""
    out = []
    for start in known.values():
        if getattr(start, leaves_by) is None or getattr(start, leaves_by) >= last_day:
            continue
        # The walk changes only the day after a record of the chain is left.
        days, node = {first_day}, start
        for _hop in range(hops + 1):
            left = getattr(node, leaves_by)
            if left is not None and first_day < left + timedelta(days=1) <= last_day:
                days.add(left + timedelta(days=1))
            following = next_of(node)
            if following is None or following not in known:
                break
            node = known[following]
        bounds = sorted(days) + [last_day + timedelta(days=1)]
        for begin, end in zip(bounds, bounds[1:], strict=False):
            target = _follow(start, begin, known, next_of, stays, hops)
            if target.pk != start.pk:
                out.append((start.pk, begin, end, target))
    return out


def _case(key: str, steps, then: Callable, default, output_field):
    """CASE WHEN <key> = pk AND the renewal date (expiry + 1 day) in [from, to) THEN … ELSE
    default."""
    whens = [
        When(
            Q(**{key: pk})
            & Q(expiry_date__gte=begin - timedelta(days=1))
            & Q(expiry_date__lt=end - timedelta(days=1)),
            then=then(target),
        )
        for pk, begin, end, target in steps
    ]
    return Case(*whens, default=default, output_field=output_field)


# --- the list -------------------------------------------------------------------------------


@dataclass
class Reminders:
    """The reminders of a user, `today`: `policies` is one ordered, annotated query (paginate it,
    filter it); `rows` turns the policies read into rows, without further query."""

    policies: QuerySet[Policy]
    products: dict[int, Product]
    officers: dict[int, Officer]

    def for_officer(self, officer: Officer) -> Reminders:
        return Reminders(
            self.policies.filter(acting_officer_pk=officer.pk), self.products, self.officers
        )

    def acting_officers(self) -> list[Officer]:
        """Every officer who must act on one of the reminders (the page's officer select)."""
        acting = self.policies.order_by().values("acting_officer_pk")
        return list(Officer.objects.filter(pk__in=acting).order_by("code", "pk"))

    def rows(self, policies: Iterable[Policy]) -> list[ReminderRow]:
        rows = []
        for policy in policies:
            new_product = policy.product
            if policy.renewal_product_pk != policy.product_id:
                new_product = self.products[policy.renewal_product_pk]
            acting = policy.officer
            if policy.officer_id is not None and policy.acting_officer_pk != policy.officer_id:
                acting = self.officers[policy.acting_officer_pk]
            head = policy.family.head
            row = ReminderRow(
                policy=policy,
                head_name=head.full_name if head else "",
                insurance_number=head.insurance_number if head else "",
                phone=head.phone if head else "",
                village=policy.family.village,
                product=policy.product,
                new_product=new_product,
                expiry_date=policy.expiry_date,
                renewal_date=policy.expiry_date + timedelta(days=1),
                officer=policy.officer,
                acting_officer=acting,
            )
            _add_warnings(row)
            rows.append(row)
        return rows


def reminders(user, today: date, days: int = RENEWAL_INTERVAL) -> Reminders:
    """The policies to renew, ordered by the officer who must act, then expiry date."""
    first_day, last_day = today + timedelta(days=1), today + timedelta(days=days + 1)
    due = (
        Policy.objects.current()
        .filter(
            status__in=(PolicyStatus.ACTIVE, PolicyStatus.EXPIRED),
            expiry_date__gte=today,
            expiry_date__lte=today + timedelta(days=days),
        )
        .filter(access.district_q(user, "family__village__parent__parent_id"))
        .exclude(Exists(Policy.objects.current().filter(previous=OuterRef("pk"))))
        # Not the policies of the confidential programmes the user may not see (issue 15).
        .exclude(hidden_policy_q(user))
    )
    products = _read_chains(
        Product,
        Product.objects.filter(
            pk__in=due.values("product_id"),
            date_to__lt=last_day,
            conversion_product__isnull=False,
        ),
        "conversion_product_id",
        "date_to",
        last_day,
    )
    officers = _read_chains(
        Officer,
        Officer.objects.filter(
            pk__in=due.values("officer_id"), works_to__lt=last_day, substitute__isnull=False
        ),
        "substitute_id",
        "works_to",
        last_day,
    )
    product_steps = _steps(
        products,
        first_day,
        last_day,
        _conversion,
        _product_stays,
        "date_to",
        MAX_CONVERSION_HOPS,
    )
    officer_steps = _steps(
        officers,
        first_day,
        last_day,
        _substitute,
        _officer_stays,
        "works_to",
        MAX_SUBSTITUTION_HOPS,
    )
    # The family already holds a policy of the product (or its conversion) starting on or after
    # the renewal date (uspPolicyRenewalInserts).
    next_policy = (
        Policy.objects.current()
        .filter(family_id=OuterRef("family_id"), start_date__gt=OuterRef("expiry_date"))
        .filter(Q(product_id=OuterRef("product_id")) | Q(product_id=OuterRef("renewal_product_pk")))
        .exclude(pk=OuterRef("pk"))
    )
    policies = (
        due.annotate(
            renewal_product_pk=_case(
                "product_id", product_steps, lambda p: Value(p.pk), F("product_id"), IntegerField()
            ),
            acting_officer_pk=_case(
                "officer_id", officer_steps, lambda o: Value(o.pk), F("officer_id"), IntegerField()
            ),
            acting_officer_code=_case(
                "officer_id",
                officer_steps,
                lambda o: Value(o.code),
                F("officer__code"),
                CharField(),
            ),
        )
        .exclude(Exists(next_policy))
        .select_related("family__head", "family__village", "product", "officer")
        # Grouped by the officer who must act (those without one last), then by expiry date.
        .order_by(
            F("acting_officer_code").asc(nulls_last=True),
            F("acting_officer_pk").asc(nulls_last=True),
            "expiry_date",
            "pk",
        )
    )
    # The heads a confidential programme covers are masked (his other policies are listed).
    policies = masking.masked(policies, user, "family__head")
    return Reminders(policies, products, officers)


def renewal_reminders(
    user, today: date, days: int = RENEWAL_INTERVAL, officer: Officer | None = None
) -> list[ReminderRow]:
    """Every reminder of the user as rows (`officer` keeps only that acting officer's rows)."""
    found = reminders(user, today, days)
    if officer is not None:
        found = found.for_officer(officer)
    return found.rows(found.policies)


def _add_warnings(row: ReminderRow) -> None:
    product = row.new_product
    if row.converted:
        row.warnings.append(
            Warning(
                "converted",
                _("%(old)s is no longer on sale at the renewal date: renew with %(new)s.")
                % {"old": row.product.code, "new": product.code},
            )
        )
    if not (product.date_from <= row.renewal_date <= product.date_to):
        row.bits |= OUTSIDE_SALE_WINDOW
        if product.conversion_product_id is None and not row.converted:
            message = _(
                "%(code)s is not on sale at the renewal date and has no conversion product."
            )
        else:
            message = _("%(code)s is not on sale at the renewal date.")
        row.warnings.append(Warning("sale_window", message % {"code": product.code}))
    if row.acting_officer is None:
        row.bits |= NO_OFFICER
        row.warnings.append(Warning("no_officer", _("No officer.")))
    else:
        if row.officer is not None and row.acting_officer.pk != row.officer.pk:
            row.warnings.append(
                Warning(
                    "substituted",
                    _("%(old)s no longer works: replaced by %(new)s.")
                    % {"old": row.officer.code, "new": row.acting_officer.code},
                )
            )
        works_to = row.acting_officer.works_to
        if works_to is not None and works_to < row.renewal_date:
            row.bits |= OFFICER_NOT_WORKING
            row.warnings.append(
                Warning(
                    "officer_not_working",
                    _("%(code)s no longer works at the renewal date.")
                    % {"code": row.acting_officer.code},
                )
            )
    if not row.phone:
        row.warnings.append(Warning("no_phone", _("The head of family has no phone.")))
