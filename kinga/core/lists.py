"""Server-side pagination shared by every list page."""

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.functional import cached_property

# A list counts at most this many rows; beyond, it reads « plus de 10 000 résultats ».
COUNT_CAP = 10_000
# What the first pages count (« plus de 1 000 »): a search finding half a village reads 1,001
# rows to draw its first page, not 10,001.
FIRST_COUNT = 1_000


def paginate(
    request: HttpRequest,
    queryset: QuerySet,
    per_page: int | None = None,
    *,
    cap: int | None = None,
) -> Page:
    """The requested page.  With `cap` (lists that may hold a million rows), the count stops
    at FIRST_COUNT rows, or ten pages past the one asked, and never passes `cap` (pages stop
    there too) and a page's rows are found by their keys first, in the
    list's order (an index-only scan), then read in full: no page counts or reads more than
    `cap` rows."""
    size = per_page or settings.KINGA_PAGE_SIZE
    number = request.GET.get("page")
    if cap is None:
        return Paginator(queryset, size).get_page(number)
    # Counted as far as the pager needs: ten pages past the one asked, at least FIRST_COUNT
    # rows, at most `cap` (the count grows as the clerk pages on).
    asked = int(number) if number and number.isdigit() else 1
    cap = min(cap, max(FIRST_COUNT, (min(asked, cap) + 10) * size))
    return CappedPaginator(queryset, size, cap).get_page(number)


class CappedPaginator(Paginator):
    def __init__(self, object_list: QuerySet, per_page: int, cap: int = COUNT_CAP) -> None:
        super().__init__(object_list, per_page)
        self.cap = cap

    @cached_property
    def found(self) -> int:
        """The rows there are, counted up to `cap` + 1 (one more tells the list is longer)."""
        return self.object_list.order_by().values("pk")[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self.found, self.cap)

    @property
    def capped(self) -> bool:
        """More rows than the count says (« plus de 10 000 »)."""
        return self.found > self.cap

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        qs = self.object_list
        keys = list(qs.values_list("pk", flat=True)[bottom:top])
        rows = qs.model._default_manager.filter(pk__in=keys).order_by()
        rows.query.select_related = qs.query.select_related
        if getattr(qs._iterable_class, "rereads_annotations", False):  # names masked (issue 15)
            rows = rows.annotate(**qs.query.annotations).defer(*qs.query.deferred_loading[0])
            rows._iterable_class = qs._iterable_class
        rows = {row.pk: row for row in rows}
        return self._get_page([rows[pk] for pk in keys if pk in rows], number, self)
