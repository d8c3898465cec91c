"""The read audit of claims (issue 15, item 2): the claim's pages (entry and control), its
printed form and its bon à payer, the vouchers of several claims in one PDF; a claim out of
reach leaves a denied entry."""

from __future__ import annotations

from django.urls import reverse

from kinga.core.models import AuditEntry

from ..factories import login, make_user
from .conftest import enter
from .payment_helpers import valuated_claim


def kinds() -> list[tuple]:
    return list(
        AuditEntry.objects.order_by("id").values_list("kind", "record", "action", "outcome")
    )


def test_each_claim_page_leaves_one_entry(client, care, claim_admin):
    claim = enter(claim_admin, care)
    login(client, claim_admin)
    key = {"uuid": claim.uuid}
    for name in ("claims_entry:detail", "claims_control:claim"):
        assert client.get(reverse(name, kwargs=key)).status_code == 200
    assert client.get(reverse("claims_entry:print", kwargs=key)).status_code == 200
    assert kinds() == [
        ("claims.claim", str(claim.pk), "view", "allowed"),
        ("claims.claim", str(claim.pk), "view", "allowed"),
        ("claims.claim", str(claim.pk), "print", "allowed"),
    ]
    # The entry page's htmx lookups and a history page swapped in add none.
    page = reverse("claims_entry:detail", kwargs=key)
    client.get(page, {"history": "2"}, HTTP_HX_REQUEST="true")
    assert len(kinds()) == 3


def test_a_claim_out_of_reach_leaves_a_denied_entry(client, care, claim_admin, world):
    claim = enter(claim_admin, care)
    wouri = make_user("claims.wouri", roles=["claim_admin"], districts=[world.wouri])
    login(client, wouri)
    response = client.get(reverse("claims_entry:detail", kwargs={"uuid": claim.uuid}))
    assert response.status_code == 403
    (entry,) = AuditEntry.objects.all()
    assert (entry.kind, entry.record, entry.outcome, entry.user) == (
        "claims.claim",
        str(claim.pk),
        "denied",
        wouri,
    )


def test_a_voucher_is_a_print_of_its_claim(client, care, claim_admin):
    claim = valuated_claim(care)
    login(client, claim_admin)
    url = reverse("claims_payment:voucher", kwargs={"uuid": claim.uuid})
    assert client.get(url)["Content-Type"] == "application/pdf"
    assert kinds() == [("claims.claim", str(claim.pk), "print", "allowed")]


def test_the_vouchers_of_the_search_leave_one_entry_naming_their_claims(client, care, claim_admin):
    claims = [valuated_claim(care) for _n in range(3)]
    login(client, claim_admin)
    response = client.post(
        reverse("claims_control:bulk"),
        {"action": "voucher", "claims": [str(c.uuid) for c in claims]},
    )
    assert response["Content-Type"] == "application/pdf"
    (entry,) = AuditEntry.objects.all()
    assert (entry.kind, entry.action, entry.record) == ("claims.export", "print", "")
    assert sorted(entry.rows) == sorted(c.pk for c in claims)


def test_a_page_of_claim_search_results_leaves_one_entry_naming_its_claims(
    client, care, claim_admin
):
    claim = enter(claim_admin, care)
    login(client, claim_admin)
    page = client.get(reverse("claims_control:search"))
    assert page.status_code == 200 and claim.code in page.content.decode()
    (entry,) = AuditEntry.objects.all()
    assert (entry.kind, entry.action, entry.outcome, entry.rows) == (
        "claims.search",
        "view",
        "allowed",
        [claim.pk],
    )
