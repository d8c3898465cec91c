"""Every change to diagnoses (ICD-10, spec registers §5.4): create, update, retire.  Only the
upload right (131001) changes them; diagnoses are national (no location scope)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kinga.core.errors import Refused
from kinga.core.history import set_actor

from ..models import Diagnosis
from ..queries.diagnoses import CODE_MAX_LENGTH, DIAGNOSIS, NAME_MAX_LENGTH

# --- validation -----------------------------------------------------------------------------


def _clean_code(code: str, *, exclude_pk: int | None = None) -> str:
    code = (code or "").strip()
    if not code:
        raise Refused(_("Enter a code."), "code")
    if len(code) > CODE_MAX_LENGTH:
        raise Refused(
            _("The code may have at most %(n)d characters.") % {"n": CODE_MAX_LENGTH}, "code"
        )
    clash = Diagnosis.objects.current().filter(code=code).exclude(pk=exclude_pk).first()
    if clash is not None:
        raise Refused(
            _("The code %(code)s is already used by the diagnosis %(name)s.")
            % {"code": code, "name": clash.display_name},
            "code",
        )
    return code


def _clean_name(value: str, field: str, *, required: bool) -> str:
    value = " ".join((value or "").split())
    if required and not value:
        raise Refused(_("Enter a name."), field)
    if len(value) > NAME_MAX_LENGTH:
        raise Refused(
            _("The name may have at most %(n)d characters.") % {"n": NAME_MAX_LENGTH}, field
        )
    return value


def _save(diagnosis: Diagnosis) -> None:
    """Save, turning a code clash with a concurrent writer into a refusal."""
    try:
        with transaction.atomic():
            diagnosis.save()
    except IntegrityError:
        raise Refused(
            _("The code %(code)s is already used.") % {"code": diagnosis.code}, "code"
        ) from None


# --- services -------------------------------------------------------------------------------


@transaction.atomic
def diagnosis_create(*, actor, code: str, name: str, name_fr: str = "") -> Diagnosis:
    DIAGNOSIS.require_right(actor, "add")
    diagnosis = Diagnosis(
        code=_clean_code(code),
        name=_clean_name(name, "name", required=True),
        name_fr=_clean_name(name_fr, "name_fr", required=False),
    )
    set_actor(diagnosis, actor)
    _save(diagnosis)
    return diagnosis


@transaction.atomic
def diagnosis_update(
    *, actor, diagnosis: Diagnosis, code: str, name: str, name_fr: str = ""
) -> Diagnosis:
    """Complete update.  Nothing is written (no history row) when nothing changes (openIMIS
    be-medical saves a history copy only if a business field changed)."""
    # Lock: two editors of the same diagnosis must not both pass the code check.
    diagnosis = Diagnosis.objects.select_for_update().get(pk=diagnosis.pk)
    DIAGNOSIS.require(actor, diagnosis, "edit")
    values = {
        "code": _clean_code(code, exclude_pk=diagnosis.pk),
        "name": _clean_name(name, "name", required=True),
        "name_fr": _clean_name(name_fr, "name_fr", required=False),
    }
    if all(getattr(diagnosis, k) == v for k, v in values.items()):
        return diagnosis
    for k, v in values.items():
        setattr(diagnosis, k, v)
    set_actor(diagnosis, actor)
    _save(diagnosis)
    return diagnosis


@transaction.atomic
def diagnosis_retire(*, actor, diagnosis: Diagnosis, now=None) -> Diagnosis:
    """Soft delete: the code is freed and the diagnosis can no longer be chosen on new claims;
    claims that carry it keep it."""
    diagnosis = Diagnosis.objects.select_for_update().get(pk=diagnosis.pk)
    DIAGNOSIS.require(actor, diagnosis, "retire")
    diagnosis.retired_at = now or timezone.now()
    set_actor(diagnosis, actor, _("Retired"))
    diagnosis.save()
    return diagnosis
