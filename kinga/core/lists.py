"""Server-side pagination shared by every list page.

`paginate`: numbered pages (Django's Paginator), for lists of a few thousand rows.

`keyset_page`: the lists that may hold a million rows (families and insurees).  Nothing there
costs more on the last page than on the first:
- « Suivant » / « Précédent » carry the key of the page's last / first row (`after` / `before`,
  a primary key): the next page is read from that row on, in the list's index order;
- a page number typed in the address is still accepted, up to the pages the capped count holds
  (COUNT_CAP / page size: 40 pages of 25);
- the count stops at COUNT_CAP (« Plus de 1 000 résultats »);
- a page's keys are read first (an index-only scan), then its rows, by the ORIGINAL queryset
  filtered on those keys (its annotations and select_related kept)."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import F, QuerySet
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from django.http import HttpRequest

from .loaders import parse_id

# A keyset list counts at most this many rows; beyond, it reads « plus de 1 000 résultats ».
COUNT_CAP = 1_000
# A result of at most this many rows is read in one query, joins and all.
AT_ONCE = 100


def paginate(request: HttpRequest, queryset: QuerySet, per_page: int | None = None) -> Page:
    """The requested page of numbered pages."""
    size = per_page or settings.KINGA_PAGE_SIZE
    return Paginator(queryset, size).get_page(request.GET.get("page"))


@dataclass(frozen=True)
class Count:
    """Rows counted up to a cap: `n` (at most the cap), whether there are more, and the keys of
    the rows when there are not more (`keys`, None when capped)."""

    n: int
    capped: bool
    cap: int
    keys: tuple | None = None


def capped_count(queryset: QuerySet, cap: int | None = None) -> Count:
    """How many rows `queryset` has, reading the keys of at most cap + 1 of them (one query, in
    whatever order is cheapest: the trigram index for a rare name)."""
    cap = cap or COUNT_CAP
    keys = tuple(queryset.order_by().values_list("pk", flat=True)[: cap + 1])
    if len(keys) > cap:
        return Count(cap, True, cap)
    return Count(len(keys), False, cap, keys)


class KeysetPage(Sequence):
    """One page of a keyset list: its rows, the capped count, and the links' query strings
    (the request's own parameters with the page's position replaced)."""

    def __init__(
        self,
        rows: list,
        *,
        count: Count,
        number: int | None,
        has_previous: bool,
        has_next: bool,
        request: HttpRequest,
    ) -> None:
        self.object_list = rows
        self.count = count
        self.number = number  # None on a page reached by its key (« Suivant »)
        self._has_previous = has_previous
        self._has_next = has_next
        self._request = request

    def __len__(self) -> int:
        return len(self.object_list)

    def __getitem__(self, index):
        return self.object_list[index]

    def __iter__(self) -> Iterator[Any]:
        return iter(self.object_list)

    def has_previous(self) -> bool:
        return self._has_previous

    def has_next(self) -> bool:
        return self._has_next

    @property
    def is_first(self) -> bool:
        return not self._has_previous

    def _query(self, **position) -> str:
        query = self._request.GET.copy()
        for key in ("after", "before", "page"):
            query.pop(key, None)
        for key, value in position.items():
            query[key] = value
        return query.urlencode()

    @property
    def first_query(self) -> str:
        return self._query()

    @property
    def next_query(self) -> str:
        return self._query(after=self.object_list[-1].pk) if self.object_list else ""

    @property
    def previous_query(self) -> str:
        return self._query(before=self.object_list[0].pk) if self.object_list else ""


def order_of(queryset: QuerySet) -> tuple[list[str], bool]:
    """The fields of the queryset's order and whether it is descending: every field the same
    way, the last one the primary key (what makes a row's position unique)."""
    fields = list(queryset.query.order_by or queryset.model._meta.ordering)
    if not fields or not all(isinstance(f, str) for f in fields):
        raise ValueError("a keyset list needs an order of field names")
    descending = {f.startswith("-") for f in fields}
    if len(descending) != 1:
        raise ValueError("a keyset list orders every field the same way")
    names = [f.lstrip("-") for f in fields]
    if names[-1] not in ("pk", "id", queryset.model._meta.pk.name):
        raise ValueError("a keyset list ends its order with the primary key")
    return names, descending.pop()


def reread(queryset: QuerySet, keys: list) -> list:
    """The rows of `keys`, in that order, read through `queryset` itself (its annotations,
    select_related and filters kept)."""
    if not keys:
        return []
    rows = {row.pk: row for row in queryset.filter(pk__in=keys).order_by()}
    return [rows[pk] for pk in keys if pk in rows]


def keyset_page(
    request: HttpRequest,
    queryset: QuerySet,
    per_page: int | None = None,
    *,
    count: Count | None = None,
) -> KeysetPage:
    """The page the request asks for (`after` or `before` a row's key, or a page number) of
    the ordered `queryset`; `count`, if the caller has counted already (capped_count)."""
    size = per_page or settings.KINGA_PAGE_SIZE
    names, descending = order_of(queryset)
    count = count or capped_count(queryset)
    if count.keys is not None:
        # A result of at most COUNT_CAP rows, whose keys the count has read: the page is sorted
        # out of them, whatever the planner would have guessed of the filters (a name that
        # nobody has must not walk the whole list's index to find it has no row).
        if not count.keys:
            return KeysetPage(
                [], count=count, number=1, has_previous=False, has_next=False, request=request
            )
        queryset = queryset.filter(pk__in=count.keys)

    def read(qs: QuerySet, bottom: int, top: int) -> list:
        """The rows bottom..top of `qs`: among a few keys counted, read at once (the joins of
        a hundred rows cost less than a query); else their keys first, in index order, then
        the rows (the joins of one page only)."""
        if count.keys is not None and len(count.keys) <= AT_ONCE:
            return list(qs[bottom:top])
        return reread(queryset, list(qs.values_list("pk", flat=True)[bottom:top]))

    after, before = parse_id(request.GET.get("after")), parse_id(request.GET.get("before"))
    key = None
    if after or before:
        # The position of the row named, found in the list itself: a key of another list,
        # out of the user's scope or tampered with gives the first page.
        key = queryset.filter(pk=after or before).values_list(*names).first()
    if key is not None:
        forward = after is not None
        beyond = TupleGreaterThan if forward != descending else TupleLessThan
        qs = queryset.filter(beyond(Tuple(*[F(n) for n in names]), key))
        if not forward:
            qs = qs.reverse()
        rows = read(qs, 0, size + 1)
        more = len(rows) > size
        rows = rows[:size]
        if not forward:
            rows.reverse()
    if key is not None and rows:  # (nothing beyond a stale key: the first page)
        return KeysetPage(
            rows,
            count=count,
            number=None,
            has_previous=more if not forward else True,
            has_next=more if forward else True,
            request=request,
        )
    asked = request.GET.get("page", "")
    number = int(asked) if asked.isascii() and asked.isdigit() and len(asked) < 6 else 1
    last = max(1, math.ceil(count.n / size))  # the pages the (capped) count holds
    number = min(max(number, 1), last)
    bottom = (number - 1) * size
    rows = read(queryset, bottom, bottom + size + 1)
    return KeysetPage(
        rows[:size],
        count=count,
        number=number,
        has_previous=number > 1,
        has_next=len(rows) > size,
        request=request,
    )
