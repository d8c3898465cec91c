"""Entering and submitting one claim through the pages (issue 12: « under 25 ms of server
time ») takes a bounded number of queries whatever its number of lines: 5 lines and 30 lines
cost the same, for the entry POST and for the « Submit » POST."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kinga.claims.codes import ClaimStatus
from kinga.claims.models import Claim

from ..factories import login
from .conftest import CARE

NEW = reverse("claims_entry:new")
# PostgreSQL reads the lines, the facts of the claim and its insuree's history in one statement
# each (kinga.claims.queries.facts): counted with the session's read and write, the
# transaction's BEGIN, SAVEPOINT and COMMIT.  SQLite takes the set-based ORM queries.
# Submitting reads the confidential programmes the user may not see once (issue 15): +1 on
# SQLite (PostgreSQL had room under its ceiling).
AT_MOST = {"postgresql": (14, 8), "sqlite": (21, 16)}


def _data(care, code: str, lines: int) -> dict:
    data = {
        "health_facility": care.hcy.pk,
        "code": code,
        "insurance_number": care.jean.insurance_number,
        "date_from": CARE.strftime("%d/%m/%Y"),
        "date_to": "",
        "visit_type": "O",
        "icd": "B24",
    }
    for n in range(lines):
        code_n, qty = [("CONS", "1"), ("ARV1", "2"), ("GANT", "3")][n % 3]
        data[f"line-{n}-code"] = code_n
        data[f"line-{n}-quantity"] = qty
    return data


def _enter_and_submit(client, care, code: str, lines: int) -> tuple[int, int, Claim]:
    with CaptureQueriesContext(connection) as entered:
        response = client.post(NEW, _data(care, code, lines))
    assert response.status_code == 302, response.content[:2000]
    claim = Claim.objects.get(code=code)
    assert claim.lines.count() == lines
    with CaptureQueriesContext(connection) as submitted:
        response = client.post(reverse("claims_entry:submit", args=[claim.uuid]))
    assert response.status_code == 302
    claim.refresh_from_db()
    return len(entered), len(submitted), claim


@pytest.mark.django_db
def test_entering_and_submitting_a_claim_takes_as_many_queries_for_30_lines_as_for_5(
    client, claim_admin, care
):
    login(client, claim_admin)
    client.get(NEW)  # the session's first read
    _enter_and_submit(client, care, "HCY.Q.0", 5)  # warm: content types, first lookups
    create_5, submit_5, small = _enter_and_submit(client, care, "HCY.Q.5", 5)
    create_30, submit_30, large = _enter_and_submit(client, care, "HCY.Q.30", 30)
    assert small.status == large.status == ClaimStatus.CHECKED
    assert large.lines.filter(status__isnull=False).count() == 30
    create_at_most, submit_at_most = AT_MOST[connection.vendor]
    assert create_30 == create_5 <= create_at_most, (create_5, create_30)
    assert submit_30 == submit_5 <= submit_at_most, (submit_5, submit_30)
