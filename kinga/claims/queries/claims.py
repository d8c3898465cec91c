"""Reads of claims, always within the reader's reach, and the claim loader.

Who reaches a claim (spec claims §1.4, §2.7; be-claim `Claim.get_queryset`):

- a user attached to a health facility (a claim administrator's login, `User.health_facility`)
  reaches only that facility's claims, whatever his districts;
- any other user with the claim rights reaches the claims of the facilities of his districts;
- the IMIS administrator reaches every claim.

Every page, htmx fragment and API route starts with `get_claim_for_user(user, key, action)`;
the services ask `CLAIM.require(user, claim, action)` before they write.  The actions and the
claim states they need:

| action      | rights                          | state                          |
|-------------|---------------------------------|--------------------------------|
| view        | search or load (111001, 111005) | any, retired too               |
| edit        | add or update (111002, 111010)  | Entered                        |
| delete      | delete (111004)                 | Entered                        |
| duplicate   | add (111002)                    | any current claim              |
| submit      | submit (111007)                 | Entered                        |
| return      | review or update (111008/10)    | Checked or Rejected, submitted |
| review      | review (111008)                 | Checked                        |
| feedback    | feedback (111009)               | Checked                        |
| select      | update (111010)                 | Entered or Checked             |
| print       | print (111006)                  | any                            |
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from kinga.core import access
from kinga.core.loaders import Action, Loader, changing, viewing
from kinga.core.rights import Right
from kinga.facilities.models import HealthFacility

from ..codes import ClaimStatus
from ..models import Claim, ClaimLine

FACILITY_DISTRICT = "health_facility__district_id"


def is_entered(claim: Claim) -> bool:
    """Editable, deletable and submittable only while Entered (Q16)."""
    return claim.status == ClaimStatus.ENTERED


def is_checked(claim: Claim) -> bool:
    """Review and feedback are entered only while the claim is Checked (§3.1)."""
    return claim.status == ClaimStatus.CHECKED


def is_returnable(claim: Claim) -> bool:
    """A submitted claim not yet processed may go back to its facility for completion."""
    return claim.status in (ClaimStatus.CHECKED, ClaimStatus.REJECTED)


def is_selectable(claim: Claim) -> bool:
    return claim.status in (ClaimStatus.ENTERED, ClaimStatus.CHECKED)


def facility_of_user(user) -> int | None:
    """The facility a user is attached to (a claim administrator's login), or None."""
    return getattr(user, "health_facility_id", None)


def reaches_facility(user, facility: HealthFacility) -> bool:
    """Whether `user` may see and enter claims of `facility` (rights apart)."""
    own = facility_of_user(user)
    if own is not None and not access.is_imis_admin(user):
        return facility.pk == own
    return access.scope_of(user).covers_district(facility.district_id)


def in_reach(user, claim: Claim) -> bool:
    return reaches_facility(user, claim.health_facility)


CLAIM = Loader(
    queryset=lambda: Claim.objects.select_related(
        "health_facility",
        "insuree",
        "insuree__family",
        "admin",
        "icd",
        "icd_1",
        "icd_2",
        "icd_3",
        "icd_4",
        "programme",
        "submitted_by",
    ),
    actions={
        "view": viewing(Right.CLAIM_SEARCH, Right.CLAIM_LOAD),
        "add": Action((Right.CLAIM_ADD,)),
        "edit": changing(Right.CLAIM_ADD, Right.CLAIM_UPDATE, when=is_entered),
        "delete": changing(Right.CLAIM_DELETE, when=is_entered),
        "duplicate": changing(Right.CLAIM_ADD),
        "submit": changing(Right.CLAIM_SUBMIT, when=is_entered),
        "return": changing(Right.CLAIM_REVIEW, Right.CLAIM_UPDATE, when=is_returnable),
        "review": changing(Right.CLAIM_REVIEW, when=is_checked),
        "feedback": changing(Right.CLAIM_FEEDBACK, when=is_checked),
        "select": changing(Right.CLAIM_UPDATE, when=is_selectable),
        "print": viewing(Right.CLAIM_PRINT),
    },
    in_scope=in_reach,
)


def get_claim_for_user(user, key, action: str = "view") -> Claim:
    """The claim, loaded and authorised for `action` (kinga.core.loaders): 403 without the
    right, 404 for an unknown key, 403 outside the user's facility or districts or in a state
    where the action does not apply."""
    return CLAIM.get(user, key, action)


def may_claim(user, claim: Claim, action: str) -> bool:
    return CLAIM.may(user, claim, action)


def reach_q(user) -> Q:
    """The Q filter on Claim of the claims `user` reaches."""
    own = facility_of_user(user)
    if own is not None and not access.is_imis_admin(user):
        return Q(health_facility_id=own)
    return access.district_q(user, FACILITY_DISTRICT)


def visible(user, *, include_retired: bool = False) -> QuerySet[Claim]:
    """The claims `user` reaches (for the lists and the bulk actions); needs the view right."""
    CLAIM.require_right(user, "view")
    qs = Claim.objects.filter(reach_q(user))
    if not include_retired:
        qs = qs.filter(retired_at__isnull=True)
    return qs


def facilities_for_entry(user) -> QuerySet[HealthFacility]:
    """The facilities whose claims `user` may enter: his own, or those of his districts."""
    CLAIM.require_right(user, "add")
    qs = HealthFacility.objects.current()
    own = facility_of_user(user)
    if own is not None and not access.is_imis_admin(user):
        return qs.filter(pk=own)
    return qs.filter(access.district_q(user, "district_id"))


def lines_of(claim: Claim) -> QuerySet[ClaimLine]:
    """The claim's current lines in entry order, with their service or item."""
    return (
        claim.lines.filter(retired_at__isnull=True)
        .select_related("service", "item", "policy", "product")
        .order_by("id")
    )


def codes_with_prefix(facility_id: int, head: str) -> list[str]:
    """The current codes of a facility that start with `head` (kinga.claims.rules.numbers)."""
    return list(
        Claim.objects.filter(
            health_facility_id=facility_id, retired_at__isnull=True, code__startswith=head
        ).values_list("code", flat=True)
    )


def code_taken(facility_id: int, code: str, *, exclude_pk: int | None = None) -> bool:
    qs = Claim.objects.filter(health_facility_id=facility_id, code=code, retired_at__isnull=True)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.exists()
