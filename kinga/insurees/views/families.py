"""Families and insurees: search and its export, family page, insuree page, create a family with its head,
add a member, edit, change head, move a member, change location, remove, retire (spec §8)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods

from kinga.core import audit
from kinga.core.errors import Refused
from kinga.core.history import entries
from kinga.core.lists import capped_count, keyset_page
from kinga.core.loaders import parse_id
from kinga.core.pages import confirm_page, form_page

from ..forms.families import (
    PLACE_CHAIN,
    BeneficiaryForm,
    ChangeHeadForm,
    FamilyCreateForm,
    FamilyEditForm,
    InsureeForm,
    LocationForm,
    MoveForm,
    SearchForm,
)
from ..models import Insuree
from ..queries import confidential
from ..queries import families as queries
from ..rules import name_words
from ..services import families as services
from ..transfer.families import export_search


def _said(insuree: Insuree, of_a_man: str, of_a_woman: str) -> str:
    """A message about an insuree, its participles agreeing with a woman (« ajoutée »)."""
    return of_a_woman if insuree.gender == "F" else of_a_man


T = "insurees/families/"


def family_url(family) -> str:
    return reverse("families:detail", kwargs={"uuid": family.uuid})


def insuree_url(insuree) -> str:
    return reverse("families:insuree", kwargs={"uuid": insuree.uuid})


def _after_leaving(insuree) -> str:
    """Where to go once `insuree` has left his family (or been retired): the family he was in,
    else his own page."""
    return family_url(insuree.family) if insuree.family_id else insuree_url(insuree)


@login_required
@require_GET
def family_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    queries.FAMILY.require_right(actor, "view")
    filters, found = run_search(actor, request.GET)
    count = capped_count(found)
    # A name more than COUNT_CAP people share (« mballa ») is listed in registration order:
    # sorting them by name would read every one of them to draw a page.
    by_registration = (
        count.capped and filters.is_valid() and bool(name_words(filters.cleaned_data["name"]))
    )
    if by_registration:
        found = found.order_by("id")
    page_obj = keyset_page(request, found, count=count)
    # The read audit: one entry naming the insurees this page of results showed.
    audit.listed(actor, "insurees.search", [row.pk for row in page_obj])
    return render(
        request,
        T + "list.html",
        {
            "filters": filters,
            "page_obj": page_obj,
            "by_registration": by_registration,
            "can_add": queries.FAMILY.may_right(actor, "add"),
            "can_add_beneficiary": queries.FAMILY.may_right(actor, "add")
            and confidential.is_programme_user(actor),
        },
    )


@login_required
@require_GET
def places(request: HttpRequest) -> HttpResponse:
    """htmx fragment: the <option>s of the next level under the region, district or
    municipality chosen (only what the user may choose); and, swapped out of band, the selects
    below that level emptied, since they listed places under the former choice."""
    actor = request.user
    queries.FAMILY.require_right(actor, "view")
    names = [name for name, _level in PLACE_CHAIN]
    for i, param in enumerate(names[:-1]):
        if param in request.GET:
            value = request.GET[param]
            level = PLACE_CHAIN[i + 1][1]
            parent = parse_id(value)
            rows = queries.children_in_scope(actor, parent, level) if parent is not None else []
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
            "members": queries.members(family, include_retired=show_retired, user=actor),
            "show_retired": show_retired,
            # A confidential family's history would name its members (issue 15).
            "history": None
            if getattr(family, "confidential", False)
            else entries(family, page=request.GET.get("history")),
            "can_edit": queries.may_family(actor, family, "edit"),
            "can_add_member": queries.may_family(actor, family, "add_member"),
            "can_retire": queries.may_family(actor, family, "retire"),
        },
    )


@login_required
@require_GET
def insuree_detail(request: HttpRequest, uuid) -> HttpResponse:
    actor = request.user
    insuree = queries.get_insuree_for_user(actor, uuid)
    return render(
        request,
        T + "insuree.html",
        {
            "insuree": insuree,
            "history": None
            if getattr(insuree, "confidential", False)
            else entries(insuree, page=request.GET.get("history")),
            "can_edit": queries.may_insuree(actor, insuree, "edit"),
            "can_move": queries.may_insuree(actor, insuree, "move")
            and services.move_refusal(insuree) is None,
            "can_detach": queries.may_insuree(actor, insuree, "detach")
            and services.detach_refusal(insuree) is None,
            "can_retire": queries.may_insuree(actor, insuree, "retire"),
        },
    )


@login_required
def insuree_photo(request: HttpRequest, uuid) -> HttpResponse:
    """The photo, served only to who may see the insuree (never from a public URL)."""
    insuree = queries.get_insuree_for_user(request.user, uuid, "photo")
    if not insuree.photo:  # masked: no photo (issue 15)
        raise Http404
    content_type = "image/png" if insuree.photo.name.endswith(".png") else "image/jpeg"
    try:
        handle = insuree.photo.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _family_form_page(
    request,
    *,
    form,
    save,
    title,
    cancel_url,
    done_message,
    done_url,
    on_refused=None,
    **extra,
) -> HttpResponse:
    """`form_page` in the families' form template: a title, a cancel link and, in `extra`, an
    optional `intro`, a `refusal` known beforehand (no Save button) or `multipart` for photos."""
    return form_page(
        request,
        form=form,
        save=save,
        template=T + "form.html",
        context={"title": title, "cancel_url": cancel_url, **extra},
        done_message=done_message,
        done_url=done_url,
        on_refused=on_refused,
    )


@login_required
@require_http_methods(["GET", "POST"])
def family_create(request: HttpRequest) -> HttpResponse:
    actor = request.user
    queries.FAMILY.require_right(actor, "add")
    form = FamilyCreateForm(request.POST or None, request.FILES or None, actor=actor)
    return form_page(
        request,
        form=form,
        save=lambda data: services.family_create(
            actor=actor, village=data["village"], head=form.insuree_values(), **form.family_values()
        ),
        template=T + "create.html",
        context={"title": _("New family"), "cancel_url": reverse("families:list")},
        done_message=lambda family: (
            _("The family of %(head)s was created.") % {"head": family.head.full_name}
        ),
        done_url=family_url,
    )


@login_required
@require_http_methods(["GET", "POST"])
def beneficiary_create(request: HttpRequest) -> HttpResponse:
    """A confidential programme's minimal beneficiary form (issue 15): insurance number, date of
    birth, sex, optional names; its family is created with that one member, then the package is
    attached from the family page as usual.  For the programme's users only."""
    actor = request.user
    queries.FAMILY.require_right(actor, "add")
    if not confidential.is_programme_user(actor):
        raise PermissionDenied
    form = BeneficiaryForm(request.POST or None, actor=actor)
    return _family_form_page(
        request,
        form=form,
        save=lambda data: services.beneficiary_create(
            actor=actor, village=data["village"], **form.values()
        ),
        title=_("New beneficiary of a confidential programme"),
        cancel_url=reverse("families:list"),
        intro=_(
            "Only the insurance number, the date of birth and the sex are asked; the names are "
            "optional. Then attach the programme's package from the family page."
        ),
        done_message=lambda family: (
            _("The beneficiary %(number)s was created.") % {"number": family.head.insurance_number}
        ),
        done_url=family_url,
    )


@login_required
@require_http_methods(["GET", "POST"])
def family_edit(request: HttpRequest, uuid) -> HttpResponse:
    actor = request.user
    family = queries.get_family_for_user(actor, uuid, "edit")
    initial = {n: getattr(family, n) for n in services.FAMILY_FIELDS}
    form = FamilyEditForm(request.POST or None, initial=initial)
    return _family_form_page(
        request,
        form=form,
        save=lambda _data: services.family_update(
            actor=actor, family=family, **form.family_values()
        ),
        title=_("Edit %(family)s") % {"family": family},
        cancel_url=family_url(family),
        done_message=_("The family was saved."),
        done_url=family_url(family),
    )


@login_required
@require_http_methods(["GET", "POST"])
def family_location(request: HttpRequest, uuid) -> HttpResponse:
    actor = request.user
    family = queries.get_family_for_user(actor, uuid, "edit")
    return _family_form_page(
        request,
        form=LocationForm(request.POST or None, actor=actor),
        save=lambda data: services.family_change_location(
            actor=actor, family=family, village=data["village"]
        ),
        title=_("Change the location of %(family)s") % {"family": family},
        cancel_url=family_url(family),
        intro=_("The family lives in %(village)s.") % {"village": family.village.name},
        done_message=_("The family's location was changed."),
        done_url=family_url(family),
    )


@login_required
@require_http_methods(["GET", "POST"])
def family_head(request: HttpRequest, uuid) -> HttpResponse:
    actor = request.user
    family = queries.get_family_for_user(actor, uuid, "edit")
    return _family_form_page(
        request,
        form=ChangeHeadForm(request.POST or None, family=family),
        save=lambda data: services.family_change_head(
            actor=actor,
            family=family,
            new_head=data["new_head"],
            old_head_relationship=data["old_head_relationship"],
        ),
        title=_("Change the head of %(family)s") % {"family": family},
        cancel_url=family_url(family),
        done_message=_("The head of family was changed."),
        done_url=family_url(family),
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_add(request: HttpRequest, uuid) -> HttpResponse:
    actor = request.user
    family = queries.get_family_for_user(actor, uuid, "add_member")
    form = InsureeForm(request.POST or None, request.FILES or None, actor=actor, is_head=False)
    return _family_form_page(
        request,
        form=form,
        save=lambda _data: services.insuree_add(
            actor=actor, family=family, **form.insuree_values()
        ),
        title=_("New member of %(family)s") % {"family": family},
        cancel_url=family_url(family),
        multipart=True,
        done_message=lambda insuree: (
            _said(
                insuree,
                _("%(insuree)s was added to the family."),
                pgettext("said of a woman", "%(insuree)s was added to the family."),
            )
            % {"insuree": insuree.full_name}
        ),
        done_url=family_url(family),
    )


@login_required
@require_http_methods(["GET", "POST"])
def insuree_edit(request: HttpRequest, uuid) -> HttpResponse:
    actor = request.user
    insuree = queries.get_insuree_for_user(actor, uuid, "edit")
    form = InsureeForm(
        request.POST or None,
        request.FILES or None,
        actor=actor,
        is_head=insuree.is_head or insuree.family_id is None,
        initial=InsureeForm.initial_for(insuree),
    )
    return _family_form_page(
        request,
        form=form,
        save=lambda _data: services.insuree_update(
            actor=actor, insuree=insuree, **form.insuree_values()
        ),
        title=_("Edit %(insuree)s") % {"insuree": insuree.full_name},
        cancel_url=insuree_url(insuree),
        multipart=True,
        done_message=_("%(insuree)s was saved.") % {"insuree": insuree.full_name},
        done_url=insuree_url(insuree),
    )


def _move_to_family_number(refused: Refused, form) -> None:
    """The service names the family it refuses "family"; the form asks for a member's number."""
    if refused.field == "family":
        refused.field = "family_number"
    refused.add_to_form(form)


@login_required
@require_http_methods(["GET", "POST"])
def insuree_move(request: HttpRequest, uuid) -> HttpResponse:
    actor = request.user
    insuree = queries.get_insuree_for_user(actor, uuid, "move")

    def move(data) -> Insuree:
        target = queries.find_family_by_number(actor, data["family_number"])
        if target is None:
            raise Refused(
                _("No current family of your districts has a member with this number."),
                "family_number",
            )
        return services.insuree_move(
            actor=actor, insuree=insuree, family=target, relationship=data["relationship"]
        )

    return _family_form_page(
        request,
        form=MoveForm(request.POST or None),
        save=move,
        title=_("Move %(insuree)s to another family") % {"insuree": insuree.full_name},
        cancel_url=insuree_url(insuree),
        refusal=services.move_refusal(insuree),
        on_refused=_move_to_family_number,
        done_message=lambda moved: (
            _("%(insuree)s was moved to %(family)s.")
            % {"insuree": moved.full_name, "family": moved.family}
        ),
        done_url=lambda moved: family_url(moved.family),
    )


@login_required
@require_http_methods(["GET", "POST"])
def insuree_detach(request: HttpRequest, uuid) -> HttpResponse:
    actor = request.user
    insuree = queries.get_insuree_for_user(actor, uuid, "detach")
    names = {"insuree": insuree.full_name}
    return confirm_page(
        request,
        action=lambda: services.insuree_detach(actor=actor, insuree=insuree),
        title=_("Remove %(insuree)s from the family") % names,
        question=_(
            "%(insuree)s stays an insuree, without family; his coverage by the family's "
            "policies ends."
        )
        % names,
        refusal=services.detach_refusal(insuree),
        confirm_label=_("Remove from the family"),
        cancel_url=insuree_url(insuree),
        done_message=_said(
            insuree,
            _("%(insuree)s was removed from the family."),
            pgettext("said of a woman", "%(insuree)s was removed from the family."),
        )
        % names,
        done_url=_after_leaving(insuree),
    )


@login_required
@require_http_methods(["GET", "POST"])
def insuree_retire(request: HttpRequest, uuid) -> HttpResponse:
    actor = request.user
    insuree = queries.get_insuree_for_user(actor, uuid, "retire")
    names = {"insuree": insuree.full_name}
    return confirm_page(
        request,
        action=lambda: services.insuree_retire(actor=actor, insuree=insuree),
        title=_("Retire %(insuree)s") % names,
        question=_("%(insuree)s will no longer be covered nor offered. His history is kept.")
        % names,
        refusal=services.insuree_retire_refusal(insuree),
        cancel_url=insuree_url(insuree),
        done_message=_said(
            insuree,
            _("%(insuree)s was retired."),
            pgettext("said of a woman", "%(insuree)s was retired."),
        )
        % names,
        done_url=_after_leaving(insuree),
    )


@login_required
@require_http_methods(["GET", "POST"])
def family_retire(request: HttpRequest, uuid) -> HttpResponse:
    actor = request.user
    family = queries.get_family_for_user(actor, uuid, "retire")
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


def run_search(actor, data, **masking) -> tuple[SearchForm, QuerySet[Insuree]]:
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
        **masking,
    )
    return filters, found


FORMATS = ("csv", "xlsx")


@login_required
@require_GET
def family_export(request: HttpRequest) -> HttpResponse:
    """The insurees the list page finds with the same criteria (every page of them), with
    their family's fields: a file the families import reads back."""
    actor = request.user
    queries.FAMILY.require_right(actor, "view")
    fmt = request.GET.get("format", "csv")
    if fmt not in FORMATS:
        return HttpResponseBadRequest("format: csv or xlsx")
    # Masked rows without names (issue 15): the file read back by the import renames nobody.
    _filters, found = run_search(actor, request.GET, label="")
    content, content_type, filename = export_search(actor, found, fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
