"""The FOSA's claim pages (issue 12, 3.2.1–3.2.3): the entry form (new and edit, while
Entered), the claim page (lines with their status and reason, administrative check, returns
for completion, history, actions by state), deletion, duplication, submission of one claim,
attachments and the printable form.

Every page starts with the claim loader (kinga.claims.queries.claims.CLAIM): a facility's
staff reach only their facility's claims, whatever the URL.  The lookups the form uses as the
clerk types are in kinga.claims.views.lookups."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kinga.core.errors import Refused
from kinga.core.history import Child, entries
from kinga.core.loaders import parse_uuid
from kinga.core.pages import confirm_page

from ..codes import CLAIM_LEVEL, AttachmentType, ClaimStatus, ReviewStatus
from ..forms.entry import ClaimForm, LineRow, read_lines
from ..models import Claim
from ..queries import claims as queries
from ..queries import lookups
from ..services import claims as services
from ..services.submission import claim_submit
from .lookups import care_day, facility_for

FORM = "claims/entry/form.html"
SHOWN_INLINE = {"image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf"}

# The claim page shows the history of its lines and attachments too.
CLAIM_LINES = (
    Child("lines", gettext_lazy("Line %(service)s %(item)s")),
    Child("attachments", gettext_lazy("Attachment %(filename)s")),
)

# Refusals of the service → the form's field.
FIELD_OF = {"insuree": "insurance_number", "secondary": "icd_1", "date_claimed": "date_from"}


def _initial_rows(claim: Claim | None) -> list[LineRow]:
    if claim is None:
        return [LineRow(n=0)]
    rows = []
    day = claim.date_to or claim.date_from
    for n, line in enumerate(queries.lines_of(claim)):
        medical = line.medical
        rows.append(
            LineRow(
                n=n,
                code=medical.code,
                quantity=str(line.quantity),
                price=str(line.price_asked),
                explanation=line.explanation,
                medical=medical,
                qty=line.quantity,
                unit_price=line.price_asked,
                list_price=line.price_asked,
                editable_price=services.provider_priced(claim.insuree, medical, day),
            )
        )
    return rows or [LineRow(n=0)]


def _initial(claim: Claim) -> dict:
    data = {
        "health_facility": claim.health_facility_id,
        "code": claim.code,
        "insurance_number": claim.insuree.insurance_number,
        "date_from": claim.date_from,
        "date_to": claim.date_to,
        "visit_type": claim.visit_type,
        "icd": claim.icd.code,
        "guarantee_number": claim.guarantee_number,
        "explanation": claim.explanation,
    }
    for n, d in enumerate(claim.secondary_diagnoses, start=1):
        data[f"icd_{n}"] = d.code
    return data


def _apply_refusal(refused: Refused, form: ClaimForm, rows: list[LineRow]) -> None:
    name = refused.field or ""
    if name.startswith("lines-"):
        try:
            rows[int(name.split("-", 1)[1])].errors.append(refused.message)
            return
        except (ValueError, IndexError):
            name = ""
    name = FIELD_OF.get(name, name)
    form.add_error(name if name in form.fields else None, refused.message)


def _facility_refusal(user, claim: Claim | None, facilities) -> dict:
    """What the facility select says of a facility of the user's reach it does not offer: a
    saved claim keeps its facility; a facility's own user enters its claims only.  Nothing for
    a district user's new claim (all his facilities are offered)."""
    if claim is not None:
        kept = claim.health_facility
        return {
            "wider": queries.facilities_in_districts(user),
            "refusal": lambda facility: (
                _("A saved claim stays with its health facility (%(facility)s).")
                % {"facility": f"{kept.code} {kept.name}"}
            ),
        }
    if queries.facility_of_user(user) is None:
        return {}

    def not_yours(facility) -> str:
        own = facilities.first()  # read only to say it: no query on the usual page
        return _("You enter the claims of %(facility)s only.") % {
            "facility": f"{own.code} {own.name}" if own is not None else "—"
        }

    return {"wider": queries.facilities_in_districts(user), "refusal": not_yours}


def _entry_page(request: HttpRequest, claim: Claim | None) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    if claim is None:
        facilities = queries.facilities_for_entry(user)
    else:
        facilities = type(claim.health_facility).objects.filter(pk=claim.health_facility_id)
    data = request.POST if request.method == "POST" else None
    initial = _initial(claim) if claim is not None else {"visit_type": "O"}
    if claim is None and data is None:  # a posted form shows what was typed, not the initial
        first = facilities.first()
        if first is not None:
            initial["health_facility"] = first.pk
            initial["code"] = services.proposed_code(first, today)
    form = ClaimForm(
        data,
        request.FILES or None,
        facilities=facilities,
        initial=initial,
        **_facility_refusal(user, claim, facilities),
    )
    search = {
        "hx-get": reverse("claims_entry:diagnoses"),
        "hx-trigger": "input changed delay:250ms",
        "hx-target": "#icd-options",
        "hx-swap": "innerHTML",
    }
    for name in ("icd", *(f"icd_{n}" for n in range(1, services.MAX_SECONDARY + 1))):
        form.fields[name].widget.attrs.update(search)
    rows = _initial_rows(claim)
    if data is not None:
        valid = form.is_valid()
        # The form has already found the facility and the insuree when their fields are valid.
        cleaned = form.cleaned_data
        facility = (
            cleaned["health_facility"]
            if claim is None and cleaned.get("health_facility") is not None
            else facility_for(user, data.get("health_facility"), claim)
        )
        insuree = (
            form.insuree
            if "insurance_number" in cleaned
            else lookups.insuree_by_number(data.get("insurance_number"))
        )
        rows = read_lines(data, facility=facility, insuree=insuree, day=care_day(data))
        if not rows:
            form.add_error(None, _("Enter at least one service or item."))
            valid = False
        if valid and not any(row.errors for row in rows):
            try:
                saved = _save(user, claim, form, rows, today)
            except Refused as refused:
                _apply_refusal(refused, form, rows)
            else:
                messages.success(request, _("Claim %(code)s saved.") % {"code": saved.code})
                return redirect("claims_entry:detail", uuid=saved.uuid)
        rows = rows or [LineRow(n=0)]
    # Only the page shown needs it: a saved POST does not count the facilities.
    fixed_facility = claim is not None or facilities.count() == 1
    if fixed_facility:
        form.fields["health_facility"].widget.attrs["readonly"] = True
    insuree = form.insuree if data is not None else (claim.insuree if claim else None)
    day = (
        care_day(data)
        if data is not None
        else (claim.date_to or claim.date_from if claim else today)
    )
    return render(
        request,
        FORM,
        {
            "form": form,
            "claim": claim,
            "rows": rows,
            "next_line": max(row.n for row in rows) + 1,
            "total": sum((row.total or 0 for row in rows), 0),
            "fixed_facility": fixed_facility,
            "insuree_card": lookups.card(user, insuree, day),
            "returns": queries.returns_of(claim) if claim is not None else [],
            "title": _("New claim")
            if claim is None
            else _("Edit claim %(code)s") % {"code": claim.code},
        },
    )


def _save(user, claim: Claim | None, form: ClaimForm, rows: list[LineRow], today) -> Claim:
    d = form.cleaned_data
    values = {
        "insuree": form.insuree,
        "code": d["code"],
        "date_from": d["date_from"],
        "date_to": d["date_to"],
        "visit_type": d["visit_type"],
        "icd": d["icd"],
        "secondary": form.secondary,
        "guarantee_number": d["guarantee_number"],
        "explanation": d["explanation"],
        "lines": [row.input() for row in rows],
        "today": today,
    }
    with transaction.atomic():
        if claim is None:
            saved = services.claim_create(
                actor=user, health_facility=d["health_facility"], **values
            )
        else:
            saved = services.claim_update(actor=user, claim=claim, **values)
        if d.get("attachment"):
            services.attachment_add(
                actor=user,
                claim=saved,
                file=d["attachment"],
                type=d.get("attachment_type") or AttachmentType.OTHER,
            )
    return saved


@login_required
@require_http_methods(["GET", "POST"])
def claim_new(request: HttpRequest) -> HttpResponse:
    queries.CLAIM.require_right(request.user, "add")
    return _entry_page(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def claim_edit(request: HttpRequest, uuid) -> HttpResponse:
    claim = _entered_or_back(request, uuid, "edit")
    if isinstance(claim, HttpResponse):
        return claim
    return _entry_page(request, claim)


def _entered_or_back(request: HttpRequest, uuid, action: str):
    """The claim for `action`; a claim the user reaches but that is no longer Entered (it was
    submitted meanwhile, e.g. from another browser) sends him back to its page with a
    message instead of a 403."""
    claim = queries.get_claim_for_user(request.user, uuid, "view")
    if queries.may_claim(request.user, claim, action):
        return claim
    if (
        claim.retired_at is None
        and not queries.is_entered(claim)
        and queries.CLAIM.may_right(request.user, action)
    ):
        messages.warning(
            request,
            _("This claim is %(status)s: it can no longer be changed or submitted.")
            % {"status": claim.get_status_display()},
        )
        return redirect("claims_entry:detail", uuid=claim.uuid)
    return queries.get_claim_for_user(request.user, uuid, action)  # 403


# --- the claim page -------------------------------------------------------------------------


def _missing_labels(missing) -> list[str]:
    out = []
    types = dict(AttachmentType.choices)
    for part in missing or ():
        kind, _sep, name = str(part).partition(":")
        if kind == "field":
            try:
                out.append(str(Claim._meta.get_field(name).verbose_name))
            except Exception:  # a field since renamed: shown by its name
                out.append(name)
        elif kind == "attachment":
            out.append(_("Attachment: %(type)s") % {"type": types.get(name, name)})
        elif kind == "lines":
            out.append(_("At least one service or item"))
        else:
            out.append(str(part))
    return out


def _claim_context(user, claim: Claim) -> dict:
    lines = list(queries.lines_of(claim))
    return {
        "claim": claim,
        "lines": lines,
        "total": sum((line.total for line in lines), 0),
        "attachments": list(claim.attachments.filter(retired_at__isnull=True).order_by("id")),
        "returns": queries.returns_of(claim),
        "claim_level_reason": claim.rejection_reason in CLAIM_LEVEL,
        "missing": _missing_labels(claim.missing),
        "age": lookups.age_on(claim.insuree.dob, claim.date_from),
        "attachment_types": AttachmentType.choices,
        "may": {
            action: queries.may_claim(user, claim, action)
            for action in ("edit", "delete", "duplicate", "submit", "print", "review", "return")
        },
    }


@login_required
@require_GET
def claim_detail(request: HttpRequest, uuid) -> HttpResponse:
    claim = queries.get_claim_for_user(request.user, uuid, "view")
    context = _claim_context(request.user, claim)
    context["history"] = queries.history_without_names(
        request.user, entries(claim, children=CLAIM_LINES, page=request.GET.get("history"))
    )
    # The control's work on the same page: review, return, feedback (when rights and state allow).
    context["may"]["feedback"] = (
        claim.feedback_status == ReviewStatus.SELECTED
        and queries.may_claim(request.user, claim, "feedback")
    )
    return render(request, "claims/entry/detail.html", context)


@login_required
@require_GET
def claim_print(request: HttpRequest, uuid) -> HttpResponse:
    claim = queries.get_claim_for_user(request.user, uuid, "print")
    context = _claim_context(request.user, claim)
    context["printed_on"] = timezone.localtime()
    return render(request, "claims/entry/print.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def claim_delete(request: HttpRequest, uuid) -> HttpResponse:
    claim = _entered_or_back(request, uuid, "delete")
    if isinstance(claim, HttpResponse):
        return claim
    return confirm_page(
        request,
        action=lambda: services.claim_delete(actor=request.user, claim=claim),
        title=_("Delete the claim %(code)s") % {"code": claim.code},
        question=_(
            "Delete the claim %(code)s of %(name)s? It is kept in the history and its number "
            "becomes free again."
        )
        % {"code": claim.code, "name": claim.insuree.full_name},
        cancel_url=reverse("claims_entry:detail", args=[claim.uuid]),
        done_message=_("Claim %(code)s deleted.") % {"code": claim.code},
        done_url=reverse("claims_entry:new"),
        confirm_label=_("Delete"),
    )


@login_required
@require_POST
def claim_duplicate(request: HttpRequest, uuid) -> HttpResponse:
    claim = queries.get_claim_for_user(request.user, uuid, "duplicate")
    try:
        copy = services.claim_duplicate(actor=request.user, claim=claim)
    except Refused as refused:
        messages.error(request, refused.message)
        return redirect("claims_entry:detail", uuid=claim.uuid)
    messages.success(
        request,
        _("Claim %(copy)s entered as a copy of %(code)s: check it and save it.")
        % {"copy": copy.code, "code": claim.code},
    )
    return redirect("claims_entry:edit", uuid=copy.uuid)


@login_required
@require_http_methods(["GET", "POST"])
def claim_submit_page(request: HttpRequest, uuid) -> HttpResponse:
    """« Submit »: a confirmation, then the checks; the claim page shows Checked or Rejected
    and why, line by line.  A second submission (another tab, a double click) changes nothing
    and says so."""
    claim = _entered_or_back(request, uuid, "submit")
    if isinstance(claim, HttpResponse):
        return claim
    detail = reverse("claims_entry:detail", args=[claim.uuid])
    if request.method == "POST":
        report = claim_submit(actor=request.user, claim=claim)
        if claim.pk in report.results:  # the status it was given, without reading it back
            claim.status = report.results[claim.pk].status
        else:
            claim.refresh_from_db(fields=["status"])
        if report.submitted == 0:
            messages.warning(
                request,
                _("This claim was already submitted: %(status)s.")
                % {"status": claim.get_status_display()},
            )
        elif claim.status == ClaimStatus.CHECKED:
            messages.success(
                request,
                _(
                    "Claim %(code)s submitted: %(status)s. %(passed)d line(s) passed, %(rejected)d rejected."
                )
                % {
                    "code": claim.code,
                    "status": claim.get_status_display(),
                    "passed": report.lines_passed,
                    "rejected": report.lines_rejected,
                },
            )
        else:
            messages.error(
                request,
                _("Claim %(code)s submitted: %(status)s. See why on each line.")
                % {"code": claim.code, "status": claim.get_status_display()},
            )
        return redirect(detail)
    return render(
        request,
        "claims/entry/submit.html",
        {"claim": claim, "title": _("Submit the claim %(code)s") % {"code": claim.code}},
    )


# --- attachments ----------------------------------------------------------------------------


@login_required
@require_POST
def attachment_add(request: HttpRequest, uuid) -> HttpResponse:
    claim = queries.get_claim_for_user(request.user, uuid, "edit")
    upload = request.FILES.get("file")
    kind = request.POST.get("type") or AttachmentType.OTHER
    try:
        services.attachment_add(
            actor=request.user,
            claim=claim,
            file=upload,
            type=kind,
            title=request.POST.get("title", ""),
        )
    except Refused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Document attached."))
    return redirect(reverse("claims_entry:detail", args=[claim.uuid]) + "#attachments")


@login_required
@require_GET
def attachment_file(request: HttpRequest, uuid, attachment) -> HttpResponse:
    claim = queries.get_claim_for_user(request.user, uuid, "view")
    key = parse_uuid(attachment)
    found = claim.attachments.filter(uuid=key).first() if key else None
    if found is None or not found.file:
        raise Http404
    try:
        handle = found.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    # Shown in the browser only when it is an image or a PDF; anything else is downloaded.
    inline = found.mime in SHOWN_INLINE
    return FileResponse(
        handle,
        as_attachment=not inline,
        filename=found.filename or "document",
        content_type=found.mime if inline else "application/octet-stream",
    )
