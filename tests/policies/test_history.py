"""The policy's page shows the history of its contributions and of its members' coverage: who
added, changed (old → new) or deleted which payment; a save that changes nothing adds nothing."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kinga.policies.models import Contribution
from kinga.policies.services import contributions as contribution_services
from kinga.policies.services import policies as policy_services

from ..factories import login
from ..querycount import page_queries
from .conftest import TODAY, pay


@pytest.fixture
def paid(enrolment, mfoundi_clerk):
    """An Idle MUT policy enrolled today (value 12,000) with 5,000 paid by receipt R-12."""
    from kinga.products.models import Product

    today = timezone.localdate()
    Product.objects.update(
        date_from=date(today.year - 1, 1, 1), date_to=date(today.year + 1, 12, 31)
    )
    policy = policy_services.policy_attach(
        actor=mfoundi_clerk,
        family=enrolment.family,
        product=enrolment.mut,
        enroll_date=today,
        officer=enrolment.officer,
    ).policy
    return pay(mfoundi_clerk, policy, 5000, "R-12", pay_date=today).contribution


def history_of(client, policy) -> str:
    page = client.get(reverse("policies:detail", args=[policy.uuid]))
    assert page.status_code == 200
    html = page.content.decode()
    return html[html.index('id="history"') :].replace("\xa0", " ")


def edit(client, contribution, **over):
    data = {
        "amount": "5000",
        "receipt": contribution.receipt,
        "pay_date": contribution.pay_date.isoformat(),
        "pay_type": contribution.pay_type,
        "action": "wait",
    }
    data.update(over)
    url = reverse("policies:contribution_edit", args=[contribution.uuid])
    return client.post(url, data)


def test_a_changed_contribution_shows_who_changed_which_payment_old_and_new(
    client, paid, mfoundi_clerk
):
    login(client, mfoundi_clerk)
    assert edit(client, paid, amount="6000").status_code == 302
    history = history_of(client, paid.policy)
    assert "Cotisation reçu R-12" in history
    assert "<del>5 000</del> → <ins>6 000</ins>" in history
    assert "montant" in history and str(mfoundi_clerk) in history
    # The newest first: the change above the payment's addition.
    assert history.index("R-12</strong>: Modification") < history.index("R-12</strong>: Ajout")


def test_a_deleted_contribution_shows_who_deleted_it(client, paid, mfoundi_clerk):
    login(client, mfoundi_clerk)
    url = reverse("policies:contribution_delete", args=[paid.uuid])
    assert client.post(url).status_code == 302
    history = history_of(client, paid.policy)
    assert "Cotisation reçu R-12</strong>: Retrait — Supprimée" in history
    assert str(mfoundi_clerk) in history


def test_an_edit_that_changes_nothing_adds_no_history_row(client, paid, mfoundi_clerk):
    login(client, mfoundi_clerk)
    before = Contribution.history.count(), paid.policy.history.count()
    assert edit(client, paid).status_code == 302
    assert (Contribution.history.count(), paid.policy.history.count()) == before
    assert "</strong>: Modification" not in history_of(client, paid.policy)


def test_the_members_coverage_shows_on_the_policy_page(client, paid, mfoundi_clerk):
    login(client, mfoundi_clerk)
    history = history_of(client, paid.policy)
    head = paid.policy.family.head
    assert f"Couverture de {head}" in history


def test_the_history_is_paged_in_a_fixed_number_of_queries(client, paid, mfoundi_clerk):
    """30, then 60 changes of one payment: the first page shows the newest 50 rows, the
    second the oldest (the policy's own and its members'); whatever the number of rows, the
    history costs two queries per kind of row and one per kind of record it names."""

    def change(amounts):
        for amount in amounts:
            contribution_services.contribution_update(
                actor=mfoundi_clerk, contribution=paid, amount=Decimal(amount), action="wait"
            )
            paid.refresh_from_db()

    change(range(5001, 5031))
    login(client, mfoundi_clerk)
    url = reverse("policies:detail", args=[paid.policy.uuid])
    client.get(url)
    thirty, _sqls, _page = page_queries(client, url)
    change(range(5031, 5061))
    first, _sqls, page1 = page_queries(client, url)
    second, sqls, page2 = page_queries(client, url, {"history": 2})
    text1, text2 = page1.content.decode(), page2.content.decode()
    assert text1.count("Cotisation reçu R-12") == 50
    assert "<del>5 059</del> → <ins>5 060</ins>" in text1.replace("\xa0", " ")
    assert "Page 2 sur 2" in text2 and "?history=1#history" in text2
    assert "R-12</strong>: Ajout" in text2 and "Couverture de" in text2
    baseline = _queries_without_history(client, url)
    assert max(thirty, first, second) - baseline <= 8, "\n".join(sqls)


def _queries_without_history(client, url) -> int:
    from unittest import mock

    from django.core.paginator import Paginator

    with mock.patch(
        "kinga.policies.views.policies.entries", lambda *a, **k: Paginator([], 1).get_page(1)
    ):
        n, _sqls, _page = page_queries(client, url)
    return n


def test_a_policy_edit_that_keeps_the_dates_rewrites_no_members_coverage_history(
    world, enrolment, mfoundi_clerk
):
    """policy_update rewrites every member's coverage row in bulk (bulk_update_with_history):
    when only the officer changes, the rows are the same and write no history."""
    from kinga.insurees.models import Officer
    from kinga.policies.models import InsureePolicy

    other = Officer.objects.create(
        code="EO4", last_name="Essomba", other_names="Luc", district=world.mfoundi
    )

    policy = policy_services.policy_attach(
        actor=mfoundi_clerk,
        family=enrolment.family,
        product=enrolment.mut,
        enroll_date=date(2026, 3, 1),
        officer=enrolment.officer,
        today=TODAY,
    ).policy
    members, own = InsureePolicy.history.count(), policy.history.count()
    for officer in (other, enrolment.officer):
        policy_services.policy_update(
            actor=mfoundi_clerk,
            policy=policy,
            enroll_date=policy.enroll_date,
            product=policy.product,
            officer=officer,
            today=TODAY,
        )
    assert InsureePolicy.history.count() == members
    assert policy.history.count() == own + 2
    policy_services.policy_update(
        actor=mfoundi_clerk,
        policy=policy,
        enroll_date=policy.enroll_date,
        product=policy.product,
        officer=enrolment.officer,
        today=TODAY,
    )
    assert policy.history.count() == own + 2


def test_another_districts_clerk_sees_no_history(client, paid, other_district_clerk):
    login(client, other_district_clerk)
    page = client.get(reverse("policies:detail", args=[paid.policy.uuid]))
    assert page.status_code in (403, 404)
    assert "R-12" not in page.content.decode()
