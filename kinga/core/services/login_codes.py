"""One-time codes with which a person sets his own password (« Activer mon compte »).

A login created with an enrolment officer or a claim administrator by someone who does not hold
every right of its role must not get a password he chose: he could log in with it and use
rights he lacks.  The login gets a code instead, shown once to its creator, who gives it to the
person; the person chooses his password with it.  An administrator who may reset a user's
password (kinga.core.queries.users, the rights subset rule) may give a code instead of choosing
the password.  Setting the password with a code also lifts a lockout (kinga.core.lockout).

Only a salted hash of the code is kept; it expires after KINGA_LOGIN_CODE_HOURS, serves once,
and a newer code voids the older ones of the same user."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import lockout
from ..errors import Refused
from ..history import set_actor
from ..models import LoginCode, User
from ..queries.users import USER, user_refusal

# No 0/O, 1/I/L: read aloud or copied from paper without mistakes.  12 characters of 31: 59 bits.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 12


@dataclass(frozen=True)
class IssuedCode:
    """The code as it is shown, once, to whoever gave it."""

    user: User
    code: str
    expires_at: datetime


def _normalise(code: str) -> str:
    return "".join(c for c in (code or "").upper() if c.isalnum())


def _new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, LENGTH, 4))


def _valid_for() -> timedelta:
    return timedelta(hours=settings.KINGA_LOGIN_CODE_HOURS)


def give_code(user: User, *, actor, purpose: str) -> IssuedCode:
    """A new code for `user` (the caller checked that `actor` may): the older ones are void."""
    now = timezone.now()
    LoginCode.objects.filter(user=user, used_at__isnull=True, expires_at__gt=now).update(
        expires_at=now
    )
    code = _new_code()
    row = LoginCode.objects.create(
        user=user,
        purpose=purpose,
        code_hash=make_password(_normalise(code)),
        created_by=actor,
        created_at=now,
        expires_at=now + _valid_for(),
    )
    return IssuedCode(user=user, code=code, expires_at=row.expires_at)


@transaction.atomic
def issue_code(*, actor, user: User) -> IssuedCode:
    """An administrator gives `user` a code to set a new password with (the rights of a password
    reset: he holds every right of the user)."""
    USER.require(actor, user, "password")
    refusal = user_refusal(actor, user, "password")
    if refusal is not None:
        raise Refused(refusal.message)
    return give_code(user, actor=actor, purpose=LoginCode.Purpose.RESET)


def _refused() -> Refused:
    return Refused(
        _(
            "This login name and code do not match, or the code has expired or was already "
            "used. Ask your administrator for a new code."
        ),
        "code",
    )


@transaction.atomic
def use_code(*, username: str, code: str, new_password: str) -> User:
    """The person sets his password with his code: the code is used up, the others of his are
    void, and his lockout after failed logins is lifted."""
    user = (
        User.objects.select_for_update()
        .filter(username__iexact=(username or "").strip(), retired_at__isnull=True, is_active=True)
        .first()
    )
    now = timezone.now()
    typed = _normalise(code)
    codes = (
        list(
            LoginCode.objects.select_for_update().filter(
                user=user, used_at__isnull=True, expires_at__gt=now
            )
        )
        if user is not None
        else []
    )
    match = next((c for c in codes if check_password(typed, c.code_hash)), None)
    if match is None:
        if not codes:
            make_password(typed)  # the same time whether the login exists or not
        raise _refused()
    try:
        validate_password(new_password, user)
    except ValidationError as e:
        raise Refused(" ".join(str(m) for m in e.messages), "new_password") from e
    user.set_password(new_password)
    user.password_changed_at = now
    reason = (
        "account activated with a one-time code"
        if match.purpose == LoginCode.Purpose.ACTIVATE
        else "password set with a one-time code"
    )
    set_actor(user, user, reason)
    user.save(update_fields=["password", "password_changed_at"])
    match.used_at = now
    match.save(update_fields=["used_at"])
    LoginCode.objects.filter(user=user, used_at__isnull=True).exclude(pk=match.pk).update(
        expires_at=now
    )
    transaction.on_commit(lambda: lockout.unlock(user.username))
    return user
