"""The accountant's payment statement pages: the list, « Nouvel état de paiement », the
statement's page and downloads (PDF, CSV, XLSX), « Enregistrer le paiement », the cancellation,
the menu entry; denials and query counts."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kinga.claims.models import PaymentStatement, StatementStatus
from kinga.claims.services import statements as services

from ..factories import login, make_user
from ..querycount import assert_flat, page_queries
from ..races import post_together, postgresql_only
from .payment_helpers import valuated_claim
from .pdf_helpers import pdf_text, render_first_page

WORDS = "vingt-deux mille cinq cents francs CFA"
LIST = "/claims/payment/statements/"
NEW = "/claims/payment/statements/new/"


def page_url(statement, suffix: str = "") -> str:
    return reverse("claims_payment:statement", kwargs={"uuid": statement.uuid}) + suffix


def make_statement(care, accountant, **kw) -> PaymentStatement:
    kw.setdefault("product", care.vih_soins)
    return services.statement_generate(
        actor=accountant,
        health_facility=kw.pop("facility", care.hcy),
        date_from=date(2026, 3, 1),
        date_to=date(2026, 3, 31),
        **kw,
    )


@pytest.fixture
def codes(care):
    care.hcy.acc_code = "401-HCY"
    care.hcy.save()
    care.vih_soins.acc_code_remuneration = "6011-VIH"
    care.vih_soins.save()


def test_the_accountant_generates_a_statement_from_the_form(client, care, accountant):
    valuated_claim(care)
    login(client, accountant)
    form = client.get(NEW)
    assert form.status_code == 200
    assert "Nouvel état de paiement" in form.content.decode()
    response = client.post(
        NEW,
        {
            "health_facility": care.hcy.pk,
            "date_from": "01/03/2026",
            "date_to": "31/03/2026",
            "product": care.vih_soins.pk,
        },
        follow=True,
    )
    statement = PaymentStatement.objects.get()
    assert response.redirect_chain[-1][0] == page_url(statement)
    body = response.content.decode()
    assert statement.number in body
    assert "22\u00a0500\u00a0FCFA" in body
    assert WORDS in body
    assert "Enregistrer le paiement" in body


def test_the_form_says_what_is_wrong(client, care, accountant):
    login(client, accountant)
    response = client.post(
        NEW,
        {
            "health_facility": care.hcy.pk,
            "date_from": "2026-03-31",
            "date_to": "2026-03-01",
            "product": care.vih_soins.pk,
            "programme": care.vih.pk,
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "La fin de la période précède son début." in body
    assert "un produit ou un programme de santé" in body.lower()
    response = client.post(
        NEW,
        {
            "health_facility": care.hcy.pk,
            "date_from": "2026-03-01",
            "date_to": "2026-03-31",
            "programme": care.vih.pk,
        },
    )
    assert "Aucune prestation évaluée" in response.content.decode()
    assert not PaymentStatement.objects.exists()


def test_the_pdf_has_the_header_lines_total_in_words_and_signatures(
    client, care, accountant, codes, tmp_path
):
    valuated_claim(care)
    statement = make_statement(care, accountant)
    response = login(client, accountant).get(page_url(statement, "download/pdf/"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    png = render_first_page(response.content, tmp_path / "statement.png")
    assert png.stat().st_size > 10_000
    text = pdf_text(response.content)
    assert "ÉTAT DE PAIEMENT" in text and statement.number in text
    assert "CE Centre" in text and "MFO Mfoundi" in text and "HCY Hôpital Central" in text
    assert "401-HCY" in text and "6011-VIH" in text
    assert "Soins" in text and "Produits médicaux" in text
    assert "Numération CD4" in text
    assert "22 500 FCFA" in text
    assert WORDS in text
    for block in ("Le responsable de la FOSA", "L’auditeur", "Le comité de validation"):
        assert block in text


def test_the_csv_and_xlsx_carry_the_accounting_codes(client, care, accountant, codes):
    valuated_claim(care)
    statement = make_statement(care, accountant)
    login(client, accountant)
    response = client.get(page_url(statement, "download/csv/"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 4
    assert {r["facility_acc_code"] for r in rows} == {"401-HCY"}
    assert {r["product_acc_code"] for r in rows} == {"6011-VIH"}
    assert sum(Decimal(r["amount"]) for r in rows) == Decimal(22500)
    assert rows[0]["period_from"] == "2026-03-01"
    response = client.get(page_url(statement, "download/xlsx/"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    values = [dict(zip(header, (c.value for c in row), strict=True)) for row in sheet.iter_rows(2)]
    assert len(values) == 4
    assert values[0]["facility_acc_code"] == "401-HCY"
    assert sum(Decimal(str(v["amount"])) for v in values) == Decimal(22500)
    assert client.get(page_url(statement, "download/doc/")).status_code == 404


def test_recording_the_payment_from_the_page(client, care, accountant):
    valuated_claim(care)
    statement = make_statement(care, accountant)
    login(client, accountant)
    pay = page_url(statement, "pay/")
    wrong = client.post(pay, {"paid_on": "10/04/2026", "reference": "VIR-42", "amount": "20000"})
    assert wrong.status_code == 200
    assert "doit être égal au total de l’état" in wrong.content.decode()
    response = client.post(
        pay, {"paid_on": "10/04/2026", "reference": "VIR-42", "amount": "22500"}, follow=True
    )
    body = response.content.decode()
    assert "Paiement enregistré" in body
    assert "VIR-42" in body
    assert "record-payment-button" not in body
    assert "cancel-statement" not in body
    statement.refresh_from_db()
    assert statement.status == StatementStatus.PAID
    again = client.post(pay, {"paid_on": "10/04/2026", "reference": "VIR-43", "amount": "22500"})
    assert again.status_code == 200
    assert "déjà payé" in again.content.decode()
    cancel = client.post(page_url(statement, "cancel/"))
    assert cancel.status_code == 200
    assert "Un état payé ne peut plus changer" in cancel.content.decode()
    statement.refresh_from_db()
    assert statement.status == StatementStatus.PAID and statement.payment_reference == "VIR-42"


def test_cancelling_a_draft_asks_first(client, care, accountant):
    valuated_claim(care)
    statement = make_statement(care, accountant)
    login(client, accountant)
    question = client.get(page_url(statement, "cancel/"))
    assert "Annuler l’état brouillon" in question.content.decode()
    statement.refresh_from_db()
    assert statement.is_draft
    response = client.post(page_url(statement, "cancel/"), follow=True)
    assert "est annulé" in response.content.decode()
    statement.refresh_from_db()
    assert statement.status == StatementStatus.CANCELLED
    assert PaymentStatement.objects.count() == 1  # kept, never deleted


def test_the_list_filters_and_the_menu(client, care, accountant):
    valuated_claim(care)
    march = make_statement(care, accountant)
    valuated_claim(care, facility=care.dla)
    login(client, accountant)
    home = client.get("/")
    assert LIST in home.content.decode()
    body = client.get(LIST).content.decode()
    assert march.number in body
    assert "Nouvel état de paiement" in body
    assert march.number not in client.get(LIST, {"status": "paid"}).content.decode()
    assert march.number in client.get(LIST, {"status": "draft"}).content.decode()
    assert march.number not in client.get(LIST, {"period_from": "2026-04-01"}).content.decode()
    assert march.number in client.get(LIST, {"health_facility": care.hcy.pk}).content.decode()


def test_an_accountant_sees_only_the_statements_of_his_districts(
    client, care, accountant, world, imis_admin
):
    valuated_claim(care, facility=care.dla)
    douala = make_statement(care, imis_admin, facility=care.dla)
    login(client, accountant)
    assert douala.number not in client.get(LIST).content.decode()
    assert client.get(page_url(douala)).status_code == 403
    assert client.get(page_url(douala, "download/pdf/")).status_code == 403
    assert client.post(page_url(douala, "pay/"), {}).status_code == 403
    assert client.get("/claims/payment/statements/not-a-uuid/").status_code == 404
    # the form offers only his facilities
    form = client.get(NEW).content.decode()
    assert "Hôpital de Douala" not in form
    response = client.post(
        NEW,
        {
            "health_facility": care.dla.pk,
            "date_from": "2026-03-01",
            "date_to": "2026-03-31",
            "product": care.vih_soins.pk,
        },
    )
    assert response.status_code == 200
    assert PaymentStatement.objects.count() == 1


def test_who_may_see_but_not_pay(client, care, accountant, world, medical_officer):
    valuated_claim(care)
    statement = make_statement(care, accountant)
    from kinga.core.models import Role

    viewer = make_user(
        "auditor",
        roles=[Role.objects.create(name="Auditeur", rights=[111103])],
        districts=[world.mfoundi],
    )
    login(client, viewer)
    page = client.get(page_url(statement))
    assert page.status_code == 200
    assert "record-payment-button" not in page.content.decode()
    assert client.get(page_url(statement, "download/csv/")).status_code == 200
    assert client.get(NEW).status_code == 403
    pay = {"paid_on": "2026-04-10", "reference": "X", "amount": "22500"}
    assert client.post(page_url(statement, "pay/"), pay).status_code == 403
    assert client.post(page_url(statement, "cancel/")).status_code == 403
    login(client, medical_officer)
    assert client.get(LIST).status_code == 403
    assert client.get(page_url(statement)).status_code == 403
    client.logout()
    assert client.get(LIST).status_code == 302  # to the login page


def test_the_statement_claims_and_their_vouchers(client, care, accountant, medical_officer):
    for _n in range(3):
        valuated_claim(care)
    statement = make_statement(care, accountant)
    care.vih.users.add(medical_officer)  # the accountant is not a user of the programme
    login(client, accountant)
    body = client.get(page_url(statement, "claims/")).content.decode()
    assert "Jean Mballa" in body  # a programme with users, not confidential: nothing hidden
    vouchers = client.get(page_url(statement, "vouchers/"))
    assert vouchers["Content-Type"] == "application/pdf"
    text = pdf_text(vouchers.content)
    assert text.count("BON À PAYER") == 3
    # Confidential: the statement (of its product VIH_Soins) is absent for the accountant.
    care.vih.confidential = True
    care.vih.save()
    for suffix in ("", "claims/", "vouchers/", "download/pdf/"):
        assert client.get(page_url(statement, suffix)).status_code == 404
    care.vih.users.add(accountant)
    assert "Jean Mballa" in client.get(page_url(statement, "claims/")).content.decode()


def test_the_pages_make_as_many_queries_with_more_claims(client, care, accountant, settings):
    settings.KINGA_PAGE_SIZE = 100
    for _n in range(30):
        valuated_claim(care)
    statement = make_statement(care, accountant)
    login(client, accountant)
    client.get(LIST)  # the session's first read

    def grow():
        for n in range(15):
            valuated_claim(
                care, lines=[(care.cd4, 1, Decimal(5000 + n))], date_from=date(2026, 3, 5)
            )
            valuated_claim(care, facility=care.hcy, date_from=date(2026, 4, 2))
        make_statement(care, accountant)
        services.statement_generate(
            actor=accountant,
            health_facility=care.hcy,
            date_from=date(2026, 4, 1),
            date_to=date(2026, 4, 30),
            product=care.vih_soins,
        )

    count, _sqls, _r = page_queries(client, page_url(statement, "claims/"))
    assert count <= 12
    assert_flat(client, LIST, lambda: None, at_most=12)
    # the statement's own page and its claims: the new statements add lines and claims to
    # others, and the pages of the first statement do not grow; its claims page shows 30 rows.
    before, _s, _r = page_queries(client, page_url(statement))
    grow()
    after, sqls, _r = page_queries(client, page_url(statement))
    assert after == before, "\n".join(sqls)
    assert after <= 14
    big = PaymentStatement.objects.order_by("-id")[1]
    assert big.claims_count == 15
    count_big, sqls, response = page_queries(client, page_url(big, "claims/"))
    assert count_big == count, "\n".join(sqls)
    count_list, _s, response = page_queries(client, LIST)
    assert response.content.decode().count("EP-HCY-") >= 3
    assert count_list <= 12


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_payments_posted_at_once_make_one(care, accountant):
    valuated_claim(care)
    statement = make_statement(care, accountant)
    responses = post_together(
        accountant,
        page_url(statement, "pay/"),
        {"paid_on": "2026-04-10", "reference": "VIR-42", "amount": "22500"},
        n=4,
        language="fr",
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [200, 200, 200, 302], codes
    for r in responses:
        if r.status_code == 200:
            assert "déjà payé" in r.content.decode()
    statement.refresh_from_db()
    assert statement.status == StatementStatus.PAID
    assert statement.history.count() == 2


def test_the_pages_speak_english_too(client, care, accountant, english):
    valuated_claim(care)
    statement = make_statement(care, accountant)
    login(client, accountant)
    assert "Payment statements" in client.get(LIST).content.decode()
    body = client.get(page_url(statement)).content.decode()
    assert "Record the payment" in body
    text = pdf_text(client.get(page_url(statement, "download/pdf/")).content)
    assert "PAYMENT STATEMENT" in text
    assert "The head of the FOSA" in text
    assert "twenty-two thousand five hundred CFA francs" in text
    assert WORDS in text
