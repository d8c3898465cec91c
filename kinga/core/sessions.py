"""Database sessions (Django's django_session table) whose read also loads their user.

SESSION_ENGINE.  The key of a logged-in session ends with the id of its user
("<random>.<user id>").  Reading such a session is then one query that also reads the user row
and his rights and districts (kinga.core.backends), so a page pays one query where Django's
sessions and ModelBackend take three; the session itself costs no query of its own.

The id in the key is only a hint for the join, never trusted: the user is the one the (signed)
session data names, and a key whose hint does not match it gives no user here (the backend then
loads him the usual way).  The row stays the truth for everything else, as with Django's own
database sessions: its expiry date ends an idle session, deleting it (logout) ends the session
on every worker, and `kinga clearsessions` removes expired rows.  See settings.SESSION_ENGINE
for why not signed cookies.
"""

from __future__ import annotations

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.utils import timezone
from django.utils.crypto import get_random_string

from . import backends

KEY_LENGTH = 40  # the width of django_session.session_key
MIN_RANDOM = 32  # random characters in every key, as Django's own keys


def user_hint(session_key: str | None) -> str | None:
    """The user id a key names ("<random>.<id>"), or None."""
    if not session_key:
        return None
    _, dot, hint = session_key.rpartition(".")
    # ASCII digits of a bigint: a tampered cookie ("².", 5,000 digits) is no hint, not a 500.
    return hint if dot and hint.isascii() and hint.isdigit() and len(hint) <= 18 else None


class SessionStore(db.SessionStore):
    # The user this session names, with his grants, when load() read him (kinga.core.backends).
    loaded_user = None

    def load(self):
        hint = user_hint(self.session_key)
        if hint is None:
            return super().load()
        rows = backends.read_session_and_user(
            self.model._meta.db_table, int(hint), self.session_key, timezone.now()
        )
        if not rows:  # no such session, or expired: as Django's load
            self._session_key = None
            return {}
        data = self.decode(rows[0][0])
        user = backends.user_from_rows(rows, offset=1)
        if user is not None and data.get(SESSION_KEY) == str(user.pk):
            self.loaded_user = user
        return data

    def _get_new_session_key(self) -> str:
        user_id = getattr(self, "_session_cache", {}).get(SESSION_KEY)
        suffix = f".{user_id}" if user_id is not None and str(user_id).isdigit() else ""
        if KEY_LENGTH - len(suffix) < MIN_RANDOM:
            suffix = ""
        while True:
            key = get_random_string(KEY_LENGTH - len(suffix), VALID_KEY_CHARS) + suffix
            if not self.exists(key):
                return key

    def save(self, must_create: bool = False) -> None:
        if (
            not must_create
            and self.session_key is not None
            and user_hint(self.session_key) != self._get_session().get(SESSION_KEY)
        ):
            # The session changed hands (a login: Django cycles the key before it writes the
            # user's id in): a new key that names the user, and the old row goes.
            old_key = self.session_key
            self.create()
            self.delete(old_key)
            return
        super().save(must_create=must_create)
