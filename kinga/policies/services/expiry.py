"""The expiry job (spec §9.8, decision 11): policies past their expiry date become Expired, with
history rows; run by `kinga expire-policies` and the daily task (kinga.policies.tasks)."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from .. import rules
from ..models import Policy, PolicyStatus
from ._common import _today

EXPIRY_BATCH = 2000

# --- the expiry job -------------------------------------------------------------------------


def expire_policies(*, today: date | None = None, actor=None) -> int:
    """Expire the current Active, Ready, Idle and Suspended policies whose expiry date has
    passed (spec §9.8, decision 11: with history rows).  Idempotent: a second run finds
    nothing.  Returns how many policies were expired."""
    today = _today(today)
    expirable = [int(s) for s in rules.EXPIRABLE]
    reason = _("Expired")
    total = 0
    while True:
        with transaction.atomic():
            batch = list(
                Policy.objects.select_for_update(skip_locked=True)
                .filter(retired_at__isnull=True, status__in=expirable, expiry_date__lt=today)
                .order_by("id")[:EXPIRY_BATCH]
            )
            if not batch:
                return total
            for p in batch:
                p.status = rules.expire(p.status, p.expiry_date, today)
            done = [p for p in batch if p.status == PolicyStatus.EXPIRED]
            Policy.objects.filter(
                pk__in=[p.pk for p in done], status__in=expirable, expiry_date__lt=today
            ).update(status=PolicyStatus.EXPIRED)
            Policy.history.bulk_history_create(
                done, update=True, default_user=actor, default_change_reason=reason
            )
            total += len(done)
            if len(batch) < EXPIRY_BATCH:
                return total
