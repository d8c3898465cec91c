"""Issue 15: who a confidential programme covers, as the queries see it (the pages' tests are
in each app)."""

from __future__ import annotations

import pytest

from kinga.core.access import forget
from kinga.core.models import Role
from kinga.core.rights import Right
from kinga.insurees.hooks import confidential_insuree_q
from kinga.insurees.models import Insuree
from kinga.policies.models import Policy
from kinga.policies.queries.confidential import visible_policies
from kinga.products.queries.confidential import hidden_programme_ids

from ..factories import make_user
from .test_policies import attach


@pytest.fixture
def soins(enrolment, mfoundi_clerk):
    enrolment.vih.confidential = True
    enrolment.vih.save()
    attach(mfoundi_clerk, enrolment, enrolment.vih_soins)
    attach(mfoundi_clerk, enrolment, enrolment.mut)
    return enrolment


def _confidential_names(user):
    return set(
        Insuree.objects.filter(confidential_insuree_q(user)).values_list("other_names", flat=True)
    )


def test_a_clerk_without_the_right_has_the_whole_family_covered_by_vih_soins_confidential(
    soins, mfoundi_clerk, world
):
    clerk = make_user("clerk2", roles=["clerk"], districts=[world.mfoundi])
    assert hidden_programme_ids(clerk) == {soins.vih.pk}
    assert _confidential_names(clerk) == {"Jean", "Marie", "Paul", "Luc"}
    assert [p.product.code for p in visible_policies(clerk).select_related("product")] == ["MUT"]


def test_a_programme_user_and_a_holder_of_the_right_see_everything(soins, world, imis_admin):
    named = make_user("focal", roles=["clerk"], districts=[world.mfoundi])
    soins.vih.users.add(named)
    role = Role.objects.create(name="VIH", rights=[int(Right.CONFIDENTIAL_PROGRAMMES)])
    holder = make_user("holder", roles=[role], districts=[world.mfoundi])
    for user in (named, holder):
        assert hidden_programme_ids(user) == frozenset()
        assert _confidential_names(user) == set()
        assert visible_policies(user).count() == Policy.objects.count() == 2
    # The IMIS Administrator's pass over every right does not give this one.
    assert hidden_programme_ids(imis_admin) == {soins.vih.pk}


def test_a_programme_not_marked_confidential_hides_nobody(enrolment, mfoundi_clerk):
    attach(mfoundi_clerk, enrolment, enrolment.vih_soins)
    assert hidden_programme_ids(mfoundi_clerk) == frozenset()
    assert _confidential_names(mfoundi_clerk) == set()


def test_the_set_is_read_again_after_forget(soins, mfoundi_clerk):
    assert hidden_programme_ids(mfoundi_clerk) == {soins.vih.pk}
    soins.vih.users.add(mfoundi_clerk)
    assert hidden_programme_ids(mfoundi_clerk) == {soins.vih.pk}  # kept for the request
    forget(mfoundi_clerk)
    assert hidden_programme_ids(mfoundi_clerk) == frozenset()
