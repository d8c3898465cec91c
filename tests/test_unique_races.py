"""Eight clerks press Save at the same moment with the same unique value: one record, and seven
pages with the message the sequential check gives (kinga.core.unique.unique_or_refused); never
a duplicate or a 500."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kinga.policies.models import Payer

from .races import one_created, post_together, postgresql_only

pytestmark = [postgresql_only, pytest.mark.django_db(transaction=True)]


def test_eight_simultaneous_payers_of_one_name_give_one_payer(imis_admin):
    responses = post_together(
        imis_admin, reverse("payers:create"), {"type": "G", "name": "Caisse Centrale"}
    )
    one_created(responses, "Caisse Centrale")
    assert Payer.objects.filter(name="Caisse Centrale").count() == 1
