"""The money side of claims (issue 13 items 3–5): the bon à payer of a Valuated claim (one claim,
or the ticked claims of the search), and the accountant's payment statements: the list, « Nouvel
état de paiement », the statement's page with its downloads (PDF, CSV, XLSX), « Enregistrer le
paiement » and the cancellation of a draft.

Every page starts with a loader (kinga.claims.queries.payment: VOUCHER, STATEMENT); the rules
are the services' (kinga.claims.services.statements)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kinga.core.errors import Refused
from kinga.core.history import entries
from kinga.core.lists import paginate
from kinga.core.pages import confirm_page, form_page
from kinga.products.rules import money

from ..forms import payment as forms
from ..queries import payment as queries
from ..rules.words import amount_in_words
from ..services import documents
from ..services import statements as services

T = "claims/payment/"
VOUCHERS_MAX = 1000  # the search's selection limit (kinga.claims.forms.control)
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _file(content: bytes, filename: str, fmt: str, *, inline: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


# --- the bon à payer --------------------------------------------------------------------------


def _vouchers(user, claims: list) -> list[documents.Voucher]:
    """The vouchers of `claims` (already loaded and authorised, none under a programme `user`
    may not see): their lines in one query; the insurees whose names he may not read in one
    more (none for who may see every programme), named by their number only."""
    ids = [c.pk for c in claims]
    by_claim: dict[int, list] = {pk: [] for pk in ids}
    for line in queries.lines_of_claims(ids):
        by_claim[line.claim_id].append(line)
    queries.claim_queries.withhold_claims(user, claims)
    return [
        documents.Voucher(
            claim=c, lines=by_claim[c.pk], hide_name=getattr(c.insuree, "withheld", False)
        )
        for c in claims
    ]


@login_required
@require_GET
def voucher(request: HttpRequest, uuid) -> HttpResponse:
    """The bon à payer of one Valuated claim, as a PDF (opened in the browser)."""
    claim = queries.get_voucher_claim_for_user(request.user, uuid)
    content = documents.voucher_pdf(_vouchers(request.user, [claim]))
    return _file(content, f"bon-a-payer-{claim.code}.pdf", "pdf", inline=True)


def vouchers_response(user, claims: list) -> HttpResponse | None:
    """One PDF of the bons à payer of the Valuated claims among `claims` (the ticked claims of
    the search, already within reach), or None when none is Valuated or the user may not print
    (the search's bulk action, kinga.claims.views.control)."""
    ids = [c.pk for c in claims]
    loaded = {c.pk: c for c in queries.VOUCHER.queryset().filter(pk__in=ids)}
    printable = [
        loaded[pk] for pk in ids if pk in loaded and queries.VOUCHER.may(user, loaded[pk], "print")
    ]
    if not printable:
        return None
    content = documents.voucher_pdf(_vouchers(user, printable))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return _file(content, f"bons-a-payer-{stamp}.pdf", "pdf")


# --- the payment statements -------------------------------------------------------------------


def statement_url(statement) -> str:
    return reverse("claims_payment:statement", kwargs={"uuid": statement.uuid})


@login_required
@require_GET
def statement_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    queries.STATEMENT.require_right(user, "view")
    form = forms.StatementFilterForm(user, request.GET or None)
    filters = form.filters() if form.is_bound and form.is_valid() else queries.StatementFilters()
    if form.is_bound and not form.is_valid():
        qs = queries.statements(user).none()
    else:
        qs = queries.statements(user, filters)
    page = paginate(request, qs)
    return render(
        request,
        T + "list.html",
        {
            "form": form,
            "page_obj": page,
            "may_generate": queries.STATEMENT.may_right(user, "generate"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def statement_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    queries.STATEMENT.require_right(user, "generate")
    form = forms.StatementForm(user, request.POST or None)

    def save(d):
        return services.statement_generate(
            actor=user,
            health_facility=d["health_facility"],
            date_from=d["date_from"],
            date_to=d["date_to"],
            product=d.get("product"),
            programme=d.get("programme"),
        )

    return form_page(
        request,
        form=form,
        save=save,
        template=T + "new.html",
        done_url=statement_url,
        done_message=lambda s: (
            ngettext(
                "Payment statement %(number)s generated: %(n)d claim, %(total)s.",
                "Payment statement %(number)s generated: %(n)d claims, %(total)s.",
                s.claims_count,
            )
            % {"number": s.number, "n": s.claims_count, "total": money(s.total)}
        ),
    )


def _plain(amount) -> str:
    """« 22500 », not « 22500.00 », for francs without cents."""
    return str(int(amount)) if amount == int(amount) else str(amount)


def _statement_page(request, statement, payment_form=None, status=200) -> HttpResponse:
    user = request.user
    may_process = queries.STATEMENT.may(user, statement, "pay")
    return render(
        request,
        T + "detail.html",
        {
            "statement": statement,
            "lines": queries.statement_lines(statement, user),
            "total_words": amount_in_words(statement.total, "fr"),
            "may_pay": may_process and statement.is_draft,
            "may_cancel": may_process and statement.is_draft,
            "payment_form": payment_form
            or forms.PaymentForm(
                initial={"amount": _plain(statement.total), "paid_on": timezone.localdate()}
            ),
            "history": entries(statement, page=request.GET.get("history")),
        },
        status=status,
    )


@login_required
@require_GET
def statement_detail(request: HttpRequest, uuid) -> HttpResponse:
    statement = queries.get_statement_for_user(request.user, uuid)
    return _statement_page(request, statement)


@login_required
@require_GET
def statement_claims(request: HttpRequest, uuid) -> HttpResponse:
    """The statement's claims, with the insurees as the programme's confidentiality allows."""
    statement = queries.get_statement_for_user(request.user, uuid)
    page = paginate(request, queries.statement_claims_qs(request.user, statement))
    links = list(page.object_list)
    queries.withhold_links(links)
    for link in links:
        link.insuree_text = documents.insuree_label(
            link.claim.insuree, getattr(link.claim.insuree, "withheld", False)
        )
    return render(
        request,
        T + "claims.html",
        {"statement": statement, "links": links, "page_obj": page},
    )


@login_required
@require_GET
def statement_vouchers(request: HttpRequest, uuid) -> HttpResponse:
    """The bons à payer of the statement's claims, in one PDF."""
    user = request.user
    statement = queries.get_statement_for_user(user, uuid)
    links = queries.statement_claims(user, statement)
    if len(links) > VOUCHERS_MAX:
        messages.error(
            request,
            _("The statement has more than %(n)d claims: print their vouchers from the search.")
            % {"n": VOUCHERS_MAX},
        )
        return redirect(statement_url(statement))
    response = vouchers_response(user, [link.claim for link in links])
    if response is None:
        messages.error(request, _("None of these claims is valuated any more: no payment voucher."))
        return redirect(statement_url(statement))
    return response


@login_required
@require_GET
def statement_download(request: HttpRequest, uuid, fmt: str) -> HttpResponse:
    builders = {
        "pdf": documents.statement_pdf,
        "csv": documents.statement_csv,
        "xlsx": documents.statement_xlsx,
    }
    statement = queries.get_statement_for_user(request.user, uuid)
    if fmt not in builders:
        raise Http404
    lines = queries.statement_lines(statement, request.user)
    content = builders[fmt](statement, lines)
    return _file(content, f"etat-de-paiement-{statement.number}.{fmt}", fmt)


@login_required
@require_POST
def statement_pay(request: HttpRequest, uuid) -> HttpResponse:
    user = request.user
    statement = queries.get_statement_for_user(user, uuid, "pay")
    form = forms.PaymentForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            paid = services.statement_record_payment(
                actor=user,
                statement=statement,
                paid_on=d["paid_on"],
                reference=d["reference"],
                amount=d["amount"],
            )
        except Refused as refused:
            refused.add_to_form(form)
        else:
            messages.success(
                request,
                ngettext(
                    "Payment recorded: the statement %(number)s and its claim are paid.",
                    "Payment recorded: the statement %(number)s and its %(n)d claims are paid.",
                    paid.claims_count,
                )
                % {"number": paid.number, "n": paid.claims_count},
            )
            return redirect(statement_url(paid))
    statement.refresh_from_db()
    return _statement_page(request, statement, form)


@login_required
@require_http_methods(["GET", "POST"])
def statement_cancel(request: HttpRequest, uuid) -> HttpResponse:
    user = request.user
    statement = queries.get_statement_for_user(user, uuid, "cancel")
    refusal = None
    if not statement.is_draft:
        refusal = (
            _("A paid statement cannot change: a correction goes through a new statement.")
            if statement.is_paid
            else _("This statement is already cancelled.")
        )
    return confirm_page(
        request,
        action=lambda: services.statement_cancel(actor=user, statement=statement),
        title=_("Cancel the statement %(number)s") % {"number": statement.number},
        question=_(
            "Cancel the draft statement %(number)s? It is kept, marked cancelled, and its %(n)d "
            "claims can go in a new statement."
        )
        % {"number": statement.number, "n": statement.claims_count},
        cancel_url=statement_url(statement),
        done_message=_("The statement %(number)s is cancelled.") % {"number": statement.number},
        done_url=statement_url(statement),
        refusal=refusal,
        confirm_label=_("Cancel the statement"),
    )


def may_see_statements(user) -> bool:
    return queries.STATEMENT.may_right(user, "view")


def voucher_url_for(user, claim) -> str | None:
    """The address of the claim's bon à payer when `user` may print it (the claim page's
    button), else None."""
    if not queries.may_print_voucher(user, claim):
        return None
    return reverse("claims_payment:voucher", kwargs={"uuid": claim.uuid})
