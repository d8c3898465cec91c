"""Reads of claims, always within the reader's reach, and the claim loader.

Who reaches a claim (spec claims §1.4, §2.7; be-claim `Claim.get_queryset`):

- a user attached to a health facility (a claim administrator's login, `User.health_facility`)
  reaches only that facility's claims, whatever his districts;
- any other user with the claim rights reaches the claims of the facilities of his districts;
- the IMIS administrator reaches every claim.

Every page, htmx fragment and API route starts with `get_claim_for_user(user, key, action)`;
the services ask `CLAIM.require(user, claim, action)` before they write.  The actions and the
claim states they need:

| action      | rights                          | state                          |
|-------------|---------------------------------|--------------------------------|
| view        | search or load (111001, 111005) | any, retired too               |
| edit        | add or update (111002, 111010)  | Entered                        |
| delete      | delete (111004)                 | Entered                        |
| duplicate   | add (111002)                    | any current claim              |
| submit      | submit (111007)                 | Entered                        |
| return      | review or update (111008/10)    | Checked or Rejected, submitted |
| review      | review (111008)                 | Checked                        |
| feedback    | feedback (111009)               | Checked                        |
| select      | update (111010)                 | Entered or Checked             |
| print       | print (111006)                  | any                            |

Confidential programmes (issue 15): a claim under a programme the user may not see
(`claim.programme_id in hidden_programme_ids(user)`, kinga.products.queries.confidential) is
outside his reach (`reach_q`, `in_reach`): absent from every list, count and bulk action, and
the loader answers 404 for it, whatever the action, as for a claim that does not exist.  A claim
he may see whose insuree is covered by such a programme shows the insuree's number, sex and
year of birth only: the names are withheld in the queries (`masked_insuree`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import TruncYear
from django.http import Http404
from django.utils.translation import gettext as _

from kinga.core import access
from kinga.core.loaders import Action, Loader, changing, viewing
from kinga.core.rights import Right
from kinga.facilities.models import HealthFacility
from kinga.insurees.hooks import confidential_insuree_q
from kinga.insurees.models import Insuree
from kinga.products.queries.confidential import hidden_programme_ids

from ..codes import ClaimStatus, ReviewStatus
from ..models import Claim, ClaimLine, ClaimReturn

FACILITY_DISTRICT = "health_facility__district_id"


def is_entered(claim: Claim) -> bool:
    """Editable, deletable and submittable only while Entered (Q16)."""
    return claim.status == ClaimStatus.ENTERED


def is_checked(claim: Claim) -> bool:
    """Review and feedback are entered only while the claim is Checked (§3.1)."""
    return claim.status == ClaimStatus.CHECKED


def is_returnable(claim: Claim) -> bool:
    """A submitted claim not yet processed may go back to its facility for completion."""
    return claim.status in (ClaimStatus.CHECKED, ClaimStatus.REJECTED)


def is_selectable(claim: Claim) -> bool:
    return claim.status in (ClaimStatus.ENTERED, ClaimStatus.CHECKED)


def facility_of_user(user) -> int | None:
    """The facility a user is attached to (a claim administrator's login), or None."""
    return getattr(user, "health_facility_id", None)


def reaches_facility(user, facility: HealthFacility) -> bool:
    """Whether `user` may see and enter claims of `facility` (rights apart)."""
    own = facility_of_user(user)
    if own is not None and not access.is_imis_admin(user):
        return facility.pk == own
    return access.scope_of(user).covers_district(facility.district_id)


def hidden_q(user, prefix: str = "") -> Q | None:
    """Q over Claim (through `prefix`) of the claims under a programme `user` may not see, or
    None when he may see every programme (no condition in the SQL then)."""
    hidden = hidden_programme_ids(user)
    if not hidden:
        return None
    return Q(**{f"{prefix}programme_id__in": sorted(hidden)})


def is_hidden(user, claim: Claim) -> bool:
    return claim.programme_id is not None and claim.programme_id in hidden_programme_ids(user)


def in_reach(user, claim: Claim) -> bool:
    return reaches_facility(user, claim.health_facility) and not is_hidden(user, claim)


class HidingLoader(Loader):
    """A loader whose records under a programme the user may not see are absent: 404 for every
    action, as for a key that does not exist, rather than 403.  `hidden(user)` is the Q of
    those records (None: none), and `in_scope` must refuse them; the check costs a query only
    on the way to a refusal."""

    def __init__(self, *, hidden, **kwargs):
        super().__init__(**kwargs)
        self.hidden = hidden

    def get(self, user, key, action: str = "view"):
        try:
            record = super().get(user, key, action)
        except PermissionDenied:
            hidden = self.hidden(user)
            value = self.parse_key(key)
            if (
                hidden is not None
                and value is not None
                and self.action(action).held_by(user)
                and self.queryset().filter(hidden, **{self.key: value}).exists()
            ):
                raise Http404 from None
            raise
        self.loaded(user, record)
        return record

    def loaded(self, user, record) -> None:
        """What a record read for `user` withholds (nothing here)."""


class ClaimLoader(HidingLoader):
    """The loader of claims (see the module's docstring): a claim under a programme the user
    may not see is absent; a claim he may see withholds the names of a confidential insuree
    and the products of the hidden programmes on its lines (`lines_of`)."""

    def __init__(self, **kwargs):
        super().__init__(hidden=hidden_q, **kwargs)

    def loaded(self, user, record) -> None:
        record.hidden_programmes = hidden_programme_ids(user)
        withhold_claims(user, [record])


CLAIM = ClaimLoader(
    # Only the facility (the reach needs it): a dozen joins cost PostgreSQL more to plan
    # (~15 ms) than the few pages that show the other relations spend loading them.
    queryset=lambda: Claim.objects.select_related("health_facility"),
    actions={
        "view": viewing(Right.CLAIM_SEARCH, Right.CLAIM_LOAD),
        "add": Action((Right.CLAIM_ADD,)),
        "edit": changing(Right.CLAIM_ADD, Right.CLAIM_UPDATE, when=is_entered),
        "delete": changing(Right.CLAIM_DELETE, when=is_entered),
        "duplicate": changing(Right.CLAIM_ADD),
        "submit": changing(Right.CLAIM_SUBMIT, when=is_entered),
        "return": changing(Right.CLAIM_REVIEW, Right.CLAIM_UPDATE, when=is_returnable),
        "review": changing(Right.CLAIM_REVIEW, when=is_checked),
        "feedback": changing(Right.CLAIM_FEEDBACK, when=is_checked),
        "select": changing(Right.CLAIM_UPDATE, when=is_selectable),
        "print": viewing(Right.CLAIM_PRINT),
    },
    in_scope=in_reach,
)


def get_claim_for_user(user, key, action: str = "view") -> Claim:
    """The claim, loaded and authorised for `action` (kinga.core.loaders): 403 without the
    right, 404 for an unknown key, 403 outside the user's facility or districts or in a state
    where the action does not apply."""
    return CLAIM.get(user, key, action)


def may_claim(user, claim: Claim, action: str) -> bool:
    return CLAIM.may(user, claim, action)


def reach_q(user) -> Q:
    """The Q filter on Claim of the claims `user` reaches."""
    own = facility_of_user(user)
    if own is not None and not access.is_imis_admin(user):
        q = Q(health_facility_id=own)
    else:
        q = access.district_q(user, FACILITY_DISTRICT)
    hidden = hidden_q(user)
    return q if hidden is None else q & ~hidden


def masked_insuree(qs: QuerySet, user, prefix: str = "insuree__") -> QuerySet:
    """`qs` (of claims, or of rows naming a claim's insuree through `prefix`) with
    `insuree_masked`, computed in SQL: true for the insurees whose cover by a confidential
    programme `user` may not see (`withhold` then drops their names from the rows).  Without a
    hidden programme: no condition at all."""
    if not hidden_programme_ids(user):
        return qs
    masked = confidential_insuree_q(user, prefix)
    return qs.annotate(
        insuree_masked=Case(When(masked, then=Value(True)), default=Value(False)),
        # The names as the user may read them, for the lists that do not read the real ones
        # (`listed`, `in_reach_by_uuid`): blank, in the SQL, for a confidential insuree.
        insuree_seen_other_names=Case(
            When(masked, then=Value("")), default=F(f"{prefix}other_names")
        ),
        insuree_seen_last_name=Case(When(masked, then=Value("")), default=F(f"{prefix}last_name")),
    )


def withhold(insuree) -> None:
    """Replace, on the loaded insuree, what a user who may not see his programme must not read:
    the names become « Données confidentielles », the date of birth its year (1 January), and
    `withheld` says so.  Only the insurance number, sex and year of birth remain.  The object is
    for display: nothing saves an insuree read through the claims."""
    if getattr(insuree, "withheld", False):
        return
    insuree.other_names = str(_("Confidential data"))
    insuree.last_name = ""
    if "dob" not in insuree.get_deferred_fields() and insuree.dob is not None:
        insuree.dob = insuree.dob.replace(month=1, day=1)
    insuree.withheld = True
    insuree.save = _display_only  # never written back with the mask


def _display_only(*args, **kwargs):
    raise RuntimeError("An insuree whose names are withheld is for display only.")


def insurees_as_seen(user, ids) -> dict[int, Insuree]:
    """The insurees `ids` as `user` may read them, in one query: for those whose cover by a
    confidential programme he may not see, the names (and the day and month of birth) are
    replaced in the SQL itself, so that they never leave the database, and `withhold` marks
    them."""
    masked = confidential_insuree_q(user)
    rows = (
        Insuree.objects.filter(pk__in=sorted(ids))
        .annotate(
            seen_masked=Case(When(masked, then=Value(True)), default=Value(False)),
            seen_other_names=Case(When(masked, then=Value("")), default=F("other_names")),
            seen_last_name=Case(When(masked, then=Value("")), default=F("last_name")),
            seen_dob=Case(
                When(masked, then=TruncYear("dob")), default=F("dob"), output_field=DateField()
            ),
        )
        .defer("other_names", "last_name", "dob")
    )
    out = {}
    for insuree in rows:
        insuree.other_names = insuree.seen_other_names
        insuree.last_name = insuree.seen_last_name
        insuree.dob = insuree.seen_dob
        if insuree.seen_masked:
            withhold(insuree)
        out[insuree.pk] = insuree
    return out


def withhold_claims(user, claims) -> None:
    """Withhold the names of the confidential insurees of `claims` (loaded for `user`): from
    their `insuree_masked` annotation (`masked_insuree`) when they have it; an insuree not
    loaded yet is read by `insurees_as_seen` (the one query the page would make anyway); one
    loaded already is checked in one query.  No query for a user who may see every
    programme."""
    claims = [c for c in claims if c is not None and c.insuree_id is not None]
    if not claims or not hidden_programme_ids(user):
        return
    annotated = [c for c in claims if hasattr(c, "insuree_masked")]
    withhold_annotated(annotated)
    rest = [c for c in claims if not hasattr(c, "insuree_masked")]
    cold = [c for c in rest if not Claim.insuree.is_cached(c)]
    if cold:
        seen = insurees_as_seen(user, {c.insuree_id for c in cold})
        for claim in cold:
            if claim.insuree_id in seen:
                claim.insuree = seen[claim.insuree_id]
    warm = [c for c in rest if c not in cold]
    if warm:
        masked = set(
            Insuree.objects.filter(
                confidential_insuree_q(user), pk__in=sorted({c.insuree_id for c in warm})
            ).values_list("pk", flat=True)
        )
        for claim in warm:
            if claim.insuree_id in masked:
                withhold(claim.insuree)


def withhold_annotated(claims) -> None:
    """Withhold the names of the rows whose `insuree_masked` annotation (`masked_insuree`) is
    true: no query."""
    for claim in claims:
        if hasattr(claim, "insuree_seen_other_names"):
            claim.insuree.other_names = claim.insuree_seen_other_names
            claim.insuree.last_name = claim.insuree_seen_last_name
        if getattr(claim, "insuree_masked", False):
            withhold(claim.insuree)


def history_without_names(user, page):
    """The claim history `page` (kinga.core.history.entries) with the confidential insurees
    named by their number only (one query, only when an entry changed the insuree)."""
    if not hidden_programme_ids(user):
        return page
    label = str(Claim._meta.get_field("insuree").verbose_name)
    changes = [c for e in page for c in e.changes if c.field == label]
    numbers = {v.split(" ", 1)[0] for c in changes for v in (c.old, c.new) if v}
    if not numbers:
        return page
    masked = set(
        Insuree.objects.filter(
            confidential_insuree_q(user), insurance_number__in=sorted(numbers)
        ).values_list("insurance_number", flat=True)
    )
    for change in changes:
        for attr in ("old", "new"):
            value = getattr(change, attr) or ""
            number = value.split(" ", 1)[0]
            if number in masked:
                setattr(change, attr, f"{number} — {_('Confidential data')}")
    return page


def visible(user, *, include_retired: bool = False) -> QuerySet[Claim]:
    """The claims `user` reaches (for the lists and the bulk actions); needs the view right."""
    CLAIM.require_right(user, "view")
    qs = Claim.objects.filter(reach_q(user))
    if not include_retired:
        qs = qs.filter(retired_at__isnull=True)
    return qs


def facilities_for_entry(user) -> QuerySet[HealthFacility]:
    """The facilities whose claims `user` may enter: his own, or those of his districts."""
    CLAIM.require_right(user, "add")
    qs = HealthFacility.objects.current()
    own = facility_of_user(user)
    if own is not None and not access.is_imis_admin(user):
        return qs.filter(pk=own)
    return qs.filter(access.district_q(user, "district_id"))


def facilities_in_districts(user) -> QuerySet[HealthFacility]:
    """The current facilities of the user's districts, his own facility apart: those a claim
    form may name at all, to say why one of them is not offered (kinga.core.forms.choices)."""
    return HealthFacility.objects.current().filter(access.district_q(user, "district_id"))


def lines_of(claim: Claim) -> list[ClaimLine]:
    """The claim's current lines in entry order, with their service or item; a line paid by a
    product of a programme the claim's reader may not see (the claim loaded by `CLAIM`) names
    no product (`withhold_product`)."""
    lines = list(
        claim.lines.filter(retired_at__isnull=True)
        .select_related("service", "item", "policy", "product")
        .order_by("id")
    )
    hidden = getattr(claim, "hidden_programmes", None)
    if hidden:
        for line in lines:
            if line.product is not None and line.product.programme_id in hidden:
                withhold_product(line)
    return lines


def withhold_product(line) -> None:
    """For display only: the line's product and policy are not named."""
    line.product.code = "—"
    line.product.name = str(_("Confidential data"))
    line.product.withheld = True


def codes_with_prefix(facility_id: int, head: str) -> list[str]:
    """The current codes of a facility that start with `head` (kinga.claims.rules.numbers)."""
    return list(
        Claim.objects.filter(
            health_facility_id=facility_id, retired_at__isnull=True, code__startswith=head
        ).values_list("code", flat=True)
    )


def code_taken(facility_id: int, code: str, *, exclude_pk: int | None = None) -> bool:
    qs = Claim.objects.filter(health_facility_id=facility_id, code=code, retired_at__isnull=True)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.exists()


# --- the claim search (openIMIS's claim overview, spec §7) and the home page's work ------------


@dataclass(frozen=True)
class ClaimFilters:
    """The claim search's filters, all optional and AND-ed (spec §7.1): facility, statuses,
    review and feedback statuses, dates of care (from ≥, to ≤ on the care's end), dates
    claimed, insurance number and claim number (prefixes), main diagnosis, claimed amount
    range, visit type, claim administrator, and "returned for completion"."""

    health_facility: int | None = None
    statuses: tuple[int, ...] = ()
    review_statuses: tuple[int, ...] = ()
    feedback_statuses: tuple[int, ...] = ()
    care_from: date | None = None
    care_to: date | None = None
    claimed_from: date | None = None
    claimed_to: date | None = None
    insurance_number: str = ""
    code: str = ""
    icd: int | None = None
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    visit_type: str = ""
    admin: int | None = None
    returned: bool | None = None


def search(user, filters: ClaimFilters = ClaimFilters()) -> QuerySet[Claim]:
    """The current claims `user` reaches that match `filters`, newest care first, with what a
    list row shows (facility, insuree, main diagnosis): one query per page."""
    qs = visible(user)
    f = filters
    conditions = Q()
    if f.health_facility is not None:
        conditions &= Q(health_facility_id=f.health_facility)
    if f.statuses:
        conditions &= Q(status__in=f.statuses)
    if f.review_statuses:
        conditions &= Q(review_status__in=f.review_statuses)
    if f.feedback_statuses:
        conditions &= Q(feedback_status__in=f.feedback_statuses)
    if f.care_from is not None:
        conditions &= Q(date_from__gte=f.care_from)
    if f.care_to is not None:
        conditions &= Q(date_from__lte=f.care_to) & (
            Q(date_to__isnull=True) | Q(date_to__lte=f.care_to)
        )
    if f.claimed_from is not None:
        conditions &= Q(date_claimed__gte=f.claimed_from)
    if f.claimed_to is not None:
        conditions &= Q(date_claimed__lte=f.claimed_to)
    if f.insurance_number.strip():
        conditions &= Q(insuree__insurance_number__startswith=f.insurance_number.strip())
    if f.code.strip():
        conditions &= Q(code__startswith=f.code.strip())
    if f.icd is not None:
        conditions &= Q(icd_id=f.icd)
    if f.amount_min is not None:
        conditions &= Q(claimed__gte=f.amount_min)
    if f.amount_max is not None:
        conditions &= Q(claimed__lte=f.amount_max)
    if f.visit_type:
        conditions &= Q(visit_type=f.visit_type)
    if f.admin is not None:
        conditions &= Q(admin_id=f.admin)
    if f.returned is not None:
        has_return = Exists(ClaimReturn.objects.filter(claim=OuterRef("pk")))
        conditions &= has_return if f.returned else ~has_return
    return masked_insuree(
        qs.filter(conditions)
        .select_related("health_facility", "insuree", "icd")
        .order_by("-date_from", "-id"),
        user,
    )


@dataclass(frozen=True)
class Work:
    """What the home page shows a user of the claims: claims to complete (Entered), those
    among them returned for completion, claims selected for his review or feedback."""

    to_complete: int = 0
    returned: int = 0
    to_review: int = 0
    for_feedback: int = 0


def work_of(user) -> Work:
    """The user's claim work, counted in one query over the claims he reaches (zeros for a
    user without the claim rights)."""
    if not CLAIM.may_right(user, "view"):
        return Work()
    entered = Q(status=ClaimStatus.ENTERED)
    returned = Exists(ClaimReturn.objects.filter(claim=OuterRef("pk")))
    counts = (
        visible(user)
        .annotate(was_returned=returned)
        .aggregate(
            to_complete=Count("pk", filter=entered),
            returned=Count("pk", filter=entered & Q(was_returned=True)),
            to_review=Count(
                "pk", filter=Q(status=ClaimStatus.CHECKED, review_status=ReviewStatus.SELECTED)
            ),
            for_feedback=Count(
                "pk", filter=Q(status=ClaimStatus.CHECKED, feedback_status=ReviewStatus.SELECTED)
            ),
        )
    )
    may = {
        "to_complete": CLAIM.may_right(user, "add") or CLAIM.may_right(user, "submit"),
        "returned": CLAIM.may_right(user, "add") or CLAIM.may_right(user, "submit"),
        "to_review": CLAIM.may_right(user, "review"),
        "for_feedback": CLAIM.may_right(user, "feedback"),
    }
    return Work(**{name: counts[name] if may[name] else 0 for name in may})


def returns_of(claim: Claim) -> list[ClaimReturn]:
    """Every round of return for completion, the latest first (the claim page says why)."""
    return list(claim.returns.select_related("returned_by").order_by("-returned_at", "-id"))
