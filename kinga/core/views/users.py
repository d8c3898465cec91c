"""Users: list and search, detail with history, create, edit, password reset, retire."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from ..forms.users import PasswordResetForm, UserCreateForm, UserFilterForm, UserForm
from ..history import entries
from ..lists import paginate
from ..pages import confirm_page, form_page, login_code_messages
from ..queries import users as queries
from ..services import login_codes
from ..services import users as services


def _user_fields(data: dict) -> dict:
    return {
        "username": data["username"],
        "last_name": data["last_name"],
        "other_names": data["other_names"],
        "phone": data.get("phone", ""),
        "email": data.get("email", ""),
        "language": data["language"],
        "health_facility": data.get("health_facility"),
        "roles": data["roles"],
        "districts": data.get("districts") or [],
    }


def user_url(user) -> str:
    return reverse("users:detail", kwargs={"uuid": user.uuid})


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    queries.USER.require_right(actor, "view")
    filters = UserFilterForm(request.GET or None, actor=actor)
    values = filters.cleaned_data if filters.is_valid() else {}
    users = queries.search_users(
        actor,
        q=values.get("q", ""),
        role=values.get("role"),
        district=values.get("district"),
        status=values.get("status") or "active",
    )
    return render(
        request,
        "core/users/list.html",
        {
            "filters": filters,
            "page_obj": paginate(request, users),
            "can_add": queries.USER.may_right(actor, "add"),
        },
    )


@login_required
def user_detail(request: HttpRequest, uuid) -> HttpResponse:
    actor = request.user
    user = queries.get_user_for_user(actor, uuid)
    return render(
        request,
        "core/users/detail.html",
        {
            "object": user,
            "roles": user.roles.order_by("name"),
            "districts": user.districts.select_related("parent").order_by("name"),
            "history": entries(user, page=request.GET.get("history")),
            "can_edit": queries.may_user(actor, user, "edit"),
            "can_reset": queries.may_user(actor, user, "password"),
            "can_give_code": queries.may_user(actor, user, "password") and user.is_active,
            "can_retire": queries.may_user(actor, user, "retire"),
        },
    )


@login_required
def user_create(request: HttpRequest) -> HttpResponse:
    actor = request.user
    queries.USER.require_right(actor, "add")
    return form_page(
        request,
        form=UserCreateForm(request.POST or None, actor=actor, initial={"language": "fr"}),
        save=lambda data: services.user_create(
            actor=actor, password=data.get("password", ""), **_user_fields(data)
        ),
        template="core/users/form.html",
        context={"title": _("New user"), "object": None},
        done_message=lambda user: [
            _("The user %(user)s was created.") % {"user": user},
            *login_code_messages(user),
        ],
        done_url=user_url,
    )


@login_required
def user_edit(request: HttpRequest, uuid) -> HttpResponse:
    actor = request.user
    user = queries.get_user_for_user(actor, uuid, "edit")
    return form_page(
        request,
        form=UserForm(
            request.POST or None, actor=actor, user=user, initial=UserForm.initial_for(user)
        ),
        save=lambda data: services.user_update(actor=actor, user=user, **_user_fields(data)),
        template="core/users/form.html",
        context={"title": _("Edit user %(user)s") % {"user": user}, "object": user},
        done_message=lambda saved: _("The user %(user)s was saved.") % {"user": saved},
        done_url=user_url,
    )


@login_required
def user_password(request: HttpRequest, uuid) -> HttpResponse:
    actor = request.user
    user = queries.get_user_for_user(actor, uuid, "password")
    return form_page(
        request,
        form=PasswordResetForm(request.POST or None),
        save=lambda data: services.user_reset_password(
            actor=actor, user=user, new_password=data["new_password"]
        ),
        template="core/users/password.html",
        context={"object": user},
        done_message=_("The password of %(user)s was changed; give it to him in person.")
        % {"user": user},
        done_url=user_url(user),
    )


@login_required
def user_retire(request: HttpRequest, uuid) -> HttpResponse:
    actor = request.user
    user = queries.get_user_for_user(actor, uuid, "retire")
    refusal = queries.user_refusal(actor, user, "retire")
    return confirm_page(
        request,
        action=lambda: services.user_retire(actor=actor, user=user),
        refusal=refusal.message if refusal else None,
        title=_("Retire user %(user)s") % {"user": user},
        question=_("%(user)s will no longer be able to log in. The user and his history are kept.")
        % {"user": user},
        cancel_url=user_url(user),
        done_message=_("The user %(user)s was retired.") % {"user": user},
        done_url=user_url(user),
    )


@login_required
def user_code(request: HttpRequest, uuid) -> HttpResponse:
    """Give the user a one-time code with which he sets his own password (and lifts a lockout):
    the administrator does not learn his password."""
    actor = request.user
    user = queries.get_user_for_user(actor, uuid, "password")
    refusal = queries.user_refusal(actor, user, "password")
    if request.method == "POST" and refusal is None:
        user.login_code = login_codes.issue_code(actor=actor, user=user)
        for level, text in login_code_messages(user):
            messages.add_message(request, level, text)
        return redirect(user_url(user))
    return confirm_page(
        request,
        action=lambda: None,
        refusal=refusal.message if refusal else None,
        title=_("One-time code for %(user)s") % {"user": user},
        question=_(
            "%(user)s will choose a new password with this code on the page « Activate my "
            "account ». His present password keeps working until then."
        )
        % {"user": user},
        confirm_label=_("Give a code"),
        cancel_url=user_url(user),
        done_message="",
        done_url=user_url(user),
    )
