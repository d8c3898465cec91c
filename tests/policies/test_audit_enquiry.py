"""The read audit of the insuree enquiry (issue 15, item 2): one entry per enquiry that finds
an insuree, a denied entry for an insuree out of the user's districts, none for an unknown
number."""

from __future__ import annotations

from django.urls import reverse

from kinga.core.models import AuditEntry

from ..factories import login
from ..querycount import page_queries


def test_an_enquiry_leaves_one_entry(client, enrolment, mfoundi_clerk):
    head = enrolment.family.head
    login(client, mfoundi_clerk)
    url = reverse("policies:enquiry")
    assert client.get(url).status_code == 200  # the empty form: nobody read
    assert not AuditEntry.objects.exists()
    page = client.get(url, {"number": head.insurance_number})
    assert head.full_name in page.content.decode()
    (entry,) = AuditEntry.objects.all()
    assert (entry.kind, entry.record, entry.action, entry.outcome, entry.user) == (
        "policies.enquiry",
        str(head.pk),
        "view",
        "allowed",
        mfoundi_clerk,
    )
    assert entry.path == f"{url}?number={head.insurance_number}"


def test_an_enquiry_out_of_scope_leaves_a_denied_entry(client, enrolment, other_district_clerk):
    head = enrolment.family.head
    login(client, other_district_clerk)
    page = client.get(reverse("policies:enquiry"), {"number": head.insurance_number})
    assert page.status_code == 200 and head.full_name not in page.content.decode()
    (entry,) = AuditEntry.objects.all()
    assert (entry.kind, entry.record, entry.outcome) == ("policies.enquiry", str(head.pk), "denied")


def test_an_unknown_number_leaves_no_entry(client, enrolment, mfoundi_clerk):
    login(client, mfoundi_clerk)
    client.get(reverse("policies:enquiry"), {"number": "404404404"})
    assert not AuditEntry.objects.exists()


def test_the_enquiry_costs_one_query_more(client, enrolment, mfoundi_clerk, settings):
    login(client, mfoundi_clerk)
    url = reverse("policies:enquiry")
    params = {"number": enrolment.family.head.insurance_number}
    client.get(url, params)
    on, _sqls, _page = page_queries(client, url, params)
    settings.KINGA_AUDIT = False
    off, _sqls, _page = page_queries(client, url, params)
    assert on == off + 1
