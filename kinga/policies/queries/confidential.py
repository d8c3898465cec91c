"""Who a confidential programme covers, withheld in the queries (issue 15).

For a user who may not see a confidential programme (kinga.products.queries.confidential):
- an insuree covered by one of its policies — now or in the past, current or retired coverage
  rows alike — is *confidential*: his names are replaced, in SQL, by nothing (the pages show
  « Données confidentielles »), he is not found by a name search, and only his insurance number,
  sex and year of birth are read;
- the programme's policies (and their products) are absent from every list and page.

HIV status is never inferred from another field: it is the programme policy itself.

The insurees app cannot import this app; it reaches `confidential_insuree_q` through the hook
registered in PoliciesConfig.ready() (kinga.insurees.hooks.register_confidential).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from kinga.products.queries.confidential import hidden_programme_ids

from ..models import InsureePolicy, Policy

_NOTHING = Q(pk__in=[])


def confidential_insuree_q(user, prefix: str = "") -> Q:
    """Q over Insuree (or a relation to it, through `prefix`, e.g. "insuree__"): true for the
    insurees whose cover by a confidential programme `user` may not see.  Q(pk__in=[]) (always
    false, no SQL) when the user may see every programme."""
    hidden = hidden_programme_ids(user)
    if not hidden:
        return _NOTHING
    covered = InsureePolicy.objects.filter(
        insuree_id=OuterRef(f"{prefix}pk" if prefix else "pk"),
        policy__product__programme_id__in=sorted(hidden),
    )
    return Q(Exists(covered))


def hidden_policy_q(user, prefix: str = "") -> Q:
    """Q over Policy (through `prefix`): the policies of programmes `user` may not see."""
    hidden = hidden_programme_ids(user)
    if not hidden:
        return _NOTHING
    return Q(**{f"{prefix}product__programme_id__in": sorted(hidden)})


def visible_policies(user, qs=None):
    """Policies without those of the confidential programmes `user` may not see."""
    qs = Policy.objects.all() if qs is None else qs
    q = hidden_policy_q(user)
    return qs if q == _NOTHING else qs.exclude(q)
