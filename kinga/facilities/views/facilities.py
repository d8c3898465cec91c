"""Health facilities: list, detail with catchment and claim administrators, create, edit,
retire; catchment villages added and removed from the detail page."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kinga.core.history import Child, entries
from kinga.core.lists import paginate
from kinga.core.pages import confirm_page, form_page

from ..forms.facilities import CatchmentForm, FacilityForm, FacilitySearchForm
from ..queries import claim_admins as claim_admin_queries
from ..queries import facilities as queries
from ..services import facilities as services


def _form(user, data=None, **kwargs) -> FacilityForm:
    return FacilityForm(
        data,
        districts=queries.district_choices(user),
        services_price_lists=queries.services_price_list_choices(user),
        items_price_lists=queries.items_price_list_choices(user),
        **kwargs,
    )


def _detail_url(facility) -> str:
    return reverse("facilities:detail", args=[facility.uuid])


# The facility's page shows the history of its catchment villages too.
FACILITY_LINES = (Child("catchments", gettext_lazy("Catchment village %(village)s")),)


@login_required
@require_GET
def facility_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    queries.FACILITY.require_right(user, "view")
    form = FacilitySearchForm(request.GET or None, districts=queries.district_choices(user))
    data = form.cleaned_data if form.is_valid() else {}
    today = timezone.localdate()
    days = data.get("days") or 30
    qs = queries.search_facilities(
        user,
        q=data.get("q") or "",
        district=data.get("district"),
        level=data.get("level") or "",
        legal_form=data.get("legal_form") or "",
        status=data.get("status") or "",
        include_retired=bool(data.get("retired")),
        contract=data.get("contract") or "",
        today=today,
        days=days,
    )
    return render(
        request,
        "facilities/list.html",
        {
            "form": form,
            "today": today,
            "soon": today + timedelta(days=days),
            "page_obj": paginate(request, qs),
            "may_add": queries.FACILITY.may_right(user, "add"),
            "may_transfer": queries.FACILITY.may_right(user, "transfer"),
        },
    )


@login_required
@require_GET
def facility_detail(request: HttpRequest, uuid) -> HttpResponse:
    user = request.user
    facility = queries.get_facility_for_user(user, uuid)
    may_edit = queries.may_facility(user, facility, "edit")
    catchment_form = None
    if may_edit:
        catchment_form = CatchmentForm(
            villages=queries.catchment_village_choices(user, facility),
            region=facility.district.parent,
        )
    sees_claim_admins = claim_admin_queries.CLAIM_ADMIN.may_right(user, "view")
    return render(
        request,
        "facilities/detail.html",
        {
            "facility": facility,
            "catchments": queries.catchments_of(facility),
            "claim_admins": claim_admin_queries.claim_admins_of(facility)
            if sees_claim_admins
            else None,
            "catchment_form": catchment_form,
            "history": entries(facility, children=FACILITY_LINES, page=request.GET.get("history")),
            "may": {
                "edit": may_edit,
                "retire": queries.may_facility(user, facility, "retire"),
                "add_claim_admin": not facility.is_retired
                and claim_admin_queries.CLAIM_ADMIN.may_right(user, "add"),
            },
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def facility_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    queries.FACILITY.require_right(user, "add")
    return form_page(
        request,
        form=_form(user, request.POST or None),
        save=lambda data: services.facility_create(actor=user, **data),
        template="facilities/form.html",
        context={"title": _("New health facility"), "cancel_url": reverse("facilities:list")},
        done_message=lambda facility: _("%(facility)s created.") % {"facility": facility},
        done_url=_detail_url,
    )


@login_required
@require_http_methods(["GET", "POST"])
def facility_edit(request: HttpRequest, uuid) -> HttpResponse:
    user = request.user
    facility = queries.get_facility_for_user(user, uuid, "edit")
    return form_page(
        request,
        form=_form(user, request.POST or None, initial=FacilityForm.initial_for(facility)),
        save=lambda data: services.facility_update(actor=user, facility=facility, **data),
        template="facilities/form.html",
        context={
            "facility": facility,
            "title": _("Edit %(facility)s") % {"facility": facility},
            "cancel_url": _detail_url(facility),
        },
        done_message=_("Changes saved."),
        done_url=_detail_url(facility),
    )


@login_required
@require_http_methods(["GET", "POST"])
def facility_retire(request: HttpRequest, uuid) -> HttpResponse:
    facility = queries.get_facility_for_user(request.user, uuid, "retire")
    return confirm_page(
        request,
        action=lambda: services.facility_retire(actor=request.user, facility=facility),
        refusal=services.facility_retire_refusal(facility),
        title=_("Retire %(facility)s") % {"facility": facility},
        question=_(
            "Retire the health facility %(facility)s? It stays in the history but can no "
            "longer be chosen for claims or claim administrators."
        )
        % {"facility": facility},
        cancel_url=_detail_url(facility),
        done_message=_("%(facility)s retired.") % {"facility": facility},
        done_url=reverse("facilities:list"),
    )


# --- catchment ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def catchment_add(request: HttpRequest, uuid) -> HttpResponse:
    """Add a village (the detail page posts here); errors are shown on this page."""
    user = request.user
    facility = queries.get_facility_for_user(user, uuid, "edit")
    villages = queries.catchment_village_choices(user, facility)
    return form_page(
        request,
        form=CatchmentForm(
            request.POST or None, villages=villages, region=facility.district.parent
        ),
        save=lambda data: services.catchment_add(actor=user, facility=facility, **data),
        template="facilities/catchment_form.html",
        context={"facility": facility},
        done_message=lambda catchment: (
            _("%(village)s added to the catchment area.") % {"village": catchment.village}
        ),
        done_url=_detail_url(facility) + "#catchment",
    )


@login_required
@require_POST
def catchment_remove(request: HttpRequest, uuid, pk: int) -> HttpResponse:
    user = request.user
    facility = queries.get_facility_for_user(user, uuid, "edit")
    catchment = queries.get_catchment_for_user(user, facility, pk)
    services.catchment_remove(actor=user, catchment=catchment)
    messages.success(
        request,
        _("%(village)s removed from the catchment area.") % {"village": catchment.village},
    )
    return redirect(_detail_url(facility) + "#catchment")


# --- home card: contracts ending soon -------------------------------------------------------

CONTRACT_CARD_DAYS = 30
CONTRACT_CARD_LIMIT = 10


def contracts_card(user) -> dict | None:
    """The contracts of the facilities in the user's sight that end within 30 days, soonest
    first, for whoever may edit facilities (the scheme administrator): one bounded query."""
    if not queries.FACILITY.may_right(user, "edit"):
        return None
    today = timezone.localdate()
    rows = queries.contracts_ending(user, today, CONTRACT_CARD_DAYS, CONTRACT_CARD_LIMIT)
    if not rows:
        return None
    items = []
    for hf in rows[:CONTRACT_CARD_LIMIT]:
        left = (hf.contract_end_date - today).days
        when = formats.date_format(hf.contract_end_date, "SHORT_DATE_FORMAT")
        items.append(
            {
                "label": f"{hf.code} {hf.name}",
                "url": _detail_url(hf),
                "count": None,
                "detail": (
                    _("Contract ends today (%(date)s)") % {"date": when}
                    if left == 0
                    else ngettext(
                        "Contract ends on %(date)s, in %(n)d day",
                        "Contract ends on %(date)s, in %(n)d days",
                        left,
                    )
                    % {"date": when, "n": left}
                ),
            }
        )
    items.append(
        {
            "label": _("All contracts ending within %(n)d days") % {"n": CONTRACT_CARD_DAYS}
            if len(rows) > CONTRACT_CARD_LIMIT
            else _("See them on the facilities list"),
            "url": reverse("facilities:list") + f"?contract=ending&days={CONTRACT_CARD_DAYS}",
            "count": None,
        }
    )
    return {"title": _("Facility contracts ending within 30 days"), "items": items}
