"""The one lock order of Kinga, written once.

A service that locks rows of several kinds takes its locks in this order — and the rows of one
kind in primary-key order — so that two transactions can wait for each other but never
deadlock (PostgreSQL would kill one of them with a "deadlock detected" error, a 500 for the
user).  Skipping a kind is fine; going back up the list is not: a service that holds a Policy
never asks for its Family afterwards.  Read what you need first without a lock (e.g. the
family of a policy, which never changes), then lock downwards.

    Family → Insuree → insurance-number sequence → Policy → Contribution → Claim → Batch run

What each lock prevents:

1. **Family** (`insurees.Family`) — everything that changes who a family's policies cover or
   which policies it holds: two clerks attaching, renewing or changing policies of one family
   would each pass the overlap check (one product twice, two policies of one health programme
   over the same dates); a member joining, leaving or changing status while a policy computes
   its value and its covered members from them.  `policy_attach`, `policy_renew`,
   `policy_update`, the insurees' member services and the families import take it first.
2. **Insuree** (`insurees.Insuree`) — two edits of one member (number, status, family); taken
   after his family (whose id is read first, then checked again once both are locked).
3. **The insurance-number sequence** (`insurees.InsureeNumberSequence`, one row) — two new
   members taking the same next number; held briefly while a member is created, after his
   family, before his coverage's policies.
4. **Policy** (`policies.Policy`) — its status and dates: a payment against a policy being
   cancelled, renewed, changed or suspended; two payments both activating it; the expiry job
   (which skips locked rows) against a payment.
5. **Contribution** (`policies.Contribution`) — two edits or a deletion of one contribution;
   always after its policy, whose status decides what may change.
6. **Claim** (`claims.Claim`) — its status: two submissions of one claim (two browsers, or
   overlapping bulk submissions) each checking and writing it; a change, a deletion, a return
   for completion, a review or a selection racing a submission.  `claims_submit` locks the
   claims of a batch that are still Entered, in primary-key order, and a claim that is no
   longer Entered once its lock is granted is left alone (PostgreSQL re-reads the row), so the
   same claim submitted twice gives one result once.
7. **Batch run** (the claims app, later): a batch run locks its batch after the claims it takes.

Rows locked alone (a payer, an officer, a location, a product being edited) are not in the
list: nothing else is locked while they are held.

Uniqueness across rows is not a lock's job: the database holds it with partial unique
constraints (a payer's name among current payers, a receipt per product among current
contributions, an insurance number among current insurees); the payer and contribution
services turn the constraint's error of a concurrent writer into the same refusal as their own
check, and the families import into a rejected line or a message.
"""

from __future__ import annotations

from django.db import models

# Model labels, in the order their rows are locked.
ORDER: tuple[str, ...] = (
    "insurees.Family",
    "insurees.Insuree",
    "insurees.InsureeNumberSequence",
    "policies.Policy",
    "policies.Contribution",
    "claims.Claim",
    "claims.BatchRun",
)


def rank(model: type[models.Model] | str) -> int:
    """The place of a model (or its label) in ORDER; ValueError for a model not in it."""
    label = model if isinstance(model, str) else model._meta.label
    return ORDER.index(label)


def lock_one(queryset: models.QuerySet, pk: int):
    """The row `pk` of `queryset`, locked until the transaction ends (only that table's row:
    `of=self` leaves the rows of select_related tables alone).  DoesNotExist when it is not in
    the queryset."""
    return queryset.select_for_update(of=("self",)).get(pk=pk)


def lock_all(queryset: models.QuerySet) -> list:
    """Every row of `queryset`, locked in primary-key order (two transactions locking
    overlapping sets of one kind queue up instead of deadlocking)."""
    return list(queryset.select_for_update(of=("self",)).order_by("pk"))
