"""The data-entry audit's cast: the managers of Mfoundi and Wouri, and their clerks' work."""

from __future__ import annotations

import hashlib
import itertools
from datetime import datetime

import pytest
from django.utils import timezone

from kinga.core.models import AuditEntry

from ..factories import make_user
from ..policies.conftest import enrolment  # noqa: F401  (the VIH programme and the Mballa family)

_chain = itertools.count(1)


@pytest.fixture
def manager(world):
    return make_user("manager.mfoundi", roles=["manager"], districts=[world.mfoundi])


@pytest.fixture
def wouri_manager(world):
    return make_user("manager.wouri", roles=["manager"], districts=[world.wouri])


def read(user, kind, record="", *, outcome="allowed", at=None, rows=None, action="view"):
    """An audit entry, straight into the table (the read audit writes them in the pages)."""
    n = next(_chain)
    return AuditEntry.objects.create(
        at=at or timezone.now(),
        user=user,
        login=user.username if user else "",
        address="10.0.0.7",
        action=action,
        outcome=outcome,
        kind=kind,
        record=str(record),
        rows=rows,
        path=f"/{kind}/{record}/",
        prev_hash=hashlib.sha256(str(n - 1).encode()).hexdigest(),
        hash=hashlib.sha256(f"test-{n}".encode()).hexdigest(),
    )


def local(y, m, d, h=10) -> datetime:
    return timezone.make_aware(datetime(y, m, d, h))
