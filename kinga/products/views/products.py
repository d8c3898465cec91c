"""Product pages: list, detail (summary, fields, coverage counts, history), page 1 "General"
(create / edit), page 2 "Coverage" (the grid), duplicate, retire, JSON export and import."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kinga.core import access
from kinga.core.errors import Refused
from kinga.core.history import entries
from kinga.core.lists import paginate
from kinga.core.pages import confirm_page
from kinga.core.rights import Right
from kinga.locations.models import Location
from kinga.medical.models import Item, Service

from .. import rules
from ..forms.products import (
    AddCoverageForm,
    CoverageRowForm,
    DuplicateForm,
    ImportForm,
    ProductForm,
    SearchForm,
)
from ..models import COVERAGE_FIELDS, Product, Programme
from ..queries import products as queries
from ..services import products as services

# --- list and detail ------------------------------------------------------------------------


@login_required
@require_GET
def product_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    access.require_right(user, Right.PRODUCT_SEARCH)
    form = SearchForm(request.GET or None, locations=queries.filter_locations(user))
    data = form.cleaned_data if form.is_valid() else {}
    qs = queries.search(
        user,
        q=data.get("q") or "",
        programme=data.get("programme"),
        location=data.get("location"),
        include_retired=bool(data.get("retired")),
    )
    return render(
        request,
        "products/list.html",
        {
            "form": form,
            "page_obj": paginate(request, qs),
            "may_add": access.has_right(user, Right.PRODUCT_ADD),
        },
    )


def summary_of(product: Product, n_services: int, n_items: int) -> str:
    values = {name: getattr(product, name) for name in services.PRODUCT_FIELDS}
    return rules.summary(values, n_services, n_items, get_language())


def _may(user, product: Product) -> dict:
    return {
        "edit": services.may(user, Right.PRODUCT_EDIT, product),
        "retire": services.may(user, Right.PRODUCT_DELETE, product),
        "duplicate": not product.is_retired
        and access.has_right(user, Right.PRODUCT_DUPLICATE)
        and services.may_change_location(user, product.location),
    }


@login_required
@require_GET
def product_detail(request: HttpRequest, uuid) -> HttpResponse:
    product = queries.get_product_for_user(request.user, uuid)
    n_services, n_items = queries.coverage_counts(product)
    form = ProductForm(
        initial=ProductForm.initial_for(product, queries.distribution_of(product)),
        locations=Location.objects.none(),
        programmes=Programme.objects.none(),
        conversions=Product.objects.none(),
    )
    groups = [
        (legend, [(bf.label, _display(product, bf.name, bf.value())) for bf in fields])
        for legend, fields in form.groups()
    ]
    return render(
        request,
        "products/detail.html",
        {
            "product": product,
            "summary": summary_of(product, n_services, n_items),
            "n_services": n_services,
            "n_items": n_items,
            "groups": groups,
            "history": entries(product),
            "may": _may(request.user, product),
        },
    )


def _display(product: Product, name: str, value) -> str:
    if name.startswith("shares_"):
        return value or "—"
    field = Product._meta.get_field(name)
    raw = getattr(product, name)
    if raw is None or raw == "":
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(raw, raw))
    if field.is_relation:
        return str(raw)
    if field.get_internal_type() == "DecimalField":
        return rules.number(raw)
    if field.get_internal_type() == "DateField":
        return formats.date_format(raw, "SHORT_DATE_FORMAT")
    return str(raw)


# --- page 1: general ------------------------------------------------------------------------


def _product_form(request, product: Product | None, data=None, initial=None) -> ProductForm:
    user = request.user
    return ProductForm(
        data,
        initial=initial,
        locations=queries.location_choices(user),
        programmes=Programme.objects.current(),
        conversions=queries.conversion_choices(user, product),
    )


@login_required
@require_http_methods(["GET", "POST"])
def product_create(request: HttpRequest) -> HttpResponse:
    access.require_right(request.user, Right.PRODUCT_SEARCH)
    access.require_right(request.user, Right.PRODUCT_ADD)
    if request.method == "POST":
        form = _product_form(request, None, request.POST)
        if form.is_valid():
            values, distribution = form.values()
            try:
                product = services.product_create(
                    actor=request.user, distribution=distribution, **values
                )
            except Refused as refused:
                refused.add_to_form(form)
            else:
                messages.success(
                    request,
                    _("%(product)s created. Now choose what it covers.") % {"product": product},
                )
                return redirect("products:coverage", uuid=product.uuid)
    else:
        form = _product_form(
            request,
            None,
            initial={"insurance_period": 12, "max_installments": 1, "ceiling_type": "I"},
        )
    return render(
        request,
        "products/form.html",
        {"form": form, "title": _("New product"), "cancel_url": reverse("products:list")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def product_edit(request: HttpRequest, uuid) -> HttpResponse:
    product = queries.get_product_for_user(request.user, uuid, Right.PRODUCT_EDIT)
    if product.is_retired:
        raise PermissionDenied
    if request.method == "POST":
        form = _product_form(request, product, request.POST)
        if form.is_valid():
            values, distribution = form.values()
            try:
                services.product_update(
                    actor=request.user, product=product, distribution=distribution, **values
                )
            except Refused as refused:
                refused.add_to_form(form)
            else:
                messages.success(request, _("Changes saved."))
                return redirect("products:detail", uuid=product.uuid)
    else:
        form = _product_form(
            request,
            product,
            initial=ProductForm.initial_for(product, queries.distribution_of(product)),
        )
    return render(
        request,
        "products/form.html",
        {
            "form": form,
            "product": product,
            "title": _("Edit %(product)s") % {"product": product},
            "cancel_url": reverse("products:detail", args=[product.uuid]),
        },
    )


# --- page 2: coverage -----------------------------------------------------------------------

TICK_LIMIT = 50


def _row_forms(product: Product, data=None, disabled: bool = False) -> tuple[list, list]:
    def build(rows, prefix):
        return [
            CoverageRowForm(
                data,
                row=row,
                disabled=disabled,
                prefix=f"{prefix}{row.pk}",
                initial={f: getattr(row, f) for f in COVERAGE_FIELDS},
            )
            for row in rows
        ]

    return (
        build(queries.covered_services(product), "s"),
        build(queries.covered_items(product), "i"),
    )


def _save_grid(request, product: Product) -> tuple[bool, list, list]:
    service_forms, item_forms = _row_forms(product, request.POST)
    if not all(f.is_valid() for f in [*service_forms, *item_forms]):
        messages.error(request, _("Some rows of the grid have errors; nothing was saved."))
        return False, service_forms, item_forms

    def split(forms_):
        edits, removals = {}, []
        for f in forms_:
            if f.cleaned_data.get("remove"):
                removals.append(f.row.pk)
            else:
                edits[f.row.pk] = {k: f.cleaned_data[k] for k in COVERAGE_FIELDS}
                for k in ("ceiling_exclusion_adult", "ceiling_exclusion_child"):
                    edits[f.row.pk][k] = edits[f.row.pk][k] or ""
        return edits, removals

    s_edits, s_remove = split(service_forms)
    i_edits, i_remove = split(item_forms)
    try:
        changed = services.coverage_update(
            actor=request.user,
            product=product,
            services=s_edits,
            items=i_edits,
            remove_services=s_remove,
            remove_items=i_remove,
        )
    except Refused as refused:
        messages.error(request, refused.message)
        for _field, m in getattr(refused, "errors", [])[1:]:
            messages.error(request, m)
        return False, service_forms, item_forms
    messages.success(request, _("Coverage saved (%(n)d rows changed).") % {"n": changed})
    return True, service_forms, item_forms


def _add(request, product: Product, form: AddCoverageForm) -> bool:
    data = form.cleaned_data
    action = request.POST.get("add")
    svc_qs, item_qs = Service.objects.none(), Item.objects.none()
    if action == AddCoverageForm.ADD_CATEGORY:
        if not data.get("category"):
            form.add_error("category", _("Choose a category."))
            return False
        svc_qs = Service.objects.current().filter(category=data["category"])
    elif action == AddCoverageForm.ADD_SERVICE_LIST:
        if data.get("services_price_list") is None:
            form.add_error("services_price_list", _("Choose a price list."))
            return False
        svc_qs = Service.objects.current().filter(
            pk__in=data["services_price_list"]
            .entries.filter(retired_at__isnull=True)
            .values("service_id")
        )
    elif action == AddCoverageForm.ADD_ITEM_LIST:
        if data.get("items_price_list") is None:
            form.add_error("items_price_list", _("Choose a price list."))
            return False
        item_qs = Item.objects.current().filter(
            pk__in=data["items_price_list"]
            .entries.filter(retired_at__isnull=True)
            .values("item_id")
        )
    elif action == AddCoverageForm.ADD_TICKED:
        svc_qs = Service.objects.current().filter(pk__in=request.POST.getlist("service"))
        item_qs = Item.objects.current().filter(pk__in=request.POST.getlist("item"))
    else:
        return False
    try:
        n_services, n_items = services.coverage_add(
            actor=request.user,
            product=product,
            services=list(svc_qs),
            items=list(item_qs),
            values=form.coverage(),
        )
    except Refused as refused:
        refused.add_to_form(form)
        return False
    messages.success(
        request,
        _("%(services)d services and %(items)d items added.")
        % {"services": n_services, "items": n_items},
    )
    return True


@login_required
@require_http_methods(["GET", "POST"])
def product_coverage(request: HttpRequest, uuid) -> HttpResponse:
    user = request.user
    product = queries.get_product_for_user(user, uuid)
    may_edit = services.may(user, Right.PRODUCT_EDIT, product)
    add_form = AddCoverageForm(request.POST if "add" in request.POST else None)
    service_forms = item_forms = None
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        if "add" in request.POST:
            if add_form.is_valid() and _add(request, product, add_form):
                return redirect("products:coverage", uuid=product.uuid)
        elif "save" in request.POST:
            ok, service_forms, item_forms = _save_grid(request, product)
            if ok:
                return redirect("products:coverage", uuid=product.uuid)
    if service_forms is None:
        service_forms, item_forms = _row_forms(product, disabled=not may_edit)
    q = (request.GET.get("q") or "").strip()
    found_services = found_items = []
    if q and may_edit:
        match = Q(code__icontains=q) | Q(name__icontains=q)
        found_services = list(Service.objects.current().filter(match)[:TICK_LIMIT])
        found_items = list(Item.objects.current().filter(match)[:TICK_LIMIT])
    return render(
        request,
        "products/coverage.html",
        {
            "product": product,
            "may_edit": may_edit,
            "add_form": add_form,
            "service_forms": service_forms,
            "item_forms": item_forms,
            "q": q,
            "found_services": found_services,
            "found_items": found_items,
            "fields": COVERAGE_FIELDS,
        },
    )


# --- duplicate, retire ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def product_duplicate(request: HttpRequest, uuid) -> HttpResponse:
    product = queries.get_product_for_user(request.user, uuid, Right.PRODUCT_DUPLICATE)
    if product.is_retired:
        raise PermissionDenied
    form = DuplicateForm(request.POST or None, initial={"name": product.name})
    if request.method == "POST" and form.is_valid():
        try:
            copy = services.product_duplicate(
                actor=request.user,
                product=product,
                code=form.cleaned_data["code"],
                name=form.cleaned_data["name"],
            )
        except Refused as refused:
            refused.add_to_form(form)
        else:
            messages.success(request, _("%(product)s created as a copy.") % {"product": copy})
            return redirect("products:detail", uuid=copy.uuid)
    return render(
        request,
        "products/simple_form.html",
        {
            "form": form,
            "title": _("Duplicate %(product)s") % {"product": product},
            "intro": _(
                "The copy gets every field and the whole coverage of %(product)s, under a new code."
            )
            % {"product": product},
            "submit_label": _("Duplicate"),
            "cancel_url": reverse("products:detail", args=[product.uuid]),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def product_retire(request: HttpRequest, uuid) -> HttpResponse:
    product = queries.get_product_for_user(request.user, uuid, Right.PRODUCT_DELETE)
    if product.is_retired:
        raise PermissionDenied
    return confirm_page(
        request,
        action=lambda: services.product_retire(actor=request.user, product=product),
        title=_("Retire %(product)s") % {"product": product},
        question=_("Retire %(product)s? It stays in the history but can no longer be sold.")
        % {"product": product},
        cancel_url=reverse("products:detail", args=[product.uuid]),
        done_message=_("%(product)s retired.") % {"product": product},
        done_url=reverse("products:list"),
    )


# --- export, import -------------------------------------------------------------------------


@login_required
@require_GET
def product_export(request: HttpRequest, uuid) -> HttpResponse:
    product = queries.get_product_for_user(request.user, uuid)
    body = json.dumps(services.product_export(product), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="product-{product.code}.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def product_import(request: HttpRequest) -> HttpResponse:
    access.require_right(request.user, Right.PRODUCT_SEARCH)
    access.require_right(request.user, Right.PRODUCT_ADD)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            try:
                data = json.loads(form.cleaned_data["file"].read().decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                raise Refused(_("This file is not valid JSON."), "file") from None
            product = services.product_import(
                actor=request.user, data=data, code=form.cleaned_data["code"]
            )
        except Refused as refused:
            if refused.field not in form.fields and not getattr(refused, "errors", None):
                form.add_error("file", refused.message)
            elif getattr(refused, "errors", None):
                for _f, message in refused.errors:
                    form.add_error("code" if _f == "code" else "file", message)
            else:
                refused.add_to_form(form)
        else:
            messages.success(request, _("%(product)s imported.") % {"product": product})
            return redirect("products:detail", uuid=product.uuid)
    return render(
        request,
        "products/simple_form.html",
        {
            "form": form,
            "title": _("Import a product"),
            "intro": _(
                "A product file exported by Kinga (its coverage names services and items by "
                "code). Nothing is written if something is missing here."
            ),
            "submit_label": _("Import"),
            "multipart": True,
            "cancel_url": reverse("products:list"),
        },
    )
