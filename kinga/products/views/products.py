"""Product pages: list, detail (summary, fields, coverage counts, history), page 1 "General"
(create / edit), page 2 "Coverage" (the grid), duplicate, retire, JSON export and import."""

from __future__ import annotations

import json
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kinga.core.errors import Refused
from kinga.core.history import Child, entries
from kinga.core.lists import paginate
from kinga.core.loaders import parse_ids
from kinga.core.pages import confirm_page, form_page
from kinga.locations.models import Location
from kinga.medical.models import Item, Service

from .. import rules
from ..forms.products import (
    AddCoverageForm,
    CoverageRowForm,
    CoverageSearchForm,
    DuplicateForm,
    ImportForm,
    ProductForm,
    SearchForm,
)
from ..models import COVERAGE_FIELDS, Product, ProductService, Programme
from ..queries import products as queries
from ..services import products as services

# --- list and detail ------------------------------------------------------------------------


# The product's page shows the history of its coverage lines and relative distribution too.
PRODUCT_LINES = (
    Child("services", gettext_lazy("Covered service %(service)s")),
    Child("items", gettext_lazy("Covered item %(item)s")),
    Child("distributions", gettext_lazy("Relative distribution %(care_type)s, period %(period)s")),
)


@login_required
@require_GET
def product_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    queries.PRODUCT.require_right(user, "view")
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
            "may_add": queries.PRODUCT.may_right(user, "add"),
        },
    )


def summary_of(product: Product, n_services: int, n_items: int) -> str:
    values = {name: getattr(product, name) for name in services.PRODUCT_FIELDS}
    return rules.summary(values, n_services, n_items, get_language())


def _may(user, product: Product) -> dict:
    return {
        action: queries.may_product(user, product, action)
        for action in ("edit", "retire", "duplicate")
    }


def _detail_url(product: Product) -> str:
    return reverse("products:detail", args=[product.uuid])


def _coverage_url(product: Product) -> str:
    return reverse("products:coverage", args=[product.uuid])


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
            "history": entries(product, children=PRODUCT_LINES, page=request.GET.get("history")),
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


def _save_product(request, form: ProductForm, product: Product | None = None) -> Product:
    values, distribution = form.values()
    if product is None:
        return services.product_create(actor=request.user, distribution=distribution, **values)
    return services.product_update(
        actor=request.user, product=product, distribution=distribution, **values
    )


@login_required
@require_http_methods(["GET", "POST"])
def product_create(request: HttpRequest) -> HttpResponse:
    queries.PRODUCT.require_right(request.user, "add")
    form = _product_form(
        request,
        None,
        request.POST or None,
        initial={"insurance_period": 12, "max_installments": 1, "ceiling_type": "I"},
    )
    return form_page(
        request,
        form=form,
        save=lambda _data: _save_product(request, form),
        template="products/form.html",
        context={"title": _("New product"), "cancel_url": reverse("products:list")},
        done_message=lambda product: (
            _("%(product)s created. Now choose what it covers.") % {"product": product}
        ),
        done_url=_coverage_url,
    )


@login_required
@require_http_methods(["GET", "POST"])
def product_edit(request: HttpRequest, uuid) -> HttpResponse:
    product = queries.get_product_for_user(request.user, uuid, "edit")
    form = _product_form(
        request,
        product,
        request.POST or None,
        initial=ProductForm.initial_for(product, queries.distribution_of(product)),
    )
    return form_page(
        request,
        form=form,
        save=lambda _data: _save_product(request, form, product),
        template="products/form.html",
        context={
            "product": product,
            "title": _("Edit %(product)s") % {"product": product},
            "cancel_url": _detail_url(product),
        },
        done_message=_("Changes saved."),
        done_url=_detail_url(product),
    )


# --- page 2: coverage -----------------------------------------------------------------------

TICK_LIMIT = 50
GRID_PAGE = 50  # rows of each kind (services, items) on one page of the grid
KINDS = {"services": ("s", "sp"), "items": ("i", "ip")}  # row prefix, page parameter


def _covered(product: Product, kind: str):
    return (
        queries.covered_services(product) if kind == "services" else queries.covered_items(product)
    )


def _formatters() -> list:
    """How each coverage field is shown as text, worked out once per request."""
    out = []
    for name in COVERAGE_FIELDS:
        field = ProductService._meta.get_field(name)
        choices = {k: str(v) for k, v in field.flatchoices} if field.choices else None
        out.append((name, choices))
    return out


def _cell(value, choices) -> str:
    if value is None or value == "":
        return "—"
    if choices is not None:
        return choices.get(value, value)
    if isinstance(value, Decimal):
        return rules.number(value)
    return str(value)


def _line(product: Product, kind: str, row, formatters=None, *, may_edit=False, said="") -> dict:
    """One row of the grid as the page shows it (text), with its own edit URL; `html` is the
    row drawn (the grid draws hundreds: built here, not by a template per row)."""
    prefix = KINDS[kind][0]
    line = {
        "id": f"row-{prefix}{row.pk}",
        "label": str(row),
        "cells": [_cell(getattr(row, n), c) for n, c in formatters or _formatters()],
        "url": reverse("products:coverage_row", args=[product.uuid, kind, row.pk]),
    }
    cells = "".join(f"<td>{escape(c)}</td>" for c in line["cells"])
    status = f' <span class="badge ok" role="status">{escape(said)}</span>' if said else ""
    edit = ""
    if may_edit:
        edit = (
            f'<td><a href="{line["url"]}" hx-get="{line["url"]}" hx-target="#{line["id"]}" '
            f'hx-swap="outerHTML">{escape(_("Edit"))}</a></td>'
        )
    line["html"] = mark_safe(  # noqa: S308 - every text above is escaped
        f'<tr id="{line["id"]}"><th scope="row">{escape(line["label"])}{status}</th>'
        f"{cells}{edit}</tr>"
    )
    return line


def _grid_section(request, product: Product, kind: str, search: str, may_edit: bool) -> dict:
    formatters = _formatters()
    qs = _covered(product, kind)
    if search:
        # The matching services (items) first, then their rows: one pass over each table.
        model, related = (Service, "service") if kind == "services" else (Item, "item")
        found = model.objects.filter(Q(code__icontains=search) | Q(name__icontains=search))
        qs = qs.filter(**{f"{related}_id__in": found.values("pk")})
    page_param = KINDS[kind][1]
    page = Paginator(qs, GRID_PAGE).get_page(request.GET.get(page_param))

    def url(number):
        params = request.GET.copy()
        params[page_param] = number
        return "?" + params.urlencode()

    return {
        "page": page,
        "lines": [_line(product, kind, row, formatters, may_edit=may_edit) for row in page],
        "prev_url": url(page.previous_page_number()) if page.has_previous() else "",
        "next_url": url(page.next_page_number()) if page.has_next() else "",
    }


def _headers() -> list[str]:
    return [str(ProductService._meta.get_field(name).verbose_name) for name in COVERAGE_FIELDS]


def _what_to_add(request, form: AddCoverageForm):
    """The services and items that the button pressed names (Refused: its choice is empty)."""
    data = form.cleaned_data
    action = request.POST.get("add")
    svc_qs, item_qs = Service.objects.none(), Item.objects.none()
    if action == AddCoverageForm.ADD_CATEGORY:
        if not data.get("category"):
            raise Refused(_("Choose a category."), "category")
        svc_qs = Service.objects.current().filter(category=data["category"])
    elif action == AddCoverageForm.ADD_SERVICE_LIST:
        if data.get("services_price_list") is None:
            raise Refused(_("Choose a price list."), "services_price_list")
        svc_qs = Service.objects.current().filter(
            pk__in=data["services_price_list"]
            .entries.filter(retired_at__isnull=True)
            .values("service_id")
        )
    elif action == AddCoverageForm.ADD_ITEM_LIST:
        if data.get("items_price_list") is None:
            raise Refused(_("Choose a price list."), "items_price_list")
        item_qs = Item.objects.current().filter(
            pk__in=data["items_price_list"]
            .entries.filter(retired_at__isnull=True)
            .values("item_id")
        )
    elif action == AddCoverageForm.ADD_TICKED:
        svc_qs = Service.objects.current().filter(pk__in=parse_ids(request.POST.getlist("service")))
        item_qs = Item.objects.current().filter(pk__in=parse_ids(request.POST.getlist("item")))
    return list(svc_qs), list(item_qs)


def _add_coverage(request, product: Product, form: AddCoverageForm) -> tuple[int, int]:
    found_services, found_items = _what_to_add(request, form)
    return services.coverage_add(
        actor=request.user,
        product=product,
        services=found_services,
        items=found_items,
        values=form.coverage(),
    )


def _coverage_context(request, product: Product, may_edit: bool, add_form) -> dict:
    q = (request.GET.get("q") or "").strip()
    found_services = found_items = []
    if q and may_edit:
        match = Q(code__icontains=q) | Q(name__icontains=q)
        found_services = list(Service.objects.current().filter(match)[:TICK_LIMIT])
        found_items = list(Item.objects.current().filter(match)[:TICK_LIMIT])
    search_form = CoverageSearchForm(request.GET)
    search = (search_form.data.get("search") or "").strip()
    return {
        "product": product,
        "may_edit": may_edit,
        "add_form": add_form,
        "search_form": search_form,
        "search": search,
        "headers": _headers(),
        "services_grid": _grid_section(request, product, "services", search, may_edit),
        "items_grid": _grid_section(request, product, "items", search, may_edit),
        "q": q,
        "found_services": found_services,
        "found_items": found_items,
    }


@login_required
@require_http_methods(["GET", "POST"])
def product_coverage(request: HttpRequest, uuid) -> HttpResponse:
    """The grid of what the product covers, a page of each kind at a time, searchable; POST
    (the edit right) adds services and items ("add": which button).  Each row is edited on its
    own (`product_coverage_row`)."""
    user = request.user
    posted = request.method == "POST"
    product = queries.get_product_for_user(user, uuid, "edit" if posted else "view")
    may_edit = queries.may_product(user, product, "edit")
    if posted and "add" not in request.POST:
        return HttpResponseBadRequest()
    add_form = AddCoverageForm(request.POST if posted else None)
    page = {
        "template": "products/coverage.html",
        "context": _coverage_context(request, product, may_edit, add_form),
        "done_url": _coverage_url(product),
    }
    if posted:
        return form_page(
            request,
            form=add_form,
            save=lambda _data: _add_coverage(request, product, add_form),
            done_message=lambda added: (
                _("%(services)d services and %(items)d items added.")
                % {"services": added[0], "items": added[1]}
            ),
            **page,
        )
    return render(request, page["template"], page["context"])


@login_required
@require_http_methods(["GET", "POST"])
def product_coverage_row(request: HttpRequest, uuid, kind: str, pk: int) -> HttpResponse:
    """One row of the grid: GET ?show=1 the row as text, GET its form, POST saves it (or
    removes it) and answers the row again: as text once saved, as its form with the errors
    under the values otherwise.  htmx swaps the row alone; without htmx the row's form is a
    page of its own and a save goes back to the grid."""
    if kind not in KINDS:
        raise Http404
    user = request.user
    showing = request.method == "GET" and request.GET.get("show")
    product = queries.get_product_for_user(user, uuid, "view" if showing else "edit")
    row = get_object_or_404(_covered(product, kind), pk=pk)
    prefix = KINDS[kind][0]
    line = _line(product, kind, row)
    context = {"product": product, "line": line, "headers": _headers()}
    if showing:
        may_edit = queries.may_product(user, product, "edit")
        return HttpResponse(_line(product, kind, row, may_edit=may_edit)["html"])
    form = CoverageRowForm(
        request.POST if request.method == "POST" else None,
        row=row,
        form_id=f"form-{line['id']}",
        prefix=f"{prefix}{row.pk}",
        initial={f: getattr(row, f) for f in COVERAGE_FIELDS},
    )
    if request.method == "POST" and form.is_valid():
        edits = form.edits()
        try:
            changed = services.coverage_update(
                actor=user,
                product=product,
                **{
                    ("remove_" + kind if "remove" in edits else kind): (
                        edits.get("remove") or edits["edits"]
                    )
                },
            )
        except Refused as refused:
            refused.add_to_form(form)
        else:
            if "remove" in edits:
                said = _("%(row)s removed from the coverage.") % {"row": line["label"]}
            elif changed:
                said = _("%(row)s saved.") % {"row": line["label"]}
            else:
                said = _("%(row)s: nothing changed.") % {"row": line["label"]}
            if not request.htmx:
                messages.success(request, said)
                return redirect(_coverage_url(product) + f"#{kind}")
            if "remove" in edits:
                return HttpResponse(
                    format_html(
                        '<tr id="{}" class="retired"><td colspan="{}" role="status">{}</td></tr>',
                        line["id"],
                        len(COVERAGE_FIELDS) + 2,
                        said,
                    )
                )
            row.refresh_from_db()
            return HttpResponse(_line(product, kind, row, may_edit=True, said=said)["html"])
    context["form"] = form
    template = "products/_coverage_row_form.html" if request.htmx else "products/coverage_row.html"
    return render(request, template, context)


# --- duplicate, retire ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def product_duplicate(request: HttpRequest, uuid) -> HttpResponse:
    product = queries.get_product_for_user(request.user, uuid, "duplicate")
    return form_page(
        request,
        form=DuplicateForm(request.POST or None, initial={"name": product.name}),
        save=lambda data: services.product_duplicate(
            actor=request.user, product=product, code=data["code"], name=data["name"]
        ),
        template="products/simple_form.html",
        context={
            "title": _("Duplicate %(product)s") % {"product": product},
            "intro": _(
                "The copy gets every field and the whole coverage of %(product)s, under a new code."
            )
            % {"product": product},
            "submit_label": _("Duplicate"),
            "cancel_url": _detail_url(product),
        },
        done_message=lambda copy: _("%(product)s created as a copy.") % {"product": copy},
        done_url=_detail_url,
    )


@login_required
@require_http_methods(["GET", "POST"])
def product_retire(request: HttpRequest, uuid) -> HttpResponse:
    product = queries.get_product_for_user(request.user, uuid, "retire")
    return confirm_page(
        request,
        action=lambda: services.product_retire(actor=request.user, product=product),
        title=_("Retire %(product)s") % {"product": product},
        question=_("Retire %(product)s? It stays in the history but can no longer be sold.")
        % {"product": product},
        cancel_url=_detail_url(product),
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


def _import_product(request, data: dict) -> Product:
    from kinga.core import transfer  # only the import needs the transfer framework

    upload = data["file"]
    transfer.Bounds.of().check_size(upload.size)
    content = transfer.load_json(upload.read(), unreadable=_("This file is not valid JSON."))
    return services.product_import(actor=request.user, data=content, code=data["code"])


def _import_refused(refused: Refused, form: ImportForm) -> None:
    """Every problem goes under the file, but those of the code under the code."""
    errors = getattr(refused, "errors", None)
    if errors:
        for field, message in errors:
            form.add_error("code" if field == "code" else "file", message)
    elif refused.field not in form.fields:
        form.add_error("file", refused.message)
    else:
        refused.add_to_form(form)


@login_required
@require_http_methods(["GET", "POST"])
def product_import(request: HttpRequest) -> HttpResponse:
    queries.PRODUCT.require_right(request.user, "add")
    return form_page(
        request,
        form=ImportForm(request.POST or None, request.FILES or None),
        save=lambda data: _import_product(request, data),
        on_refused=_import_refused,
        template="products/simple_form.html",
        context={
            "title": _("Import a product"),
            "intro": _(
                "A product file exported by Kinga (its coverage names services and items by "
                "code). Nothing is written if something is missing here."
            ),
            "submit_label": _("Import"),
            "multipart": True,
            "cancel_url": reverse("products:list"),
        },
        done_message=lambda product: _("%(product)s imported.") % {"product": product},
        done_url=_detail_url,
    )
