"""Reads of products, always within the user's scope, and who may do what: the `PRODUCT`
loader and the scope rules it is built on, which the services check too.

National products are visible to every holder of the search right; a region's products to users
with a district in that region; a district's products to the users of that district.  Changing
a product needs the write scope of its location (`may_change_location`)."""

from __future__ import annotations

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from kinga.core import access
from kinga.core.loaders import Loader, changing, viewing
from kinga.core.rights import Right
from kinga.locations.models import Location

from ..models import Product, ProductItem, ProductService, Programme

# --- who may do what ------------------------------------------------------------------------


def may_see(user, product: Product) -> bool:
    return product.location is None or access.can_see_location(user, product.location)


def may_change_location(user, location: Location | None) -> bool:
    """National products need a user whose scope is everything; a region's products a user who
    has every district of the region; a district's products a user of that district."""
    scope = access.scope_of(user)
    if scope.everything:
        return True
    if location is None:
        return False
    if location.type == "D":
        return scope.covers_district(location.pk)
    if location.type == "R":
        districts = set(
            Location.objects.current()
            .filter(parent=location, type="D")
            .values_list("pk", flat=True)
        )
        return bool(districts) and districts <= scope.district_ids
    return False


def _writes(user, product: Product) -> bool:
    return may_change_location(user, product.location)


def _changing(right: int):
    # Every page of the register needs its search right besides the action's own.
    return changing(right, all_of=(Right.PRODUCT_SEARCH,), scope=_writes)


PRODUCT = Loader(
    queryset=lambda: Product.objects.select_related(
        "location", "location__parent", "programme", "conversion_product"
    ),
    actions={
        "view": viewing(Right.PRODUCT_SEARCH),
        "add": changing(Right.PRODUCT_ADD, all_of=(Right.PRODUCT_SEARCH,)),
        "edit": _changing(Right.PRODUCT_EDIT),
        "duplicate": _changing(Right.PRODUCT_DUPLICATE),
        "retire": _changing(Right.PRODUCT_DELETE),
    },
    in_scope=may_see,
)


def get_product_for_user(user, key, action: str = "view") -> Product:
    """The product, loaded and authorised for `action` (kinga.core.loaders): reading needs the
    product in sight, changing it the write scope of its location."""
    return PRODUCT.get(user, key, action)


def may_product(user, product: Product, action: str) -> bool:
    return PRODUCT.may(user, product, action)


# --- reads ----------------------------------------------------------------------------------


def visible_q(user, prefix: str = "") -> Q:
    scope = access.scope_of(user)
    if scope.everything:
        return Q()
    p = prefix
    return (
        Q(**{f"{p}location__isnull": True})
        | Q(**{f"{p}location__type": "R", f"{p}location_id__in": scope.region_ids})
        | Q(**{f"{p}location__type": "D", f"{p}location_id__in": scope.district_ids})
    )


def visible(user, *, include_retired: bool = False) -> QuerySet[Product]:
    qs = Product.objects.filter(visible_q(user))
    if not include_retired:
        qs = qs.filter(retired_at__isnull=True)
    return qs


def search(
    user,
    *,
    q: str = "",
    programme: Programme | None = None,
    location: Location | None = None,
    include_retired: bool = False,
) -> QuerySet[Product]:
    qs = visible(user, include_retired=include_retired).select_related(
        "location", "programme", "location__parent"
    )
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q))
    if programme is not None:
        qs = qs.filter(programme=programme)
    if location is not None:
        qs = qs.filter(Q(location=location) | Q(location__parent=location))
    # One counting subquery per kind: two joins counted at once would multiply the rows
    # (services × items of each product) before DISTINCT could remove them.
    return qs.annotate(
        n_services=_count_of(ProductService), n_items=_count_of(ProductItem)
    ).order_by("code", "pk")


def _count_of(model) -> Subquery:
    rows = (
        model.objects.filter(product=OuterRef("pk"), retired_at__isnull=True)
        .order_by()
        .values("product")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def location_choices(user) -> QuerySet[Location]:
    """Regions and districts the user may create products for, in one query: every one for a
    user who sees everything; else his districts, and the regions all of whose current districts
    are his (the rule of `may_change_location`)."""
    qs = Location.objects.current().filter(type__in=["R", "D"])
    scope = access.scope_of(user)
    if not scope.everything:
        districts = Location.objects.current().filter(type="D", parent=OuterRef("pk"))
        qs = qs.filter(
            Q(type="D", pk__in=scope.district_ids)
            | Q(
                Exists(districts),
                ~Exists(districts.exclude(pk__in=scope.district_ids)),
                type="R",
                pk__in=scope.region_ids,
            )
        )
    return qs.select_related("parent").order_by("type", "code")


def filter_locations(user) -> QuerySet[Location]:
    return (
        Location.objects.current()
        .filter(type__in=["R", "D"])
        .filter(access.location_q(user))
        .order_by("type", "code")
    )


def conversion_choices(user, product: Product | None = None) -> QuerySet[Product]:
    qs = visible(user).order_by("code")
    if product is not None and product.pk:
        qs = qs.exclude(pk=product.pk)
    return qs


def covered_services(product: Product) -> QuerySet[ProductService]:
    return (
        ProductService.objects.current()
        .filter(product=product)
        .select_related("service")
        .order_by("service__code", "pk")
    )


def covered_items(product: Product) -> QuerySet[ProductItem]:
    return (
        ProductItem.objects.current()
        .filter(product=product)
        .select_related("item")
        .order_by("item__code", "pk")
    )


def coverage_counts(product: Product) -> tuple[int, int]:
    return covered_services(product).count(), covered_items(product).count()


def distribution_of(product: Product) -> dict[str, list]:
    out: dict[str, list] = {}
    for row in product.distributions.order_by("care_type", "period"):
        out.setdefault(row.care_type, []).append(row.share)
    return out
