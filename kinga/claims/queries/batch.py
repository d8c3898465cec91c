"""Reads of batch runs and the batch run loader (spec claims §5).

| action | rights                             | state                        |
|--------|------------------------------------|------------------------------|
| view   | process, filter or preview (1111xx)| any                          |
| run    | process (111101)                   | —                            |
| reopen | process (111101)                   | Done                         |

A run's scope is its location: a district run is reached by the users of that district, a
region run by the users of one of its districts, the national run by the IMIS administrator
(or when row security is off).
"""

from __future__ import annotations

from django.db.models import Count, QuerySet, Sum
from django.utils.translation import gettext as _

from kinga.core import access
from kinga.core.loaders import Loader, changing, viewing
from kinga.core.rights import Right
from kinga.locations.models import Location
from kinga.products.queries.confidential import hidden_programme_ids

from ..models import (
    BatchRun,
    BatchRunClaim,
    BatchRunStatus,
    CapitationPayment,
    ClaimLine,
    RelativeIndex,
)

SEE = (Right.BATCH_PROCESS, Right.BATCH_FILTER, Right.BATCH_PREVIEW)


def covers_location(user, location: Location | None) -> bool:
    scope = access.scope_of(user)
    if scope.everything:
        return True
    if location is None:
        return False
    if location.type == "D":
        return location.id in scope.district_ids
    # A region's run closes the products of all its districts: for users holding them all.
    if location.id not in scope.region_ids:
        return False
    districts = Location.objects.filter(parent_id=location.id, type="D", retired_at__isnull=True)
    return set(districts.values_list("id", flat=True)) <= scope.district_ids


def _in_scope(user, run: BatchRun) -> bool:
    return covers_location(user, run.location)


def is_done(run: BatchRun) -> bool:
    return run.status == BatchRunStatus.DONE


BATCH_RUN = Loader(
    queryset=lambda: BatchRun.objects.select_related("location", "created_by", "reopened_by"),
    actions={
        "view": viewing(*SEE),
        "run": changing(Right.BATCH_PROCESS),
        "reopen": changing(Right.BATCH_PROCESS, when=is_done),
    },
    in_scope=_in_scope,
)


def get_batch_run_for_user(user, key, action: str = "view") -> BatchRun:
    return BATCH_RUN.get(user, key, action)


def visible_runs(user) -> QuerySet[BatchRun]:
    """The runs of the locations the user reaches, newest period first."""
    qs = BatchRun.objects.select_related("location", "created_by")
    scope = access.scope_of(user)
    if scope.everything:
        return qs
    return qs.filter(location_id__in=[*scope.district_ids, *scope.region_ids])


def run_locations(user) -> QuerySet[Location]:
    """The regions and districts the user may run a batch for."""
    qs = Location.objects.filter(type__in=["R", "D"], retired_at__isnull=True).order_by(
        "type", "name"
    )
    scope = access.scope_of(user)
    if scope.everything:
        return qs
    regions = [
        r for r in Location.objects.filter(id__in=scope.region_ids) if covers_location(user, r)
    ]
    return qs.filter(id__in=[*scope.district_ids, *(r.id for r in regions)])


def current_run(location_id: int | None, year: int, month: int) -> BatchRun | None:
    return (
        BatchRun.objects.filter(
            location_id=location_id,
            year=year,
            month=month,
            status__in=[BatchRunStatus.QUEUED, BatchRunStatus.RUNNING, BatchRunStatus.DONE],
        )
        .order_by("-id")
        .first()
    )


def totals_per_product(run: BatchRun, user=None) -> list[dict]:
    """Per product: the lines the run paid and their remunerated total (what the run closed).
    The products of the confidential programmes `user` may not see are not named: their lines
    are summed in one row « Données confidentielles » (issue 15), so that the totals add up."""
    closed = BatchRunClaim.objects.filter(run=run).values("claim_id")
    rows = list(
        ClaimLine.objects.filter(claim_id__in=closed, status=1, retired_at__isnull=True)
        .values("product__code", "product__name", "product__programme_id")
        .annotate(claims=Count("claim_id", distinct=True), total=Sum("remunerated_amount"))
        .order_by("product__code")
    )
    hidden = hidden_programme_ids(user) if user is not None else frozenset()
    shown = [r for r in rows if r["product__programme_id"] not in hidden or not hidden]
    withheld = [r for r in rows if hidden and r["product__programme_id"] in hidden]
    if withheld:
        shown.append(
            {
                "product__code": "—",
                "product__name": str(_("Confidential data")),
                "product__programme_id": None,
                "claims": sum(r["claims"] for r in withheld),
                "total": sum((r["total"] or 0 for r in withheld), 0),
            }
        )
    return shown


def _without_hidden(qs: QuerySet, user) -> QuerySet:
    hidden = hidden_programme_ids(user) if user is not None else frozenset()
    return qs.exclude(product__programme_id__in=sorted(hidden)) if hidden else qs


def indexes(run: BatchRun, user=None) -> QuerySet[RelativeIndex]:
    """The run's relative indexes, but those of the products of programmes `user` may not see."""
    return _without_hidden(RelativeIndex.objects.filter(run=run), user).select_related("product")


def capitations(run: BatchRun, user=None) -> QuerySet[CapitationPayment]:
    """The run's capitation payments, but those of products of programmes `user` may not see."""
    return _without_hidden(CapitationPayment.objects.filter(run=run), user).select_related(
        "product", "health_facility"
    )
