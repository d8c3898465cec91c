"""The accountant's batch run pages: « Traitements par lot » with its filters, « Lancer un
traitement par lot » (the run is queued for the worker; a period already run is refused with a message),
the run's page with its progress fragment and outputs, « Rouvrir la période », and denials."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from kinga.claims.codes import ClaimStatus
from kinga.claims.models import BatchRun, BatchRunStatus
from kinga.claims.services import batch as service

from ..factories import login
from .batch_helpers import at, contribute, processed_claim, relative_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def january(care, world):
    product = relative_product(care, world, share=90)
    contribute(product.policy, 12000, date(2026, 1, 1))
    first = processed_claim(
        care, product, [("R", 300), ("P", 1000)], processed=at(date(2026, 1, 5))
    )
    processed_claim(care, product, [("R", 900)], processed=at(date(2026, 1, 20)))
    return product, first


def test_the_accountant_starts_a_run_and_it_is_queued_for_the_worker(
    client, accountant, january, world
):
    login(client, accountant)
    page = client.get(reverse("claims_batch:new"))
    assert page.status_code == 200
    assert "Lancer un traitement par lot" in page.content.decode()
    response = client.post(
        reverse("claims_batch:new"), {"year": 2026, "month": 1, "location": world.mfoundi.id}
    )
    run = BatchRun.objects.get()
    assert response.status_code == 302 and response.url == f"/claims/batch/{run.uuid}/"
    assert run.status == BatchRunStatus.QUEUED and run.created_by == accountant
    assert DBTaskResult.objects.filter(id=run.task_id).exists()
    page = client.get(response.url).content.decode()
    # While queued, the page polls its progress fragment.
    assert f"/claims/batch/{run.uuid}/progress/" in page
    assert "En attente" in page


def test_a_period_already_run_is_refused_with_a_message(client, accountant, january, world):
    service.batch_run(accountant, world.mfoundi, 2026, 1)
    login(client, accountant)
    response = client.post(
        reverse("claims_batch:new"), {"year": 2026, "month": 1, "location": world.mfoundi.id}
    )
    assert response.status_code == 200
    assert "déjà été fait" in response.content.decode()
    assert BatchRun.objects.count() == 1


def test_bad_input_gives_form_errors_not_a_500(client, accountant, world):
    login(client, accountant)
    response = client.post(
        reverse("claims_batch:new"), {"year": "abc", "month": 13, "location": world.wouri.id}
    )
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"year", "month", "location"}


def test_the_run_page_shows_the_outputs_and_the_list_finds_it(client, accountant, january, world):
    run = service.batch_run(accountant, world.mfoundi, 2026, 1)
    login(client, accountant)
    page = client.get(reverse("claims_batch:run", kwargs={"uuid": run.uuid})).content.decode()
    assert "2 prestations clôturées" in page
    assert "0.7644" in page or "0,7644" in page
    assert "1\u00a0917\u00a0FCFA" in page or "1\u00a0917,28\u00a0FCFA" in page
    assert "Rouvrir la période" in page
    fragment = client.get(reverse("claims_batch:progress", kwargs={"uuid": run.uuid}))
    assert fragment["HX-Refresh"] == "true"
    listing = client.get(reverse("claims_batch:list"), {"year": 2026, "status": "done"})
    assert "01/2026" in listing.content.decode()
    assert (
        client.get(reverse("claims_batch:list"), {"year": 2025}).context["page_obj"].paginator.count
        == 0
    )


def test_reopen_the_period_after_confirmation(client, accountant, january, world):
    product, first = january
    run = service.batch_run(accountant, world.mfoundi, 2026, 1)
    login(client, accountant)
    url = reverse("claims_batch:reopen", kwargs={"uuid": run.uuid})
    assert "Rouvrir 01/2026" in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 302
    first.refresh_from_db()
    run.refresh_from_db()
    assert first.status == ClaimStatus.PROCESSED and run.status == BatchRunStatus.REOPENED
    # Reopened: no second reopening.
    assert client.get(url).status_code == 403


def test_a_medical_officer_may_not_see_batch_runs(
    client, medical_officer, accountant, january, world
):
    run = service.batch_run(accountant, world.mfoundi, 2026, 1)
    login(client, medical_officer)
    assert client.get(reverse("claims_batch:list")).status_code == 403
    assert client.get(reverse("claims_batch:run", kwargs={"uuid": run.uuid})).status_code == 403
    assert client.post(reverse("claims_batch:reopen", kwargs={"uuid": run.uuid})).status_code == 403


def test_a_run_of_another_district_is_out_of_reach(client, accountant, imis_admin, care, world):
    run = service.request_run(imis_admin, world.wouri, 2026, 1)
    login(client, accountant)
    assert client.get(reverse("claims_batch:run", kwargs={"uuid": run.uuid})).status_code == 403
    assert client.get(reverse("claims_batch:list")).context["page_obj"].paginator.count == 0


def test_the_menu_shows_batch_runs_to_the_accountant(client, accountant, english):
    login(client, accountant)
    page = client.get("/").content.decode()
    assert reverse("claims_batch:list") in page
    assert "Batch runs" in page


def test_the_list_reads_a_fixed_number_of_queries(client, accountant, world, settings):
    from ..querycount import assert_flat

    settings.KINGA_PAGE_SIZE = 100
    months = iter([(y, m) for y in range(2020, 2030) for m in range(1, 13)])

    def add(n):
        for _ in range(n):
            year, month = next(months)
            BatchRun.objects.create(
                location=world.mfoundi, year=year, month=month, created_by=accountant
            )

    add(30)
    login(client, accountant)
    assert_flat(
        client,
        reverse("claims_batch:list"),
        lambda: add(10),
        at_most=12,
        shown=lambda r: r.content.decode().count('class="run-row"'),
    )
