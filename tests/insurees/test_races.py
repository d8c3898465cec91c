"""Eight clerks create a family with the same insurance number at the same moment: one family,
and seven pages saying the number is already given; never a duplicate or a 500.  And one
current head per family, held by the database."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from kinga.insurees.models import Family, Insuree

from ..races import one_created, post_together, postgresql_only
from .test_families_services import add_member, new_family
from .test_families_views import create_data

pytestmark = pytest.mark.django_db(transaction=True)


@postgresql_only
def test_eight_simultaneous_families_with_one_insurance_number_give_one(mfoundi_clerk, world):
    responses = post_together(
        mfoundi_clerk, reverse("families:create"), create_data(world, insurance_number="CM0042")
    )
    one_created(responses, "The insurance number CM0042 is already given to Paul Ngono")
    assert Insuree.objects.filter(insurance_number="CM0042").count() == 1
    assert Family.objects.count() == 1


@postgresql_only
def test_eight_simultaneous_members_with_one_insurance_number_give_one(mfoundi_clerk, world):
    family = new_family(mfoundi_clerk, world.nlongkak, insurance_number="H001")
    data = create_data(world, insurance_number="CM0043", relationship="4", other_names="Marie")
    data.pop("village")
    responses = post_together(
        mfoundi_clerk, reverse("families:member_add", args=[family.uuid]), data
    )
    one_created(responses, "The insurance number CM0043 is already given to Marie Ngono")
    assert Insuree.objects.filter(insurance_number="CM0043").count() == 1


def test_a_family_has_one_current_head_in_the_database(mfoundi_clerk, world):
    family = new_family(mfoundi_clerk, world.nlongkak, insurance_number="H001")
    member = add_member(mfoundi_clerk, family, insurance_number="M001")
    with pytest.raises(IntegrityError), transaction.atomic():
        Insuree.objects.filter(pk=member.pk).update(is_head=True)
