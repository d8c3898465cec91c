"""Claims control pages (issue 12 steps 3–5): the claim search with openIMIS's overview filters
and its bulk actions (submit, select for review or feedback, return for completion), the
selection over a search, the claim's control page, the return for completion, the medical
officer's review and the patient's feedback; and the claims' cards of the home page.

Every page loads through the claim loader (kinga.claims.queries.claims.CLAIM) or the user's
reach (`visible`); the rules are the services'."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kinga.core import audit
from kinga.core.errors import Refused
from kinga.core.history import entries
from kinga.core.pages import form_page
from kinga.products.rules import money

from ..codes import ClaimStatus, Rejection, ReviewStatus
from ..forms import control as forms
from ..queries import claims as claim_queries
from ..queries import control as queries
from ..rules.selection import Rule
from ..services import claims as claim_services
from ..services import review as review_services
from ..services.submission import claims_submit
from ..templatetags.claims_control import admin_check
from . import valuation as valuation_views

T = "claims/control/"
PAGE_SIZE = 50
SEARCH_PARAMS = (
    "health_facility",
    "status",
    "review_status",
    "feedback_status",
    "care_from",
    "care_to",
    "claimed_from",
    "claimed_to",
    "insurance_number",
    "insuree_name",
    "code",
    "icd",
    "amount_min",
    "amount_max",
    "visit_type",
    "admin",
    "returned",
)


def search_url(query: str = "") -> str:
    url = reverse("claims_control:search")
    return f"{url}?{query}" if query else url


def claim_page(claim) -> str:
    return reverse("claims_control:claim", kwargs={"uuid": claim.uuid})


NO_UUID = "00000000-0000-0000-0000-000000000000"


def _present(rows: list) -> list:
    """What each row of the search shows, worked out once per page rather than per cell (a
    list draws many rows): `page_url` (the entry pages' claim page when it exists, else the
    control page), the status labels, the dates « dd/mm/yyyy » and the amount « 22 500 FCFA »."""
    pattern = ""
    for name in ("claims_entry:detail", "claims_control:claim"):
        try:
            pattern = reverse(name, kwargs={"uuid": NO_UUID})
            break
        except NoReverseMatch:
            continue
    status = {value: str(label) for value, label in ClaimStatus.choices}
    review = {value: str(label) for value, label in ReviewStatus.choices}
    for row in rows:
        row.page_url = pattern.replace(NO_UUID, str(row.uuid))
        row.status_label = status.get(row.status, row.status)
        row.review_label = review.get(row.review_status, row.review_status)
        row.feedback_label = review.get(row.feedback_status, row.feedback_status)
        care = row.date_from.strftime("%d/%m/%Y")
        if row.date_to and row.date_to != row.date_from:
            care += " – " + row.date_to.strftime("%d/%m/%Y")
        row.care = care
        row.claimed_on = row.date_claimed.strftime("%d/%m/%Y")
        row.amount = money(row.claimed)
        row.admin_html = admin_check(row)
    return rows


def _search_query(data: QueryDict) -> str:
    """The search's own parameters of `data` (no cursor, no token), url-encoded."""
    kept = QueryDict(mutable=True)
    for name in SEARCH_PARAMS:
        values = [v for v in data.getlist(name) if v != ""]
        if values:
            kept.setlist(name, values)
    return kept.urlencode()


def _run_search(actor, data: QueryDict):
    """(form, queryset or None when the filters are wrong)."""
    form = forms.SearchForm(actor, data)
    if not form.is_valid():
        return form, None
    return form, queries.found(actor, form.filters(), form.cleaned_data.get("insuree_name", ""))


def _abilities(actor) -> dict:
    may = claim_queries.CLAIM.may_right
    return {
        "can_submit": may(actor, "submit"),
        "can_select": may(actor, "select"),
        "can_return": may(actor, "return"),
        "can_value": valuation_views.may_value_right(actor),
        "can_print": may(actor, "print"),
    }


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    actor = request.user
    claim_queries.CLAIM.require_right(actor, "view")
    form, found = _run_search(actor, request.GET)
    page = None
    if found is not None:
        page = queries.page_of(
            queries.listed(found), queries.Cursor.parse(request.GET.get("after")), PAGE_SIZE
        )
        _present(page.rows)
        # The read audit: one entry naming the claims this page of results showed.
        audit.listed(actor, "claims.search", [row.pk for row in page.rows])
    abilities = _abilities(actor)
    query = _search_query(request.GET)
    return render(
        request,
        T + "search.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "bulk_choices": [
                (value, label)
                for value, label in forms.BULK_CHOICES
                if (value == forms.BULK_SUBMIT and abilities["can_submit"])
                or (value in (forms.BULK_REVIEW, forms.BULK_FEEDBACK) and abilities["can_select"])
                or (value == forms.BULK_RETURN and abilities["can_return"])
                or (value == forms.BULK_VALUE and abilities["can_value"])
                or (value == forms.BULK_VOUCHER and abilities["can_print"])
            ],
            **abilities,
        },
    )


def _back(request: HttpRequest) -> str:
    """The search the user came from (its parameters travel with the POST), else the search."""
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        if target.startswith(reverse("claims_control:search")):
            return target
    return search_url()


def _do_bulk(request: HttpRequest, action: str, claims: list, comment: str) -> None:
    actor = request.user
    if action == forms.BULK_SUBMIT:
        report = claims_submit(actor=actor, claims=claims)
        messages.success(
            request,
            _(
                "Submitted: %(submitted)d — checked %(checked)d, rejected %(rejected)d; "
                "unchanged (not entered): %(unchanged)d."
            )
            % {
                "submitted": report.submitted,
                "checked": report.checked,
                "rejected": report.rejected,
                "unchanged": report.unchanged,
            },
        )
    elif action in (forms.BULK_REVIEW, forms.BULK_FEEDBACK):
        chosen = review_services.claims_select(actor=actor, claims=claims, kind=action)
        messages.success(request, _selection_message(action, chosen, len(claims)))
    elif action == forms.BULK_RETURN:
        done, refused = 0, []
        for claim in claims:
            try:
                claim_services.claim_return(actor=actor, claim=claim, comment=comment)
            except Refused as refusal:
                refused.append(f"{claim.code}: {refusal.message}")
            else:
                done += 1
        messages.success(
            request,
            ngettext(
                "%(n)d claim returned to its facility for completion.",
                "%(n)d claims returned to their facility for completion.",
                done,
            )
            % {"n": done},
        )
        for text in refused:
            messages.warning(request, text)
    elif action == forms.BULK_VALUE:
        valuation_views.bulk_value(request, claims)


def _selection_message(kind: str, chosen, considered: int) -> str:
    text = (
        _(
            "Selected for review: %(selected)d; not selected: %(not_selected)d; %(other)d were not idle."
        )
        if kind == forms.BULK_REVIEW
        else _(
            "Selected for feedback: %(selected)d; not selected: %(not_selected)d; %(other)d were not idle."
        )
    )
    return text % {
        "selected": len(chosen.selected),
        "not_selected": len(chosen.not_selected),
        "other": considered - len(chosen.selected) - len(chosen.not_selected),
    }


@login_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    """An action on the ticked claims: a confirmation page first, then the action."""
    actor = request.user
    claim_queries.CLAIM.require_right(actor, "view")
    form = forms.BulkForm(request.POST)
    back = _back(request)
    valid = form.is_valid()
    if "action" in form.errors or "claims" in form.errors:
        for name in ("action", "claims"):
            for error in form.errors.get(name, ()):
                messages.error(request, error)
        return redirect(back)
    action = form.cleaned_data["action"]
    if action == forms.BULK_VOUCHER:
        return _vouchers(request, back, form.cleaned_data["claims"])
    needed = {
        forms.BULK_SUBMIT: "submit",
        forms.BULK_REVIEW: "select",
        forms.BULK_FEEDBACK: "select",
        forms.BULK_RETURN: "return",
    }.get(action)
    if action == forms.BULK_VALUE:
        valuation_views.require_value_right(actor)
    else:
        claim_queries.CLAIM.require_right(actor, needed)
    # Every ticked claim within the user's reach, or 403 and nothing done.
    claims = queries.in_reach_by_uuid(actor, form.cleaned_data["claims"])
    if valid and form.cleaned_data.get("confirmed"):
        _do_bulk(request, action, claims, form.cleaned_data.get("comment", ""))
        return redirect(back)
    return render(
        request,
        T + "bulk_confirm.html",
        {
            "form": form,
            "action": action,
            "action_label": dict(forms.BULK_CHOICES)[action],
            "claims": claims,
            "next": back,
        },
    )


def _vouchers(request: HttpRequest, back: str, keys) -> HttpResponse:
    """The bons à payer of the ticked claims in one PDF (the Valuated ones; a message when none
    is)."""
    from . import payment

    claim_queries.CLAIM.require_right(request.user, "print")
    claims = queries.in_reach_by_uuid(request.user, keys)
    response = payment.vouchers_response(request.user, claims)
    if response is None:
        messages.error(request, _("None of the ticked claims is valuated: no payment voucher."))
        return redirect(back)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def select(request: HttpRequest) -> HttpResponse:
    """Selection for review or feedback over the claims of a search (its filters in the query
    string): all, a random share, above a value, above the diagnosis's average by a variance."""
    actor = request.user
    claim_queries.CLAIM.require_right(actor, "select")
    search_form, found = _run_search(actor, request.GET)
    query = _search_query(request.GET)
    form = forms.SelectionForm(request.POST or None)
    refusal = None
    if found is None:
        refusal = _("Correct the search first.")
    elif request.method == "POST" and form.is_valid():
        ids = queries.search_ids(found)
        if ids is None:
            refusal = _("The search finds more than %(n)d claims: narrow it before selecting.") % {
                "n": queries.SELECTION_CAP
            }
        else:
            d = form.cleaned_data
            chosen = review_services.claims_select(
                actor=actor,
                claims=ids,
                kind=d["kind"],
                rule=Rule(d["rule"]),
                value=d.get("value") or 0,
                share=d.get("share") or 100,
                variance=d.get("variance") or 0,
            )
            messages.success(request, _selection_message(d["kind"], chosen, len(ids)))
            return redirect(search_url(query))
    count = None
    if found is not None:
        count = queries.capped_count(found)
    return render(
        request,
        T + "select.html",
        {
            "form": form,
            "search_form": search_form,
            "query": query,
            "count": count,
            "refusal": refusal,
        },
    )


def _claim_context(actor, claim) -> dict:
    return {
        "claim": claim,
        "lines": list(claim_queries.lines_of(claim)),
        "returns": claim_queries.returns_of(claim),
        "missing": _missing_labels(claim.missing or []),
        "can_review": claim_queries.may_claim(actor, claim, "review"),
        "can_feedback": claim_queries.may_claim(actor, claim, "feedback")
        and claim.feedback_status == ReviewStatus.SELECTED,
        "can_return": claim_queries.may_claim(actor, claim, "return"),
        **valuation_views.claim_context(actor, claim),
    }


def _missing_labels(missing: list[str]) -> list[str]:
    from ..codes import AttachmentType
    from ..models import Claim

    out = []
    for part in missing:
        kind, _sep, name = str(part).partition(":")
        if kind == "field":
            try:
                out.append(str(Claim._meta.get_field(name).verbose_name))
            except Exception:  # an unknown name stored by an older version: shown as is
                out.append(name)
        elif kind == "attachment":
            try:
                out.append(str(AttachmentType(name).label))
            except ValueError:
                out.append(name)
        elif part == "lines":
            out.append(_("at least one line"))
        else:
            out.append(str(part))
    return out


@login_required
@require_GET
def claim_detail(request: HttpRequest, uuid) -> HttpResponse:
    """The claim as control sees it: statuses, administrative check, lines with their
    rejection reasons, the rounds of return for completion and the history."""
    actor = request.user
    claim = claim_queries.get_claim_for_user(actor, uuid)
    context = _claim_context(actor, claim)
    context["history"] = claim_queries.history_without_names(
        actor, entries(claim, page=request.GET.get("history"))
    )
    if claim.feedback_status == ReviewStatus.DELIVERED:
        context["feedback"] = queries.feedback_of(claim)
    return render(request, T + "claim.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def return_claim(request: HttpRequest, uuid) -> HttpResponse:
    actor = request.user
    claim = claim_queries.get_claim_for_user(actor, uuid, "return")
    return form_page(
        request,
        form=forms.ReturnForm(request.POST or None),
        save=lambda d: claim_services.claim_return(actor=actor, claim=claim, comment=d["comment"]),
        template=T + "return.html",
        done_url=claim_page(claim),
        done_message=_("The claim is returned to its facility for completion."),
        context={"claim": claim},
    )


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, uuid) -> HttpResponse:
    actor = request.user
    claim = claim_queries.get_claim_for_user(actor, uuid, "review")
    lines = list(claim_queries.lines_of(claim))
    initial = {"adjustment": claim.adjustment}
    form = forms.ReviewForm(lines, request.POST or None, initial=initial)

    def on_refused(refused: Refused, form) -> None:
        field = refused.field or ""
        if field.startswith("lines-"):
            name = f"justification_{field.removeprefix('lines-')}"
            if name in form.fields:
                form.add_error(name, refused.message)
                return
        form.add_error(None, refused.message)

    def save(d):
        return review_services.claim_review(
            actor=actor,
            claim=claim,
            decisions=form.decisions(),
            adjustment=d.get("adjustment", ""),
            deliver=bool(d.get("deliver")),
        )

    def said(result) -> str:
        if result.status == ClaimStatus.REJECTED:
            return _("Review saved: every line is rejected, the claim is rejected.")
        return _("Review saved.")

    return form_page(
        request,
        form=form,
        save=save,
        template=T + "review.html",
        done_url=claim_page(claim),
        done_message=said,
        on_refused=on_refused,
        context={"claim": claim, "rejection_review": Rejection.REVIEW},
    )


@login_required
@require_http_methods(["GET", "POST"])
def feedback(request: HttpRequest, uuid) -> HttpResponse:
    actor = request.user
    claim = claim_queries.get_claim_for_user(actor, uuid, "feedback")
    if claim.feedback_status != ReviewStatus.SELECTED:
        raise PermissionDenied
    officers = queries.officers_for(claim)
    form = forms.FeedbackForm(officers, request.POST or None)
    return form_page(
        request,
        form=form,
        save=lambda d: review_services.feedback_deliver(
            actor=actor,
            claim=claim,
            officer=d.get("officer"),
            feedback_date=d["feedback_date"],
            care_rendered=d.get("care_rendered"),
            payment_asked=d.get("payment_asked"),
            drug_prescribed=d.get("drug_prescribed"),
            drug_received=d.get("drug_received"),
            assessment=d.get("assessment"),
        ),
        template=T + "feedback.html",
        done_url=claim_page(claim),
        done_message=_("The feedback is entered."),
        context={"claim": claim},
    )


# --- the home page's cards (kinga.core.home) ------------------------------------------------


def work_card(user) -> dict | None:
    """Claims to complete, returned, to review, for feedback: one bounded count per kind of
    work the user's rights give him (kinga.claims.queries.control.work_counts)."""
    counts = queries.work_counts(user)
    if not counts:
        return None
    base = reverse("claims_control:search")
    links = {
        "to_complete": (_("Claims to complete and submit"), f"status={ClaimStatus.ENTERED}"),
        "returned": (
            _("Claims returned for completion"),
            f"status={ClaimStatus.ENTERED}&returned=yes",
        ),
        "to_review": (
            _("Claims to review"),
            f"status={ClaimStatus.CHECKED}&review_status={ReviewStatus.SELECTED}",
        ),
        "for_feedback": (
            _("Claims awaiting feedback"),
            f"status={ClaimStatus.CHECKED}&feedback_status={ReviewStatus.SELECTED}",
        ),
    }
    items = [
        {"label": label, "url": f"{base}?{query}", "count": str(counts[name])}
        for name, (label, query) in links.items()
        if name in counts
    ]
    return {"title": _("Claims"), "items": items}


def returned_card(user) -> dict | None:
    """The claims sent back to the user's facility, with why: one bounded query."""
    may = claim_queries.CLAIM.may_right
    if not may(user, "view") or not (may(user, "add") or may(user, "submit")):
        return None
    rows = queries.returned_to_complete(user)
    if not rows:
        return None
    return {
        "title": _("Claims returned to you for completion"),
        "items": [
            {
                "label": f"{row.claim.code} — {row.claim.insuree.other_names} "
                f"{row.claim.insuree.last_name}",
                "url": reverse("claims_entry:detail", kwargs={"uuid": row.claim.uuid}),
                "count": None,
                "detail": row.comment,
            }
            for row in rows
        ],
    }
