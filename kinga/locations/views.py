from __future__ import annotations

import re

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kinga.core import transfer
from kinga.core.errors import Refused
from kinga.core.history import entries
from kinga.core.lists import paginate
from kinga.core.pages import confirm_page, form_page, import_report

from . import queries, rules, services
from .forms import (
    SEARCH_LIMIT,
    ImportForm,
    LocationEditForm,
    LocationForm,
    MoveForm,
    SearchForm,
    picker_label,
)
from .models import Location, level_name
from .transfer import LOCATIONS

EDITABLE_FIELDS = (
    "code",
    "name",
    "male_population",
    "female_population",
    "other_population",
    "families",
)


def _detail_url(location: Location) -> str:
    return reverse("locations:detail", args=[location.uuid])


# --- list and tree ------------------------------------------------------------------------


@login_required
@require_GET
def location_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    queries.LOCATION.require_right(user, "view")
    form = SearchForm(request.GET or None, parents=queries.filter_parents(user))
    data = form.cleaned_data if form.is_valid() else {}
    qs = queries.search(
        user,
        q=data.get("q") or "",
        level=data.get("level") or "",
        parent=data.get("parent"),
        include_retired=bool(data.get("retired")),
    )
    page = paginate(request, qs)
    return render(
        request,
        "locations/list.html",
        {
            "form": form,
            "page_obj": page,
            "may_add": queries.LOCATION.may_right(user, "add"),
            "may_import": queries.LOCATION.may_right(user, "transfer"),
        },
    )


def _tree_nodes(user, parent: Location | None, open_chain: list[Location]) -> list[dict]:
    """Nodes of one level; the one on the open chain carries its own children."""
    nodes = []
    for loc in queries.children_of(user, parent):
        node = {"loc": loc, "children": None}
        if open_chain and open_chain[0].pk == loc.pk and loc.type != rules.VILLAGE:
            node["children"] = _tree_nodes(user, loc, open_chain[1:])
        nodes.append(node)
    return nodes


@login_required
@require_GET
def location_tree(request: HttpRequest) -> HttpResponse:
    """Regions first; ?open=<uuid> opens the path down to that location (works without JS);
    with htmx each node loads its children from `location_children`."""
    user = request.user
    queries.LOCATION.require_right(user, "view")
    opened = queries.seen_location(user, request.GET.get("open"))
    chain = [*opened.ancestors(), opened] if opened else []
    return render(
        request,
        "locations/tree.html",
        {
            "nodes": _tree_nodes(user, None, chain),
            "may_add": queries.LOCATION.may_right(user, "add"),
        },
    )


@login_required
@require_GET
def location_children(request: HttpRequest, uuid) -> HttpResponse:
    """htmx fragment: the <ul> of a location's children."""
    parent = queries.get_location_for_user(request.user, uuid)
    nodes = [{"loc": loc, "children": None} for loc in queries.children_of(request.user, parent)]
    return render(request, "locations/_tree_children.html", {"nodes": nodes, "parent": parent})


@login_required
@require_GET
def location_search(request: HttpRequest) -> HttpResponse:
    """htmx fragment of the location pickers (kinga.locations.forms.PickerMixin): at most
    SEARCH_LIMIT current locations of the levels asked that the user sees (below `within`, or
    below the location named by the form field `within_field`) whose code starts with or whose
    name contains the text typed, as the <option>s of a select or, `multiple=1`, checkboxes.
    Any location the user sees may be offered: the form checks the choice against its own
    queryset."""
    get = request.GET
    name = get.get("name") or ""
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,60}", name):
        name = "location"
    within_field = get.get("within_field") or ""
    within = get.get("within") or (get.get(within_field) if within_field else "") or None
    found = queries.pick(
        request.user,
        (get.get(f"{name}_search") or get.get("q") or "")[:50],
        levels=get.getlist("level") or [rules.VILLAGE],
        under=within,
        limit=SEARCH_LIMIT,
    )
    key = "uuid" if get.get("key") == "uuid" else "pk"
    return render(
        request,
        "locations/_picked.html",
        {
            "name": name,
            "multiple": get.get("multiple") == "1",
            "found": [(getattr(loc, key), picker_label(loc)) for loc in found[:SEARCH_LIMIT]],
            "more": len(found) > SEARCH_LIMIT,
        },
    )


# --- detail -------------------------------------------------------------------------------


@login_required
@require_GET
def location_detail(request: HttpRequest, uuid) -> HttpResponse:
    user = request.user
    location = queries.get_location_for_user(user, uuid)
    children = list(
        queries.children_of(user, location, include_retired=bool(request.GET.get("retired")))
    )
    return render(
        request,
        "locations/detail.html",
        {
            "location": location,
            "ancestors": location.ancestors(),
            "children": children,
            "child_level": level_name(rules.child_type_of(location.type) or "V"),
            "is_village": location.type == rules.VILLAGE,
            "history": entries(location, page=request.GET.get("history")),
            "may": {
                action: queries.may_location(user, location, action)
                for action in ("edit", "move", "retire", "add_child")
            },
        },
    )


# --- create, edit -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def location_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    queries.LOCATION.require_right(user, "add")
    initial = {}
    parent = queries.seen_location(user, request.GET.get("parent"))
    if parent is not None:
        initial = {"parent": parent, "type": rules.child_type_of(parent.type)}
    return form_page(
        request,
        form=LocationForm(
            request.POST or None, initial=initial, parents=queries.parent_choices(user)
        ),
        save=lambda data: services.location_create(actor=user, **data),
        template="locations/form.html",
        context={"title": _("New location"), "cancel_url": reverse("locations:list")},
        done_message=lambda location: _("%(location)s created.") % {"location": location},
        done_url=_detail_url,
    )


@login_required
@require_http_methods(["GET", "POST"])
def location_edit(request: HttpRequest, uuid) -> HttpResponse:
    user = request.user
    location = queries.get_location_for_user(user, uuid, "edit")
    initial = {f: getattr(location, f) for f in EDITABLE_FIELDS}
    return form_page(
        request,
        form=LocationEditForm(request.POST or None, location=location, initial=initial),
        save=lambda data: services.location_update(actor=user, location=location, **data),
        template="locations/form.html",
        context={
            "location": location,
            "title": _("Edit %(location)s") % {"location": location},
            "cancel_url": _detail_url(location),
        },
        done_message=_("Changes saved."),
        done_url=_detail_url(location),
    )


# --- move, retire -------------------------------------------------------------------------


def _move_changes(plan) -> list[dict]:
    """The rows of the move's preview: each location whose level or parent changes."""
    return [
        {
            "loc": loc,
            "old": level_name(old),
            "new": level_name(new),
            "retyped": old != new,
            "parent": parent,
        }
        for loc, old, new, parent in (plan.changes if plan else [])
    ]


def _move_preview(request: HttpRequest, location: Location, form: MoveForm) -> HttpResponse:
    """The first step of a move: what it will change (or why it cannot be done), nothing
    written."""
    plan = None
    if form.is_valid():
        try:
            plan = services.plan_move(
                actor=request.user, location=location, new_parent=form.cleaned_data["parent"]
            )
        except Refused as refused:
            refused.add_to_form(form)
    return render(
        request,
        "locations/move.html",
        {"form": form, "location": location, "plan": plan, "changes": _move_changes(plan)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def location_move(request: HttpRequest, uuid) -> HttpResponse:
    """Two steps: choose the new parent and see what changes, then confirm."""
    user = request.user
    location = queries.get_location_for_user(user, uuid, "move")
    parents = queries.parent_choices(user).exclude(pk=location.pk)
    form = MoveForm(request.POST or None, parents=parents)
    if request.method == "POST" and not request.POST.get("confirm"):
        return _move_preview(request, location, form)
    return form_page(
        request,
        form=form,
        save=lambda data: services.location_move(
            actor=user, location=location, new_parent=data["parent"]
        ),
        template="locations/move.html",
        context={"location": location, "plan": None, "changes": []},
        done_message=_("%(location)s moved.") % {"location": location},
        done_url=_detail_url(location),
    )


@login_required
@require_http_methods(["GET", "POST"])
def location_retire(request: HttpRequest, uuid) -> HttpResponse:
    user = request.user
    location = queries.get_location_for_user(user, uuid, "retire")
    return confirm_page(
        request,
        action=lambda: services.location_retire(actor=user, location=location),
        refusal=services.retire_refusal(location),
        title=_("Retire %(location)s") % {"location": location},
        question=_(
            "Retire %(location)s (%(level)s)? It stays in the history but can no longer be chosen."
        )
        % {"level": level_name(location.type), "location": location},
        cancel_url=_detail_url(location),
        done_message=_("%(location)s retired.") % {"location": location},
        done_url=reverse("locations:list"),
    )


# --- import, export -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def location_import(request: HttpRequest) -> HttpResponse:
    """The locations' own page for the shared import and export of `LOCATIONS` (the same as
    Outils › Import and export registers, with the level of each row in its report)."""
    user = request.user
    kind = transfer.get_kind_for_user(
        user, LOCATIONS.key, "upload" if request.method == "POST" else "view"
    )
    may_upload, may_download = kind.may_upload(user), kind.may_download(user)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = import_report(request, actor=user, kind=kind, form=form)
    return render(
        request,
        "locations/import.html",
        {
            "form": form,
            "report": report,
            "may_upload": may_upload,
            "may_download": may_download,
            "formats": LOCATIONS.formats(),
            "columns": LOCATIONS.columns,
        },
    )


@login_required
@require_GET
def location_export(request: HttpRequest) -> HttpResponse:
    transfer.get_kind_for_user(request.user, LOCATIONS.key, "download")
    fmt = request.GET.get("format", "xml")
    if fmt not in LOCATIONS.formats():
        raise Http404
    content, content_type, filename = transfer.export(actor=request.user, kind=LOCATIONS, fmt=fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
