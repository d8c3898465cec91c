"""Reads of the control pages (claim search with bulk actions, selection, review, feedback, home
cards), on top of kinga.claims.queries.claims (`search`, `visible`, `work_of`): the user's reach
is always in the query, so a facility's claim administrator never reads another facility's
claims, even by naming them in a bulk POST.

The search pages through its result by keyset on (date of care, id), newest first, so that the
tenth page of a million claims costs what the first does; its count is capped (`COUNT_CAP`):
« more than 1 000 » is all a user needs to narrow his search.
"""

from __future__ import annotations

import uuid as uuid_module
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from kinga.core import access
from kinga.facilities.models import ClaimAdmin, HealthFacility
from kinga.insurees.models import Officer
from kinga.medical.models import Diagnosis

from ..codes import ClaimStatus, ReviewStatus
from ..models import Claim, ClaimReturn
from . import claims as claim_queries

COUNT_CAP = 1000
SELECTION_CAP = 5000


@dataclass(frozen=True)
class Cursor:
    """Where a page of the search starts: after the claim (date_from, id)."""

    date_from: date
    pk: int

    def __str__(self) -> str:
        return f"{self.date_from.isoformat()}_{self.pk}"

    @classmethod
    def parse(cls, text) -> Cursor | None:
        try:
            day, pk = str(text or "").split("_", 1)
            return cls(date.fromisoformat(day), int(pk))
        except (TypeError, ValueError):
            return None


@dataclass(frozen=True)
class Page:
    rows: list
    next_cursor: Cursor | None
    count: int
    capped: bool
    first: bool


def narrowed(qs: QuerySet[Claim], insuree_name: str = "") -> QuerySet[Claim]:
    """The search narrowed by the insuree's name (last or other names, by their start); the
    insurees whose names the user may not read (`insuree_masked`) are not found by a name."""
    words = str(insuree_name or "").split()[:3]
    if words and "insuree_masked" in qs.query.annotations:
        qs = qs.filter(insuree_masked=False)
    for word in words:
        qs = qs.filter(
            Q(insuree__last_name__istartswith=word) | Q(insuree__other_names__istartswith=word)
        )
    return qs


def found(user, filters: claim_queries.ClaimFilters, insuree_name: str = "") -> QuerySet[Claim]:
    return narrowed(claim_queries.search(user, filters), insuree_name)


LISTED = (
    "uuid",
    "code",
    "date_from",
    "date_to",
    "date_claimed",
    "claimed",
    "status",
    "review_status",
    "feedback_status",
    "timely",
    "timeliness_days",
    "complete",
    "health_facility__code",
    "insuree__insurance_number",
    "insuree__other_names",
    "insuree__last_name",
    "icd__code",
)


def listed(qs: QuerySet[Claim]) -> QuerySet[Claim]:
    """Only the columns a row of the search shows (a page reads 50 rows of four tables); for a
    user who may not see a confidential programme, the insurees' names only as he may read
    them (`masked_insuree`: blank in the SQL for a confidential insuree)."""
    if "insuree_seen_other_names" in qs.query.annotations:
        return qs.only(*(f for f in LISTED if f not in NAMES))
    return qs.only(*LISTED)


NAMES = ("insuree__other_names", "insuree__last_name")


def page_of(qs: QuerySet[Claim], cursor: Cursor | None, size: int) -> Page:
    """One page of `qs` (ordered newest care first) after `cursor`, and its capped count: two
    queries whatever the size of the table."""
    paged = qs
    if cursor is not None:
        paged = qs.filter(date_from__lte=cursor.date_from).exclude(
            date_from=cursor.date_from, pk__gte=cursor.pk
        )
    rows = list(paged[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    claim_queries.withhold_annotated(rows)
    count = capped_count(qs)
    return Page(
        rows=rows,
        next_cursor=Cursor(rows[-1].date_from, rows[-1].pk) if more and rows else None,
        count=count.value,
        capped=count.capped,
        first=cursor is None,
    )


def in_reach_by_uuid(user, keys) -> list[Claim]:
    """The current claims named by `keys` (uuids), each within `user`'s reach: PermissionDenied
    as soon as one is unknown, retired or out of reach (nothing is done for any)."""
    uuids = []
    for key in keys:
        try:
            uuids.append(uuid_module.UUID(str(key)))
        except (TypeError, ValueError, AttributeError):
            raise PermissionDenied from None
    uuids = list(dict.fromkeys(uuids))
    claims = list(
        claim_queries.masked_insuree(
            claim_queries.visible(user)
            .filter(uuid__in=uuids)
            .select_related("health_facility", "insuree")
            .order_by("-date_from", "-id"),
            user,
        )
    )
    # (the names of a confidential insuree are read, then replaced: a confirmation of at most
    # the selection's claims)
    if len(claims) != len(uuids):
        raise PermissionDenied
    claim_queries.withhold_annotated(claims)
    return claims


def search_ids(qs: QuerySet[Claim], cap: int = SELECTION_CAP) -> list[int] | None:
    """The ids of a search for a selection run; None when there are more than `cap`."""
    ids = list(qs.order_by().values_list("pk", flat=True)[: cap + 1])
    return None if len(ids) > cap else ids


def facilities_in_reach(user) -> QuerySet[HealthFacility]:
    qs = HealthFacility.objects.current().order_by("code")
    own = claim_queries.facility_of_user(user)
    if own is not None and not access.is_imis_admin(user):
        return qs.filter(pk=own)
    return qs.filter(access.district_q(user, "district_id"))


def admins_in_reach(user) -> QuerySet[ClaimAdmin]:
    qs = ClaimAdmin.objects.filter(retired_at__isnull=True).order_by("code")
    own = claim_queries.facility_of_user(user)
    if own is not None and not access.is_imis_admin(user):
        return qs.filter(health_facility_id=own)
    return qs.filter(access.district_q(user, "health_facility__district_id"))


def diagnosis_by_code(code: str) -> Diagnosis | None:
    return (
        Diagnosis.objects.filter(code__iexact=str(code).strip(), retired_at__isnull=True)
        .order_by("id")
        .first()
    )


def returned_to_complete(user, limit: int = 5) -> list[ClaimReturn]:
    """The latest returns of claims still waiting for completion (Entered) that `user`
    reaches, one per claim, newest first: one bounded query."""
    rows = claim_queries.masked_insuree(
        ClaimReturn.objects.filter(
            claim__in=claim_queries.visible(user).filter(status=ClaimStatus.ENTERED)
        )
        .select_related("claim", "claim__insuree")
        .order_by("-returned_at", "-id"),
        user,
        "claim__insuree__",
    )[: limit * 3]
    seen, out = set(), []
    for row in rows:
        if row.claim_id not in seen:
            seen.add(row.claim_id)
            out.append(row)
    for row in out[:limit]:
        if getattr(row, "insuree_masked", False):
            claim_queries.withhold(row.claim.insuree)
    return out[:limit]


def officers_for(claim: Claim) -> QuerySet[Officer]:
    """The current enrolment officers of the insuree's village (his family's, else his own)."""
    insuree = claim.insuree
    village_id = None
    if insuree.family_id is not None:
        village_id = insuree.family.village_id
    village_id = village_id or getattr(insuree, "current_village_id", None)
    qs = Officer.objects.filter(retired_at__isnull=True).order_by("code")
    if village_id is None:
        return qs.none()
    return qs.filter(villages__id=village_id).distinct()


@dataclass(frozen=True)
class Count:
    """A count capped at COUNT_CAP: `capped` says there are more."""

    value: int
    capped: bool = False

    def __str__(self) -> str:
        return f"{self.value}+" if self.capped else str(self.value)


def capped_count(qs: QuerySet) -> Count:
    """How many rows `qs` has, counting at most COUNT_CAP + 1 (one query, bounded work)."""
    n = qs.order_by().select_related(None).values("pk")[: COUNT_CAP + 1].count()
    return Count(min(n, COUNT_CAP), n > COUNT_CAP)


WORK = {
    # name: (the loader's rights that make it the user's work, the claims it counts)
    "to_complete": (("add", "submit"), Q(status=ClaimStatus.ENTERED)),
    "returned": (
        ("add", "submit"),
        Q(status=ClaimStatus.ENTERED) & Q(pk__in=ClaimReturn.objects.values("claim_id")),
    ),
    "to_review": (
        ("review",),
        Q(status=ClaimStatus.CHECKED, review_status=ReviewStatus.SELECTED),
    ),
    "for_feedback": (
        ("feedback",),
        Q(status=ClaimStatus.CHECKED, feedback_status=ReviewStatus.SELECTED),
    ),
}


def work_counts(user) -> dict[str, Count]:
    """The home page's claim work of `user` (kinga.claims.queries.claims.work_of, but each count
    capped so that a district or national user's home page stays fast at a million claims):
    one bounded query per kind of work his rights give him."""
    may = claim_queries.CLAIM.may_right
    if not may(user, "view"):
        return {}
    reach = claim_queries.visible(user)
    return {
        name: capped_count(reach.filter(condition))
        for name, (actions, condition) in WORK.items()
        if any(may(user, action) for action in actions)
    }


def feedback_of(claim: Claim):
    """The patient's feedback of the claim, with its officer, or None."""
    from ..models import Feedback

    return Feedback.objects.filter(claim=claim).select_related("officer").first()
