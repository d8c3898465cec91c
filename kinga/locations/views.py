from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kinga.core import access, transfer
from kinga.core.errors import Refused
from kinga.core.history import entries
from kinga.core.lists import paginate
from kinga.core.pages import confirm_page
from kinga.core.rights import Right

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


def get_location_for_user(user, uuid, action: str = "view") -> Location:
    """Load a location and check the user may `action` it: 404 if unknown, 403 if not allowed
    (right or district scope)."""
    access.require_right(user, Right.LOCATION_SEARCH)
    location = queries.by_uuid(uuid)
    if location is None:
        raise Http404
    if not access.can_see_location(user, location):
        raise PermissionDenied
    if action != "view" and not services.may_change(user, action, location):
        raise PermissionDenied
    return location


def _parent_from_query(request: HttpRequest, key: str = "parent") -> Location | None:
    uuid = request.GET.get(key) or ""
    if not uuid:
        return None
    try:
        return get_location_for_user(request.user, uuid)
    except (Http404, PermissionDenied):
        return None


# --- list and tree ------------------------------------------------------------------------


@login_required
@require_GET
def location_list(request: HttpRequest) -> HttpResponse:
    access.require_right(request.user, Right.LOCATION_SEARCH)
    form = SearchForm(request.GET or None, parents=queries.filter_parents(request.user))
    data = form.cleaned_data if form.is_valid() else {}
    qs = queries.search(
        request.user,
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
            "may_add": services.may_add_any(request.user),
            "may_import": access.has_right(
                request.user, Right.LOCATIONS_UPLOAD, Right.LOCATIONS_DOWNLOAD
            ),
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
    access.require_right(request.user, Right.LOCATION_SEARCH)
    opened = _parent_from_query(request, "open")
    chain = [*opened.ancestors(), opened] if opened else []
    return render(
        request,
        "locations/tree.html",
        {
            "nodes": _tree_nodes(request.user, None, chain),
            "may_add": services.may_add_any(request.user),
        },
    )


@login_required
@require_GET
def location_children(request: HttpRequest, uuid) -> HttpResponse:
    """htmx fragment: the <ul> of a location's children."""
    parent = get_location_for_user(request.user, uuid)
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
    location = get_location_for_user(request.user, uuid)
    user = request.user
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
            "history": entries(location),
            "may": {
                "edit": services.may_change(user, "edit", location),
                "move": services.may_change(user, "move", location),
                "retire": services.may_change(user, "retire", location),
                "add_child": not location.is_retired and services.may_add_child(user, location),
            },
        },
    )


# --- create, edit -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def location_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not services.may_add_any(user):
        raise PermissionDenied
    access.require_right(user, Right.LOCATION_SEARCH)
    parents = queries.parent_choices(user)
    if request.method == "POST":
        form = LocationForm(request.POST, parents=parents)
        if form.is_valid():
            data = form.cleaned_data
            try:
                location = services.location_create(actor=user, **data)
            except Refused as refused:
                refused.add_to_form(form)
            else:
                messages.success(request, _("%(location)s created.") % {"location": location})
                return redirect("locations:detail", uuid=location.uuid)
    else:
        parent = _parent_from_query(request)
        initial = {}
        if parent is not None:
            initial = {"parent": parent, "type": rules.child_type_of(parent.type)}
        form = LocationForm(initial=initial, parents=parents)
    return render(
        request,
        "locations/form.html",
        {"form": form, "title": _("New location"), "cancel_url": reverse("locations:list")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def location_edit(request: HttpRequest, uuid) -> HttpResponse:
    location = get_location_for_user(request.user, uuid, "edit")
    if request.method == "POST":
        form = LocationEditForm(request.POST, location=location)
        if form.is_valid():
            try:
                services.location_update(actor=request.user, location=location, **form.cleaned_data)
            except Refused as refused:
                refused.add_to_form(form)
            else:
                messages.success(request, _("Changes saved."))
                return redirect("locations:detail", uuid=location.uuid)
    else:
        form = LocationEditForm(
            location=location,
            initial={
                f: getattr(location, f)
                for f in (
                    "code",
                    "name",
                    "male_population",
                    "female_population",
                    "other_population",
                    "families",
                )
            },
        )
    return render(
        request,
        "locations/form.html",
        {
            "form": form,
            "location": location,
            "title": _("Edit %(location)s") % {"location": location},
            "cancel_url": reverse("locations:detail", args=[location.uuid]),
        },
    )


# --- move, retire -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def location_move(request: HttpRequest, uuid) -> HttpResponse:
    """Two steps: choose the new parent and see what changes, then confirm."""
    location = get_location_for_user(request.user, uuid, "move")
    parents = queries.parent_choices(request.user).exclude(pk=location.pk)
    plan = None
    if request.method == "POST":
        form = MoveForm(request.POST, parents=parents)
        if form.is_valid():
            new_parent = form.cleaned_data["parent"]
            try:
                if request.POST.get("confirm"):
                    services.location_move(
                        actor=request.user, location=location, new_parent=new_parent
                    )
                    messages.success(request, _("%(location)s moved.") % {"location": location})
                    return redirect("locations:detail", uuid=location.uuid)
                plan = services.plan_move(
                    actor=request.user, location=location, new_parent=new_parent
                )
            except Refused as refused:
                refused.add_to_form(form)
    else:
        form = MoveForm(parents=parents)
    return render(
        request,
        "locations/move.html",
        {
            "form": form,
            "location": location,
            "plan": plan,
            "changes": [
                {
                    "loc": loc,
                    "old": level_name(old),
                    "new": level_name(new),
                    "retyped": old != new,
                    "parent": parent,
                }
                for loc, old, new, parent in (plan.changes if plan else [])
            ],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def location_retire(request: HttpRequest, uuid) -> HttpResponse:
    location = get_location_for_user(request.user, uuid, "retire")
    return confirm_page(
        request,
        action=lambda: services.location_retire(actor=request.user, location=location),
        refusal=services.retire_refusal(location),
        title=_("Retire %(location)s") % {"location": location},
        question=_(
            "Retire %(location)s (%(level)s)? It stays in the history but can no longer be chosen."
        )
        % {"level": level_name(location.type), "location": location},
        cancel_url=reverse("locations:detail", args=[location.uuid]),
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
    may_upload, may_download = LOCATIONS.may_upload(user), LOCATIONS.may_download(user)
    if not (may_upload or may_download):
        raise PermissionDenied
    report = None
    if request.method == "POST":
        if not may_upload:
            raise PermissionDenied
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                rows = transfer.read_file(LOCATIONS, upload.name, upload.read())
                report = transfer.run_import(
                    actor=user,
                    kind=LOCATIONS,
                    rows=rows,
                    strategy=form.cleaned_data["strategy"],
                    dry_run=form.cleaned_data["dry_run"],
                )
            except Refused as refused:
                refused.add_to_form(form)
    else:
        form = ImportForm()
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
    if not LOCATIONS.may_download(request.user):
        raise PermissionDenied
    fmt = request.GET.get("format", "xml")
    if fmt not in LOCATIONS.formats():
        raise Http404
    content, content_type, filename = transfer.export(actor=request.user, kind=LOCATIONS, fmt=fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
