"""Scoped reads of families and insurees (spec registers §2.3: a family belongs to the district
of its village; an insuree to his family's district, or to his current village's when he has
no family)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from kinga.core import access
from kinga.core.loaders import Loader, changing, in_districts, viewing
from kinga.core.rights import Right
from kinga.facilities.models import HealthFacility
from kinga.locations.models import Location

from ..models import Family, Insuree
from ..rules import name_words
from . import confidential

FAMILY_RIGHTS = (Right.FAMILY_SEARCH, Right.INSUREE_SEARCH)
# The funding pseudo-insuree (spec §10.6) is hidden from lists.
FUNDING_NUMBER = "999999999"


def district_of_family(family: Family) -> int | None:
    return family.village.parent.parent_id


def district_of_insuree(insuree: Insuree) -> int | None:
    """His family's district; without family, his current village's (spec registers §2.3)."""
    if insuree.family_id is not None:
        return district_of_family(insuree.family)
    if insuree.current_village_id is not None:
        return insuree.current_village.parent.parent_id
    return None


FAMILY = Loader(
    queryset=lambda: Family.objects.select_related("village__parent__parent__parent", "head"),
    actions={
        "view": viewing(*FAMILY_RIGHTS),
        "add": changing(Right.FAMILY_ADD),
        "edit": changing(Right.FAMILY_EDIT),  # its data, its location, its head
        "add_member": changing(Right.INSUREE_ADD),
        "retire": changing(Right.FAMILY_DELETE),
        # What the policies app does on a family (it loads families through this loader).
        "see_policies": viewing(Right.POLICY_SEARCH),
        "add_policy": changing(Right.POLICY_ADD),
        "preview_policy": changing(Right.POLICY_ADD, Right.POLICY_EDIT),
    },
    in_scope=in_districts(district_of_family),
    audit="insurees.family",  # the family page's read (kinga.core.audit)
)

INSUREE = Loader(
    queryset=lambda: Insuree.objects.select_related(
        "family__village__parent__parent__parent",
        "family__head",
        "current_village__parent__parent",
        "first_service_point",
    ),
    actions={
        "view": viewing(*FAMILY_RIGHTS),
        "edit": changing(Right.INSUREE_EDIT),
        # Moving a member changes two families: openIMIS asks for both rights.
        "move": changing(Right.INSUREE_EDIT, all_of=(Right.FAMILY_EDIT,)),
        "detach": changing(Right.INSUREE_EDIT),
        "retire": changing(Right.INSUREE_DELETE),
        # The enquiry by insurance number (kinga.policies.queries.enquiry), a page without key.
        "enquire": viewing(Right.INSUREE_ENQUIRE),
        # The photo, an image of the insuree's page: not a read of its own (not audited).
        "photo": viewing(*FAMILY_RIGHTS),
    },
    in_scope=in_districts(district_of_insuree),
    audit="insurees.insuree",  # the insuree page's read (kinga.core.audit)
)


def family_scope_q(user, prefix: str = "") -> Q:
    return access.district_q(user, f"{prefix}village__parent__parent_id")


def insuree_scope_q(user) -> Q:
    scope = access.scope_of(user)
    if scope.everything:
        return Q()
    # The villages of his districts, as values, against the insuree's own village (his
    # family's, else his current village, kept by triggers: kinga.insurees.villages): a million
    # insurees are filtered without joining their family nor the location tree.
    villages = list(
        Location.objects.filter(type="V", parent__parent_id__in=scope.district_ids).values_list(
            "pk", flat=True
        )
    )
    return Q(village_id__in=villages)


def visible_families(user, *, include_retired: bool = False) -> QuerySet[Family]:
    qs = Family.objects.filter(family_scope_q(user))
    return qs if include_retired else qs.filter(retired_at__isnull=True)


def visible_insurees(user, *, include_retired: bool = False) -> QuerySet[Insuree]:
    qs = Insuree.objects.filter(insuree_scope_q(user)).exclude(insurance_number=FUNDING_NUMBER)
    return qs if include_retired else qs.filter(retired_at__isnull=True)


def search(
    user,
    *,
    number: str = "",
    name: str = "",
    dob: date | None = None,
    phone: str = "",
    district: Location | None = None,
    village: Location | None = None,
    status: str = "",
    include_retired: bool = False,
    label=confidential.LABEL,
) -> QuerySet[Insuree]:
    """Insurees (heads and members) by exact insurance number, part of a name (accents, case,
    apostrophes, hyphens and spaces ignored: « ebene » finds « Ébéné »), birth date,
    part of a phone number, district or village (of the family, else the current village)
    and status; newest criteria narrow, never widen, the user's scope."""
    FAMILY.require_right(user, "view")
    qs = visible_insurees(user, include_retired=include_retired)
    if number.strip():
        qs = qs.filter(insurance_number=number.strip())
    if not number.strip() or name_words(name) or dob is not None or phone.strip():
        # A masked row is found by its number alone (issue 15): what it does not show does not
        # find it, and a list by name or place does not show it, where its place among the
        # names sorted would tell the first letters of the name it hides.
        qs = confidential.without_confidential(qs, user)
    for word in name_words(name):  # search_name: trigram-indexed on PostgreSQL
        qs = qs.filter(search_name__contains=word)
    if dob is not None:
        qs = qs.filter(dob=dob)
    if phone.strip():
        qs = qs.filter(phone__icontains=phone.strip())
    if district is not None:
        qs = qs.filter(
            village_id__in=Location.objects.filter(type="V", parent__parent=district).values("pk")
        )
    if village is not None:
        # One range of the index (village, list order): the village's insurees in order.
        qs = qs.filter(village_id=village.pk)
    if status:
        qs = qs.filter(status=status)
    qs = qs.select_related(
        "family__village__parent__parent", "current_village__parent__parent"
    ).order_by("last_name", "other_names", "id")
    # Those a confidential programme the user may not see covers: masked (`label` for names).
    return confidential.masked(qs, user, label=label)


class ConfidentialDenied(PermissionDenied):
    """A change to a record that a confidential programme the user may not see covers: its
    family is managed by the programme's staff (the 403 page says so)."""

    def __init__(self):
        super().__init__()
        self.reason = confidential.MANAGED


def _masked_loader(loader: Loader, user, paths: tuple[str, ...], family_path: str | None):
    q = confidential.confidential_q(user)
    if confidential.is_nothing(q):
        return loader

    def queryset():
        qs = loader.queryset()
        for path in paths:
            qs = confidential.masked(qs, user, path)
        if family_path is not None:
            flag = confidential.family_confidential_q(user)
            qs = qs.annotate(confidential=ExpressionWrapper(flag, output_field=BooleanField()))
            qs = confidential.masked_family_fields(qs, user)
        return qs

    return Loader(
        queryset=queryset,
        actions=loader.actions,
        in_scope=loader.in_scope,
        key=loader.key,
        audit=loader.audit,  # the masked read is audited as any other (kinga.core.audit)
        audited=loader.audited or None,
    )


def _guard(loader: Loader, record, action: str) -> None:
    if not loader.action(action).retired_ok and getattr(record, "confidential", False):
        raise ConfidentialDenied


def get_family_for_user(user, key, action: str = "view") -> Family:
    """The family, loaded and authorised for `action` (kinga.core.loaders); its head masked and
    `confidential` set when a confidential programme the user may not see covers a member
    (issue 15): then every change is refused (ConfidentialDenied)."""
    family = _masked_loader(FAMILY, user, ("head",), "").get(user, key, action)
    confidential.show_family_fields(family)
    _guard(FAMILY, family, action)
    return family


def may_family(user, family: Family, action: str) -> bool:
    if not FAMILY.action(action).retired_ok and getattr(family, "confidential", False):
        return False
    return FAMILY.may(user, family, action)


def get_insuree_for_user(user, key, action: str = "view") -> Insuree:
    """The insuree, loaded and authorised for `action` (kinga.core.loaders); masked (issue 15)
    when a confidential programme the user may not see covers him, and then every change is
    refused (ConfidentialDenied)."""
    insuree = _masked_loader(INSUREE, user, ("", "family__head"), None).get(user, key, action)
    _guard(INSUREE, insuree, action)
    return insuree


def may_insuree(user, insuree: Insuree, action: str) -> bool:
    if not INSUREE.action(action).retired_ok and getattr(insuree, "confidential", False):
        return False
    return INSUREE.may(user, insuree, action)


def members(family: Family, *, include_retired: bool = False, user=None) -> QuerySet[Insuree]:
    """The family's members; masked for `user` when given (issue 15)."""
    qs = family.members.select_related("first_service_point")
    if not include_retired:
        qs = qs.filter(retired_at__isnull=True)
    qs = qs.order_by("-is_head", "dob", "id")
    return confidential.masked(qs, user) if user is not None else qs


def find_family_by_number(user, number: str) -> Family | None:
    """The current family (in the user's scope) of the current insuree with this number."""
    number = (number or "").strip()
    if not number:
        return None
    found = visible_insurees(user).filter(
        insurance_number=number, family__isnull=False, family__retired_at__isnull=True
    )
    flag = confidential.family_confidential_q(user, "family__")
    if not confidential.is_nothing(flag):  # nobody joins a family its programme's staff manage
        found = found.exclude(flag)
    insuree = found.select_related("family__village__parent", "family__head").first()
    return insuree.family if insuree else None


def villages_in_scope(user) -> QuerySet[Location]:
    return (
        Location.objects.filter(type="V", retired_at__isnull=True)
        .filter(access.district_q(user, "parent__parent_id"))
        .select_related("parent", "parent__parent")
        .order_by("parent__parent__name", "parent__name", "name")
    )


def districts_in_scope(user) -> QuerySet[Location]:
    qs = Location.objects.filter(type="D", retired_at__isnull=True).select_related("parent")
    scope = access.scope_of(user)
    if not scope.everything:
        qs = qs.filter(pk__in=scope.district_ids)
    return qs.order_by("name")


def regions_in_scope(user) -> QuerySet[Location]:
    qs = Location.objects.filter(type="R", retired_at__isnull=True)
    scope = access.scope_of(user)
    if not scope.everything:
        qs = qs.filter(pk__in=scope.region_ids)
    return qs.order_by("name")


def children_in_scope(user, parent_id, level: str) -> QuerySet[Location]:
    """Current locations of `level` under `parent_id` that the user may choose (htmx picker)."""
    qs = Location.objects.filter(type=level, parent_id=parent_id, retired_at__isnull=True)
    if level == "D":
        qs = qs.filter(pk__in=districts_in_scope(user).values("pk"))
    elif level == "W":
        qs = qs.filter(access.district_q(user, "parent_id"))
    elif level == "V":
        qs = qs.filter(access.district_q(user, "parent__parent_id"))
    return qs.order_by("name")


def facility_choices(user) -> QuerySet[HealthFacility]:
    """First service points: current health facilities (of every district: people are often
    registered with a facility near their work)."""
    return HealthFacility.objects.filter(retired_at__isnull=True).order_by("name")
