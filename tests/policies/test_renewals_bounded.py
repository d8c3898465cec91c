"""The renewal-reminder page stays bounded: a fixed number of queries whatever the number of
reminders, paginated on the server, the officer's printed list capped, `days` validated."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kinga.insurees.models import Officer
from kinga.policies.queries import renewals

from ..conftest import login
from .conftest import TODAY, make_family, make_product
from .test_renewals import make_policy

URL = reverse("policies:renewals")


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)


@pytest.fixture
def cast(enrolment, world):
    """Officers of Mfoundi: EO1 and EO4 working, EO2 gone (replaced by EO1), EO5 leaving on
    20 March (replaced by EO4 afterwards), EO6 and EO7 gone and each other's substitute (a circle
    written behind the services' back); OLD, a product whose sale ends before the renewals,
    converted to NEW (itself converted to VIH_Soins after its own end); END, a product past its
    sale without conversion."""
    e = enrolment
    e.eo4 = Officer.objects.create(
        code="EO4", last_name="Mbarga", other_names="Luc", district=world.mfoundi, phone="677"
    )
    e.eo5 = Officer.objects.create(
        code="EO5",
        last_name="Essomba",
        other_names="Anne",
        district=world.mfoundi,
        substitute=e.eo4,
        works_to=date(2026, 3, 20),
    )
    e.eo6 = Officer.objects.create(
        code="EO6",
        last_name="Fouda",
        other_names="Eric",
        district=world.mfoundi,
        substitute=e.eo4,
        works_to=date(2026, 1, 31),
    )
    e.eo7 = Officer.objects.create(
        code="EO7",
        last_name="Ngah",
        other_names="Rose",
        district=world.mfoundi,
        substitute=e.eo6,
        works_to=date(2026, 1, 31),
    )
    Officer.objects.filter(pk=e.eo6.pk).update(substitute=e.eo7)
    e.eo6.refresh_from_db()
    e.new = make_product("NEW", date_to=TODAY + timedelta(days=8), conversion_product=e.vih_soins)
    e.old = make_product("OLD", date_to=TODAY + timedelta(days=2), conversion_product=e.new)
    e.end = make_product("END", date_to=TODAY + timedelta(days=3))
    return e


def add_reminders(e, world, n: int, start: int = 0) -> None:
    """`n` families of Nlongkak with a policy expiring within 14 days, spread over the officers
    (one in six without one), the products (some converted, some past their sale) and days."""
    officers = [e.officer, e.gone, e.eo4, e.eo5, e.eo6, None]
    products = [e.vih_soins, e.old, e.end, e.mut]
    for i in range(start, start + n):
        family = make_family(world.nlongkak, (f"Head{i:03}", date(1980, 1, 1), None))
        expiry = TODAY + timedelta(days=1 + i % 13)
        make_policy(family, products[i % 4], officers[i % 6], expiry)


def page_queries(client, params=None) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL, params or {})
    assert response.status_code == 200
    return len(ctx), response


def test_the_page_makes_the_same_few_queries_for_30_or_60_reminders(
    client, cast, world, mfoundi_clerk, settings, django_assert_num_queries
):
    settings.KINGA_PAGE_SIZE = 100  # every reminder on the page: a query per row would show
    add_reminders(cast, world, 30)
    login(client, mfoundi_clerk)
    client.get(URL)
    # The session with the user, his rights and districts; the products past their sale and their conversions
    # (two hops: OLD, NEW, VIH_Soins), the officers who leave and their substitutes (one hop),
    # the officer select, the count, the page, the confidential programmes the user may not see
    # (issue 15).  A query per hop, never per row.
    with django_assert_num_queries(10):
        response = client.get(URL)
    assert len(response.context["rows"]) == 30
    add_reminders(cast, world, 30, start=30)
    with django_assert_num_queries(10):
        response = client.get(URL)
    rows = response.context["rows"]
    assert len(rows) == 60
    assert {r.new_product.code for r in rows if r.product == cast.old} == {
        "OLD",
        "NEW",
        "VIH_Soins",
    }
    assert {r.acting_officer.code for r in rows if r.officer == cast.gone} == {"EO1"}
    flagged = {w.code for r in rows for w in r.warnings}
    assert {"converted", "sale_window", "no_officer", "substituted"} <= flagged
    assert "officer_not_working" in flagged  # the circle of EO6 and EO7
    assert {r.acting_officer.code for r in rows if r.officer == cast.eo5} == {"EO4", "EO5"}


def test_the_rows_match_the_rules_row_by_row(cast, world, mfoundi_clerk):
    add_reminders(cast, world, 30)
    rows = renewals.renewal_reminders(mfoundi_clerk, TODAY)
    assert len(rows) == 30
    for row in rows:
        renewal = row.renewal_date
        if row.product == cast.old:
            expected = "OLD" if renewal <= cast.old.date_to else "NEW"
            expected = "VIH_Soins" if renewal > cast.new.date_to else expected
            assert row.new_product.code == expected
        else:
            assert row.new_product == row.product
        assert bool(row.bits & renewals.OUTSIDE_SALE_WINDOW) == (
            row.product == cast.end and renewal > cast.end.date_to
        )
        if row.officer is None:
            assert row.acting_officer is None and row.bits & renewals.NO_OFFICER
        elif row.officer == cast.gone:
            assert row.acting_officer == cast.officer
        elif row.officer == cast.eo5:
            assert row.acting_officer == (cast.eo5 if renewal <= cast.eo5.works_to else cast.eo4)
        elif row.officer == cast.eo6:
            assert row.acting_officer in (cast.eo6, cast.eo7)  # where the 20 hops stop
        else:
            assert row.acting_officer == row.officer
        assert bool(row.bits & renewals.OFFICER_NOT_WORKING) == (row.officer == cast.eo6)
    # Grouped by the acting officer (those without one last), then by expiry date.
    keys = [
        (r.acting_officer is None, r.acting_officer.code if r.acting_officer else "", r.expiry_date)
        for r in rows
    ]
    assert keys == sorted(keys)


def test_a_policy_already_renewed_with_the_conversion_product_is_left_out(
    cast, world, mfoundi_clerk
):
    family = make_family(world.nlongkak, ("Abega", date(1980, 1, 1), None))
    expiry = TODAY + timedelta(days=5)
    make_policy(family, cast.old, cast.officer, expiry)
    (row,) = renewals.renewal_reminders(mfoundi_clerk, TODAY)
    assert row.new_product == cast.new
    make_policy(
        family,
        cast.new,
        cast.officer,
        expiry + timedelta(days=365),
        start_date=expiry + timedelta(days=1),
    )
    assert renewals.renewal_reminders(mfoundi_clerk, TODAY) == []


def test_the_page_is_paginated_and_keeps_its_officer_groups(
    client, cast, world, mfoundi_clerk, settings
):
    settings.KINGA_PAGE_SIZE = 20
    add_reminders(cast, world, 45)
    login(client, mfoundi_clerk)
    first = client.get(URL)
    assert len(first.context["rows"]) == 20
    assert first.context["page_obj"].paginator.count == 45
    assert "?page=2" in first.text and "45" in first.text
    pages = [first.context["rows"]]
    for number in (2, 3):
        pages.append(client.get(URL, {"page": number}).context["rows"])
    assert [len(p) for p in pages] == [20, 20, 5]
    seen = [r.policy.pk for page in pages for r in page]
    assert len(set(seen)) == 45  # every reminder once
    every = [r.policy.pk for r in renewals.renewal_reminders(mfoundi_clerk, TODAY)]
    assert seen == every  # the pages cut the one ordered list
    second = client.get(URL, {"page": 2}).text
    assert second.count('class="renewal-group"') >= 1 and "EO" in second
    # An officer's list is paginated too, and keeps the filter in the page links.
    mine = client.get(URL, {"officer": str(cast.officer.uuid)})
    acting = {r.acting_officer for r in mine.context["rows"]}
    assert acting == {cast.officer}
    # A page out of range or not a number shows a page, not an error.
    assert client.get(URL, {"page": "999"}).status_code == 200
    assert client.get(URL, {"page": "x"}).status_code == 200


def test_printing_an_officers_list_shows_all_his_rows_up_to_the_cap(
    client, cast, world, mfoundi_clerk, settings, monkeypatch
):
    settings.KINGA_PAGE_SIZE = 5
    add_reminders(cast, world, 30)
    login(client, mfoundi_clerk)
    params = {"officer": str(cast.eo4.uuid), "print": "1"}
    printed = client.get(URL, params)
    assert printed.context["printing"] and printed.context["page_obj"] is None
    mine = [
        r for r in renewals.renewal_reminders(mfoundi_clerk, TODAY) if r.acting_officer == cast.eo4
    ]
    assert len(mine) > 5  # more than a page
    assert [r.policy for r in printed.context["rows"]] == [r.policy for r in mine]
    assert 'id="renewals-print-cut"' not in printed.text
    monkeypatch.setattr("kinga.policies.views.renewals.PRINT_LIMIT", 4)
    cut = client.get(URL, params)
    assert len(cut.context["rows"]) == 4
    assert 'id="renewals-print-cut"' in cut.text and f" {len(mine)} " in cut.text


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize("days", ["91", "-1", "abc", "1e5", "99999999999999999999999"])
def test_days_out_of_range_or_not_a_number_give_a_clear_message(
    client, cast, world, mfoundi_clerk, days
):
    add_reminders(cast, world, 3)
    login(client, mfoundi_clerk)
    response = client.get(URL, {"days": days})
    assert response.status_code == 200
    assert "Enter a whole number of days from 0 to 90." in response.text
    assert response.context["days"] == renewals.RENEWAL_INTERVAL
    assert len(response.context["rows"]) == 3  # the list of the usual 14 days


def test_days_up_to_the_maximum_widen_the_list(client, cast, world, mfoundi_clerk):
    family = make_family(world.nlongkak, ("Late", date(1980, 1, 1), None))
    make_policy(family, cast.vih_soins, cast.officer, TODAY + timedelta(days=90))
    login(client, mfoundi_clerk)
    assert client.get(URL).context["rows"] == []
    response = client.get(URL, {"days": "90"})
    assert [r.policy.family for r in response.context["rows"]] == [family]
    assert "has-error" not in response.text


def test_days_error_speaks_french(client, cast, mfoundi_clerk):
    login(client, mfoundi_clerk)
    response = client.get(URL, {"days": "366"})
    assert "Saisissez un nombre entier de jours de 0 à 90." in response.text


def test_an_unknown_or_malformed_officer_shows_an_empty_list(client, cast, world, mfoundi_clerk):
    add_reminders(cast, world, 5)
    login(client, mfoundi_clerk)
    for value in ("not-a-uuid", str(cast.douala_officer.uuid), "x" * 500):
        response = client.get(URL, {"officer": value, "print": "1"})
        assert response.status_code == 200 and response.context["rows"] == []
