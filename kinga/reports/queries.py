"""The data-entry audit (issue 15): what each user created, changed and retired, every change a
user made, and who read a person's record — scoped to what the reader may see.

- A district manager sees the users whose districts all lie within his own (never an IMIS
  Administrator: kinga.core.queries.users.visible_users); an IMIS Administrator sees everyone.
- The readers of a person: the person must be in the reader's scope; then every read of his
  record is listed, whoever made it (a denied read usually comes from outside the district:
  that is what the manager looks for).
- A person whose confidential programme the reader may not see is named by his insurance
  number only (« Données confidentielles »); his reads are listed all the same.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, Case, Exists, OuterRef, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from kinga.claims.models import Claim
from kinga.core import access, history
from kinga.core.loaders import Loader, viewing
from kinga.core.models import AuditEntry, User
from kinga.core.queries.users import user_visible_to, visible_users
from kinga.core.rights import Right
from kinga.insurees.hooks import confidential_insuree_q
from kinga.insurees.models import Family, Insuree
from kinga.insurees.queries.families import visible_insurees
from kinga.policies.models import Contribution, InsureePolicy, Policy
from kinga.policies.queries.confidential import hidden_policy_q
from kinga.products.models import Product
from kinga.products.queries.confidential import hidden_programme_ids

# openIMIS's « User activity » report right (131207): the IMIS Administrator's and the Manager's.
AUDIT_RIGHTS = (Right.REPORT_USER_ACTIVITY,)

AUDIT = Loader(
    queryset=lambda: User.objects.all(),
    actions={"view": viewing(*AUDIT_RIGHTS)},
    in_scope=user_visible_to,
)

# The longest period a page reads (a year, leap day included).
PERIOD_DAYS_MAX = 366
# The rows an export writes at most: per user and day, and reads; a user's changes (each read
# with the row before it, by id: SQLite takes at most 32,766 values in one query).
EXPORT_CAP = 50_000
ACTIVITY_EXPORT_CAP = 10_000

# The kinds of read entries that concern a person (kinga.core.models.AuditEntry), named.
READ_KINDS = {
    "insurees.insuree": _("Insuree page"),
    "insurees.family": _("Family page"),
    "policies.enquiry": _("Insuree enquiry"),
    "claims.claim": _("Claim"),
    "insurees.export": _("Export of insurees"),
    "claims.export": _("Export of claims"),
    "insurees.search": _("Search result of insurees"),
    "claims.search": _("Search result of claims"),
}


def bounds(since: datetime.date, until: datetime.date) -> tuple[datetime.datetime, ...]:
    """The period's first instant and the instant after its last day, in the site's zone."""
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(since, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(until + datetime.timedelta(days=1), datetime.time.min)
    return start, end.replace(tzinfo=zone)


def audited_users(actor) -> QuerySet[User]:
    """The users whose work `actor` may audit (the user filter's choices)."""
    return visible_users(actor).order_by("username")


def _scoped_ids(actor, user: User | None) -> list[int] | None:
    """The user ids a query reads: the one chosen, else every user `actor` may audit (None:
    everyone, for those who see every user)."""
    if user is not None:
        return [user.pk]
    if access.scope_of(actor).everything:
        return None
    return list(visible_users(actor).values_list("pk", flat=True))


def history_kinds() -> list[tuple[str, str]]:
    """(kind, its name) of every register with a history, by name."""
    kinds = [
        (history.kind_of(m), capfirst(str(m._meta.verbose_name_plural)))
        for m in history.tracked_models()
    ]
    return sorted(kinds, key=lambda k: k[1].lower())


# --- (a) per user and day ---------------------------------------------------------------------


def day_counts(actor, *, since, until, user=None, kind=""):
    start, end = bounds(since, until)
    return history.day_counts(
        start, end, user_ids=_scoped_ids(actor, user), kinds=[kind] if kind else None
    )


def name_day_rows(rows: list[dict]) -> list[dict]:
    """The rows of `day_counts` with their user and kind named (one query for the users)."""
    ids = {r["history_user_id"] for r in rows if r["history_user_id"] is not None}
    users = {u.pk: u for u in User.objects.filter(pk__in=ids)}
    names = dict(history_kinds())
    return [
        {
            **r,
            "user": users.get(r["history_user_id"]),
            "kind_name": names.get(r["kind"], r["kind"]),
        }
        for r in rows
    ]


# --- (b) a user's activity --------------------------------------------------------------------


def conceal_for(actor):
    """What `actor` may not see of the records a change names (history.activity's `conceal`):
    a confidential programme's beneficiaries (shown by number), its policies, their lines and
    contributions, its products, and the claims of its beneficiaries."""
    if not hidden_programme_ids(actor):
        return None

    def conceal(model, ids) -> dict:
        ids = [i for i in ids if i is not None]
        if not ids:
            return {}
        concealed = str(history.CONCEALED)
        if model is Insuree:
            rows = Insuree.objects.filter(pk__in=ids).filter(confidential_insuree_q(actor))
            return {
                pk: f"{number} — {concealed}"
                for pk, number in rows.values_list("pk", "insurance_number")
            }
        if model is Policy:
            found = Policy.objects.filter(pk__in=ids).filter(hidden_policy_q(actor))
        elif model in (InsureePolicy, Contribution):
            found = model.objects.filter(pk__in=ids).filter(hidden_policy_q(actor, "policy__"))
        elif model is Product:
            found = Product.objects.filter(pk__in=ids, programme_id__in=hidden_programme_ids(actor))
        elif model is Family:  # named after its head: « Famille de … »
            found = Family.objects.filter(pk__in=ids).filter(
                Exists(
                    Insuree.objects.filter(pk=OuterRef("head_id")).filter(
                        confidential_insuree_q(actor)
                    )
                )
            )
        elif model is Claim:
            found = Claim.objects.filter(pk__in=ids).filter(
                confidential_insuree_q(actor, "insuree__")
            )
        else:
            return {}
        return dict.fromkeys(found.values_list("pk", flat=True), concealed)

    return conceal


def activity(actor, *, user: User, since, until, kind="", page=1, per_page=50):
    start, end = bounds(since, until)
    return history.activity(
        user.pk,
        start,
        end,
        kinds=[kind] if kind else None,
        page=page,
        per_page=per_page,
        conceal=conceal_for(actor),
    )


# --- (c) who read a person's record -----------------------------------------------------------


@dataclass
class Person:
    insuree: Insuree
    confidential: bool

    @property
    def number(self) -> str:
        return self.insuree.insurance_number


def find_person(actor, number: str) -> Person | None:
    """The insuree of that number in `actor`'s scope (retired ones too), or None."""
    insuree = (
        visible_insurees(actor, include_retired=True)
        .filter(insurance_number=number.strip())
        .annotate(concealed=_concealed(actor))
        .first()
    )
    if insuree is None:
        return None
    return Person(insuree, bool(insuree.concealed))


def _concealed(actor):
    q = confidential_insuree_q(actor)
    if q == Q(pk__in=[]):
        return Value(False, output_field=BooleanField())
    return Case(When(q, then=Value(True)), default=Value(False), output_field=BooleanField())


def _export_holding(kind: str, ids: list[int]) -> RawSQL | None:
    """The ids of the export entries of `kind` whose `rows` hold one of `ids`."""
    if not ids:
        return None
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    if connection.vendor == "postgresql":
        holds = " OR ".join(["rows @> %s::jsonb"] * len(ids))
        params = [f"[{int(i)}]" for i in ids]
    else:
        holds = " OR ".join(
            ["EXISTS (SELECT 1 FROM json_each(rows) WHERE json_each.value = %s)"] * len(ids)
        )
        params = [int(i) for i in ids]
    sql = f"SELECT id FROM {table} WHERE kind = %s AND rows IS NOT NULL AND ({holds})"
    return RawSQL(sql, [kind, *params])


def reads_of(person: Person, *, since, until, user=None, kind="") -> QuerySet[AuditEntry]:
    """Every read of the person's record in the period, newest first: his own page and
    enquiry, his family's page, his claims, and the exports that held him or his claims.

    The entries are found first by their kind and record (the `audit_kind_record` index), one
    SELECT per kind in one UNION query, then read by id: a million entries over a year are
    never scanned by date."""
    insuree = person.insuree
    claim_ids = list(Claim.objects.filter(insuree_id=insuree.pk).values_list("pk", flat=True))
    start, end = bounds(since, until)
    base = AuditEntry.objects.filter(at__gte=start, at__lt=end).order_by()
    if user is not None:
        base = base.filter(user_id=user.pk)
    wanted = [
        ("insurees.insuree", [str(insuree.pk)]),
        ("policies.enquiry", [str(insuree.pk)]),
        ("insurees.family", [str(insuree.family_id)] if insuree.family_id else []),
        ("claims.claim", [str(c) for c in claim_ids]),
    ]
    parts = [
        base.filter(kind=k, record__in=records).values("id")
        for k, records in wanted
        if records and (not kind or kind == k)
    ]
    for k, holding in (
        ("insurees.export", _export_holding("insurees.export", [insuree.pk])),
        ("claims.export", _export_holding("claims.export", claim_ids)),
        ("insurees.search", _export_holding("insurees.search", [insuree.pk])),
        ("claims.search", _export_holding("claims.search", claim_ids)),
    ):
        if holding is not None and (not kind or kind == k):
            parts.append(base.filter(kind=k, pk__in=holding).values("id"))
    if not parts:
        return AuditEntry.objects.none()
    ids = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    found = [row["id"] for row in ids]
    return AuditEntry.objects.filter(pk__in=found).select_related("user").order_by("-at", "-id")


# Strings the pages of other apps show, translated in this app's catalogue (kept out of theirs).
_SHOWN_ELSEWHERE = (
    _("Who viewed this record?"),
    # kinga.core.models.AuditEntry's actions and outcomes.
    _("viewed"),
    _("exported"),
    _("printed"),
    _("allowed"),
    _("denied"),
)
