"""Valuation on the control pages: the claim page's « Valoriser » button and its amounts explained
in plain words, the search's bulk action « Valoriser », and their denials."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from kinga.claims.codes import ClaimStatus, ReviewStatus
from kinga.claims.models import Claim
from kinga.claims.services.submission import claims_submit
from kinga.products.models import ProductService

from ..factories import login
from .conftest import enter

pytestmark = pytest.mark.usefixtures("english")

SEARCH = reverse("claims_control:search")
BULK = reverse("claims_control:bulk")


def submitted(actor, care, **kw) -> Claim:
    claim = enter(actor, care, **kw)
    claims_submit(actor=actor, claims=[claim])
    claim.refresh_from_db()
    return claim


def page(claim) -> str:
    return reverse("claims_control:claim", kwargs={"uuid": claim.uuid})


def value_url(claim) -> str:
    return reverse("claims_control:value", kwargs={"uuid": claim.uuid})


def test_the_medical_officer_values_a_claim_and_reads_its_amounts(
    client, claim_admin, medical_officer, care
):
    care.vih_soins.deductible = Decimal(400)
    care.vih_soins.ceiling = Decimal(6000)
    care.vih_soins.save()
    ProductService.objects.filter(product=care.vih_soins, service=care.consultation).update(
        limit_adult=Decimal(80)
    )
    claim = submitted(claim_admin, care)
    login(client, medical_officer)
    before = client.get(page(claim)).content.decode()
    assert value_url(claim) in before
    done = client.post(value_url(claim), follow=True).content.decode()
    assert "The claim is Valuated: 6\u00a0000\u00a0FCFA valuated." in done
    # The ARVs (items first) take the deductible; the consultation pays 80 % of 2 000 = 1 600,
    # which leaves 6 000 − 4 600 = 1 400 of the ceiling.
    assert "400\u00a0FCFA of deductible" in done
    assert "20 % co-payment (400\u00a0FCFA), 200\u00a0FCFA above the ceiling" in done
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.VALUATED
    assert value_url(claim) not in done  # valued once: no button any more


def test_the_claim_page_speaks_french(client, claim_admin, medical_officer, care):
    from django.conf import settings

    care.vih_soins.deductible = Decimal(400)
    care.vih_soins.save()
    claim = submitted(claim_admin, care)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    login(client, medical_officer)
    assert "Valoriser" in client.get(page(claim)).content.decode()
    done = client.post(value_url(claim), follow=True).content.decode()
    assert "400\u00a0FCFA de franchise" in done
    assert "Franchise" in done and "Montant valorisé" in done


def test_a_claim_awaiting_review_is_refused_with_the_reason(
    client, claim_admin, medical_officer, care
):
    claim = submitted(claim_admin, care)
    Claim.objects.filter(pk=claim.pk).update(review_status=ReviewStatus.SELECTED)
    login(client, medical_officer)
    assert (
        "deliver or bypass its review or feedback first" in client.get(page(claim)).content.decode()
    )
    done = client.post(value_url(claim), follow=True).content.decode()
    assert "deliver or bypass it before valuing" in done
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.CHECKED


def test_without_the_process_right_no_button_and_403(client, claim_admin, care):
    claim = submitted(claim_admin, care)
    login(client, claim_admin)  # may see the claim, may not value it
    assert value_url(claim) not in client.get(page(claim)).content.decode()
    assert client.post(value_url(claim)).status_code == 403
    assert client.post(BULK, {"action": "value", "claims": [claim.uuid]}).status_code == 403
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.CHECKED


def test_value_is_post_only_and_unknown_claims_404(client, medical_officer, claim_admin, care):
    claim = submitted(claim_admin, care)
    login(client, medical_officer)
    assert client.get(value_url(claim)).status_code == 405
    unknown = reverse(
        "claims_control:value", kwargs={"uuid": "6a4c3c1e-0000-4000-8000-000000000000"}
    )
    assert client.post(unknown).status_code == 404


def test_bulk_value_asks_then_values_the_ticked_claims(client, claim_admin, medical_officer, care):
    one = submitted(claim_admin, care, code="V-1")
    two = submitted(claim_admin, care, code="V-2")
    waiting = submitted(claim_admin, care, code="V-3")
    Claim.objects.filter(pk=waiting.pk).update(feedback_status=ReviewStatus.SELECTED)
    entered = enter(claim_admin, care, code="V-4")
    login(client, medical_officer)
    search = client.get(SEARCH).content.decode()
    assert '<option value="value">Value</option>' in search
    uuids = [one.uuid, two.uuid, waiting.uuid, entered.uuid]
    asked = client.post(BULK, {"action": "value", "claims": uuids})
    assert asked.status_code == 200 and "V-1" in asked.content.decode()
    assert Claim.objects.get(pk=one.pk).status == ClaimStatus.CHECKED  # nothing yet
    done = client.post(
        BULK, {"action": "value", "claims": uuids, "confirmed": "1", "next": SEARCH}, follow=True
    ).content.decode()
    assert "Valued: 2 — valuated 2" in done
    assert "unchanged (not checked): 1" in done
    assert "to deliver or bypass before valuing: V-3" in done
    statuses = dict(Claim.objects.filter(code__startswith="V-").values_list("code", "status"))
    assert statuses == {
        "V-1": ClaimStatus.VALUATED,
        "V-2": ClaimStatus.VALUATED,
        "V-3": ClaimStatus.CHECKED,
        "V-4": ClaimStatus.ENTERED,
    }
