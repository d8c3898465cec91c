"""Claim administrators: list, detail, create (with his login in the same step), edit, retire."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kinga.core import access
from kinga.core.history import entries
from kinga.core.lists import paginate
from kinga.core.loaders import parse_uuid
from kinga.core.pages import confirm_page, form_page, login_code_messages
from kinga.core.rights import Right

from ..forms.claim_admins import ClaimAdminCreateForm, ClaimAdminForm, ClaimAdminSearchForm
from ..queries import claim_admins as queries
from ..queries.facilities import FACILITY
from ..services import claim_admins as services


def _detail_url(claim_admin) -> str:
    return reverse("claim_admins:detail", args=[claim_admin.uuid])


@login_required
@require_GET
def claim_admin_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    queries.CLAIM_ADMIN.require_right(user, "view")
    form = ClaimAdminSearchForm(request.GET or None, facilities=queries.facility_choices(user))
    data = form.cleaned_data if form.is_valid() else {}
    qs = queries.search_claim_admins(
        user,
        q=data.get("q") or "",
        health_facility=data.get("health_facility"),
        include_retired=bool(data.get("retired")),
    )
    return render(
        request,
        "facilities/claim_admins/list.html",
        {
            "form": form,
            "page_obj": paginate(request, qs),
            "may_add": queries.CLAIM_ADMIN.may_right(user, "add"),
        },
    )


@login_required
@require_GET
def claim_admin_detail(request: HttpRequest, uuid) -> HttpResponse:
    user = request.user
    claim_admin = queries.get_claim_admin_for_user(user, uuid)
    return render(
        request,
        "facilities/claim_admins/detail.html",
        {
            "claim_admin": claim_admin,
            "history": entries(claim_admin, page=request.GET.get("history")),
            "may_see_facility": FACILITY.may_right(user, "view"),
            "may_see_login": access.has_right(user, Right.USER_SEARCH),
            "may": {
                "edit": queries.may_claim_admin(user, claim_admin, "edit"),
                "retire": queries.may_claim_admin(user, claim_admin, "retire"),
            },
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def claim_admin_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    queries.CLAIM_ADMIN.require_right(user, "add")
    facilities = queries.facility_choices(user)
    initial = {}
    facility = parse_uuid(request.GET.get("facility"))
    if facility is not None:
        initial["health_facility"] = facilities.filter(uuid=facility).first()
    form = ClaimAdminCreateForm(
        request.POST or None,
        initial=initial,
        facilities=facilities,
        may_create_login=services.may_create_login(user),
        may_choose_password=services.may_choose_login_password(user),
    )
    return form_page(
        request,
        form=form,
        save=lambda data: services.claim_admin_create(actor=user, **data),
        template="facilities/claim_admins/form.html",
        context={
            "title": _("New claim administrator"),
            "cancel_url": reverse("claim_admins:list"),
        },
        done_message=lambda claim_admin: [
            _("The claim administrator %(person)s was created.") % {"person": claim_admin},
            *login_code_messages(claim_admin.user),
        ],
        done_url=_detail_url,
    )


@login_required
@require_http_methods(["GET", "POST"])
def claim_admin_edit(request: HttpRequest, uuid) -> HttpResponse:
    user = request.user
    claim_admin = queries.get_claim_admin_for_user(user, uuid, "edit")
    form = ClaimAdminForm(
        request.POST or None,
        initial=ClaimAdminForm.initial_for(claim_admin),
        facilities=queries.facility_choices(user),
    )
    return form_page(
        request,
        form=form,
        save=lambda data: services.claim_admin_update(actor=user, claim_admin=claim_admin, **data),
        template="facilities/claim_admins/form.html",
        context={
            "claim_admin": claim_admin,
            "title": _("Edit %(person)s") % {"person": claim_admin},
            "cancel_url": _detail_url(claim_admin),
        },
        done_message=_("Changes saved."),
        done_url=_detail_url(claim_admin),
    )


@login_required
@require_http_methods(["GET", "POST"])
def claim_admin_retire(request: HttpRequest, uuid) -> HttpResponse:
    claim_admin = queries.get_claim_admin_for_user(request.user, uuid, "retire")
    if claim_admin.user_id and claim_admin.user.retired_at is None:
        question = _(
            "Retire the claim administrator %(person)s? His login %(login)s is retired too: he "
            "will no longer be able to log in. His history is kept."
        ) % {"person": claim_admin, "login": claim_admin.user.username}
    else:
        question = _("Retire the claim administrator %(person)s? His history is kept.") % {
            "person": claim_admin
        }
    return confirm_page(
        request,
        action=lambda: services.claim_admin_retire(actor=request.user, claim_admin=claim_admin),
        title=_("Retire %(person)s") % {"person": claim_admin},
        question=question,
        cancel_url=_detail_url(claim_admin),
        done_message=_("The claim administrator %(person)s was retired.") % {"person": claim_admin},
        done_url=reverse("claim_admins:list"),
    )
