"""Reads of enrolment officers, always within the reader's districts (access.district_q)."""

from __future__ import annotations

from datetime import date

from django.db.models import Prefetch, Q, QuerySet

from kinga.core import access
from kinga.core.loaders import Loader, changing, in_districts, viewing
from kinga.core.rights import Right
from kinga.locations.models import Location

from ..models import Officer

MAX_SUBSTITUTION_HOPS = 20  # mssql uspPolicyRenewalInserts

OFFICER = Loader(
    queryset=lambda: Officer.objects.select_related(
        "district", "district__parent", "substitute", "user"
    ),
    actions={
        "view": viewing(Right.OFFICER_SEARCH),
        "add": changing(Right.OFFICER_ADD),
        "edit": changing(Right.OFFICER_EDIT),
        "retire": changing(Right.OFFICER_DELETE),
    },
    in_scope=in_districts(lambda officer: officer.district_id),
)


def visible(user, *, include_retired: bool = False) -> QuerySet[Officer]:
    qs = Officer.objects.filter(access.district_q(user, "district_id"))
    if not include_retired:
        qs = qs.filter(retired_at__isnull=True)
    return qs


def search(
    user,
    *,
    q: str = "",
    district: Location | None = None,
    login: str = "",
    include_retired: bool = False,
) -> QuerySet[Officer]:
    """The list page: every word of `q` in the code, names or phone; `login` is "with" or
    "without"."""
    qs = visible(user, include_retired=include_retired)
    for word in (q or "").split():
        qs = qs.filter(
            Q(code__icontains=word)
            | Q(last_name__icontains=word)
            | Q(other_names__icontains=word)
            | Q(phone__icontains=word)
        )
    if district is not None:
        qs = qs.filter(district=district)
    if login == "with":
        qs = qs.filter(user__isnull=False)
    elif login == "without":
        qs = qs.filter(user__isnull=True)
    return (
        qs.select_related("district", "substitute", "user")
        .prefetch_related(Prefetch("villages", queryset=Location.objects.order_by("name")))
        .order_by("code", "pk")
    )


def get_officer_for_user(user, key, action: str = "view") -> Officer:
    """The officer, loaded and authorised for `action` (kinga.core.loaders)."""
    return OFFICER.get(user, key, action)


def may_officer(user, officer: Officer, action: str) -> bool:
    return OFFICER.may(user, officer, action)


def district_choices(user) -> QuerySet[Location]:
    qs = Location.objects.filter(type="D", retired_at__isnull=True).select_related("parent")
    scope = access.scope_of(user)
    if not scope.everything:
        qs = qs.filter(pk__in=scope.district_ids)
    return qs.order_by("name")


def village_choices(user) -> QuerySet[Location]:
    """Villages of the user's districts, with their municipality and district (grouping)."""
    return (
        Location.objects.filter(type="V", retired_at__isnull=True)
        .filter(access.district_q(user, "parent__parent_id"))
        .select_related("parent", "parent__parent")
        .order_by("parent__parent__name", "parent__name", "name")
    )


def substitute_choices(user, officer: Officer | None = None) -> QuerySet[Officer]:
    qs = visible(user).select_related("district")
    if officer is not None and officer.pk:
        qs = qs.exclude(pk=officer.pk)
    return qs.order_by("district__name", "code")


def officers_for_enrolment(user, district: Location, on_date: date) -> QuerySet[Officer]:
    """The officers a policy of a family of `district` may name on `on_date`: current officers of
    that district still working then (works_to empty or on or after the date) — openIMIS
    OfficersDAL.GetOfficers; nothing when the district is outside the user's scope.  The same
    rule as `works_for_enrolment`, as a query."""
    if not access.scope_of(user).covers_district(district.pk):
        return Officer.objects.none()
    return (
        Officer.objects.current()
        .filter(district=district)
        .filter(Q(works_to__isnull=True) | Q(works_to__gte=on_date))
        .order_by("code")
    )


def works_for_enrolment(officer: Officer, district_id: int, on_date: date) -> bool:
    """`officers_for_enrolment`'s rule for one officer already loaded (scope apart): current, of
    the district, still working on the date."""
    return (
        officer.retired_at is None
        and officer.district_id == district_id
        and (officer.works_to is None or officer.works_to >= on_date)
    )


def renewal_officer(officer: Officer, on_date: date) -> Officer:
    """Who handles a renewal due on `on_date`: follow the substitutes while the officer's last
    working day is before that date (at most 20 hops, openIMIS uspPolicyRenewalInserts)."""
    current = officer
    for _hop in range(MAX_SUBSTITUTION_HOPS):
        if current.works_to is None or current.works_to >= on_date or not current.substitute_id:
            break
        current = Officer.objects.get(pk=current.substitute_id)
    return current
