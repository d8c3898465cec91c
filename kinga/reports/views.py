"""« Audit de la saisie »: three tabs over the same filters, each with its export.

- entries: per user and day, the records created, changed and retired, by kind;
- activity: one user's changes over a period, with every field's old and new value;
- readers: who read a person's record (found by insurance number), when, allowed or denied.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from . import exports, queries
from .forms import TABS, AuditFilters

# A tab's filters that must be given before it shows anything.
NEEDS = {"activity": "user", "readers": "number"}


def _tab(request: HttpRequest) -> str:
    tab = request.GET.get("tab", "")
    return tab if tab in TABS else TABS[0]


def _filters(request: HttpRequest, tab: str) -> AuditFilters:
    actor = request.user
    needed = NEEDS.get(tab)
    asked = any(name in request.GET for name in ("since", "until", "user", "kind", "number"))
    if needed and not asked:
        # Nothing asked yet: the form, without « this field is required ».
        return AuditFilters(None, actor=actor, tab=tab)
    return AuditFilters(request.GET, actor=actor, tab=tab)


def _results(actor, tab: str, form: AuditFilters, *, page, per_page):
    """What the tab shows for valid filters: (page of rows, the person on the readers' tab)."""
    data = form.cleaned_data
    period = {"since": data["since"], "until": data["until"]}
    if tab == "entries":
        rows = queries.day_counts(actor, user=data.get("user"), kind=data.get("kind"), **period)
        found = Paginator(rows, per_page).get_page(page)
        found.object_list = queries.name_day_rows(list(found.object_list))
        return found, None
    if tab == "activity":
        return (
            queries.activity(
                actor,
                user=data["user"],
                kind=data.get("kind"),
                page=page,
                per_page=per_page,
                **period,
            ),
            None,
        )
    person = queries.find_person(actor, data["number"])
    if person is None:
        form.add_error("number", _("No insuree of your districts has this number."))
        return None, None
    reads = queries.reads_of(person, user=data.get("user"), kind=data.get("kind"), **period)
    return Paginator(reads, per_page).get_page(page), person


@login_required
@require_GET
def audit(request: HttpRequest) -> HttpResponse:
    actor = request.user
    queries.AUDIT.require_right(actor, "view")
    tab = _tab(request)
    form = _filters(request, tab)
    page_obj = person = None
    if form.is_bound and form.is_valid():
        page_obj, person = _results(
            actor, tab, form, page=request.GET.get("page"), per_page=settings.KINGA_PAGE_SIZE
        )
    return render(
        request,
        "reports/audit.html",
        {
            "tab": tab,
            "tabs": [
                ("entries", _("Entries per user and day")),
                ("activity", _("Activity of a user")),
                ("readers", _("Who viewed a record")),
            ],
            "filters": form,
            "page_obj": page_obj,
            "person": person,
            "period": (form.cleaned_data["since"], form.cleaned_data["until"])
            if page_obj is not None
            else None,
            "read_kinds": queries.READ_KINDS,
        },
    )


@login_required
@require_GET
def audit_export(request: HttpRequest) -> HttpResponse:
    actor = request.user
    queries.AUDIT.require_right(actor, "view")
    fmt = request.GET.get("format", "csv")
    if fmt not in exports.CONTENT_TYPES:
        return HttpResponseBadRequest("format: csv or xlsx")
    tab = _tab(request)
    form = AuditFilters(request.GET, actor=actor, tab=tab)
    if not form.is_valid():
        return HttpResponseBadRequest(
            "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
        )
    cap = queries.ACTIVITY_EXPORT_CAP if tab == "activity" else queries.EXPORT_CAP
    found, person = _results(actor, tab, form, page=1, per_page=cap)
    if found is None:
        return HttpResponseBadRequest(" ".join(form.errors.get("number", [])))
    header, rows = _export_rows(tab, found.object_list, person)
    content, content_type = exports.write(fmt, tab, header, rows)
    response = HttpResponse(content, content_type=content_type)
    since, until = form.cleaned_data["since"], form.cleaned_data["until"]
    name = f"audit-{tab}-{since:%Y%m%d}-{until:%Y%m%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _export_rows(tab: str, rows, person) -> tuple[list[str], list[list]]:
    if tab == "entries":
        header = [
            _("Day"),
            _("Login"),
            _("User"),
            _("Kind of record"),
            pgettext("audit counts", "Created"),
            pgettext("audit counts", "Changed"),
            pgettext("audit counts", "Retired"),
        ]
        return header, [
            [
                exports.day(r["day"]),
                r["user"].username if r["user"] else "",
                r["user"].full_name if r["user"] else _("system"),
                r["kind_name"],
                r["created"],
                r["changed"],
                r["retired"],
            ]
            for r in rows
        ]
    if tab == "activity":
        header = [
            _("Date"),
            _("Kind of record"),
            _("Record"),
            _("What"),
            _("Field"),
            _("Old value"),
            _("New value"),
            _("Reason"),
        ]
        out = []
        for e in rows:
            head = [exports.when(e.date), e.record_name, e.record_label, e.kind_label]
            for c in e.changes or [None]:
                out.append(
                    [
                        *head,
                        c.field if c else "",
                        c.old if c else "",
                        c.new if c else "",
                        e.shown_reason,
                    ]
                )
        return header, out
    header = [
        _("Insurance number"),
        _("Date"),
        _("Login"),
        _("User"),
        _("Read"),
        _("Action"),
        _("Outcome"),
        _("Address"),
        _("Page"),
    ]
    return header, [
        [
            person.number,
            exports.when(e.at),
            e.login,
            e.user.full_name if e.user else "",
            str(queries.READ_KINDS.get(e.kind, e.kind)),
            e.get_action_display(),
            e.get_outcome_display(),
            e.address or "",
            e.path,
        ]
        for e in rows
    ]
