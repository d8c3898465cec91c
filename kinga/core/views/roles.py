"""Roles ("user profiles"): list, detail with rights and history, create, edit, duplicate,
block and unblock, retire."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import access
from ..errors import Refused
from ..forms.roles import RoleDuplicateForm, RoleFilterForm, RoleForm
from ..history import entries
from ..lists import paginate
from ..queries import roles as queries
from ..rights import Right
from ..services import roles as services

SECTIONS = {
    10: gettext_lazy("Insurees and policies"),
    11: gettext_lazy("Claims"),
    12: gettext_lazy("Administration"),
    13: gettext_lazy("Tools and reports"),
}


def right_groups(selected) -> list[dict]:
    """Rights by module (first two digits of the code) then by function: the words before the
    colon of their labels ("Family", "Insuree"...)."""
    chosen = {int(c) for c in selected or () if str(c).isdigit()}
    sections: dict[int, dict] = {}  # dicts keep the order of Right
    for right in Right:
        section = sections.setdefault(
            right.value // 10000,
            {"label": SECTIONS.get(right.value // 10000, ""), "functions": {}},
        )
        label = str(right.label)
        head, _sep, tail = label.partition(":")
        key = head.strip() if tail else label
        function = section["functions"].setdefault(key, {"label": key, "rights": []})
        function["rights"].append(
            {
                "code": right.value,
                "label": label,
                "short": tail.strip() or label,
                "checked": right.value in chosen,
            }
        )
    return [
        {"label": s["label"], "functions": list(s["functions"].values())}
        for _k, s in sorted(sections.items())
    ]


def _held_groups(codes) -> list[dict]:
    """Only the rights the role holds, for its page."""
    held = set(codes)
    groups = []
    for section in right_groups(held):
        functions = []
        for f in section["functions"]:
            rights = [r for r in f["rights"] if r["checked"]]
            if rights:
                functions.append({"label": f["label"], "rights": rights})
        if functions:
            groups.append({"label": section["label"], "functions": functions})
    return groups


def _role_url(role) -> str:
    return reverse("roles:detail", kwargs={"uuid": role.uuid})


@access.right_required(Right.ROLE_SEARCH, Right.ROLE)
def role_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    filters = RoleFilterForm(request.GET or None)
    values = filters.cleaned_data if filters.is_valid() else {}
    roles = queries.search_roles(
        q=values.get("q", ""), kind=values.get("kind", ""), status=values.get("status") or "current"
    )
    return render(
        request,
        "core/roles/list.html",
        {
            "filters": filters,
            "page_obj": paginate(request, roles),
            "can_add": access.has_right(actor, Right.ROLE_ADD),
        },
    )


@login_required
def role_detail(request: HttpRequest, uuid) -> HttpResponse:
    actor = request.user
    role = queries.get_role_for_user(actor, uuid)
    current = role.retired_at is None
    custom = not role.is_system
    return render(
        request,
        "core/roles/detail.html",
        {
            "object": role,
            "groups": _held_groups(role.rights),
            "user_count": role.users.filter(is_active=True).count(),
            "history": entries(role),
            "can_edit": current and custom and access.has_right(actor, Right.ROLE_EDIT),
            "can_block": current
            and not role.is_imis_admin
            and access.has_right(actor, Right.ROLE_EDIT),
            "can_duplicate": access.has_right(actor, Right.ROLE_DUPLICATE),
            "can_retire": current and custom and access.has_right(actor, Right.ROLE_DELETE),
        },
    )


def _render_form(request, form, title, role=None) -> HttpResponse:
    selected = form["rights"].value() or []
    return render(
        request,
        "core/roles/form.html",
        {"form": form, "title": title, "object": role, "groups": right_groups(selected)},
    )


@access.right_required(Right.ROLE_ADD)
def role_create(request: HttpRequest) -> HttpResponse:
    form = RoleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            role = services.role_create(actor=request.user, **form.cleaned_data)
        except Refused as refusal:
            refusal.add_to_form(form)
        else:
            messages.success(request, _("The role %(role)s was created.") % {"role": role})
            return redirect(_role_url(role))
    return _render_form(request, form, _("New role"))


@login_required
def role_edit(request: HttpRequest, uuid) -> HttpResponse:
    actor = request.user
    role = queries.get_role_for_user(actor, uuid, Right.ROLE_EDIT)
    if role.is_system or role.retired_at is not None:
        messages.error(
            request,
            _("A system role keeps openIMIS's rights: duplicate it to make a role of your own.")
            if role.is_system
            else _("This role is retired and cannot be changed."),
        )
        return redirect(_role_url(role))
    form = RoleForm(
        request.POST or None,
        initial={"name": role.name, "alt_language": role.alt_language, "rights": role.rights},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.role_update(actor=actor, role=role, **form.cleaned_data)
        except Refused as refusal:
            refusal.add_to_form(form)
        else:
            messages.success(request, _("The role %(role)s was saved.") % {"role": role})
            return redirect(_role_url(role))
    return _render_form(request, form, _("Edit role %(role)s") % {"role": role}, role)


@login_required
def role_duplicate(request: HttpRequest, uuid) -> HttpResponse:
    actor = request.user
    role = queries.get_role_for_user(actor, uuid, Right.ROLE_DUPLICATE)
    form = RoleDuplicateForm(
        request.POST or None,
        initial={"name": (_("Copy of %(role)s") % {"role": role.name})[:50]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            copy = services.role_duplicate(actor=actor, role=role, **form.cleaned_data)
        except Refused as refusal:
            refusal.add_to_form(form)
        else:
            messages.success(
                request,
                _("The role %(copy)s was created with the rights of %(role)s.")
                % {"copy": copy, "role": role},
            )
            return redirect(_role_url(copy))
    return render(
        request,
        "core/roles/duplicate.html",
        {"form": form, "object": role, "groups": _held_groups(role.rights)},
    )


@login_required
def role_block(request: HttpRequest, uuid) -> HttpResponse:
    """GET asks for confirmation; POST blocks the role, or unblocks it if it is blocked."""
    actor = request.user
    role = queries.get_role_for_user(actor, uuid, Right.ROLE_EDIT)
    blocking = not role.is_blocked
    refusal = None
    if blocking and role.is_imis_admin:
        refusal = _("The IMIS Administrator role cannot be blocked.")
    if request.method == "POST" and refusal is None:
        try:
            services.role_block(actor=actor, role=role, blocked=blocking)
        except Refused as e:
            refusal = e.message
        else:
            messages.success(
                request,
                (
                    _("The role %(role)s is blocked.")
                    if blocking
                    else _("The role %(role)s is unblocked.")
                )
                % {"role": role},
            )
            return redirect(_role_url(role))
    n = role.users.filter(is_active=True).count()
    if blocking:
        title = _("Block role %(role)s") % {"role": role}
        question = _(
            "Its %(n)s user(s) lose the rights it gives until it is unblocked. Nothing else changes."
        ) % {"n": n}
        label = _("Block")
    else:
        title = _("Unblock role %(role)s") % {"role": role}
        question = _("Its %(n)s user(s) get its rights back.") % {"n": n}
        label = _("Unblock")
    return render(
        request,
        "core/_confirm.html",
        {
            "title": title,
            "question": question,
            "refusal": refusal,
            "confirm_label": label,
            "cancel_url": _role_url(role),
        },
    )


@login_required
def role_retire(request: HttpRequest, uuid) -> HttpResponse:
    actor = request.user
    role = queries.get_role_for_user(actor, uuid, Right.ROLE_DELETE)
    refusal = None
    if request.method == "POST":
        try:
            services.role_retire(actor=actor, role=role)
        except Refused as e:
            refusal = e.message
        else:
            messages.success(request, _("The role %(role)s was retired.") % {"role": role})
            return redirect("roles:list")
    elif role.is_system:
        refusal = _("A system role cannot be retired.")
    elif role.retired_at is not None:
        refusal = _("This role is already retired.")
    else:
        n = role.users.filter(is_active=True).count()
        if n:
            refusal = _(
                "This role is still held by %(n)s user(s): take it away from them first."
            ) % {"n": n}
    return render(
        request,
        "core/_confirm.html",
        {
            "title": _("Retire role %(role)s") % {"role": role},
            "question": _("The role will no longer be offered; its history is kept."),
            "refusal": refusal,
            "confirm_label": _("Retire"),
            "cancel_url": _role_url(role),
        },
    )
