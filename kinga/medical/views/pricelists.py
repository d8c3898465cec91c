"""Pages of the services and items price lists: they share their pages (a
`queries.pricelists.PriceListKind` says which); the URL conf passes which one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from kinga.core.errors import Refused
from kinga.core.history import Child, entries
from kinga.core.lists import paginate
from kinga.core.loaders import parse_uuids
from kinga.core.pages import confirm_page, form_page

from ..forms.pricelists import (
    CandidateFilterForm,
    MemberChangesForm,
    PriceListFilterForm,
    PriceListForm,
)
from ..queries import _common as common_queries
from ..queries import pricelists as queries
from ..services import pricelists as services

# --- price lists --------------------------------------------------------------------------------


def _kind(kind: str) -> queries.PriceListKind:
    return queries.PRICE_LIST_KINDS[kind]


def _load(request: HttpRequest, kind: queries.PriceListKind, uuid, action: str = "view"):
    """The price list of the URL, loaded and authorised for `action`."""
    return queries.PRICE_LIST[kind.key].get(request.user, uuid, action)


def _pl_url(kind: queries.PriceListKind, action: str, price_list=None) -> str:
    name = f"pricelists:{kind.key}" if action == "list" else f"pricelists:{kind.key}_{action}"
    return reverse(name, args=[price_list.uuid] if price_list is not None else [])


def _pl_context(kind: queries.PriceListKind) -> dict:
    return {
        "kind": kind.key,
        "kind_title": kind.title,
        "member_title": kind.member_title,
        "url_prefix": f"pricelists:{kind.key}",
    }


# A price list's page shows the history of its members too (who added, removed, repriced).
MEMBER_LABELS = {
    "service": gettext_lazy("Member %(service)s"),
    "item": gettext_lazy("Member %(item)s"),
}


@login_required
@require_GET
def pricelist_list(request: HttpRequest, kind: str) -> HttpResponse:
    pl_kind = _kind(kind)
    user = request.user
    queries.loader_of(pl_kind).require_right(user, "view")
    form = PriceListFilterForm(request.GET or None, locations=queries.filter_locations(user))
    data = form.cleaned_data if form.is_valid() else {}
    where = data.get("where") or ""
    qs = queries.search_pricelists(
        user,
        pl_kind,
        q=data.get("q") or "",
        national=where == "national",
        location=form.locations.get(where),
        include_retired=bool(data.get("retired")),
    )
    return render(
        request,
        "medical/pricelists/list.html",
        {
            **_pl_context(pl_kind),
            "form": form,
            "page_obj": paginate(request, qs),
            "may_add": queries.may_add_pricelist(user, pl_kind),
        },
    )


def _parse_amount(raw: str) -> str:
    """What the user typed in an override cell, in the service's format (1 500,50 -> 1500.50)."""
    return (
        raw.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace(",", ".")
    )


def _save_members(user, pl_kind, price_list, form: MemberChangesForm) -> dict[str, int]:
    """The overrides typed and the removals ticked, in one transaction; a refused amount names
    its member."""
    typed, removed = form.typed(), form.removed()
    lines = {
        str(e.uuid): e
        for e in queries.members(price_list).filter(
            uuid__in=[k for k in {*typed, *removed} if common_queries.parse_uuid(k)]
        )
    }
    try:
        with transaction.atomic():
            changed = services.pricelist_set_overrides(
                actor=user,
                price_list=price_list,
                overrides={lines[k]: _parse_amount(v) for k, v in typed.items() if k in lines},
            )
            gone = services.pricelist_remove_members(
                actor=user,
                price_list=price_list,
                entries=[lines[k] for k in removed if k in lines],
            )
    except Refused as refused:
        by_pk = {str(e.pk): e for e in lines.values()}
        line = by_pk.get((refused.field or "").removeprefix("override-"))
        if line is None:
            raise
        raise Refused(f"{getattr(line, pl_kind.member_field)}: {refused.message}") from None
    return {"changed": changed, "removed": gone}


def _detail_context(request, pl_kind, price_list, typed: dict[str, str]) -> dict:
    q = request.GET.get("q", "")
    page = paginate(request, queries.members(price_list, q=q))
    rows = [
        {"entry": e, "member": getattr(e, pl_kind.member_field), "typed": typed.get(str(e.uuid))}
        for e in page
    ]
    user = request.user
    return {
        **_pl_context(pl_kind),
        "price_list": price_list,
        "page_obj": page,
        "rows": rows,
        "q": q,
        "history": entries(
            price_list,
            children=[Child("entries", MEMBER_LABELS[pl_kind.member_field])],
            page=request.GET.get("history"),
        ),
        "member_url": f"{pl_kind.key}:detail",
        "may": {
            action: queries.may_pricelist(user, price_list, action)
            for action in ("edit", "retire", "duplicate")
        },
    }


@login_required
@require_http_methods(["GET", "POST"])
def pricelist_detail(request: HttpRequest, kind: str, uuid) -> HttpResponse:
    """The header, its members with their effective price (the override, else the register's),
    the overrides editable and members removable (POST: "edit"), and the history of both."""
    pl_kind = _kind(kind)
    posted = request.method == "POST"
    price_list = _load(request, pl_kind, uuid, "edit" if posted else "view")
    form = MemberChangesForm(request.POST if posted else None)
    return form_page(
        request,
        form=form,
        save=lambda _data: _save_members(request.user, pl_kind, price_list, form),
        template="medical/pricelists/detail.html",
        context=_detail_context(request, pl_kind, price_list, form.typed() if posted else {}),
        done_message=lambda counts: (
            _("%(changed)d prices changed, %(removed)d members removed.") % counts
        ),
        done_url=request.get_full_path(),
    )


def _pricelist_form(request: HttpRequest, **initial) -> PriceListForm:
    """The header form, offering the locations where the user may put a price list (and
    national only to a user who sees every location)."""
    return PriceListForm(
        request.POST or None,
        locations=queries.pricelist_locations(request.user),
        national=queries.may_manage_location(request.user, None),
        initial=initial,
    )


def _pricelist_form_page(request, pl_kind, form, *, save, done_message, done_url, **context):
    return form_page(
        request,
        form=form,
        save=save,
        template="medical/pricelists/form.html",
        context={**_pl_context(pl_kind), **context},
        done_message=done_message,
        done_url=done_url,
    )


@login_required
@require_http_methods(["GET", "POST"])
def pricelist_create(request: HttpRequest, kind: str) -> HttpResponse:
    pl_kind = _kind(kind)
    user = request.user
    queries.require_add_pricelist(user, pl_kind)
    return _pricelist_form_page(
        request,
        pl_kind,
        _pricelist_form(request),
        save=lambda data: services.pricelist_create(actor=user, kind=pl_kind, **data),
        done_message=lambda price_list: _("%(object)s created.") % {"object": price_list},
        done_url=lambda price_list: _pl_url(pl_kind, "detail", price_list),
        title=_("New price list"),
        cancel_url=_pl_url(pl_kind, "list"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def pricelist_edit(request: HttpRequest, kind: str, uuid) -> HttpResponse:
    pl_kind = _kind(kind)
    user = request.user
    price_list = _load(request, pl_kind, uuid, "edit")
    form = _pricelist_form(
        request,
        name=price_list.name,
        date=price_list.date,
        location=price_list.location.uuid if price_list.location else None,
    )
    return _pricelist_form_page(
        request,
        pl_kind,
        form,
        save=lambda data: services.pricelist_update(actor=user, price_list=price_list, **data),
        done_message=_("Changes saved."),
        done_url=_pl_url(pl_kind, "detail", price_list),
        title=_("Edit %(object)s") % {"object": price_list},
        cancel_url=_pl_url(pl_kind, "detail", price_list),
    )


@login_required
@require_http_methods(["GET", "POST"])
def pricelist_duplicate(request: HttpRequest, kind: str, uuid) -> HttpResponse:
    pl_kind = _kind(kind)
    user = request.user
    price_list = _load(request, pl_kind, uuid, "duplicate")
    form = _pricelist_form(
        request,
        name=_("Copy of %(name)s") % {"name": price_list.name},
        location=price_list.location.uuid if price_list.location else None,
    )
    return _pricelist_form_page(
        request,
        pl_kind,
        form,
        save=lambda data: services.pricelist_duplicate(actor=user, price_list=price_list, **data),
        done_message=lambda copy: (
            _("%(copy)s created as a copy of %(source)s.") % {"copy": copy, "source": price_list}
        ),
        done_url=lambda copy: _pl_url(pl_kind, "detail", copy),
        title=_("Duplicate %(object)s") % {"object": price_list},
        intro=_("The copy gets the current members of %(object)s and their price overrides.")
        % {"object": price_list},
        cancel_url=_pl_url(pl_kind, "detail", price_list),
    )


@login_required
@require_http_methods(["GET", "POST"])
def pricelist_retire(request: HttpRequest, kind: str, uuid) -> HttpResponse:
    pl_kind = _kind(kind)
    price_list = _load(request, pl_kind, uuid, "retire")
    return confirm_page(
        request,
        action=lambda: services.pricelist_retire(actor=request.user, price_list=price_list),
        title=_("Retire %(object)s") % {"object": price_list},
        question=_(
            "Retire the price list %(object)s? Health facilities using it will have no "
            "price list until they get another one."
        )
        % {"object": price_list},
        cancel_url=_pl_url(pl_kind, "detail", price_list),
        done_message=_("%(object)s retired.") % {"object": price_list},
        done_url=_pl_url(pl_kind, "list"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def pricelist_add(request: HttpRequest, kind: str, uuid) -> HttpResponse:
    """Add many members at once: tick them in the search results, or add every one that the
    search and filters match."""
    pl_kind = _kind(kind)
    user = request.user
    price_list = _load(request, pl_kind, uuid, "edit")
    filters = CandidateFilterForm(request.GET or None, kind=pl_kind.key)
    q = filters.cleaned_data.get("q", "") if filters.is_valid() else ""
    found = queries.candidates(price_list, q=q, **filters.filters())
    if request.method == "POST":
        if request.POST.get("all"):
            chosen = list(found)
        else:
            chosen = list(found.filter(uuid__in=parse_uuids(request.POST.getlist("member"))))
        added = services.pricelist_add_members(actor=user, price_list=price_list, members=chosen)
        messages.success(request, _("%(n)d members added.") % {"n": added})
        if request.POST.get("more"):
            return redirect(request.get_full_path())
        return redirect(_pl_url(pl_kind, "detail", price_list))
    return render(
        request,
        "medical/pricelists/add.html",
        {
            **_pl_context(pl_kind),
            "price_list": price_list,
            "form": filters,
            "page_obj": paginate(request, found),
        },
    )
