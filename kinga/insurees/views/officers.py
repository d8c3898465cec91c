"""Enrolment officers: list and search, detail with history, create and edit (one form, with the
optional login), retire with confirmation."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kinga.core import access
from kinga.core.errors import Refused
from kinga.core.history import entries
from kinga.core.lists import paginate
from kinga.core.pages import confirm_page, form_page, login_code_messages
from kinga.core.rights import Right

from ..forms.officers import FilterForm, OfficerForm
from ..queries import officers as queries
from ..services import officers as services

FORM = "insurees/officers/form.html"


def officer_url(officer) -> str:
    return reverse("officers:detail", kwargs={"uuid": officer.uuid})


@login_required
@require_GET
def officer_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    queries.OFFICER.require_right(actor, "view")
    filters = FilterForm(request.GET or None, actor=actor)
    values = filters.cleaned_data if filters.is_valid() else {}
    officers = queries.search(
        actor,
        q=values.get("q") or "",
        district=values.get("district"),
        login=values.get("login") or "",
        include_retired=bool(values.get("retired")),
    )
    return render(
        request,
        "insurees/officers/list.html",
        {
            "filters": filters,
            "page_obj": paginate(request, officers),
            "can_add": queries.OFFICER.may_right(actor, "add"),
        },
    )


@login_required
@require_GET
def officer_detail(request: HttpRequest, uuid) -> HttpResponse:
    actor = request.user
    officer = queries.get_officer_for_user(actor, uuid)
    return render(
        request,
        "insurees/officers/detail.html",
        {
            "object": officer,
            "villages": officer.villages.select_related("parent").order_by("parent__name", "name"),
            "substituted": officer.substituted.current().order_by("code"),
            "history": entries(officer, page=request.GET.get("history")),
            "can_edit": queries.may_officer(actor, officer, "edit"),
            "can_retire": queries.may_officer(actor, officer, "retire"),
            "can_see_login": officer.user_id and access.has_right(actor, Right.USER_SEARCH),
        },
    )


def _saved(message: str):
    """The success message naming the officer the service returned, and the one-time code of
    the login it gave him, if any (shown this once)."""
    return lambda officer: [message % {"officer": officer}, *login_code_messages(officer.user)]


@login_required
@require_http_methods(["GET", "POST"])
def officer_create(request: HttpRequest) -> HttpResponse:
    actor = request.user
    queries.OFFICER.require_right(actor, "add")
    login_allowed = services.may_manage_logins(actor)
    form = OfficerForm(
        request.POST or None,
        actor=actor,
        login_allowed=login_allowed,
        password_allowed=services.may_choose_login_password(actor),
    )
    return form_page(
        request,
        form=form,
        save=lambda _data: services.officer_create(actor=actor, **form.service_values()),
        template=FORM,
        context={
            "object": None,
            "title": _("New enrolment officer"),
            "login_allowed": login_allowed,
        },
        done_message=_saved(_("The officer %(officer)s was created.")),
        done_url=officer_url,
    )


@login_required
@require_http_methods(["GET", "POST"])
def officer_edit(request: HttpRequest, uuid) -> HttpResponse:
    actor = request.user
    officer = queries.get_officer_for_user(actor, uuid, "edit")
    login_allowed = services.may_manage_logins(actor)
    form = OfficerForm(
        request.POST or None,
        actor=actor,
        officer=officer,
        login_allowed=login_allowed,
        password_allowed=services.may_choose_login_password(actor),
        initial=OfficerForm.initial_for(officer),
    )
    return form_page(
        request,
        form=form,
        save=lambda _data: services.officer_update(
            actor=actor, officer=officer, **form.service_values()
        ),
        template=FORM,
        context={
            "object": officer,
            "title": _("Edit enrolment officer %(officer)s") % {"officer": officer},
            "login_allowed": login_allowed,
        },
        done_message=_saved(_("The officer %(officer)s was saved.")),
        done_url=officer_url,
    )


@login_required
@require_http_methods(["GET", "POST"])
def officer_retire(request: HttpRequest, uuid) -> HttpResponse:
    actor = request.user
    officer = queries.get_officer_for_user(actor, uuid, "retire")
    question = _("%(officer)s will no longer be offered for policies. His history is kept.") % {
        "officer": officer
    }
    if officer.user_id and officer.user.retired_at is None:
        question += " " + _("His login %(login)s is retired too.") % {
            "login": officer.user.username
        }
    return confirm_page(
        request,
        action=lambda: services.officer_retire(actor=actor, officer=officer),
        refusal=_retire_refusal(officer),
        title=_("Retire enrolment officer %(officer)s") % {"officer": officer},
        question=question,
        cancel_url=officer_url(officer),
        done_message=_("The officer %(officer)s was retired.") % {"officer": officer},
        done_url=officer_url(officer),
    )


def _retire_refusal(officer) -> str | None:
    try:
        services.check_retire(officer)
    except Refused as refused:
        return refused.message
    return None
