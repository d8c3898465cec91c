"""Money, dates and words as a Cameroonian reader expects them (issue 14, item 6), read on the
pages: « 22 500 FCFA » and never « 12500.00 »; dates dd/mm/yyyy in English too; history in local
time with its labels translated once and agreeing with the record; the policy status as a
coloured badge; « Sauvegarder » on the policy page, whose title shows once."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import formats, timezone, translation

from kinga.core import money
from kinga.policies.models import Policy, PolicyStatus
from kinga.policies.services import policies as policy_services

from ..conftest import login
from .conftest import pay

pytestmark = pytest.mark.django_db

ENROLLED = date(2026, 3, 15)


def attach(actor, e, product, **over):
    return policy_services.policy_attach(
        actor=actor,
        family=e.family,
        product=product,
        enroll_date=over.pop("enroll_date", ENROLLED),
        officer=e.officer,
        today=over.pop("today", ENROLLED),
        **over,
    ).policy


def page_of(client, policy) -> str:
    response = client.get(reverse("policies:detail", args=[policy.uuid]))
    assert response.status_code == 200
    return response.text


def test_one_money_format_groups_thousands_and_drops_the_minor_unit():
    assert money.money(Decimal("22500.00")) == "22\xa0500\xa0FCFA"
    assert money.money(12500) == "12\xa0500\xa0FCFA"
    assert money.money(Decimal("1500.50"), language="fr") == "1\xa0500,50\xa0FCFA"
    assert money.money(None) == "" and money.money("") == ""
    rendered = Template("{% load kinga %}{{ a|money }}|{{ b|money }}").render(
        Context({"a": Decimal("1234567.00"), "b": None})
    )
    assert rendered == "1\xa0234\xa0567\xa0FCFA|—"


def test_the_policy_page_shows_its_value_and_contributions_in_fcfa(
    client, enrolment, mfoundi_clerk
):
    policy = attach(mfoundi_clerk, enrolment, enrolment.mut)
    pay(mfoundi_clerk, policy, "5000", "R-1", pay_date=ENROLLED, today=ENROLLED)
    policy.refresh_from_db()
    login(client, mfoundi_clerk)
    text = page_of(client, policy)
    assert f"<dd>{money.money(policy.value)}</dd>" in text
    assert '<td class="num">5\xa0000\xa0FCFA</td>' in text
    assert not re.search(r"\d\.00\b", text) and ",00" not in text


def test_dates_read_day_first_in_english_too(client, enrolment, mfoundi_clerk, english):
    policy = attach(mfoundi_clerk, enrolment, enrolment.vih_soins)
    login(client, mfoundi_clerk)
    text = page_of(client, policy)
    assert "<dd>15/03/2026</dd>" in text and "03/15/2026" not in text


def test_history_times_are_local_and_its_labels_are_said_once_and_agree(
    client, enrolment, mfoundi_clerk
):
    # Written in English (a command, an import): still read in French, once.
    with translation.override("en"):
        policy = attach(mfoundi_clerk, enrolment, enrolment.vih_soins)
    row = policy.history.get()
    assert row.history_change_reason == "Created"
    login(client, mfoundi_clerk)
    text = page_of(client, policy)
    history = text[text.index('id="history"') :]
    assert "<td>Créée</td>" in history  # « la police », feminine
    assert "Created" not in history and "Créé —" not in history and "— Cré" not in history
    local = formats.date_format(timezone.localtime(row.history_date), "SHORT_DATETIME_FORMAT")
    utc = formats.date_format(
        row.history_date.astimezone(timezone.get_fixed_timezone(0)), "SHORT_DATETIME_FORMAT"
    )
    assert str(timezone.get_current_timezone()) == "Africa/Douala" and local != utc
    assert f"<td>{local}</td>" in history and utc not in history


@pytest.mark.parametrize(
    ("status", "colour"),
    [
        (PolicyStatus.ACTIVE, "ok"),
        (PolicyStatus.IDLE, "warn"),
        (PolicyStatus.SUSPENDED, "bad"),
        (PolicyStatus.EXPIRED, ""),
    ],
)
def test_the_policy_status_is_a_coloured_badge(client, enrolment, mfoundi_clerk, status, colour):
    policy = attach(mfoundi_clerk, enrolment, enrolment.vih_soins)
    Policy.objects.filter(pk=policy.pk).update(status=status)
    login(client, mfoundi_clerk)
    text = page_of(client, policy)
    assert f'<span class="badge {colour}" id="policy_status"' in text
    # The same colours on the family's block of policies (in force until March 2027).
    block = client.get(reverse("policies:family_block", args=[enrolment.family.uuid])).text
    assert f'<span class="badge {colour}" data-status="{int(status)}">' in block


def test_the_policy_form_says_sauvegarder_and_its_title_once(client, enrolment, mfoundi_clerk):
    login(client, mfoundi_clerk)
    text = client.get(reverse("policies:create", args=[enrolment.family.uuid])).text
    assert ">Sauvegarder</button>" in text and ">Enregistrer</button>" not in text
    main = text[text.index("<main") :]
    assert main.count("Détail de la police") == 1
