"""Entering claims (spec claims §2.1, issue 12 step 1): create, update, delete (soft), duplicate,
attach a file, and return a submitted claim to its facility for completion.

Every operation is keyword-only, takes the acting user, runs in one transaction, asks the claim
loader (kinga.claims.queries.claims.CLAIM) for the right and the reach (a claim administrator:
his own facility; others: the facilities of their districts), names the actor on the history
rows and refuses bad input with `Refused(message, field)`.

Rules of entry:
- the code is mandatory, at most 50 characters, unique among the facility's current claims (a
  database constraint; a concurrent clash gets the same refusal); `proposed_code` offers
  `<FOSA code>.<year>.<programme>.<n>`;
- the insuree and the main diagnosis are current; at most four secondary diagnoses;
- care from ≤ care to, not after the day of the claim (default: today);
- lines: services or items of the register, whole positive quantities; the price is the
  facility's price-list price, and another price is accepted only where a product of the
  insuree takes the provider's price (price origin O);
- only an Entered claim is changed or deleted (its row is locked first, so that a submission
  running at the same moment is waited for and then refused);
- `claimed` = Σ quantity × price asked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kinga.core import bulk, locks
from kinga.core.errors import Refused
from kinga.core.history import set_actor
from kinga.core.unique import unique_or_refused
from kinga.facilities.models import ClaimAdmin, HealthFacility
from kinga.insurees.models import Insuree
from kinga.medical.models import (
    Diagnosis,
    Item,
    ItemsPriceListEntry,
    Service,
    ServicesPriceListEntry,
)
from kinga.policies.models import InsureePolicy
from kinga.products.models import PriceOrigin, ProductItem, ProductService

from ..codes import AttachmentType, ClaimStatus, LineKind, VisitType
from ..models import CODE_MAX_LENGTH, Claim, ClaimAttachment, ClaimLine, ClaimReturn
from ..queries import claims as queries
from ..queries import facts, lookups
from ..rules import numbers

MAX_SECONDARY = 4
TEXT_MAX_LENGTH = 50
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class LineInput:
    """A line as the form or an import gives it: a service or an item, a whole quantity, and a
    unit price (None: the facility's price-list price).  A caller that has just read the
    facility's price (`list_price`) and whether the insuree's products take the provider's
    price for it (`provider_priced`), as the entry form does, passes them: they are not read
    again."""

    medical: Service | Item
    quantity: int
    price: Decimal | None = None
    explanation: str = ""
    list_price: Decimal | None = None
    provider_priced: bool | None = None

    @property
    def kind(self) -> str:
        return LineKind.SERVICE if isinstance(self.medical, Service) else LineKind.ITEM


# --- reading helpers ------------------------------------------------------------------------


def list_price(facility: HealthFacility, medical: Service | Item) -> Decimal | None:
    """The facility's price for a service or item: its price-list member's override, else the
    register price; None when the facility's price list does not hold it."""
    if isinstance(medical, Service):
        price_list, model, name = facility.services_price_list_id, ServicesPriceListEntry, "service"
    else:
        price_list, model, name = facility.items_price_list_id, ItemsPriceListEntry, "item"
    if price_list is None:
        return None
    found = list(
        model.objects.filter(
            price_list_id=price_list, retired_at__isnull=True, **{name: medical}
        ).values_list("price_override", flat=True)[:1]
    )
    if not found:
        return None
    return found[0] if found[0] is not None else medical.price


def provider_priced(insuree: Insuree, medical: Service | Item, day: date) -> bool:
    """Whether a product of the insuree's coverage on `day` takes the provider's price for it."""
    products = InsureePolicy.objects.filter(
        insuree=insuree,
        retired_at__isnull=True,
        effective_date__lte=day,
        expiry_date__gte=day,
        policy__retired_at__isnull=True,
    ).values("policy__product_id")
    model, name = (
        (ProductService, "service")
        if isinstance(medical, Service)
        else (
            ProductItem,
            "item",
        )
    )
    return model.objects.filter(
        product_id__in=products,
        retired_at__isnull=True,
        price_origin=PriceOrigin.PROVIDER,
        **{name: medical},
    ).exists()


def proposed_code(facility: HealthFacility, day: date, programme_code: str | None = None) -> str:
    """The next free number `<FOSA code>.<year>.<programme>.<n>` of the facility."""
    head = numbers.prefix(facility.code, day.year, programme_code)
    return numbers.next_code(
        facility.code, day.year, programme_code, queries.codes_with_prefix(facility.pk, head)
    )


# --- cleaning -------------------------------------------------------------------------------


def _text(value, field: str, max_length: int | None = None) -> str:
    value = str(value or "").strip()
    if max_length is not None and len(value) > max_length:
        raise Refused(_("At most %(n)d characters.") % {"n": max_length}, field)
    return value


def _code_refused(code: str) -> Refused:
    return Refused(
        _("The claim number %(code)s is already used by another claim of this facility.")
        % {"code": code},
        "code",
    )


def normal_code(value) -> str:
    """The claim number as stored: its blanks removed."""
    return "".join(str(value or "").split())


def clean_code(
    value, facility: HealthFacility, exclude_pk: int | None = None, taken: bool | None = None
) -> str:
    """The claim number, refused when empty, too long or used (`taken`: already asked)."""
    code = normal_code(value)
    if not code:
        raise Refused(_("Enter the claim number."), "code")
    if len(code) > CODE_MAX_LENGTH:
        raise Refused(_("At most %(n)d characters.") % {"n": CODE_MAX_LENGTH}, "code")
    if taken is None:
        taken = queries.code_taken(facility.pk, code, exclude_pk=exclude_pk)
    if taken:
        raise _code_refused(code)
    return code


def _check_facility(actor, facility: HealthFacility) -> None:
    queries.CLAIM.require_right(actor, "add")
    if facility is None:
        raise Refused(_("Choose the health facility."), "health_facility")
    if facility.is_retired:
        raise Refused(_("This health facility is retired."), "health_facility")
    if not queries.reaches_facility(actor, facility):
        raise Refused(_("You may not enter claims for this health facility."), "health_facility")


def _check_dates(date_from, date_to, date_claimed, today: date) -> None:
    if date_from is None:
        raise Refused(_("Enter the date the care started."), "date_from")
    if date_to is not None and date_to < date_from:
        raise Refused(_("The care cannot end before it starts."), "date_to")
    if (date_to or date_from) > today:
        raise Refused(_("The date of care cannot be in the future."), "date_from")
    if date_claimed < date_from:
        raise Refused(_("The claim cannot be dated before the care."), "date_claimed")
    if date_claimed > today:
        raise Refused(_("The date of the claim cannot be in the future."), "date_claimed")


def _check_diagnoses(icd, secondary: Sequence) -> list:
    if icd is None:
        raise Refused(_("Enter the main diagnosis."), "icd")
    if icd.is_retired:
        raise Refused(_("This diagnosis is retired."), "icd")
    secondary = [d for d in secondary if d is not None]
    if len(secondary) > MAX_SECONDARY:
        raise Refused(_("At most %(n)d secondary diagnoses.") % {"n": MAX_SECONDARY}, "secondary")
    if any(d.is_retired for d in secondary):
        raise Refused(_("This diagnosis is retired."), "secondary")
    return secondary + [None] * (MAX_SECONDARY - len(secondary))


def _clean_lines(
    facility: HealthFacility, insuree: Insuree, lines: Sequence[LineInput], day: date
) -> list[dict]:
    out = []
    # The facility's prices of every line's service or item the caller has not read, in one
    # query per kind.
    unread = {
        lookups.key_of(x.medical): x.medical
        for x in lines
        if x.medical is not None and x.list_price is None
    }
    prices = lookups.list_prices(facility, list(unread.values())) if unread else {}
    for n, line in enumerate(lines):
        field = f"lines-{n}"
        medical = line.medical
        if medical is None or medical.is_retired:
            raise Refused(_("This service or item is not in the register."), field)
        try:
            quantity = int(line.quantity)
        except (TypeError, ValueError):
            raise Refused(_("The quantity must be a whole number."), field) from None
        if quantity != line.quantity or quantity < 1:
            raise Refused(_("The quantity must be a whole number of at least 1."), field)
        # Not in the price list: the register's price, and the check rejects it (code 2).
        listed = line.list_price if line.list_price is not None else prices[lookups.key_of(medical)]
        price = listed if line.price is None else line.price
        try:
            price = Decimal(price)
        except (InvalidOperation, TypeError, ValueError):
            raise Refused(_("Enter a valid price."), field) from None
        if not price.is_finite() or price < 0:
            raise Refused(_("Enter a valid price."), field)
        free = line.provider_priced
        if price != listed and not (
            free if free is not None else provider_priced(insuree, medical, day)
        ):
            raise Refused(
                _("The price of %(name)s is the price list's; it cannot be changed.")
                % {"name": medical},
                field,
            )
        out.append(
            {
                "kind": line.kind,
                "service": medical if line.kind == LineKind.SERVICE else None,
                "item": medical if line.kind == LineKind.ITEM else None,
                "quantity": quantity,
                "price_asked": price,
                "explanation": _text(line.explanation, field),
            }
        )
    return out


def _values(
    actor,
    *,
    health_facility,
    insuree,
    code,
    date_from,
    date_to,
    date_claimed,
    visit_type,
    icd,
    secondary,
    guarantee_number,
    explanation,
    admin,
    lines,
    today: date,
    exclude_pk: int | None = None,
    code_taken: bool | None = None,
) -> tuple[dict, list[dict]]:
    _check_facility(actor, health_facility)
    if insuree is None:
        raise Refused(_("Enter the insurance number."), "insuree")
    if insuree.is_retired:
        raise Refused(_("This insuree is retired."), "insuree")
    date_claimed = date_claimed or today
    _check_dates(date_from, date_to, date_claimed, today)
    if visit_type not in VisitType.values:
        raise Refused(_("Choose the visit type."), "visit_type")
    icds = _check_diagnoses(icd, secondary)
    if admin is not None and (admin.health_facility_id != health_facility.pk or admin.is_retired):
        raise Refused(_("This claim administrator works for another facility."), "admin")
    cleaned = _clean_lines(health_facility, insuree, lines, date_to or date_from)
    values = {
        "health_facility": health_facility,
        "insuree": insuree,
        "code": clean_code(code, health_facility, exclude_pk, code_taken),
        "date_from": date_from,
        "date_to": date_to,
        "date_claimed": date_claimed,
        "visit_type": visit_type,
        "icd": icd,
        "icd_1": icds[0],
        "icd_2": icds[1],
        "icd_3": icds[2],
        "icd_4": icds[3],
        "guarantee_number": _text(guarantee_number, "guarantee_number", TEXT_MAX_LENGTH),
        "explanation": _text(explanation, "explanation"),
        "admin": admin,
        "claimed": sum((v["quantity"] * v["price_asked"] for v in cleaned), Decimal(0)),
    }
    return values, cleaned


def _admin_and_code(actor, facility: HealthFacility, code: str) -> tuple[int | None, bool]:
    """The id of the actor's claim-administrator record at `facility` (None: he is not one),
    and whether a current claim of the facility has the number `code`: one statement."""
    admin = ClaimAdmin._meta
    claim = Claim._meta
    sql = (
        f"SELECT (SELECT id FROM {admin.db_table} WHERE user_id = %s"
        " AND health_facility_id = %s AND retired_at IS NULL ORDER BY code, id LIMIT 1),"
        f" EXISTS (SELECT 1 FROM {claim.db_table} WHERE health_facility_id = %s"
        " AND code = %s AND retired_at IS NULL)"
    )
    params = [getattr(actor, "pk", None), facility.pk, facility.pk, code]
    with connection.cursor() as cursor:
        if facts.one_statement():
            facts.execute_prepared(cursor, "kinga_claim_admin_and_code", sql, params)
        else:
            cursor.execute(sql, params)
        admin_id, taken = cursor.fetchone()
    return admin_id, bool(taken)


def _save_claim(claim: Claim) -> None:
    def code_free() -> None:
        if queries.code_taken(claim.health_facility_id, claim.code, exclude_pk=claim.pk):
            raise _code_refused(claim.code)

    with unique_or_refused(code_free):
        if claim.pk is None and bulk.uses_copy():
            _insert_claim(claim)
        else:
            claim.save()


@cache
def _insert_parts(model) -> tuple[list, str, str]:
    """(the fields written, « INSERT INTO table (columns) », « INSERT INTO history (columns)
    SELECT <the new rows' columns>, %s, %s, <type>, %s FROM r ») of `model`: what simple_history
    writes for a new record, the date, reason and user given."""
    meta = model._meta
    history = model.history.model
    qn = connection.ops.quote_name
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    tracked = [
        f
        for f in history._meta.concrete_fields
        if f.name not in ("history_id", "history_date", "history_change_reason", "history_type")
        and f.name != "history_user"
    ]
    insert = f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)})"
    copy = (
        f"INSERT INTO {qn(history._meta.db_table)} ({', '.join(qn(f.column) for f in tracked)},"
        " history_date, history_change_reason, history_type, history_user_id)"
        f" SELECT {', '.join(f'r.{qn(meta.get_field(f.name).column)}' for f in tracked)},"
        " %s, %s, '+', %s FROM r"
    )
    return fields, insert, copy


def _insert_claim(claim: Claim) -> None:
    """A new claim and its "+" history row (the actor and reason `set_actor` named) in one
    statement (PostgreSQL: an INSERT … RETURNING feeding the history's INSERT): what
    `claim.save()` writes in two statements, each compiled by the ORM."""
    fields, insert, copy = _insert_parts(Claim)
    values = [f.get_db_prep_save(f.pre_save(claim, True), connection) for f in fields]
    user = getattr(claim, "_history_user", None)
    with connection.cursor() as cursor:
        facts.execute_prepared(
            cursor,
            "kinga_claim_insert",
            f"WITH r AS ({insert} VALUES ({', '.join(['%s'] * len(fields))}) RETURNING *)"
            f" {copy} RETURNING id",
            [
                *values,
                timezone.now(),
                getattr(claim, "_change_reason", None),
                getattr(user, "pk", None),
            ],
        )
        claim.pk = cursor.fetchone()[0]
    claim._state.adding = False
    claim._state.db = connection.alias


def _write_lines(actor, claim: Claim, cleaned: list[dict], reason: str) -> None:
    """The lines and their history rows, in a few statements whatever their number."""
    rows = [
        {
            "claim_id": claim.pk,
            "kind": values["kind"],
            "service_id": values["service"].pk if values["service"] is not None else None,
            "item_id": values["item"].pk if values["item"] is not None else None,
            "quantity": values["quantity"],
            "price_asked": values["price_asked"],
            "explanation": values["explanation"],
        }
        for values in cleaned
    ]
    if bulk.uses_copy() and len(rows) <= ONE_STATEMENT_LINES:
        _insert_with_history(ClaimLine, rows, user=actor, reason=reason)
    else:
        bulk.create_rows(ClaimLine, rows, user=actor, reason=reason)


ONE_STATEMENT_LINES = 200


def _insert_with_history(model, rows: list[dict], *, user, reason: str) -> None:
    """New records given as {attname: value} (fields left out take their defaults) with one
    "+" history row each, in one statement (PostgreSQL: INSERT … SELECT FROM unnest(one array
    per column) RETURNING, feeding the history's INSERT), prepared once per connection whatever
    the number of rows: a claim's few lines without the sequence read and the two COPYs of
    `bulk.create_rows`."""
    if not rows:
        return
    fields, insert, copy = _insert_parts(model)
    when = timezone.now()
    columns: list[list] = [[] for _ in fields]
    for row in rows:
        for n, f in enumerate(fields):
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = when
            elif f.attname in row:
                value = row[f.attname]
            else:
                value = f.get_default()
            columns[n].append(f.get_db_prep_save(value, connection))
    with connection.cursor() as cursor:
        # Planning an INSERT into these much-indexed tables costs more than running it.
        facts.execute_prepared(
            cursor,
            f"kinga_{model._meta.db_table}_insert",
            f"WITH r AS ({insert} SELECT * FROM unnest({_array_types(model)}) RETURNING *) {copy}",
            [*columns, when, reason, getattr(user, "pk", None)],
        )


@cache
def _array_types(model) -> str:
    """« %s::type[], … » for the fields `_insert_parts` writes."""
    out = []
    for f in _insert_parts(model)[0]:
        kind = f.target_field.rel_db_type(connection) if f.is_relation else f.db_type(connection)
        out.append(f"%s::{kind}[]")
    return ", ".join(out)


def _retire_lines(actor, claim: Claim, when: datetime, reason: str) -> None:
    for line in claim.lines.filter(retired_at__isnull=True):
        line.retired_at = when
        set_actor(line, actor, reason)
        line.save()


def _today(today: date | None) -> date:
    return today or timezone.localdate()


# --- the verbs ------------------------------------------------------------------------------


@transaction.atomic
def claim_create(
    *,
    actor,
    health_facility: HealthFacility,
    insuree: Insuree,
    date_from: date,
    icd: Diagnosis,
    lines: Sequence[LineInput],
    code: str | None = None,
    date_to: date | None = None,
    date_claimed: date | None = None,
    visit_type: str = VisitType.ORDINARY,
    secondary: Sequence[Diagnosis] = (),
    guarantee_number: str = "",
    explanation: str = "",
    admin: ClaimAdmin | None = None,
    today: date | None = None,
) -> Claim:
    """A new Entered claim with its lines; `code` None takes the proposed number."""
    today = _today(today)
    if code is None and health_facility is not None:
        code = proposed_code(health_facility, date_from or today)
    admin_id, taken = None, None
    if admin is None and health_facility is not None:
        # His record and the number's use in one statement (the admin is checked below only
        # when given: the one read here works at the facility and is current).
        admin_id, taken = _admin_and_code(actor, health_facility, normal_code(code))
    values, cleaned = _values(
        actor,
        health_facility=health_facility,
        insuree=insuree,
        code=code,
        date_from=date_from,
        date_to=date_to,
        date_claimed=date_claimed,
        visit_type=visit_type,
        icd=icd,
        secondary=secondary,
        guarantee_number=guarantee_number,
        explanation=explanation,
        admin=admin,
        lines=lines,
        today=today,
        code_taken=taken,
    )
    if admin_id is not None:
        del values["admin"]
        values["admin_id"] = admin_id
    claim = Claim(created_by=actor, **values)
    set_actor(claim, actor, _("entered"))
    _save_claim(claim)
    _write_lines(actor, claim, cleaned, _("entered"))
    return claim


def _lock_entered(actor, claim: Claim, action: str) -> Claim:
    """The claim locked (kinga.core.locks: a claim after its family and policies, which entry
    does not lock), then authorised: a submission that ran meanwhile is seen and refused."""
    try:
        locked = locks.lock_one(Claim.objects.select_related("health_facility"), claim.pk)
    except Claim.DoesNotExist:
        raise Refused(_("This claim no longer exists.")) from None
    queries.CLAIM.require_right(actor, action)
    if not queries.in_reach(actor, locked) or locked.retired_at is not None:
        queries.CLAIM.require(actor, locked, action)
    if locked.status != ClaimStatus.ENTERED:
        raise Refused(
            _("This claim is %(status)s: only an entered claim can be changed.")
            % {"status": ClaimStatus(locked.status).label}
        )
    return locked


@transaction.atomic
def claim_update(
    *,
    actor,
    claim: Claim,
    insuree: Insuree,
    date_from: date,
    icd: Diagnosis,
    lines: Sequence[LineInput],
    code: str,
    date_to: date | None = None,
    date_claimed: date | None = None,
    visit_type: str = VisitType.ORDINARY,
    secondary: Sequence[Diagnosis] = (),
    guarantee_number: str = "",
    explanation: str = "",
    today: date | None = None,
) -> Claim:
    """Change an Entered claim: the header, and its lines replaced by `lines` (the old lines
    are retired, their history kept)."""
    claim = _lock_entered(actor, claim, "edit")
    today = _today(today)
    values, cleaned = _values(
        actor,
        health_facility=claim.health_facility,
        insuree=insuree,
        code=code,
        date_from=date_from,
        date_to=date_to,
        date_claimed=date_claimed or claim.date_claimed,
        visit_type=visit_type,
        icd=icd,
        secondary=secondary,
        guarantee_number=guarantee_number,
        explanation=explanation,
        admin=claim.admin,
        lines=lines,
        today=today,
        exclude_pk=claim.pk,
    )
    for name, value in values.items():
        setattr(claim, name, value)
    set_actor(claim, actor, _("changed"))
    _save_claim(claim)
    now = timezone.now()
    _retire_lines(actor, claim, now, _("replaced"))
    _write_lines(actor, claim, cleaned, _("changed"))
    return claim


@transaction.atomic
def claim_delete(*, actor, claim: Claim) -> Claim:
    """Soft delete of an Entered claim (Q16): retired with its lines, history kept; its code
    becomes free again."""
    claim = _lock_entered(actor, claim, "delete")
    now = timezone.now()
    _retire_lines(actor, claim, now, _("deleted"))
    claim.retired_at = now
    set_actor(claim, actor, _("deleted"))
    claim.save()
    return claim


@transaction.atomic
def claim_duplicate(
    *, actor, claim: Claim, code: str | None = None, today: date | None = None
) -> Claim:
    """A new Entered claim copying `claim`'s header and current lines (prices asked kept), with
    a new number and today's date of claim."""
    queries.CLAIM.require(actor, claim, "duplicate")
    queries.CLAIM.require_right(actor, "add")
    today = _today(today)
    facility = claim.health_facility
    code = code or proposed_code(facility, claim.date_from)
    values, cleaned = _values(
        actor,
        health_facility=facility,
        insuree=claim.insuree,
        code=code,
        date_from=claim.date_from,
        date_to=claim.date_to,
        date_claimed=max(today, claim.date_from),
        visit_type=claim.visit_type,
        icd=claim.icd,
        secondary=claim.secondary_diagnoses,
        guarantee_number=claim.guarantee_number,
        explanation=claim.explanation,
        admin=claim.admin if claim.admin and not claim.admin.is_retired else None,
        lines=[
            LineInput(line.medical, line.quantity, line.price_asked, line.explanation)
            for line in queries.lines_of(claim)
        ],
        today=today,
    )
    copy = Claim(created_by=actor, **values)
    set_actor(copy, actor, _("duplicate of %(code)s") % {"code": claim.code})
    _save_claim(copy)
    _write_lines(actor, copy, cleaned, _("duplicate of %(code)s") % {"code": claim.code})
    return copy


@transaction.atomic
def claim_return(*, actor, claim: Claim, comment: str, now: datetime | None = None) -> Claim:
    """« Retour pour complément » (decision 3): a submitted claim (Checked or Rejected) goes back
    to Entered with the comment; the round is kept (ClaimReturn) and the history shows it; the
    facility corrects it and submits it again as the same claim."""
    comment = _text(comment, "comment")
    if not comment:
        raise Refused(_("Say what the facility must complete."), "comment")
    try:
        locked = locks.lock_one(Claim.objects.select_related("health_facility"), claim.pk)
    except Claim.DoesNotExist:
        raise Refused(_("This claim no longer exists.")) from None
    queries.CLAIM.require_right(actor, "return")
    if not queries.in_reach(actor, locked) or locked.retired_at is not None:
        queries.CLAIM.require(actor, locked, "return")
    if not queries.is_returnable(locked):
        raise Refused(
            _("This claim is %(status)s: only a checked or rejected claim can be returned.")
            % {"status": ClaimStatus(locked.status).label}
        )
    now = now or timezone.now()
    ClaimReturn.objects.create(
        claim=locked,
        comment=comment,
        status_before=locked.status,
        returned_at=now,
        returned_by=actor,
    )
    locked.status = ClaimStatus.ENTERED
    set_actor(
        locked, actor, (_("returned for completion: %(comment)s") % {"comment": comment})[:100]
    )
    locked.save()
    return locked


@transaction.atomic
def attachment_add(
    *, actor, claim: Claim, file, type: str = AttachmentType.OTHER, title: str = ""
) -> ClaimAttachment:
    """Join a scan or photo to an Entered claim (stored in the var dir, not in the database)."""
    claim = _lock_entered(actor, claim, "edit")
    if type not in AttachmentType.values:
        raise Refused(_("Choose the type of document."), "type")
    if file is None or not getattr(file, "size", 0):
        raise Refused(_("Choose a file."), "file")
    if file.size > ATTACHMENT_MAX_BYTES:
        raise Refused(_("The file is too large (at most 10 MB)."), "file")
    attachment = ClaimAttachment(
        claim=claim,
        type=type,
        title=_text(title, "title", 250),
        filename=str(getattr(file, "name", ""))[:250],
        mime=str(getattr(file, "content_type", "") or "")[:100],
        created_by=actor,
    )
    attachment.file.save(attachment.filename or "file", file, save=False)
    set_actor(attachment, actor, _("attached"))
    attachment.save()
    return attachment
