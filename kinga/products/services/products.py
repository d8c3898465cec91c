"""Every change to products and their coverage (spec registers §7.3), and their JSON export and
import.

Who may do what is decided in `queries.products` (the `PRODUCT` loader and its scope rules);
views ask it which buttons to show and the services refuse with PermissionDenied when it says
no.  Rules on values are in rules.py."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from kinga.core import bounds, history
from kinga.core.errors import Refused
from kinga.core.history import set_actor
from kinga.locations.models import Location
from kinga.medical.models import Item, Service

from .. import rules
from ..models import (
    COVERAGE_FIELDS,
    Product,
    ProductItem,
    ProductService,
    Programme,
    RelativeDistribution,
)
from ..queries.products import PRODUCT, may_change_location

# The product's own fields, as the forms, the import and the duplicate see them.
PRODUCT_FIELDS: tuple[str, ...] = tuple(
    f.name
    for f in Product._meta.concrete_fields
    if f.name not in ("id", "uuid", "retired_at", "created_at")
)
RELATION_FIELDS = ("location", "programme", "conversion_product")


class ProductRefused(Refused):
    """Several problems at once, each naming its field."""

    def __init__(self, errors: list[tuple[str, str]]):
        field, message = errors[0]
        super().__init__(message, field)
        self.errors = errors

    def add_to_form(self, form) -> None:
        for field, message in self.errors:
            form.add_error(field if field in getattr(form, "fields", {}) else None, message)


# --- product validation ---------------------------------------------------------------------


def _clean_values(values: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(PRODUCT_FIELDS)
    if unknown:
        raise TypeError(f"unknown product fields: {sorted(unknown)}")
    out = dict(values)
    for name in ("code", "name", "acc_code_premiums", "acc_code_remuneration", *rules.CYCLE_FIELDS):
        if name in out:
            out[name] = (out[name] or "").strip()
    return out


def _conversion_mapping(product: Product | None, new_code: str) -> dict[str, str]:
    """code -> conversion code of the other current products, seen with this product's new
    code (a rename must not hide a cycle)."""
    rows = Product.objects.current().values_list("pk", "code", "conversion_product_id")
    codes = {pk: code for pk, code, _ in rows}
    if product is not None and product.pk:
        codes[product.pk] = new_code
    mapping = {}
    for pk, code, conv in rows:
        if product is not None and pk == product.pk:
            continue
        if conv is not None and conv in codes:
            mapping[code] = codes[conv]
    return mapping


def _check(actor, values: dict, distribution: Mapping[str, list], product: Product | None):
    errors = bounds.errors(Product, values) or rules.product_errors(
        {**values, "distribution": distribution}
    )
    code = values.get("code") or ""
    if code and not any(f == "code" for f, _m in errors):
        clash = Product.objects.current().filter(code=code)
        if product is not None and product.pk:
            clash = clash.exclude(pk=product.pk)
        if clash.exists():
            errors.append(
                (
                    "code",
                    _("The code %(code)s is already used by another product.") % {"code": code},
                )
            )
    location = values.get("location")
    if location is not None:
        if location.type not in ("R", "D") or location.is_retired:
            errors.append(("location", _("Choose a current region or district.")))
        elif not may_change_location(actor, location):
            errors.append(
                (
                    "location",
                    _("You may not manage products of %(location)s.") % {"location": location.name},
                )
            )
    elif not may_change_location(actor, None):
        errors.append(
            ("location", _("Only a user who sees every location may manage national products."))
        )
    programme = values.get("programme")
    if programme is not None and programme.is_retired:
        errors.append(("programme", _("This health programme is retired.")))
    conversion = values.get("conversion_product")
    if conversion is not None:
        if conversion.is_retired:
            errors.append(("conversion_product", _("The conversion product is retired.")))
        elif product is not None and conversion.pk == product.pk:
            errors.append(
                ("conversion_product", _("A product cannot be its own conversion product."))
            )
        else:
            message = rules.conversion_chain_error(
                code, conversion.code, _conversion_mapping(product, code)
            )
            if message:
                errors.append(("conversion_product", message))
    if errors:
        raise ProductRefused(errors)


def _write_distribution(actor, product: Product, distribution: Mapping[str, list]) -> None:
    """Make the product's distribution rows those of `distribution` (care type -> shares);
    care types without a period are dropped."""
    wanted: dict[tuple[str, int], tuple[int, Decimal]] = {}
    for care, field in rules.REL_FIELDS.items():
        period = getattr(product, field)
        if not period:
            continue
        n = rules.PERIODS[period]
        for i, share in enumerate(distribution.get(care) or [], start=1):
            wanted[(care, i)] = (n, Decimal(str(share)))
    existing = {(r.care_type, r.period): r for r in product.distributions.all()}
    for key, row in existing.items():
        if key not in wanted:
            set_actor(row, actor)
            row.delete()
    for (care, period), (n, share) in wanted.items():
        row = existing.get((care, period)) or RelativeDistribution(
            product=product, care_type=care, period=period
        )
        if row.pk and row.periods == n and row.share == share:
            continue
        row.periods, row.share = n, share
        set_actor(row, actor)
        row.save()


def _normalised(values: dict) -> dict:
    weights = rules.normalise_weights(values)
    return {**values, **weights}


@transaction.atomic
def product_create(
    *, actor, distribution: Mapping[str, list] | None = None, **values: Any
) -> Product:
    PRODUCT.require_right(actor, "add")
    values = _clean_values(values)
    distribution = distribution or {}
    _check(actor, values, distribution, None)
    product = Product(**_normalised(values))
    set_actor(product, actor)
    product.save()
    _write_distribution(actor, product, distribution)
    return product


@transaction.atomic
def product_update(
    *, actor, product: Product, distribution: Mapping[str, list] | None = None, **values: Any
) -> Product:
    PRODUCT.require(actor, product, "edit")
    values = _clean_values(values)
    merged = {name: getattr(product, name) for name in PRODUCT_FIELDS}
    merged.update(values)
    if distribution is None:
        from ..queries.products import distribution_of

        distribution = distribution_of(product)
    _check(actor, merged, distribution, product)
    for name, value in _normalised(merged).items():
        setattr(product, name, value)
    set_actor(product, actor)
    product.save()
    _write_distribution(actor, product, distribution)
    return product


@transaction.atomic
def product_duplicate(*, actor, product: Product, code: str, name: str = "") -> Product:
    """A copy with a new code: every field, the relative distribution and the coverage."""
    PRODUCT.require(actor, product, "duplicate")
    from ..queries.products import distribution_of

    values = {f: getattr(product, f) for f in PRODUCT_FIELDS}
    values["code"] = (code or "").strip()
    values["name"] = (name or "").strip() or product.name
    if values["conversion_product"] is not None and values["conversion_product"].is_retired:
        values["conversion_product"] = None
    distribution = distribution_of(product)
    _check(actor, values, distribution, None)
    copy = Product(**values)
    set_actor(copy, actor, _("Duplicate of %(code)s") % {"code": product.code})
    copy.save()
    _write_distribution(actor, copy, distribution)
    for model, related in ((ProductService, "service"), (ProductItem, "item")):
        rows = [
            model(
                product=copy,
                **{related + "_id": getattr(r, related + "_id")},
                **{f: getattr(r, f) for f in COVERAGE_FIELDS},
            )
            for r in model.objects.current().filter(product=product)
        ]
        bulk_create_with_history(rows, model, default_user=actor)
    return copy


@transaction.atomic
def product_retire(*, actor, product: Product) -> Product:
    PRODUCT.require(actor, product, "retire")
    product = Product.objects.select_for_update().get(pk=product.pk)
    if product.is_retired:
        raise Refused(_("This product is already retired."))
    converting = list(
        Product.objects.current().filter(conversion_product=product).values_list("code", flat=True)
    )
    if converting:
        raise Refused(
            _("These products convert to %(code)s at renewal: %(codes)s. Change them first.")
            % {"code": product.code, "codes": ", ".join(converting)},
            "conversion_product",
        )
    product.retired_at = timezone.now()
    set_actor(product, actor, _("Retired"))
    product.save()
    return product


# --- coverage -------------------------------------------------------------------------------

COVERAGE_DEFAULTS: dict[str, Any] = {
    "price_origin": "P",
    "limitation_type": "C",
    "limit_adult": Decimal(100),
    "limit_child": Decimal(100),
    "limitation_type_r": "C",
    "limit_adult_r": Decimal(100),
    "limit_child_r": Decimal(100),
    "limitation_type_e": "C",
    "limit_adult_e": Decimal(100),
    "limit_child_e": Decimal(100),
    "limit_no_adult": None,
    "limit_no_child": None,
    "waiting_period_adult": None,
    "waiting_period_child": None,
    "ceiling_exclusion_adult": "",
    "ceiling_exclusion_child": "",
}


def coverage_values(
    *,
    price_origin: str = "P",
    limitation_type: str = "C",
    limit_adult: Decimal | int = 100,
    limit_child: Decimal | int = 100,
    **more: Any,
) -> dict[str, Any]:
    """Coverage values with the same limitation for ordinary, referral and emergency visits
    unless given separately."""
    values = dict(COVERAGE_DEFAULTS)
    values.update(price_origin=price_origin)
    for suffix in ("", "_r", "_e"):
        values[f"limitation_type{suffix}"] = limitation_type
        values[f"limit_adult{suffix}"] = Decimal(str(limit_adult))
        values[f"limit_child{suffix}"] = Decimal(str(limit_child))
    values.update(more)
    return values


def _check_coverage(values: Mapping[str, Any], where: str = "") -> dict[str, Any]:
    unknown = set(values) - set(COVERAGE_FIELDS)
    if unknown:
        raise TypeError(f"unknown coverage fields: {sorted(unknown)}")
    clean = {**COVERAGE_DEFAULTS, **values}
    errors = bounds.errors(ProductService, clean) or rules.coverage_errors(clean)
    if errors:
        if where:
            errors = [(f, f"{where}: {m}") for f, m in errors]
        raise ProductRefused(errors)
    return clean


def _touch(actor, product: Product, reason: str) -> None:
    """A history row on the product itself, so its page tells when its coverage changed."""
    history.note(product, actor, reason)


@transaction.atomic
def coverage_add(
    *,
    actor,
    product: Product,
    services: Iterable[Service] = (),
    items: Iterable[Item] = (),
    values: Mapping[str, Any] | None = None,
) -> tuple[int, int]:
    """Cover these services and items with `values` (see `coverage_values`); those already
    covered are left as they are.  Returns (services added, items added)."""
    PRODUCT.require(actor, product, "edit")
    clean = _check_coverage(values or coverage_values())
    added = []
    for model, related, objs in (
        (ProductService, "service", services),
        (ProductItem, "item", items),
    ):
        objs = [o for o in objs if o.retired_at is None]
        have = set(
            model.objects.current().filter(product=product).values_list(f"{related}_id", flat=True)
        )
        rows, seen = [], set()
        for o in objs:
            if o.pk in have or o.pk in seen:
                continue
            seen.add(o.pk)
            rows.append(model(product=product, **{related: o}, **clean))
        bulk_create_with_history(rows, model, default_user=actor)
        added.append(len(rows))
    if any(added):
        _touch(
            actor,
            product,
            _("Coverage: %(services)s and %(items)s added")
            % {
                "services": ngettext("%(n)d service", "%(n)d services", added[0]) % {"n": added[0]},
                "items": ngettext("%(n)d item", "%(n)d items", added[1]) % {"n": added[1]},
            },
        )
    return added[0], added[1]


@transaction.atomic
def coverage_update(
    *,
    actor,
    product: Product,
    services: Mapping[int, Mapping[str, Any]] | None = None,
    items: Mapping[int, Mapping[str, Any]] | None = None,
    remove_services: Iterable[int] = (),
    remove_items: Iterable[int] = (),
) -> int:
    """Edit the grid: `services` / `items` map a coverage row id to its new values; the
    `remove_*` row ids are retired.  All or nothing.  Returns the number of rows changed."""
    PRODUCT.require(actor, product, "edit")
    changed = 0
    now = timezone.now()
    for model, related, edits, removals in (
        (ProductService, "service", services or {}, set(remove_services)),
        (ProductItem, "item", items or {}, set(remove_items)),
    ):
        ids = set(edits) | removals
        rows = {
            r.pk: r
            for r in model.objects.current()
            .filter(product=product, pk__in=ids)
            .select_related(related)
        }
        if set(rows) != ids:
            raise Refused(_("Some rows of the grid no longer exist; reload the page."))
        to_update = []
        for pk, row in rows.items():
            if pk in removals:
                row.retired_at = now
                to_update.append(row)
                continue
            clean = _check_coverage(
                {f: edits[pk].get(f, getattr(row, f)) for f in COVERAGE_FIELDS},
                str(getattr(row, related)),
            )
            if any(getattr(row, f) != clean[f] for f in COVERAGE_FIELDS):
                for f in COVERAGE_FIELDS:
                    setattr(row, f, clean[f])
                to_update.append(row)
        if to_update:
            bulk_update_with_history(
                to_update, model, [*COVERAGE_FIELDS, "retired_at"], default_user=actor
            )
        changed += len(to_update)
    if changed:
        _touch(actor, product, _("Coverage changed"))
    return changed


# --- export and import ----------------------------------------------------------------------

FORMAT = "kinga.product"


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def product_export(product: Product) -> dict:
    """One product and its coverage as JSON-ready data; relations by code, so that another
    installation can read it (`product_import`)."""
    from ..queries.products import covered_items, covered_services, distribution_of

    fields = {}
    for name in PRODUCT_FIELDS:
        value = getattr(product, name)
        if name in RELATION_FIELDS:
            value = value.code if value is not None else None
        fields[name] = _plain(value)
    return {
        "format": FORMAT,
        "version": 1,
        "product": fields,
        "distribution": {k: [str(s) for s in v] for k, v in distribution_of(product).items()},
        "services": [
            {"code": r.service.code, **{f: _plain(getattr(r, f)) for f in COVERAGE_FIELDS}}
            for r in covered_services(product)
        ],
        "items": [
            {"code": r.item.code, **{f: _plain(getattr(r, f)) for f in COVERAGE_FIELDS}}
            for r in covered_items(product)
        ],
    }


_DATE_FIELDS = {"date_from", "date_to"}
_DECIMAL_TYPES = ("DecimalField",)


def _from_plain(model, name: str, value: Any) -> Any:
    field = model._meta.get_field(name)
    kind = field.get_internal_type()
    if value is None or value == "":
        if kind in ("CharField",):
            return ""
        return field.get_default() if not field.null else None
    try:
        if kind == "DecimalField":
            return Decimal(str(value))
        if kind == "DateField":
            return date.fromisoformat(str(value))
        if kind in ("PositiveSmallIntegerField", "PositiveIntegerField", "IntegerField"):
            return int(value)
    except (ValueError, InvalidOperation, TypeError, OverflowError):
        raise Refused(
            _("The value “%(value)s” of %(field)s is not valid.")
            % {"value": value, "field": field.verbose_name},
            name,
        ) from None
    return str(value)


@transaction.atomic
def product_import(*, actor, data: Mapping[str, Any], code: str = "") -> Product:
    """Create a product from `product_export` data (optionally under another code).  Services,
    items, location, programme and conversion product are found by code; if one is missing
    nothing is written and the refusal lists them."""
    PRODUCT.require_right(actor, "add")
    if not isinstance(data, Mapping) or data.get("format") != FORMAT:
        raise Refused(_("This file is not a Kinga product export."))
    raw = data.get("product") or {}
    values: dict[str, Any] = {}
    missing: list[str] = []
    for name in PRODUCT_FIELDS:
        if name not in raw:
            continue
        value = raw[name]
        if name in RELATION_FIELDS:
            if not value:
                values[name] = None
                continue
            if name == "location":
                found = Location.objects.current().filter(code=value, type__in=["R", "D"]).first()
            elif name == "programme":
                found = Programme.objects.current().filter(code=value).first()
            else:
                found = Product.objects.current().filter(code=value).first()
            if found is None:
                label = str(Product._meta.get_field(name).verbose_name)
                missing.append(f"{label} {value}")
            values[name] = found
        else:
            values[name] = _from_plain(Product, name, value)
    if code:
        values["code"] = code
    rows = {}
    for key, model in (("services", Service), ("items", Item)):
        entries = data.get(key) or []
        codes = [str(e.get("code", "")) for e in entries]
        found = {o.code: o for o in model.objects.current().filter(code__in=codes)}
        label = str(model._meta.verbose_name)
        missing += [f"{label} {c}" for c in codes if c not in found]
        rows[key] = [
            (
                found.get(str(e.get("code", ""))),
                {f: _from_plain(ProductService, f, e[f]) for f in COVERAGE_FIELDS if f in e},
            )
            for e in entries
        ]
    if missing:
        raise Refused(
            _("Not found in this installation: %(missing)s. Nothing was imported.")
            % {"missing": ", ".join(missing)}
        )
    distribution = {
        k: [Decimal(str(s)) for s in v] for k, v in (data.get("distribution") or {}).items()
    }
    product = product_create(actor=actor, distribution=distribution, **values)
    for key, model, related in (
        ("services", ProductService, "service"),
        ("items", ProductItem, "item"),
    ):
        objs = [
            model(product=product, **{related: obj}, **_check_coverage(vals, obj.code))
            for obj, vals in rows[key]
        ]
        bulk_create_with_history(objs, model, default_user=actor)
    return product
