"""Every change to families and insurees (spec registers §8.4).

Rules (openIMIS be-insuree services.py / gql_mutations.py, vb InsureeDAL.vb, FamilyDAL.vb):
- a family is created with its head in one step; its village is a current village of one of
  the actor's districts; the head has no relationship (he is the reference);
- the insurance number is unique among current insurees and follows the scheme's check
  (settings.KINGA_INSUREE_NUMBER, kinga.insurees.rules); schemes that assign numbers leave it
  empty and get the next number of the sequence;
- change of head: the new head is a current member of the family; the old head becomes a
  member with the relationship given;
- only a member who is not the head may be moved to another family or detached (family
  emptied); the head cannot be retired alone;
- a family is retired only when no current member but the head is left (legacy
  CheckCanBeDeleted); the head is retired with it;
- an inactive or dead insuree has a status date (not in the future) and a reason.
Scope: a family belongs to the district of its village; a detached insuree to the district of
his current village.  Coverage (policies) follows the members: the coverage hooks that the
policies app registers (kinga.insurees.hooks).  Locks follow kinga.core.locks: the family (or
families) first, then the member.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kinga.core import access, locks
from kinga.core.errors import Refused
from kinga.core.history import set_actor
from kinga.core.unique import unique_or_refused
from kinga.locations.models import Location

from .. import hooks, rules
from ..models import (
    ConfirmationType,
    Education,
    Family,
    FamilyType,
    Gender,
    IdType,
    Insuree,
    InsureeNumberSequence,
    InsureeStatus,
    MaritalStatus,
    Profession,
    Relationship,
)
from ..queries import confidential
from ..queries.families import FAMILY, INSUREE

PHOTO_MAX_BYTES = 1024 * 1024
PHOTO_TYPES = {b"\xff\xd8\xff": "jpg", b"\x89PNG\r\n\x1a\n": "png"}

INSUREE_FIELDS = (
    "insurance_number",
    "last_name",
    "other_names",
    "dob",
    "gender",
    "marital",
    "relationship",
    "type_of_id",
    "id_number",
    "phone",
    "email",
    "current_address",
    "current_village",
    "card_issued",
    "profession",
    "education",
    "first_service_point",
    "status",
    "status_date",
    "status_reason",
)
FAMILY_FIELDS = (
    "poverty",
    "family_type",
    "address",
    "ethnicity",
    "confirmation_type",
    "confirmation_no",
)
TEXT_LIMITS = {
    "last_name": 100,
    "other_names": 100,
    "id_number": 25,
    "phone": 50,
    "email": 100,
    "current_address": 200,
    "status_reason": 200,
    "address": 200,
    "ethnicity": 1,
    "confirmation_no": 12,
}


# --- coverage (spec §8.4, §9.6) --------------------------------------------------------------
# When a member joins, moves, is detached, retired or changes status, his coverage follows: the
# policies app registers what that means (kinga.insurees.hooks, called with the family locked).


def family_has_policies(family: Family) -> bool:
    """A family with a current policy cannot be retired (vb FamilyDAL CheckCanBeDeleted)."""
    return hooks.coverage().family_has_policies(family)


# --- what the pages say beforehand -------------------------------------------------------
# Rights, scope and retired records are the loaders' (kinga.insurees.queries.families); these
# are business refusals: the pages show them and the services raise them.


def move_refusal(insuree: Insuree) -> str | None:
    """Why `insuree` cannot be moved to another family (None if he can): not the head."""
    if insuree.is_head:
        return _("The head of family cannot be moved: change the head of family first.")
    return None


def detach_refusal(insuree: Insuree) -> str | None:
    """Why `insuree` cannot be removed from his family (None if he can): not the head, and he
    must have a family."""
    if insuree.is_head:
        return _("The head of family cannot be removed from his family.")
    if insuree.family_id is None:
        return _("%(insuree)s has no family.") % {"insuree": insuree.full_name}
    return None


# --- checks -------------------------------------------------------------------------------


def number_scheme() -> rules.NumberScheme:
    return rules.NumberScheme.from_setting(getattr(settings, "KINGA_INSUREE_NUMBER", None))


def numbers_assigned() -> bool:
    return bool((getattr(settings, "KINGA_INSUREE_NUMBER", None) or {}).get("generate"))


def next_insurance_number() -> str:
    """The next free number of the scheme's sequence (row locked until the transaction ends)."""
    scheme = number_scheme()
    seq, _created = InsureeNumberSequence.objects.get_or_create(name="insurees")
    seq = locks.lock_one(InsureeNumberSequence.objects.all(), seq.pk)
    while True:
        seq.last += 1
        number = rules.make_number(seq.last, scheme)
        if not Insuree.objects.current().filter(insurance_number=number).exists():
            seq.save(update_fields=["last"])
            return number


def check_insurance_number(number: str, *, exclude_pk: int | None = None) -> str:
    problem = rules.number_problem(number or "", number_scheme())
    if problem:
        raise Refused(problem, "insurance_number")
    clash = Insuree.objects.current().filter(insurance_number=number).exclude(pk=exclude_pk)
    clash = clash.first()
    if clash is not None:
        raise Refused(
            _("The insurance number %(number)s is already given to %(insuree)s.")
            % {"number": number, "insuree": clash.full_name},
            "insurance_number",
        )
    return number


def _text(values: dict, field: str, *, required_message: str | None = None) -> str:
    value = (values.get(field) or "").strip()
    if not value and required_message:
        raise Refused(required_message, field)
    limit = TEXT_LIMITS.get(field)
    if limit and len(value) > limit:
        raise Refused(_("This field may have at most %(n)d characters.") % {"n": limit}, field)
    return value


def _choice(values: dict, field: str, choices, *, required_message: str | None = None):
    value = values.get(field)
    if value in (None, ""):
        if required_message:
            raise Refused(required_message, field)
        return None if issubclass(choices, int) else ""
    try:
        return choices(int(value) if issubclass(choices, int) else value).value
    except ValueError:
        raise Refused(_("Choose one of the values offered."), field) from None


def check_village(actor, village: Location | None, field: str = "village", *, previous=None):
    if village is None:
        raise Refused(_("Choose the village."), field)
    if village.type != "V":
        raise Refused(_("%(place)s is not a village.") % {"place": village.name}, field)
    if previous is not None and village.pk == previous.pk:
        return village
    if village.retired_at is not None:
        raise Refused(_("The village %(village)s is retired.") % {"village": village.name}, field)
    if not access.can_change_location(actor, village):
        raise Refused(
            _("You cannot choose the village %(village)s: it is not in one of your districts.")
            % {"village": village.name},
            field,
        )
    return village


def check_photo(photo):
    """A JPEG or PNG file of at most 1 MB (recognised by its first bytes, not its name)."""
    if photo is None:
        return None
    if photo.size > PHOTO_MAX_BYTES:
        raise Refused(_("The photo may weigh at most 1 MB."), "photo")
    photo.seek(0)
    head = photo.read(8)
    photo.seek(0)
    ext = next((e for magic, e in PHOTO_TYPES.items() if head.startswith(magic)), None)
    if ext is None:
        raise Refused(_("The photo must be a JPEG or PNG image."), "photo")
    photo.name = f"photo.{ext}"
    return photo


def clean_insuree(
    actor, values: dict, *, insuree: Insuree | None = None, is_head: bool, today: date
) -> dict:
    """The insuree's fields checked and normalised (Refused names the field at fault)."""
    data: dict = {}
    number = (values.get("insurance_number") or "").strip()
    if not number and insuree is None and numbers_assigned():
        data["insurance_number"] = next_insurance_number()
    else:
        data["insurance_number"] = check_insurance_number(
            number, exclude_pk=insuree.pk if insuree else None
        )
    data["last_name"] = _text(values, "last_name", required_message=_("Enter the last name."))
    data["other_names"] = _text(values, "other_names", required_message=_("Enter the other names."))
    dob = values.get("dob")
    if dob is None:
        raise Refused(_("Enter the date of birth."), "dob")
    if dob > today:
        raise Refused(_("The date of birth cannot be in the future."), "dob")
    data["dob"] = dob
    data["gender"] = _choice(values, "gender", Gender, required_message=_("Choose the gender."))
    data["marital"] = _choice(values, "marital", MaritalStatus)
    if is_head:
        data["relationship"] = None
    else:
        data["relationship"] = _choice(
            values,
            "relationship",
            Relationship,
            required_message=_("Choose the relationship to the head of family."),
        )
    data["type_of_id"] = _choice(values, "type_of_id", IdType)
    data["id_number"] = _text(values, "id_number")
    if data["id_number"] and not data["type_of_id"]:
        raise Refused(_("Choose the type of identification of this number."), "type_of_id")
    data["phone"] = _text(values, "phone")
    data["email"] = _text(values, "email")
    if data["email"]:
        try:
            validate_email(data["email"])
        except ValidationError:
            raise Refused(_("Enter a valid e-mail address."), "email") from None
    data["current_address"] = _text(values, "current_address")
    village = values.get("current_village")
    if village is not None:
        check_village(
            actor,
            village,
            "current_village",
            previous=insuree.current_village if insuree else None,
        )
    data["current_village"] = village
    data["card_issued"] = bool(values.get("card_issued"))
    data["profession"] = _choice(values, "profession", Profession)
    data["education"] = _choice(values, "education", Education)
    fsp = values.get("first_service_point")
    if fsp is not None and fsp.retired_at is not None:
        previous = insuree.first_service_point_id if insuree else None
        if fsp.pk != previous:
            raise Refused(
                _("The health facility %(facility)s is retired.") % {"facility": fsp.name},
                "first_service_point",
            )
    data["first_service_point"] = fsp
    status = _choice(values, "status", InsureeStatus) or InsureeStatus.ACTIVE
    data["status"] = status
    status_date = values.get("status_date")
    reason = _text(values, "status_reason")
    if status != InsureeStatus.ACTIVE:
        if status_date is None:
            raise Refused(_("Enter the date of the status."), "status_date")
        if not reason:
            raise Refused(_("Enter the reason of the status."), "status_reason")
    if status_date is not None and status_date > today:
        raise Refused(_("The status date cannot be in the future."), "status_date")
    if status_date is not None and status_date < dob:
        raise Refused(_("The status date cannot be before the date of birth."), "status_date")
    data["status_date"] = status_date
    data["status_reason"] = reason
    return data


def clean_family(values: dict) -> dict:
    data = {
        "poverty": bool(values.get("poverty")),
        "family_type": _choice(values, "family_type", FamilyType),
        "address": _text(values, "address"),
        "ethnicity": _text(values, "ethnicity"),
        "confirmation_type": _choice(values, "confirmation_type", ConfirmationType),
        "confirmation_no": _text(values, "confirmation_no"),
    }
    if data["confirmation_no"] and not data["confirmation_type"]:
        raise Refused(_("Choose the type of confirmation of this number."), "confirmation_type")
    return data


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def _apply(obj, data: dict) -> None:
    for name, value in data.items():
        setattr(obj, name, value)


def _save_photo(insuree: Insuree, photo, today: date) -> None:
    """The photo's name goes on the record now; its file is written once the transaction
    commits, so that a save rolled back (a refusal further on, a concurrent writer) leaves no
    file behind."""
    if photo is None:
        return
    field = insuree.photo.field
    storage = field.storage
    name = storage.get_available_name(field.generate_filename(insuree, photo.name))
    photo.seek(0)
    content = photo.read()  # at most PHOTO_MAX_BYTES (check_photo)
    insuree.photo.name = name
    insuree.photo_date = today

    def write() -> None:
        written = storage.save(name, ContentFile(content))
        if written != name:  # another file took the name meanwhile: point at ours
            Insuree.objects.filter(pk=insuree.pk, photo=name).update(photo=written)

    transaction.on_commit(write)


def _save_insuree(insuree: Insuree) -> None:
    """Save; when another user took the insurance number (or gave the family a head) since the
    checks, the database's constraint refuses it and the user gets the check's own refusal
    rather than an error page."""

    def number_free() -> None:
        check_insurance_number(insuree.insurance_number, exclude_pk=insuree.pk)

    def one_head() -> None:
        if insuree.is_head and insuree.family_id is not None:
            heads = Insuree.objects.current().filter(family_id=insuree.family_id, is_head=True)
            if heads.exclude(pk=insuree.pk).exists():
                raise Refused(_("This family already has a head."))

    with unique_or_refused(number_free, one_head):
        insuree.save()


def _split(values: dict, names) -> dict:
    return {k: values[k] for k in names if k in values}


# --- operations ---------------------------------------------------------------------------


@transaction.atomic
def family_create(*, actor, village: Location, head: dict, today: date | None = None, **family):
    """Family and head in one step (spec §8.4 Add family with head, right 101002)."""
    FAMILY.require_right(actor, "add")
    today = _today(today)
    check_village(actor, village)
    family_data = clean_family(family)
    head_data = clean_insuree(actor, head, is_head=True, today=today)
    photo = check_photo(head.get("photo"))
    insuree = Insuree(is_head=True, **head_data)
    _save_photo(insuree, photo, today)
    set_actor(insuree, actor, _("Created as head of a new family"))
    _save_insuree(insuree)
    fam = Family(village=village, head=insuree, **family_data)
    set_actor(fam, actor, _("Created"))
    fam.save()
    insuree.family = fam
    set_actor(insuree, actor, _("Joined the family as its head"))
    insuree.save()
    hooks.coverage().member_joined(actor=actor, insuree=insuree, family=fam, today=today)
    return fam


@transaction.atomic
def beneficiary_create(
    *,
    actor,
    village: Location,
    insurance_number: str,
    dob: date | None,
    gender: str,
    last_name: str = "",
    other_names: str = "",
    today: date | None = None,
) -> Family:
    """A confidential programme's minimal beneficiary (issue 15): insurance number, date of
    birth, sex and, if the person wishes, names; a family of that one member, to which the
    programme's staff then attach the package as usual."""
    FAMILY.require_right(actor, "add")
    if not confidential.is_programme_user(actor):
        raise PermissionDenied
    today = _today(today)
    check_village(actor, village)
    values = {
        "insurance_number": insurance_number,
        "dob": dob,
        "gender": gender,
        "last_name": last_name,
        "other_names": other_names,
    }
    number = (insurance_number or "").strip()
    if not number and numbers_assigned():
        number = next_insurance_number()
    else:
        number = check_insurance_number(number)
    if dob is None:
        raise Refused(_("Enter the date of birth."), "dob")
    if dob > today:
        raise Refused(_("The date of birth cannot be in the future."), "dob")
    insuree = Insuree(
        is_head=True,
        insurance_number=number,
        dob=dob,
        gender=_choice(values, "gender", Gender, required_message=_("Choose the gender.")),
        last_name=_text(values, "last_name"),
        other_names=_text(values, "other_names"),
    )
    set_actor(insuree, actor, _("Created as head of a new family"))
    _save_insuree(insuree)
    fam = Family(village=village, head=insuree)
    set_actor(fam, actor, _("Created"))
    fam.save()
    insuree.family = fam
    set_actor(insuree, actor, _("Joined the family as its head"))
    insuree.save()
    hooks.coverage().member_joined(actor=actor, insuree=insuree, family=fam, today=today)
    return fam


@transaction.atomic
def family_update(*, actor, family: Family, **values) -> Family:
    """The family's data (not its village: see family_change_location)."""
    family = locks.lock_one(Family.objects.all(), family.pk)
    FAMILY.require(actor, family, "edit")
    _apply(family, clean_family(values))
    set_actor(family, actor, _("Changed"))
    family.save()
    return family


@transaction.atomic
def family_change_location(*, actor, family: Family, village: Location) -> Family:
    """Changer de lieu: the family moves to another village of the actor's districts; no
    automatic policy change (spec §8.4)."""
    family = locks.lock_one(Family.objects.all(), family.pk)
    FAMILY.require(actor, family, "edit")
    if village is not None and village.pk == family.village_id:
        raise Refused(_("The family already lives in %(village)s.") % {"village": village.name})
    check_village(actor, village)
    family.village = village
    set_actor(family, actor, _("Location changed"))
    family.save()
    return family


def _lock_insuree(insuree: Insuree) -> Insuree:
    return locks.lock_one(
        Insuree.objects.select_related("family__village__parent", "current_village__parent"),
        insuree.pk,
    )


def _lock_family(family: Family) -> Family:
    return locks.lock_one(Family.objects.select_related("village__parent"), family.pk)


class _Moved(Exception):
    def __init__(self, family_id: int | None):
        self.family_id = family_id


def _lock_member(insuree: Insuree, also: Family | None = None) -> Insuree:
    """The member, locked after his family and `also` (the family he moves to), as the lock
    order says (kinga.core.locks: families in id order, then the member).  His family is read
    before it is locked: if another user moved him meanwhile, the locks are given back (a
    savepoint rolled back) and taken again on his new family."""
    family_id = insuree.family_id
    for _attempt in range(5):
        try:
            with transaction.atomic():
                ids = {family_id, also.pk if also is not None else None} - {None}
                locks.lock_all(Family.objects.filter(pk__in=ids))
                locked = _lock_insuree(insuree)
                if locked.family_id != family_id:
                    raise _Moved(locked.family_id)
                return locked
        except _Moved as moved:
            family_id = moved.family_id
    raise Refused(_("This insuree is being changed by another user: try again."))


@transaction.atomic
def insuree_add(*, actor, family: Family, today: date | None = None, **values) -> Insuree:
    """A new member of the family (right 101102)."""
    family = _lock_family(family)
    FAMILY.require(actor, family, "add_member")
    today = _today(today)
    data = clean_insuree(actor, values, is_head=False, today=today)
    photo = check_photo(values.get("photo"))
    insuree = Insuree(family=family, is_head=False, **data)
    _save_photo(insuree, photo, today)
    set_actor(insuree, actor, _("Added to the family"))
    _save_insuree(insuree)
    hooks.coverage().member_joined(actor=actor, insuree=insuree, family=family, today=today)
    return insuree


@transaction.atomic
def insuree_update(*, actor, insuree: Insuree, today: date | None = None, **values) -> Insuree:
    insuree = _lock_member(insuree)
    INSUREE.require(actor, insuree, "edit")
    today = _today(today)
    old_status = insuree.status
    # A detached insuree has no head to be related to.
    no_relation = insuree.is_head or insuree.family_id is None
    data = clean_insuree(actor, values, insuree=insuree, is_head=no_relation, today=today)
    photo = check_photo(values.get("photo"))
    _apply(insuree, data)
    _save_photo(insuree, photo, today)
    set_actor(insuree, actor, _("Changed"))
    _save_insuree(insuree)
    if insuree.status != old_status:
        hooks.coverage().status_changed(actor=actor, insuree=insuree, today=today)
    return insuree


@transaction.atomic
def family_change_head(
    *, actor, family: Family, new_head: Insuree, old_head_relationship, today: date | None = None
) -> Family:
    """Changer de chef de famille: the new head is a current member of the family; the old head
    stays a member with the relationship given (spec §8.4, right 101003)."""
    family = _lock_family(family)
    FAMILY.require(actor, family, "edit")
    new_head = _lock_insuree(new_head)
    if new_head.pk == family.head_id:
        raise Refused(
            _("%(insuree)s is already the head of this family.") % {"insuree": new_head.full_name},
            "new_head",
        )
    if new_head.retired_at is not None or new_head.family_id != family.pk:
        raise Refused(_("The new head must be a current member of this family."), "new_head")
    relationship = _choice(
        {"old_head_relationship": old_head_relationship},
        "old_head_relationship",
        Relationship,
        required_message=_("Choose the relationship of the former head to the new head."),
    )
    old_head = _lock_insuree(family.head) if family.head_id else None
    if old_head is not None:
        old_head.is_head = False
        old_head.relationship = relationship
        set_actor(old_head, actor, _("No longer head of family"))
        old_head.save()
    new_head.is_head = True
    new_head.relationship = None
    set_actor(new_head, actor, _("Became head of family"))
    new_head.save()
    family.head = new_head
    set_actor(family, actor, _("Head of family changed"))
    family.save()
    return family


@transaction.atomic
def insuree_move(
    *, actor, insuree: Insuree, family: Family, relationship, today: date | None = None
) -> Insuree:
    """Changer de famille: a member (not the head) joins another family of the actor's
    districts; his coverage follows (spec §8.4, rights 101003 + 101103)."""
    if family is None:
        insuree = _lock_member(insuree)
    else:
        # Both families, then the member (kinga.core.locks).
        insuree = _lock_member(insuree, also=family)
    INSUREE.require(actor, insuree, "move")
    today = _today(today)
    refusal = move_refusal(insuree)
    if refusal:
        raise Refused(refusal, "family")
    if family is None:
        raise Refused(_("Choose the family to move to."), "family")
    # Locked above with the member's own family; read again with its village.
    target = Family.objects.select_related("village__parent").get(pk=family.pk)
    if target.retired_at is not None:
        raise Refused(_("The family chosen is retired."), "family")
    if target.pk == insuree.family_id:
        raise Refused(
            _("%(insuree)s is already in this family.") % {"insuree": insuree.full_name}, "family"
        )
    if not FAMILY.in_scope(actor, target):
        raise Refused(_("The family chosen is not in one of your districts."), "family")
    relationship = _choice(
        {"relationship": relationship},
        "relationship",
        Relationship,
        required_message=_("Choose the relationship to the head of the new family."),
    )
    old_family = insuree.family
    insuree.family = target
    insuree.relationship = relationship
    set_actor(insuree, actor, _("Moved to another family"))
    insuree.save()
    if old_family is not None:
        hooks.coverage().member_left(actor=actor, insuree=insuree, family=old_family, today=today)
    hooks.coverage().member_joined(actor=actor, insuree=insuree, family=target, today=today)
    return insuree


@transaction.atomic
def insuree_detach(*, actor, insuree: Insuree, today: date | None = None) -> Insuree:
    """Remove a member from his family (modular RemoveInsureesMutation): he stays an insuree,
    without family; his coverage ends.  The head cannot be removed.  So that he stays in the
    actor's scope, his current village is set to the family's when he had none."""
    insuree = _lock_member(insuree)
    INSUREE.require(actor, insuree, "detach")
    today = _today(today)
    refusal = detach_refusal(insuree)
    if refusal:
        raise Refused(refusal)
    old_family = insuree.family
    if insuree.current_village_id is None:
        insuree.current_village = old_family.village
    insuree.family = None
    insuree.relationship = None
    set_actor(insuree, actor, _("Removed from the family"))
    insuree.save()
    hooks.coverage().member_left(actor=actor, insuree=insuree, family=old_family, today=today)
    return insuree


def insuree_retire_refusal(insuree: Insuree) -> str | None:
    if insuree.is_head and insuree.family_id is not None:
        return _(
            "%(insuree)s is the head of family: change the head of family first, or retire the "
            "whole family."
        ) % {"insuree": insuree.full_name}
    return None


@transaction.atomic
def insuree_retire(*, actor, insuree: Insuree, today: date | None = None) -> Insuree:
    """Soft-delete an insuree (right 101104); not the head (legacy CheckCanBeDeleted)."""
    insuree = _lock_member(insuree)
    INSUREE.require(actor, insuree, "retire")
    refusal = insuree_retire_refusal(insuree)
    if refusal:
        raise Refused(refusal)
    insuree.retired_at = timezone.now()
    set_actor(insuree, actor, _("Retired"))
    insuree.save()
    if insuree.family_id is not None:
        hooks.coverage().member_left(
            actor=actor, insuree=insuree, family=insuree.family, today=_today(today)
        )
    return insuree


def family_retire_refusal(family: Family) -> str | None:
    n = family.members.current().exclude(pk=family.head_id).count()
    if n:
        return _(
            "The family still has %(n)d member(s) besides the head: move, remove or retire "
            "them first."
        ) % {"n": n}
    if family_has_policies(family):
        return _("The family has policies: it cannot be retired.")
    return None


@transaction.atomic
def family_retire(*, actor, family: Family) -> Family:
    """Retirer la famille: refused while members other than the head remain or while it has
    policies; the head is retired with the family (legacy FamilyDAL)."""
    family = _lock_family(family)
    FAMILY.require(actor, family, "retire")
    refusal = family_retire_refusal(family)
    if refusal:
        raise Refused(refusal)
    now = timezone.now()
    if family.head_id:
        head = _lock_insuree(family.head)
        if head.retired_at is None:
            head.retired_at = now
            set_actor(head, actor, _("Retired with his family"))
            head.save()
    family.retired_at = now
    set_actor(family, actor, _("Retired"))
    family.save()
    return family


# --- locations: a village where families live cannot be retired ---------------------------


def village_with_families_check(location: Location) -> str | None:
    """A location retire check (registered by the app): a village where current families live
    stays."""
    if location.type != "V":
        return None
    n = Family.objects.current().filter(village=location).count()
    if n:
        return ngettext(
            "%(n)d current family lives there; change its location first.",
            "%(n)d current families live there; change their location first.",
            n,
        ) % {"n": n}
    return None
