"""The renewal-reminder list (spec registers §9.7, decision 7): policies expiring within the
renewal interval, scoped to the user's districts, with the officer who must act and the
legacy warnings."""

from datetime import date, timedelta

from django.urls import reverse

from kinga.policies.models import Policy, PolicyStage, PolicyStatus
from kinga.policies.queries import renewals

from ..conftest import login, make_user
from .conftest import TODAY, make_family, make_product


def make_policy(family, product, officer, expiry, **fields):
    values = {
        "stage": PolicyStage.NEW,
        "status": PolicyStatus.ACTIVE,
        "enroll_date": expiry - timedelta(days=300),
        "start_date": expiry - timedelta(days=300),
        "effective_date": expiry - timedelta(days=300),
        "expiry_date": expiry,
    }
    values.update(fields)
    return Policy.objects.create(family=family, product=product, officer=officer, **values)


def test_a_policy_expiring_within_the_interval_is_listed(enrolment, mfoundi_clerk):
    e = enrolment
    soon = make_policy(e.family, e.vih_soins, e.officer, TODAY + timedelta(days=10))
    make_policy(e.family, e.vih_test, e.officer, TODAY + timedelta(days=20))
    rows = renewals.renewal_reminders(mfoundi_clerk, TODAY)
    assert [r.policy for r in rows] == [soon]
    (row,) = rows
    assert row.acting_officer == e.officer and row.new_product == e.vih_soins
    assert row.insurance_number == e.family.head.insurance_number
    assert row.renewal_date == TODAY + timedelta(days=11) and row.bits == 0
    assert [w.code for w in row.warnings] == ["no_phone"]


def test_another_districts_policy_is_not_listed(enrolment, mfoundi_clerk, world):
    e = enrolment
    douala = make_family(world.akwa, ("Ebo", date(1980, 1, 1), None))
    make_policy(douala, e.dla, e.douala_officer, TODAY + timedelta(days=5))
    assert renewals.renewal_reminders(mfoundi_clerk, TODAY) == []


def test_an_officer_who_stopped_working_is_replaced_by_his_substitute(enrolment, mfoundi_clerk):
    e = enrolment
    make_policy(e.family, e.vih_soins, e.gone, TODAY + timedelta(days=3))
    (row,) = renewals.renewal_reminders(mfoundi_clerk, TODAY)
    assert row.officer == e.gone and row.acting_officer == e.officer
    assert "substituted" in [w.code for w in row.warnings]
    assert not row.bits & renewals.OFFICER_NOT_WORKING
    only = renewals.renewal_reminders(mfoundi_clerk, TODAY, officer=e.officer)
    assert [r.policy for r in only] == [row.policy]
    assert renewals.renewal_reminders(mfoundi_clerk, TODAY, officer=e.gone) == []


def test_a_product_past_its_sale_window_shows_its_conversion_product(enrolment, mfoundi_clerk):
    e = enrolment
    old = make_product("OLD", date_to=TODAY + timedelta(days=5), conversion_product=e.vih_soins)
    make_policy(e.family, old, e.officer, TODAY + timedelta(days=7))
    (row,) = renewals.renewal_reminders(mfoundi_clerk, TODAY)
    assert row.new_product == e.vih_soins and row.converted
    assert not row.bits & renewals.OUTSIDE_SALE_WINDOW
    assert "converted" in [w.code for w in row.warnings]


def test_a_product_without_conversion_warns(enrolment, mfoundi_clerk):
    e = enrolment
    old = make_product("OLD", date_to=TODAY + timedelta(days=5))
    make_policy(e.family, old, None, TODAY + timedelta(days=7))
    (row,) = renewals.renewal_reminders(mfoundi_clerk, TODAY)
    assert row.new_product == old
    assert row.bits == renewals.OUTSIDE_SALE_WINDOW | renewals.NO_OFFICER


def test_a_renewed_policy_is_left_out(enrolment, mfoundi_clerk):
    e = enrolment
    expiry = TODAY + timedelta(days=4)
    old = make_policy(e.family, e.vih_soins, e.officer, expiry)
    make_policy(
        e.family,
        e.vih_soins,
        e.officer,
        expiry + timedelta(days=365),
        stage=PolicyStage.RENEWAL,
        status=PolicyStatus.IDLE,
        enroll_date=TODAY,
        start_date=expiry + timedelta(days=1),
        effective_date=None,
        previous=old,
    )
    assert renewals.renewal_reminders(mfoundi_clerk, TODAY) == []


def test_the_page_groups_by_officer_and_prints_one(client, enrolment, mfoundi_clerk, monkeypatch):
    e = enrolment
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)
    policy = make_policy(e.family, e.vih_soins, e.gone, TODAY + timedelta(days=10))
    login(client, mfoundi_clerk)
    page = client.get(reverse("policies:renewals"))
    assert page.status_code == 200
    assert str(policy.uuid) in page.content.decode() and "EO1" in page.content.decode()
    printed = client.get(
        reverse("policies:renewals"), {"officer": str(e.officer.uuid), "print": "1"}
    )
    assert printed.status_code == 200 and printed.context["printing"]
    assert [r.policy for r in printed.context["rows"]] == [policy]
    none = client.get(reverse("policies:renewals"), {"days": "5"})
    assert none.context["rows"] == []


def test_the_page_needs_the_right(client, world):
    login(client, make_user("hf.only", roles=["hf_admin"], districts=[world.mfoundi]))
    assert client.get(reverse("policies:renewals")).status_code == 403
