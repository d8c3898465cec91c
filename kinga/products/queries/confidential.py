"""Confidential health programmes: which of them a user may not see (issue 15).

A programme marked `confidential` (the HIV programme: a VIH_Soins policy says that a person lives
with HIV) shows who it covers only to:
- the holders of the right CONFIDENTIAL_PROGRAMMES, given by a role on purpose (the IMIS
  Administrator's pass over every right does not give it);
- the users named among the programme's users (`Programme.users`), within their own scope
  (their facility, their districts), as for any record.

Everyone else gets the programme's ids from `hidden_programme_ids`, and each app withholds, in its
queries, what those programmes would reveal (kinga.policies.queries.confidential for insurees and
policies, the claims' queries for claims).  The set is read once per request (one small query,
none for a holder of the right) and kept on the user object; `kinga.core.access.forget` drops it.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from kinga.core.access import rights_of
from kinga.core.rights import Right

from ..models import Programme

_ATTR = "_kinga_hidden_programmes"
_WORKS_FOR = "_kinga_works_for_confidential"


def may_see_all_confidential(user) -> bool:
    """Holds the right itself, from a role (not through the IMIS Administrator's pass)."""
    return int(Right.CONFIDENTIAL_PROGRAMMES) in rights_of(user)


def hidden_programme_ids(user) -> frozenset[int]:
    """The confidential programmes (current or retired) whose beneficiaries `user` may not see."""
    cached = getattr(user, _ATTR, None)
    if cached is not None:
        return cached
    works_for = False
    if getattr(user, "is_authenticated", False) and user.is_active:
        if may_see_all_confidential(user):
            ids: frozenset[int] = frozenset()
            works_for = True
        else:
            named = Programme.users.through.objects.filter(
                programme_id=OuterRef("pk"), user_id=user.pk
            )
            # One query for both answers: the programmes hidden from him, and whether he is
            # named among the users of a current one (the minimal beneficiary form).
            rows = list(
                Programme.objects.filter(confidential=True)
                .annotate(named=Exists(named))
                .values_list("pk", "named", "retired_at")
            )
            ids = frozenset(pk for pk, is_named, _retired in rows if not is_named)
            works_for = any(is_named and retired is None for _pk, is_named, retired in rows)
    else:
        ids = frozenset(Programme.objects.filter(confidential=True).values_list("pk", flat=True))
    if getattr(user, "pk", None) is not None:
        setattr(user, _ATTR, ids)
        setattr(user, _WORKS_FOR, works_for)
    return ids


def works_for_confidential_programme(user) -> bool:
    """Holds the right, or is named among the users of a current confidential programme: the
    programme's staff (the minimal beneficiary form is theirs).  Read with the hidden set."""
    if getattr(user, _WORKS_FOR, None) is None or getattr(user, _ATTR, None) is None:
        hidden_programme_ids(user)
    return bool(getattr(user, _WORKS_FOR, False))


def may_see_programme(user, programme_id: int | None) -> bool:
    return programme_id is None or programme_id not in hidden_programme_ids(user)
