"""Payments that are checked (issue 14, item 3), as the clerk sees them in French: a payment
dated before the enrolment date, a receipt of another family, an over-payment to confirm and
then flagged, no « en retard » for a payment on time nor on a free product, no « Ajouter une
cotisation » on a free product, « Suspendre » behind a confirmation and « Réactiver » for
whoever holds the right (history shows both)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kinga.core.errors import Refused
from kinga.core.rights import Right
from kinga.policies.models import Contribution, Policy, PolicyStatus
from kinga.policies.services import contributions as contribution_services
from kinga.policies.services import policies as policy_services
from kinga.products.models import Product

from ..factories import login, make_family, make_user
from .conftest import pay


@pytest.fixture
def e(enrolment):
    """The products on sale around the real today (pages use the clock)."""
    today = timezone.localdate()
    Product.objects.update(
        date_from=date(today.year - 1, 1, 1), date_to=date(today.year + 1, 12, 31)
    )
    return enrolment


def attach(actor, e, product, family=None, days_ago=10):
    enroll = timezone.localdate() - timedelta(days=days_ago)
    return policy_services.policy_attach(
        actor=actor,
        family=family or e.family,
        product=product,
        enroll_date=enroll,
        officer=e.officer,
    ).policy


@pytest.fixture
def mut(e, mfoundi_clerk):
    """An Idle MUT policy of the Mballa family enrolled 10 days ago: value 12 000."""
    return attach(mfoundi_clerk, e, e.mut)


def add_url(policy):
    return reverse("policies:contribution_add", args=[policy.uuid])


def detail(client, policy):
    return client.get(reverse("policies:detail", args=[policy.uuid])).text


def payment(amount, receipt="R-1", pay_date=None, **over):
    day = pay_date or timezone.localdate()
    return {
        "amount": str(amount),
        "receipt": receipt,
        "pay_date": day.isoformat(),
        "pay_type": "C",
        **over,
    }


def test_a_payment_dated_before_the_enrolment_date_is_refused_and_the_form_kept(
    client, mut, mfoundi_clerk
):
    login(client, mfoundi_clerk)
    before = mut.enroll_date - timedelta(days=1)
    page = client.post(add_url(mut), payment(12000, "REC-77", pay_date=before))
    assert page.status_code == 200
    assert "ne peut pas précéder la date d&#x27;affiliation de la police" in page.text
    assert before.strftime("%d/%m/%Y") in page.text and 'value="REC-77"' in page.text
    assert not Contribution.objects.exists()


def test_a_receipt_used_by_another_family_for_the_product_is_refused_naming_it(
    client, e, mut, mfoundi_clerk, world
):
    pay(mfoundi_clerk, mut, 5000, "R-1", pay_date=timezone.localdate())
    other = make_family(world.nlongkak, ("Abena", date(1990, 1, 1), None))
    theirs = attach(mfoundi_clerk, e, e.mut, family=other)
    login(client, mfoundi_clerk)
    page = client.post(add_url(theirs), payment(5000, "R-1"))
    head = e.family.head
    assert page.status_code == 200
    assert (
        "Le reçu R-1 est déjà utilisé pour le produit MUT par une autre famille "
        f"(Jean Mballa, {head.insurance_number})."
    ) in page.text
    assert Contribution.objects.filter(policy=theirs).count() == 0


def test_the_same_receipt_saved_meanwhile_names_the_other_family_too(
    e, mut, mfoundi_clerk, world, monkeypatch
):
    pay(mfoundi_clerk, mut, 5000, "R-1", pay_date=timezone.localdate())
    other = make_family(world.nlongkak, ("Abena", date(1990, 1, 1), None))
    theirs = attach(mfoundi_clerk, e, e.mut, family=other)
    real = contribution_services._receipt_holder
    calls = []

    def not_yet(*args, **kwargs):  # the check ran before the other clerk's commit
        calls.append(args)
        return None if len(calls) == 1 else real(*args, **kwargs)

    monkeypatch.setattr(contribution_services, "_receipt_holder", not_yet)
    with pytest.raises(Refused) as refused:
        pay(mfoundi_clerk, theirs, 5000, "R-1", pay_date=timezone.localdate())
    assert "(Jean Mballa, " in refused.value.message and refused.value.field == "receipt"
    assert len(calls) == 2 and Contribution.objects.count() == 1


def test_an_over_payment_asks_for_confirmation_then_is_flagged_on_the_policy(
    client, mut, mfoundi_clerk
):
    login(client, mfoundi_clerk)
    asked = client.post(add_url(mut), payment(15000))
    assert asked.status_code == 200
    assert "un trop-perçu de 3000" in asked.text
    assert 'name="confirm_overpayment" value="1"' in asked.text
    assert "Confirmer le trop-perçu" in asked.text
    assert not Contribution.objects.exists()
    assert 'id="policy_overpaid"' not in detail(client, mut)
    saved = client.post(add_url(mut), payment(15000, confirm_overpayment="1"))
    assert saved.status_code == 302
    mut.refresh_from_db()
    assert mut.status == PolicyStatus.ACTIVE
    page = detail(client, mut)
    assert 'id="policy_overpaid"' in page and "Trop-perçu : 3\u00a0000\u00a0FCFA" in page
    block = client.get(reverse("policies:family_block", args=[mut.family.uuid])).text
    assert "Trop-perçu : 3\u00a0000\u00a0FCFA" in block


def test_a_partial_payment_made_on_time_is_not_called_late(client, e, mfoundi_clerk, world):
    # No payment grace: the enrolment day itself is on time (openIMIS called it late).
    Product.objects.filter(pk=e.mut.pk).update(grace_period_payment=0)
    policy = attach(mfoundi_clerk, e, Product.objects.get(pk=e.mut.pk), days_ago=0)
    login(client, mfoundi_clerk)
    asked = client.post(add_url(policy), payment(5000))
    assert asked.status_code == 200 and 'value="enforce"' in asked.text
    assert "retard" not in asked.text
    assert "La police n&#x27;est pas couverte" in asked.text
    # One month of grace, paid within it: on time too.
    Product.objects.filter(pk=e.mut.pk).update(grace_period_payment=1)
    family = make_family(world.nlongkak, ("Abena", date(1990, 1, 1), None))
    other = attach(mfoundi_clerk, e, Product.objects.get(pk=e.mut.pk), family=family)
    asked = client.post(add_url(other), payment(2000, "R-2"))
    assert asked.status_code == 200 and "retard" not in asked.text


def test_a_payment_after_the_last_date_is_still_late(client, e, mfoundi_clerk):
    policy = attach(mfoundi_clerk, e, e.mut, days_ago=60)  # one month to pay: long gone
    login(client, mfoundi_clerk)
    asked = client.post(add_url(policy), payment(5000))
    assert "Le paiement est en retard" in asked.text and 'value="suspend"' in asked.text


def test_a_free_product_offers_no_contribution_and_never_says_late(client, e, mfoundi_clerk):
    policy = attach(mfoundi_clerk, e, e.vih_soins)
    assert policy.status == PolicyStatus.ACTIVE and policy.value == 0
    login(client, mfoundi_clerk)
    page = detail(client, policy)
    assert "Ajouter une cotisation" not in page and "retard" not in page
    assert add_url(policy) not in page
    block = client.get(reverse("policies:family_block", args=[e.family.uuid])).text
    assert "retard" not in block
    refused = client.post(add_url(policy), payment(1000), follow=True)
    assert "Le produit VIH_Soins est gratuit : ses polices ne prennent aucune cotisation." in (
        refused.text
    )
    assert not Contribution.objects.exists()
    # A contributory policy still offers it.
    assert "Ajouter une cotisation" in detail(client, attach(mfoundi_clerk, e, e.mut))


def test_suspend_asks_first_and_reactivate_gives_the_status_back_with_history(
    client, mut, mfoundi_clerk
):
    pay(mfoundi_clerk, mut, 12000, "R-1", pay_date=timezone.localdate())
    mut.refresh_from_db()
    assert mut.status == PolicyStatus.ACTIVE
    login(client, mfoundi_clerk)
    suspend = reverse("policies:suspend", args=[mut.uuid])
    assert suspend in detail(client, mut)
    question = client.get(suspend)
    assert question.status_code == 200
    assert "Suspendre la police MUT" in question.text and "ne sont plus couverts" in question.text
    assert Policy.objects.get(pk=mut.pk).status == PolicyStatus.ACTIVE
    done = client.post(suspend, follow=True)
    assert "La police est suspendue." in done.text
    assert Policy.objects.get(pk=mut.pk).status == PolicyStatus.SUSPENDED
    reactivate = reverse("policies:reactivate", args=[mut.uuid])
    assert reactivate in done.text and "Réactiver" in done.text
    asked = client.get(reactivate)
    assert asked.status_code == 200 and "Réactiver la police MUT" in asked.text
    back = client.post(reactivate, follow=True)
    assert "La police est réactivée." in back.text
    policy = Policy.objects.get(pk=mut.pk)
    assert policy.status == PolicyStatus.ACTIVE and policy.effective_date == mut.effective_date
    assert "Suspendue" in back.text and "Réactivée" in back.text  # the history
    assert reactivate not in back.text  # no longer suspended


def test_a_suspended_idle_policy_comes_back_idle(client, mut, mfoundi_clerk):
    policy_services.policy_suspend(actor=mfoundi_clerk, policy=mut)
    login(client, mfoundi_clerk)
    client.post(reverse("policies:reactivate", args=[mut.uuid]))
    assert Policy.objects.get(pk=mut.pk).status == PolicyStatus.IDLE


def test_reactivation_is_denied_without_the_right(client, mut, mfoundi_clerk, world):
    policy_services.policy_suspend(actor=mfoundi_clerk, policy=mut)
    from kinga.core.models import Role

    reader = make_user(
        roles=[Role.objects.create(name="Lecteur", rights=[int(Right.POLICY_SEARCH)])],
        districts=[world.mfoundi],
    )
    login(client, reader)
    reactivate = reverse("policies:reactivate", args=[mut.uuid])
    page = detail(client, mut)
    assert reactivate not in page and "Réactiver" not in page
    assert client.get(reactivate).status_code == 403
    assert client.post(reactivate).status_code == 403
    assert Policy.objects.get(pk=mut.pk).status == PolicyStatus.SUSPENDED


def test_a_policy_not_suspended_cannot_be_reactivated(client, mut, mfoundi_clerk):
    login(client, mfoundi_clerk)
    page = client.post(reverse("policies:reactivate", args=[mut.uuid]))
    assert page.status_code == 200
    assert "Seule une police suspendue peut être réactivée" in page.text
    assert Policy.objects.get(pk=mut.pk).status == PolicyStatus.IDLE


def test_an_over_paid_policy_amount_is_kept_on_the_import_path_without_asking(mut, mfoundi_clerk):
    result = contribution_services.contribution_add(
        actor=mfoundi_clerk,
        policy=mut,
        payer=None,
        amount=Decimal(13000),
        receipt="R-9",
        pay_date=timezone.localdate(),
        pay_type="C",
        confirm_overpayment=True,
    )
    assert result.outcome.overpaid and result.outcome.surplus == Decimal(1000)
