"""Clear refusals that keep what was typed (issue 14, item 4): on the policy form, a product not
on sale for the village on the enrolment date, or an officer who no longer works then, is
refused with the reason (and the sale dates) and stays selected — never « Sélectionnez un choix
valide » with the choice cleared."""

from datetime import date

import pytest
from django.urls import reverse

from kinga.policies.models import Policy

from ..factories import login


def form(e, product, officer=None, **over):
    data = {
        "enroll_date": "2025-12-15",
        "product": str(product.uuid),
        "start_date": "",
        "officer": str((officer or e.officer).uuid),
        "save": "1",
    }
    data.update(over)
    return data


def selected(page, record) -> bool:
    return f'<option value="{record.uuid}" selected>' in page


@pytest.fixture
def url(enrolment):
    return reverse("policies:create", args=[enrolment.family.uuid])


def test_a_product_not_on_sale_on_the_enrolment_date_is_refused_with_its_sale_dates_and_kept(
    client, enrolment, mfoundi_clerk, url
):
    login(client, mfoundi_clerk)
    page = client.post(url, form(enrolment, enrolment.mut)).text
    assert "Sélectionnez un choix valide" not in page
    assert (
        "Le produit MUT n&#x27;est pas en vente le 15/12/2025 : il est en vente du 01/01/2026 "
        "au 31/12/2026."
    ) in page
    assert selected(page, enrolment.mut)
    assert not Policy.objects.exists()


def test_a_product_of_another_region_is_refused_with_where_it_is_sold(
    client, enrolment, mfoundi_clerk, url
):
    login(client, mfoundi_clerk)
    page = client.post(url, form(enrolment, enrolment.dla, enroll_date="2026-03-01")).text
    assert "Le produit DLA n&#x27;est pas vendu à Nlongkak" in page
    assert "Wouri" in page and selected(page, enrolment.dla)


def test_an_officer_who_no_longer_works_on_the_date_is_refused_and_kept(
    client, enrolment, mfoundi_clerk, url
):
    login(client, mfoundi_clerk)
    data = form(enrolment, enrolment.vih_soins, enrolment.gone, enroll_date="2026-03-01")
    page = client.post(url, data).text
    assert "Sélectionnez un choix valide" not in page
    assert "L&#x27;agent EO2 ne travaille plus le 01/03/2026" in page
    assert "28/02/2026" in page and selected(page, enrolment.gone)
    assert selected(page, enrolment.vih_soins)


def test_an_unknown_or_foreign_key_still_gets_the_plain_refusal(
    client, enrolment, mfoundi_clerk, url
):
    login(client, mfoundi_clerk)
    page = client.post(
        url,
        form(enrolment, enrolment.vih_soins, enrolment.douala_officer, enroll_date="2026-03-01"),
    ).text
    assert "Sélectionnez un choix valide" in page  # another district's officer: not named
    assert not selected(page, enrolment.douala_officer)
    page = client.post(url, {**form(enrolment, enrolment.vih_soins), "product": "nonsense"})
    assert page.status_code == 200 and "n’est pas un UUID valide" in page.text
    assert not Policy.objects.exists()


def test_the_policy_form_saves_once_the_choices_fit(client, enrolment, mfoundi_clerk, url):
    login(client, mfoundi_clerk)
    saved = client.post(url, form(enrolment, enrolment.vih_soins, enroll_date="2026-03-01"))
    assert saved.status_code == 302
    assert Policy.objects.get().enroll_date == date(2026, 3, 1)


def test_a_payer_who_does_not_pay_for_the_village_is_refused_with_the_reason_and_kept(
    client, enrolment, world
):
    from django.utils import timezone

    from kinga.policies.models import Contribution, Payer
    from kinga.policies.services import policies as policy_services
    from kinga.products.models import Product

    from ..factories import make_user

    today = timezone.localdate()
    Product.objects.update(
        date_from=date(today.year - 1, 1, 1), date_to=date(today.year + 1, 12, 31)
    )
    clerk = make_user(roles=["clerk"], districts=[world.mfoundi, world.wouri])
    policy = policy_services.policy_attach(
        actor=clerk,
        family=enrolment.family,
        product=Product.objects.get(code="MUT"),
        enroll_date=today,
        officer=enrolment.officer,
    ).policy
    port = Payer.objects.create(type="P", name="Port autonome de Douala", location=world.wouri)
    login(client, clerk)
    page = client.post(
        reverse("policies:contribution_add", args=[policy.uuid]),
        {
            "payer": str(port.uuid),
            "amount": "12000",
            "receipt": "R-5",
            "pay_date": today.isoformat(),
            "pay_type": "B",
        },
    ).text
    assert "Sélectionnez un choix valide" not in page
    assert "Le payeur Port autonome de Douala ne paie pas pour les familles de Nlongkak." in page
    assert selected(page, port) and 'value="R-5"' in page
    assert not Contribution.objects.exists()


def test_the_family_form_drawn_again_keeps_the_district_and_municipality_chosen(
    client, world, mfoundi_clerk
):
    login(client, mfoundi_clerk)
    page = client.post(
        reverse("families:create"),
        {
            "region": str(world.centre.pk),
            "district": str(world.mfoundi.pk),
            "municipality": str(world.yaounde1.pk),
            "village": str(world.nlongkak.pk),
            "last_name": "",  # refused: the form comes back
        },
    ).text
    assert f'<option value="{world.mfoundi.pk}" selected>Mfoundi</option>' in page
    assert f'<option value="{world.yaounde1.pk}" selected>Yaoundé I</option>' in page
    assert "Wouri" not in page  # only what the clerk may choose
