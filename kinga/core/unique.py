"""Uniqueness held by the database, refused in the user's words.

Every unique rule is a database constraint (two concurrent requests cannot both pass a check
made in Python).  A service checks first, for the usual case, then saves inside
`unique_or_refused(check, ...)`: when a concurrent writer took the value between the check and
the save, the constraint raises IntegrityError; the savepoint is rolled back (the transaction
stays usable) and the same checks run again, now seeing the other writer's row (PostgreSQL's
READ COMMITTED takes a new snapshot per statement), so the user gets the very refusal the
sequential check gives.  An IntegrityError no check explains is a bug and is raised as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import IntegrityError, transaction


@contextmanager
def unique_or_refused(*checks: Callable[[], None]) -> Iterator[None]:
    """Run the block in a savepoint; on a unique clash, run `checks` (each raises `Refused`
    when its value is taken) and re-raise the clash if none does."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError:
        for check in checks:
            check()
        raise
