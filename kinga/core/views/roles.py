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

from ..forms.roles import RoleDuplicateForm, RoleFilterForm, RoleForm
from ..history import entries
from ..lists import paginate
from ..loaders import parse_id
from ..pages import confirm_page, form_page
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
    chosen = {parse_id(c) for c in selected or ()} - {None}
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


@login_required
def role_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    queries.ROLE.require_right(actor, "view")
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
            "can_add": queries.ROLE.may_right(actor, "add"),
        },
    )


@login_required
def role_detail(request: HttpRequest, uuid) -> HttpResponse:
    actor = request.user
    role = queries.get_role_for_user(actor, uuid)
    return render(
        request,
        "core/roles/detail.html",
        {
            "object": role,
            "groups": _held_groups(role.rights),
            "user_count": role.users.filter(is_active=True).count(),
            "history": entries(role, page=request.GET.get("history")),
            "can_edit": queries.may_role(actor, role, "edit"),
            "can_block": not role.is_blocked and queries.may_role(actor, role, "block"),
            "can_unblock": role.is_blocked and queries.may_role(actor, role, "unblock"),
            "can_duplicate": queries.may_role(actor, role, "duplicate"),
            "can_retire": queries.may_role(actor, role, "retire"),
        },
    )


def _role_form_page(request, form: RoleForm, *, title: str, role=None, **kwargs) -> HttpResponse:
    """The role form, its rights ticked by module as the user left them."""
    return form_page(
        request,
        form=form,
        template="core/roles/form.html",
        context={"title": title, "object": role, "groups": right_groups(form["rights"].value())},
        done_url=_role_url,
        **kwargs,
    )


@login_required
def role_create(request: HttpRequest) -> HttpResponse:
    actor = request.user
    queries.ROLE.require_right(actor, "add")
    return _role_form_page(
        request,
        RoleForm(request.POST or None),
        title=_("New role"),
        save=lambda data: services.role_create(actor=actor, **data),
        done_message=lambda role: _("The role %(role)s was created.") % {"role": role},
    )


@login_required
def role_edit(request: HttpRequest, uuid) -> HttpResponse:
    """A system or retired role is not edited: back to its page, saying why."""
    actor = request.user
    role = queries.get_role_for_user(actor, uuid, "edit")
    refusal = queries.role_refusal(role, "edit")
    if refusal is not None:
        messages.error(request, refusal)
        return redirect(_role_url(role))
    return _role_form_page(
        request,
        RoleForm(
            request.POST or None,
            initial={"name": role.name, "alt_language": role.alt_language, "rights": role.rights},
        ),
        title=_("Edit role %(role)s") % {"role": role},
        role=role,
        save=lambda data: services.role_update(actor=actor, role=role, **data),
        done_message=lambda saved: _("The role %(role)s was saved.") % {"role": saved},
    )


@login_required
def role_duplicate(request: HttpRequest, uuid) -> HttpResponse:
    actor = request.user
    role = queries.get_role_for_user(actor, uuid, "duplicate")
    return form_page(
        request,
        form=RoleDuplicateForm(
            request.POST or None,
            initial={"name": (_("Copy of %(role)s") % {"role": role.name})[:50]},
        ),
        save=lambda data: services.role_duplicate(actor=actor, role=role, **data),
        template="core/roles/duplicate.html",
        context={"object": role, "groups": _held_groups(role.rights)},
        done_message=lambda copy: (
            _("The role %(copy)s was created with the rights of %(role)s.")
            % {"copy": copy, "role": role}
        ),
        done_url=_role_url,
    )


def _block_page(request: HttpRequest, uuid, *, blocking: bool) -> HttpResponse:
    """GET asks for confirmation; POST blocks (or unblocks) the role.  Two actions, not a
    toggle: a second POST (a double click, a resent form) leaves the role as the first left
    it."""
    actor = request.user
    action = "block" if blocking else "unblock"
    role = queries.get_role_for_user(actor, uuid, action)
    n = role.users.filter(is_active=True).count()
    if blocking:
        title = _("Block role %(role)s") % {"role": role}
        question = _(
            "Its %(n)s user(s) lose the rights it gives until it is unblocked. Nothing else changes."
        ) % {"n": n}
        label, done = _("Block"), _("The role %(role)s is blocked.") % {"role": role}
    else:
        title = _("Unblock role %(role)s") % {"role": role}
        question = _("Its %(n)s user(s) get its rights back.") % {"n": n}
        label, done = _("Unblock"), _("The role %(role)s is unblocked.") % {"role": role}
    return confirm_page(
        request,
        action=lambda: services.role_block(actor=actor, role=role, blocked=blocking),
        refusal=queries.role_refusal(role, action),
        title=title,
        question=question,
        confirm_label=label,
        cancel_url=_role_url(role),
        done_message=done,
        done_url=_role_url(role),
    )


@login_required
def role_block(request: HttpRequest, uuid) -> HttpResponse:
    return _block_page(request, uuid, blocking=True)


@login_required
def role_unblock(request: HttpRequest, uuid) -> HttpResponse:
    return _block_page(request, uuid, blocking=False)


@login_required
def role_retire(request: HttpRequest, uuid) -> HttpResponse:
    actor = request.user
    role = queries.get_role_for_user(actor, uuid, "retire")
    return confirm_page(
        request,
        action=lambda: services.role_retire(actor=actor, role=role),
        refusal=queries.role_retire_refusal(role),
        title=_("Retire role %(role)s") % {"role": role},
        question=_("The role will no longer be offered; its history is kept."),
        cancel_url=_role_url(role),
        done_message=_("The role %(role)s was retired.") % {"role": role},
        done_url=reverse("roles:list"),
    )
