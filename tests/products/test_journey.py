"""Issue 5's journey in French, in a real Chromium: a scheme administrator creates a product on
its two pages, adds the consultations with co-insurance 80 %, saves and reads the summary."""

import pytest

from kinga.products.models import Product

from ..conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_product_is_created_on_two_pages_and_summarised(page, scheme_admin, medical, world):  # noqa: F811
    page.goto("/login/")
    page.fill("input[name=username]", scheme_admin.username)
    page.fill("input[name=password]", PASSWORD)
    page.click(".login button[type=submit]")
    page.wait_for_selector("text=Bienvenue")

    page.click("summary:has-text('Administration')")
    page.click(".menu a[href='/products/']")
    page.wait_for_selector("h1:has-text('Produits')")
    page.click("a.button:has-text('Nouveau produit')")

    # Page 1: general settings.
    page.fill("#id_code", "SOINS_MFO")
    page.fill("#id_name", "Soins de base Mfoundi")
    page.select_option("#id_location", label="MFO Mfoundi")
    page.fill("#id_date_from", "2026-01-01")
    page.fill("#id_date_to", "2026-12-31")
    page.fill("#id_insurance_period", "12")
    page.click("form.form button[type=submit]")

    # Page 2: coverage; all consultations with co-insurance 80 %.
    page.wait_for_selector("h1:has-text('Couverture')")
    page.select_option("#id_category", "C")
    page.select_option("#id_limitation_type", "C")
    page.fill("#id_limit_adult", "80")
    page.fill("#id_limit_child", "80")
    page.click("button:has-text('Ajouter les soins de cette catégorie')")
    page.wait_for_selector("h2:has-text('Soins couverts (2)')")
    # One row edited alone (htmx): its form opens in place, is saved, and shows as text again.
    row = page.locator("#services tbody tr").first
    row.locator("a:has-text('Modifier')").click()
    page.locator("#services tbody tr.editing input[name$=limit_adult]").fill("70")
    page.click("#services tbody tr.editing button:has-text('Enregistrer')")
    page.wait_for_selector("#services tbody tr.editing", state="detached")
    page.wait_for_selector("#services tbody tr span.badge:has-text('enregistré')")
    page.click("a:has-text('Voir le résumé')")

    summary = page.locator("#summary").inner_text()
    assert summary.startswith(
        "Couvre un an à partir de la date de début; gratuit; 2 soins et 0 produit médical"
    )
    product = Product.objects.get(code="SOINS_MFO")
    assert sorted(r.limit_adult for r in product.services.all()) == [70, 80]
