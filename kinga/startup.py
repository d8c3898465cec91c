"""What Kinga's entry points (the `kinga` command, kinga.wsgi) check before anything runs.

A misconfiguration ends the process with one line on stderr naming what to set, not a traceback.
"""

from __future__ import annotations

import sys

NO_SECRET_KEY = (
    "kinga: KINGA_SECRET_KEY is not set. Set it to a long random string (e.g. the output of "
    "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`), kept the same across "
    "restarts; or set KINGA_DEBUG=1 on a development machine."
)


def check_configuration() -> None:
    """Load the settings and refuse to start with debug off and no secret key."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        debug, key_set = settings.DEBUG, settings.KINGA_SECRET_KEY_SET
    except ImproperlyConfigured as error:
        sys.exit(f"kinga: {error}")
    if not debug and not key_set:
        sys.exit(NO_SECRET_KEY)
