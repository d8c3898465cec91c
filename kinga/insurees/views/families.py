"""Families and insurees: search and its export, family page, insuree page, create a family with its head,
add a member, edit, change head, move a member, change location, remove, retire (spec §8)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kinga.core import access
from kinga.core.errors import Refused
from kinga.core.history import entries
from kinga.core.lists import paginate
from kinga.core.pages import confirm_page
from kinga.core.rights import Right

from ..forms.families import (
    PLACE_CHAIN,
    ChangeHeadForm,
    FamilyCreateForm,
    FamilyEditForm,
    InsureeForm,
    LocationForm,
    MoveForm,
    SearchForm,
)
from ..models import Insuree
from ..queries import families as queries
from ..services import families as services
from ..transfer.families import export_search

T = "insurees/families/"


def family_url(family) -> str:
    return reverse("families:detail", kwargs={"uuid": family.uuid})


def insuree_url(insuree) -> str:
    return reverse("families:insuree", kwargs={"uuid": insuree.uuid})


@login_required
@require_GET
def family_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    access.require_right(actor, *queries.FAMILY_RIGHTS)
    filters, found = run_search(actor, request.GET)
    return render(
        request,
        T + "list.html",
        {
            "filters": filters,
            "page_obj": paginate(request, found),
            "can_add": access.has_right(actor, Right.FAMILY_ADD),
        },
    )


@login_required
@require_GET
def places(request: HttpRequest) -> HttpResponse:
    """htmx fragment: the <option>s of the next level under the region, district or
    municipality chosen (only what the user may choose); and, swapped out of band, the selects
    below that level emptied, since they listed places under the former choice."""
    actor = request.user
    access.require_right(actor, *queries.FAMILY_RIGHTS)
    names = [name for name, _level in PLACE_CHAIN]
    for i, param in enumerate(names[:-1]):
        if param in request.GET:
            value = request.GET[param]
            level = PLACE_CHAIN[i + 1][1]
            rows = queries.children_in_scope(actor, int(value), level) if value.isdigit() else []
            context = {"options": rows, "emptied": names[i + 2 :]}
            return render(request, T + "_options.html", context)
    raise Http404


@login_required
@require_GET
def family_detail(request: HttpRequest, uuid) -> HttpResponse:
    actor = request.user
    family = queries.get_family_for_user(actor, uuid)
    show_retired = request.GET.get("retired") == "1"
    return render(
        request,
        T + "family.html",
        {
            "family": family,
            "chain": [*family.village.ancestors(), family.village],
            "members": queries.members(family, include_retired=show_retired),
            "show_retired": show_retired,
            "history": entries(family),
            "can_edit": services.may_family(actor, family, Right.FAMILY_EDIT),
            "can_add_member": services.may_family(actor, family, Right.INSUREE_ADD),
            "can_retire": services.may_family(actor, family, Right.FAMILY_DELETE),
        },
    )


@login_required
@require_GET
def insuree_detail(request: HttpRequest, uuid) -> HttpResponse:
    actor = request.user
    insuree = queries.get_insuree_for_user(actor, uuid)
    edit = services.may_insuree(actor, insuree, Right.INSUREE_EDIT)
    return render(
        request,
        T + "insuree.html",
        {
            "insuree": insuree,
            "history": entries(insuree),
            "can_edit": edit,
            "can_move": edit and not insuree.is_head and access.has_right(actor, Right.FAMILY_EDIT),
            "can_detach": edit and not insuree.is_head and insuree.family_id is not None,
            "can_retire": services.may_insuree(actor, insuree, Right.INSUREE_DELETE),
        },
    )


@login_required
def insuree_photo(request: HttpRequest, uuid) -> HttpResponse:
    """The photo, served only to who may see the insuree (never from a public URL)."""
    insuree = queries.get_insuree_for_user(request.user, uuid)
    if not insuree.photo:
        raise Http404
    content_type = "image/png" if insuree.photo.name.endswith(".png") else "image/jpeg"
    try:
        handle = insuree.photo.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _form_page(request, form, title, cancel_url, **extra) -> HttpResponse:
    return render(
        request,
        T + "form.html",
        {"form": form, "title": title, "cancel_url": cancel_url, **extra},
    )


@login_required
@require_http_methods(["GET", "POST"])
def family_create(request: HttpRequest) -> HttpResponse:
    actor = request.user
    access.require_right(actor, Right.FAMILY_ADD)
    form = FamilyCreateForm(request.POST or None, request.FILES or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        try:
            family = services.family_create(
                actor=actor,
                village=form.cleaned_data["village"],
                head=form.insuree_values(),
                **form.family_values(),
            )
        except Refused as refusal:
            refusal.add_to_form(form)
        else:
            messages.success(
                request, _("The family of %(head)s was created.") % {"head": family.head.full_name}
            )
            return redirect(family_url(family))
    return render(
        request,
        T + "create.html",
        {"form": form, "title": _("New family"), "cancel_url": reverse("families:list")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def family_edit(request: HttpRequest, uuid) -> HttpResponse:
    actor = request.user
    family = queries.get_family_for_user(actor, uuid, Right.FAMILY_EDIT)
    if not services.may_family(actor, family, Right.FAMILY_EDIT):
        raise PermissionDenied
    initial = {n: getattr(family, n) for n in services.FAMILY_FIELDS}
    form = FamilyEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.family_update(actor=actor, family=family, **form.family_values())
        except Refused as refusal:
            refusal.add_to_form(form)
        else:
            messages.success(request, _("The family was saved."))
            return redirect(family_url(family))
    return _form_page(request, form, _("Edit %(family)s") % {"family": family}, family_url(family))


@login_required
@require_http_methods(["GET", "POST"])
def family_location(request: HttpRequest, uuid) -> HttpResponse:
    actor = request.user
    family = queries.get_family_for_user(actor, uuid, Right.FAMILY_EDIT)
    if not services.may_family(actor, family, Right.FAMILY_EDIT):
        raise PermissionDenied
    form = LocationForm(request.POST or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        try:
            services.family_change_location(
                actor=actor, family=family, village=form.cleaned_data["village"]
            )
        except Refused as refusal:
            refusal.add_to_form(form)
        else:
            messages.success(request, _("The family's location was changed."))
            return redirect(family_url(family))
    return _form_page(
        request,
        form,
        _("Change the location of %(family)s") % {"family": family},
        family_url(family),
        intro=_("The family lives in %(village)s.") % {"village": family.village.name},
    )


@login_required
@require_http_methods(["GET", "POST"])
def family_head(request: HttpRequest, uuid) -> HttpResponse:
    actor = request.user
    family = queries.get_family_for_user(actor, uuid, Right.FAMILY_EDIT)
    if not services.may_family(actor, family, Right.FAMILY_EDIT):
        raise PermissionDenied
    form = ChangeHeadForm(request.POST or None, family=family)
    if request.method == "POST" and form.is_valid():
        try:
            services.family_change_head(
                actor=actor,
                family=family,
                new_head=form.cleaned_data["new_head"],
                old_head_relationship=form.cleaned_data["old_head_relationship"],
            )
        except Refused as refusal:
            refusal.add_to_form(form)
        else:
            messages.success(request, _("The head of family was changed."))
            return redirect(family_url(family))
    return _form_page(
        request, form, _("Change the head of %(family)s") % {"family": family}, family_url(family)
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_add(request: HttpRequest, uuid) -> HttpResponse:
    actor = request.user
    family = queries.get_family_for_user(actor, uuid, Right.INSUREE_ADD)
    if not services.may_family(actor, family, Right.INSUREE_ADD):
        raise PermissionDenied
    form = InsureeForm(request.POST or None, request.FILES or None, actor=actor, is_head=False)
    if request.method == "POST" and form.is_valid():
        try:
            insuree = services.insuree_add(actor=actor, family=family, **form.insuree_values())
        except Refused as refusal:
            refusal.add_to_form(form)
        else:
            messages.success(
                request, _("%(insuree)s was added to the family.") % {"insuree": insuree.full_name}
            )
            return redirect(family_url(family))
    return _form_page(
        request,
        form,
        _("New member of %(family)s") % {"family": family},
        family_url(family),
        multipart=True,
    )


@login_required
@require_http_methods(["GET", "POST"])
def insuree_edit(request: HttpRequest, uuid) -> HttpResponse:
    actor = request.user
    insuree = queries.get_insuree_for_user(actor, uuid, Right.INSUREE_EDIT)
    if not services.may_insuree(actor, insuree, Right.INSUREE_EDIT):
        raise PermissionDenied
    form = InsureeForm(
        request.POST or None,
        request.FILES or None,
        actor=actor,
        is_head=insuree.is_head or insuree.family_id is None,
        initial=InsureeForm.initial_for(insuree),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.insuree_update(actor=actor, insuree=insuree, **form.insuree_values())
        except Refused as refusal:
            refusal.add_to_form(form)
        else:
            messages.success(request, _("%(insuree)s was saved.") % {"insuree": insuree.full_name})
            return redirect(insuree_url(insuree))
    return _form_page(
        request,
        form,
        _("Edit %(insuree)s") % {"insuree": insuree.full_name},
        insuree_url(insuree),
        multipart=True,
    )


@login_required
@require_http_methods(["GET", "POST"])
def insuree_move(request: HttpRequest, uuid) -> HttpResponse:
    actor = request.user
    insuree = queries.get_insuree_for_user(actor, uuid, Right.INSUREE_EDIT)
    if not (
        services.may_insuree(actor, insuree, Right.INSUREE_EDIT)
        and access.has_right(actor, Right.FAMILY_EDIT)
    ):
        raise PermissionDenied
    form = MoveForm(request.POST or None)
    refusal = None
    if insuree.is_head:
        refusal = _("The head of family cannot be moved: change the head of family first.")
    if request.method == "POST" and refusal is None and form.is_valid():
        target = queries.find_family_by_number(actor, form.cleaned_data["family_number"])
        if target is None:
            form.add_error(
                "family_number",
                _("No current family of your districts has a member with this number."),
            )
        else:
            try:
                services.insuree_move(
                    actor=actor,
                    insuree=insuree,
                    family=target,
                    relationship=form.cleaned_data["relationship"],
                )
            except Refused as e:
                if e.field == "family":
                    e.field = "family_number"
                e.add_to_form(form)
            else:
                messages.success(
                    request,
                    _("%(insuree)s was moved to %(family)s.")
                    % {"insuree": insuree.full_name, "family": target},
                )
                return redirect(family_url(target))
    return _form_page(
        request,
        form,
        _("Move %(insuree)s to another family") % {"insuree": insuree.full_name},
        insuree_url(insuree),
        refusal=refusal,
    )


@login_required
@require_http_methods(["GET", "POST"])
def insuree_detach(request: HttpRequest, uuid) -> HttpResponse:
    actor = request.user
    insuree = queries.get_insuree_for_user(actor, uuid, Right.INSUREE_EDIT)
    if not services.may_insuree(actor, insuree, Right.INSUREE_EDIT):
        raise PermissionDenied
    refusal = None
    if insuree.is_head:
        refusal = _("The head of family cannot be removed from his family.")
    elif insuree.family_id is None:
        refusal = _("%(insuree)s has no family.") % {"insuree": insuree.full_name}
    return confirm_page(
        request,
        action=lambda: services.insuree_detach(actor=actor, insuree=insuree),
        title=_("Remove %(insuree)s from the family") % {"insuree": insuree.full_name},
        question=_(
            "%(insuree)s stays an insuree, without family; his coverage by the family's "
            "policies ends."
        )
        % {"insuree": insuree.full_name},
        refusal=refusal,
        confirm_label=_("Remove from the family"),
        cancel_url=insuree_url(insuree),
        done_message=_("%(insuree)s was removed from the family.") % {"insuree": insuree.full_name},
        done_url=family_url(insuree.family) if insuree.family_id else insuree_url(insuree),
    )


@login_required
@require_http_methods(["GET", "POST"])
def insuree_retire(request: HttpRequest, uuid) -> HttpResponse:
    actor = request.user
    insuree = queries.get_insuree_for_user(actor, uuid, Right.INSUREE_DELETE)
    if not services.may_insuree(actor, insuree, Right.INSUREE_DELETE):
        raise PermissionDenied
    return confirm_page(
        request,
        action=lambda: services.insuree_retire(actor=actor, insuree=insuree),
        title=_("Retire %(insuree)s") % {"insuree": insuree.full_name},
        question=_("%(insuree)s will no longer be covered nor offered. His history is kept.")
        % {"insuree": insuree.full_name},
        refusal=services.insuree_retire_refusal(insuree),
        cancel_url=insuree_url(insuree),
        done_message=_("%(insuree)s was retired.") % {"insuree": insuree.full_name},
        done_url=family_url(insuree.family) if insuree.family_id else insuree_url(insuree),
    )


@login_required
@require_http_methods(["GET", "POST"])
def family_retire(request: HttpRequest, uuid) -> HttpResponse:
    actor = request.user
    family = queries.get_family_for_user(actor, uuid, Right.FAMILY_DELETE)
    if not services.may_family(actor, family, Right.FAMILY_DELETE):
        raise PermissionDenied
    return confirm_page(
        request,
        action=lambda: services.family_retire(actor=actor, family=family),
        title=_("Remove the family: %(family)s") % {"family": family},
        question=_("The family and its head will no longer be offered. Their history is kept."),
        refusal=services.family_retire_refusal(family),
        cancel_url=family_url(family),
        done_message=_("%(family)s was retired.") % {"family": family},
        done_url=family_url(family),
    )


def run_search(actor, data) -> tuple[SearchForm, QuerySet[Insuree]]:
    """(the filled search form, the insurees it finds in the actor's scope); invalid criteria
    are ignored (the form shows their errors)."""
    filters = SearchForm(data or None, actor=actor)
    values = filters.cleaned_data if filters.is_valid() else {}
    found = queries.search(
        actor,
        number=values.get("number") or "",
        name=values.get("name") or "",
        dob=values.get("dob"),
        phone=values.get("phone") or "",
        district=values.get("district"),
        village=values.get("village"),
        status=values.get("status") or "",
        include_retired=bool(values.get("retired")),
    )
    return filters, found


FORMATS = ("csv", "xlsx")


@login_required
@require_GET
def family_export(request: HttpRequest) -> HttpResponse:
    """The insurees the list page finds with the same criteria (every page of them), with
    their family's fields: a file the families import reads back."""
    actor = request.user
    access.require_right(actor, *queries.FAMILY_RIGHTS)
    fmt = request.GET.get("format", "csv")
    if fmt not in FORMATS:
        return HttpResponseBadRequest("format: csv or xlsx")
    _filters, found = run_search(actor, request.GET)
    content, content_type, filename = export_search(actor, found, fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
