"""Users: list and search, detail with history, create, edit, password reset, retire."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .. import access
from ..errors import Refused
from ..forms.users import PasswordResetForm, UserCreateForm, UserFilterForm, UserForm
from ..history import entries
from ..lists import paginate
from ..queries import users as queries
from ..rights import Right
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


@access.right_required(Right.USER_SEARCH)
def user_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
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
            "can_add": access.has_right(actor, Right.USER_ADD),
        },
    )


@login_required
def user_detail(request: HttpRequest, uuid) -> HttpResponse:
    actor = request.user
    user = queries.get_user_for_user(actor, uuid, Right.USER_SEARCH)
    current = user.retired_at is None
    itself = user.pk == actor.pk
    return render(
        request,
        "core/users/detail.html",
        {
            "object": user,
            "roles": user.roles.order_by("name"),
            "districts": user.districts.select_related("parent").order_by("name"),
            "history": entries(user),
            "can_edit": current and access.has_right(actor, Right.USER_EDIT),
            "can_reset": current and not itself and access.has_right(actor, Right.USER_EDIT),
            "can_retire": current and not itself and access.has_right(actor, Right.USER_DELETE),
        },
    )


@access.right_required(Right.USER_ADD)
def user_create(request: HttpRequest) -> HttpResponse:
    actor = request.user
    form = UserCreateForm(request.POST or None, actor=actor, initial={"language": "fr"})
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(
                actor=actor,
                password=form.cleaned_data.get("password", ""),
                **_user_fields(form.cleaned_data),
            )
        except Refused as refusal:
            refusal.add_to_form(form)
        else:
            messages.success(request, _("The user %(user)s was created.") % {"user": user})
            return redirect("users:detail", uuid=user.uuid)
    return render(
        request, "core/users/form.html", {"form": form, "title": _("New user"), "object": None}
    )


@login_required
def user_edit(request: HttpRequest, uuid) -> HttpResponse:
    actor = request.user
    user = queries.get_user_for_user(actor, uuid, Right.USER_EDIT)
    form = UserForm(
        request.POST or None, actor=actor, user=user, initial=UserForm.initial_for(user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update(actor=actor, user=user, **_user_fields(form.cleaned_data))
        except Refused as refusal:
            refusal.add_to_form(form)
        else:
            messages.success(request, _("The user %(user)s was saved.") % {"user": user})
            return redirect("users:detail", uuid=user.uuid)
    return render(
        request,
        "core/users/form.html",
        {"form": form, "title": _("Edit user %(user)s") % {"user": user}, "object": user},
    )


@login_required
def user_password(request: HttpRequest, uuid) -> HttpResponse:
    actor = request.user
    user = queries.get_user_for_user(actor, uuid, Right.USER_EDIT)
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_reset_password(
                actor=actor, user=user, new_password=form.cleaned_data["new_password"]
            )
        except Refused as refusal:
            refusal.add_to_form(form)
        else:
            messages.success(
                request,
                _("The password of %(user)s was changed; give it to him in person.")
                % {"user": user},
            )
            return redirect("users:detail", uuid=user.uuid)
    return render(request, "core/users/password.html", {"form": form, "object": user})


@login_required
def user_retire(request: HttpRequest, uuid) -> HttpResponse:
    actor = request.user
    user = queries.get_user_for_user(actor, uuid, Right.USER_DELETE)
    refusal = None
    if user.pk == actor.pk:
        refusal = _("You cannot retire yourself.")
    elif user.retired_at is not None:
        refusal = _("This user is already retired.")
    if request.method == "POST" and refusal is None:
        try:
            services.user_retire(actor=actor, user=user)
        except Refused as e:
            refusal = e.message
        else:
            messages.success(request, _("The user %(user)s was retired.") % {"user": user})
            return redirect("users:detail", uuid=user.uuid)
    return render(
        request,
        "core/_confirm.html",
        {
            "title": _("Retire user %(user)s") % {"user": user},
            "question": _(
                "%(user)s will no longer be able to log in. The user and his history are kept."
            )
            % {"user": user},
            "refusal": refusal,
            "confirm_label": _("Retire"),
            "cancel_url": user_url(user),
        },
    )


def user_url(user) -> str:
    from django.urls import reverse

    return reverse("users:detail", kwargs={"uuid": user.uuid})
