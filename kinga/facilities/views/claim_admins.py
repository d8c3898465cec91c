"""Claim administrators: list, detail, create (with his login in the same step), edit, retire."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kinga.core import access
from kinga.core.confirm import confirm_page
from kinga.core.errors import Refused
from kinga.core.history import entries
from kinga.core.lists import paginate
from kinga.core.rights import Right

from ..forms.claim_admins import ClaimAdminCreateForm, ClaimAdminForm, ClaimAdminSearchForm
from ..queries import claim_admins as queries
from ..services import claim_admins as services


@login_required
@require_GET
def claim_admin_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    access.require_right(user, Right.CLAIM_ADMIN_SEARCH)
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
            "may_add": access.has_right(user, Right.CLAIM_ADMIN_ADD),
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
            "history": entries(claim_admin),
            "may_see_facility": access.has_right(user, Right.HF_SEARCH),
            "may_see_login": access.has_right(user, Right.USER_SEARCH),
            "may": {
                "edit": services.may_change_claim_admin(user, claim_admin),
                "retire": services.may_change_claim_admin(
                    user, claim_admin, Right.CLAIM_ADMIN_DELETE
                ),
            },
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def claim_admin_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    access.require_right(user, Right.CLAIM_ADMIN_ADD)
    facilities = queries.facility_choices(user)
    may_login = services.may_create_login(user)
    if request.method == "POST":
        form = ClaimAdminCreateForm(request.POST, facilities=facilities, may_create_login=may_login)
        if form.is_valid():
            try:
                claim_admin = services.claim_admin_create(actor=user, **form.cleaned_data)
            except Refused as refused:
                refused.add_to_form(form)
            else:
                messages.success(
                    request,
                    _("The claim administrator %(person)s was created.") % {"person": claim_admin},
                )
                return redirect("claim_admins:detail", uuid=claim_admin.uuid)
    else:
        initial = {}
        facility_uuid = request.GET.get("facility") or ""
        if facility_uuid:
            try:
                initial["health_facility"] = facilities.filter(uuid=facility_uuid).first()
            except ValidationError:
                pass
        form = ClaimAdminCreateForm(
            initial=initial, facilities=facilities, may_create_login=may_login
        )
    return render(
        request,
        "facilities/claim_admins/form.html",
        {
            "form": form,
            "title": _("New claim administrator"),
            "cancel_url": reverse("claim_admins:list"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def claim_admin_edit(request: HttpRequest, uuid) -> HttpResponse:
    user = request.user
    claim_admin = queries.get_claim_admin_for_user(user, uuid, "edit")
    facilities = queries.facility_choices(user)
    if request.method == "POST":
        form = ClaimAdminForm(request.POST, facilities=facilities)
        if form.is_valid():
            try:
                services.claim_admin_update(
                    actor=user, claim_admin=claim_admin, **form.cleaned_data
                )
            except Refused as refused:
                refused.add_to_form(form)
            else:
                messages.success(request, _("Changes saved."))
                return redirect("claim_admins:detail", uuid=claim_admin.uuid)
    else:
        form = ClaimAdminForm(
            initial=ClaimAdminForm.initial_for(claim_admin), facilities=facilities
        )
    return render(
        request,
        "facilities/claim_admins/form.html",
        {
            "form": form,
            "claim_admin": claim_admin,
            "title": _("Edit %(person)s") % {"person": claim_admin},
            "cancel_url": reverse("claim_admins:detail", args=[claim_admin.uuid]),
        },
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
        cancel_url=reverse("claim_admins:detail", args=[claim_admin.uuid]),
        done_message=_("The claim administrator %(person)s was retired.") % {"person": claim_admin},
        done_url=reverse("claim_admins:list"),
    )
