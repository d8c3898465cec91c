"""The accountant's batch run pages (issue 13 items 2 and 5, spec claims §5): « Traitements par
lot » (the runs, with filters), « Lancer un traitement par lot » (the run is handed to the worker), a
run's page (progress polled by htmx while it runs; the claims closed, the totals per product, the
relative indexes and the capitation payments once done) and « Rouvrir la période ».

Every page loads through the batch run loader (kinga.claims.queries.batch.BATCH_RUN)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kinga.core.pages import confirm_page, form_page
from kinga.products.rules import money

from ..forms import batch as forms
from ..models import BatchRunStatus
from ..queries import batch as queries
from ..services import batch as services
from ..tasks import enqueue_run

T = "claims/batch/"


def run_url(run) -> str:
    return reverse("claims_batch:run", kwargs={"uuid": run.uuid})


@login_required
@require_GET
def run_list(request: HttpRequest) -> HttpResponse:
    queries.BATCH_RUN.require_right(request.user, "view")
    form = forms.FilterForm(request.GET or None)
    runs = queries.visible_runs(request.user)
    if form.is_bound and form.is_valid():
        runs = form.filter(runs)
    elif form.is_bound:
        runs = runs.none()
    page = Paginator(runs, settings.KINGA_PAGE_SIZE).get_page(request.GET.get("page"))
    for run in page:
        run.total_text = money(run.remunerated_total)
    return render(
        request,
        T + "list.html",
        {
            "form": form,
            "page_obj": page,
            "can_run": queries.BATCH_RUN.may_right(request.user, "run"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def run_new(request: HttpRequest) -> HttpResponse:
    queries.BATCH_RUN.require_right(request.user, "run")
    form = forms.LaunchForm(request.user, request.POST or None)

    def save(data):
        run = services.request_run(request.user, data["location"], data["year"], data["month"])
        return enqueue_run(run)

    return form_page(
        request,
        form=form,
        save=save,
        template=T + "new.html",
        done_url=run_url,
        done_message=_("The batch run is queued: its progress shows below."),
    )


def _progress_context(run) -> dict:
    percent = 0
    if run.progress_total:
        percent = min(100, run.progress_done * 100 // run.progress_total)
    elif run.status == BatchRunStatus.DONE:
        percent = 100
    return {
        "run": run,
        "percent": percent,
        "polling": run.status in (BatchRunStatus.QUEUED, BatchRunStatus.RUNNING),
    }


@login_required
@require_GET
def run_detail(request: HttpRequest, uuid) -> HttpResponse:
    run = queries.get_batch_run_for_user(request.user, uuid)
    products = queries.totals_per_product(run, request.user)
    for row in products:
        row["total_text"] = money(row["total"] or 0)
    indexes = list(queries.indexes(run, request.user))
    for row in indexes:
        row.allocated_text = money(row.allocated)
        row.claims_value_text = money(row.claims_value)
        row.share_text = f"{row.share * 100:.0f}\u00a0%"
    capitations = list(queries.capitations(run, request.user))
    for row in capitations:
        row.payment_text = money(row.payment)
    return render(
        request,
        T + "run.html",
        {
            **_progress_context(run),
            "products": products,
            "indexes": indexes,
            "capitations": capitations,
            "total_text": money(run.remunerated_total),
            "can_reopen": queries.BATCH_RUN.may(request.user, run, "reopen"),
        },
    )


@login_required
@require_GET
def run_progress(request: HttpRequest, uuid) -> HttpResponse:
    """The progress fragment the run's page polls while the run is queued or running; once it
    is over, the fragment asks the browser to reload the page (the outputs)."""
    run = queries.get_batch_run_for_user(request.user, uuid)
    response = render(request, T + "_progress.html", _progress_context(run))
    if run.status not in (BatchRunStatus.QUEUED, BatchRunStatus.RUNNING):
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def run_reopen(request: HttpRequest, uuid) -> HttpResponse:
    run = queries.get_batch_run_for_user(request.user, uuid, "reopen")
    period = f"{run.month:02d}/{run.year}"
    return confirm_page(
        request,
        action=lambda: services.batch_reopen(run, request.user),
        title=_("Reopen the period"),
        question=_(
            "Reopen %(period)s? The %(n)s claims this run closed go back to Processed with the "
            "amounts they had before it; the period can then be run again."
        )
        % {"period": period, "n": run.claims_closed},
        cancel_url=run_url(run),
        done_message=_("The period %(period)s is reopened.") % {"period": period},
        done_url=run_url(run),
        confirm_label=_("Reopen the period"),
    )
