"""Who is locked out after failed logins (django-axes): a login name *from one address*.

Locking by login name alone let anyone lock `admin` out from anywhere, with five wrong
passwords; locking by address alone let one address try every login.  The pair is locked:
the attacker's own address is shut for that login, while its owner logs in from his.

The address is the TCP peer (REMOTE_ADDR), unless KINGA_BEHIND_PROXY is set: then Kinga runs
behind one reverse proxy of its own, which appends the address it saw to X-Forwarded-For, and
the last address of that header is the client's.  The ones before it are what the client
sent, so they are never trusted (a client could otherwise pick a new address per attempt).

The login name is counted as the login page reads it: spaces around it dropped, in any case
(« ADMIN » is « admin », kinga.core.models.UserManager.get_by_natural_key).  The account owner
lifts his lock by setting a new password with a one-time code (kinga.core.services.login_codes),
or an administrator does by resetting it."""

from __future__ import annotations

from django.conf import settings


def client_ip(request) -> str | None:
    """AXES_CLIENT_IP_CALLABLE."""
    if getattr(settings, "KINGA_BEHIND_PROXY", False):
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if forwarded:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR")


def login_name(value) -> str:
    """The login name as the lockout counts it."""
    return (value or "").strip().lower()


def username(request, credentials) -> str:
    """AXES_USERNAME_CALLABLE."""
    value = (credentials or {}).get(settings.AXES_USERNAME_FORM_FIELD)
    if value is None and request is not None:
        value = request.POST.get(settings.AXES_USERNAME_FORM_FIELD, "")
    return login_name(value)


def unlock(login: str) -> None:
    """Lift the lock of `login`, from every address (the owner proved who he is)."""
    from axes.utils import reset

    reset(username=login_name(login))
