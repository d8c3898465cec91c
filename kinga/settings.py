"""Kinga settings.

Everything a deployment changes comes from the environment:
- DATABASE_URL: e.g. postgres://kinga@127.0.0.1:5432/kinga (default: SQLite in var/)
- KINGA_SECRET_KEY, KINGA_DEBUG, KINGA_ALLOWED_HOSTS (comma separated)
- KINGA_STATIC_ROOT, KINGA_WORKERS, KINGA_BIND for `kinga serve` (README, Production)
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("KINGA_VAR_DIR", PROJECT_DIR / "var"))

DEBUG = os.environ.get("KINGA_DEBUG", "0") == "1"
# Without KINGA_SECRET_KEY, Kinga's entry points (the `kinga` command, kinga.wsgi) refuse to
# start unless debug is on: see kinga/startup.py.  The test suite loads these settings without
# going through them and signs its sessions with this development key ("django-insecure-": Django's
# `check --deploy` flags it too).
KINGA_SECRET_KEY_SET = bool(os.environ.get("KINGA_SECRET_KEY"))
SECRET_KEY = (
    os.environ.get("KINGA_SECRET_KEY") or "django-insecure-kinga-development-key-not-for-production"
)
ALLOWED_HOSTS = os.environ.get("KINGA_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "simple_history",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "kinga.core",
    "kinga.locations",
    "kinga.medical",
    "kinga.facilities",
    "kinga.products",
    "kinga.insurees",
    "kinga.policies",
    "kinga.claims",
    "kinga.reports",
    "kinga.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "kinga.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "kinga.core.middleware.AuthenticationMiddleware",
    "kinga.core.middleware.NoStoreMiddleware",
    "kinga.core.middleware.RefuseNulMiddleware",
    "kinga.core.middleware.SessionLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "kinga.core.middleware.HtmxLoginRedirectMiddleware",
    # The read audit: the request's address and entries, appended once the view has answered.
    "kinga.core.audit.AuditMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kinga.urls"
WSGI_APPLICATION = "kinga.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kinga.core.context_processors.kinga",
            ],
        },
    }
]

_default_sqlite = f"sqlite:///{VAR_DIR / 'kinga.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_sqlite))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # WAL and a busy timeout let the dev server and a command share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    # Keep PostgreSQL connections between requests (a new one costs more than most pages).
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("KINGA_CONN_MAX_AGE", "60"))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend whose get_user reads the user and his rights and districts in one query.
    "kinga.core.backends.UserBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "last_name", "other_names", "email")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "kinga.core.passwords.CharacterClassesValidator"},
    {"NAME": "kinga.core.passwords.NotLikeLoginValidator"},
]

# Lockout (django-axes): 5 failed logins lock the login name *from that address* for 5 minutes
# (kinga.core.lockout): nobody locks `admin` out from elsewhere.  KINGA_BEHIND_PROXY=1 when
# Kinga runs behind one reverse proxy of its own that appends the client's address to
# X-Forwarded-For (its last address is then the client's; otherwise the header is ignored).
KINGA_BEHIND_PROXY = os.environ.get("KINGA_BEHIND_PROXY", "0") == "1"
# The read audit (kinga.core.audit, README « Audit of reads »): every read of a person's record
# is appended to a hash-chained log.  KINGA_AUDIT=0 turns it off (benchmarks only).  The entry
# of a read-only request (a GET) commits without waiting for the WAL to reach the disk
# (PostgreSQL synchronous_commit=off for that one commit; 0.4 ms instead of 4 ms here): a crash
# of the database server (not of Kinga) may lose the entries of its last fraction of a second
# (at most 3 x wal_writer_delay, 0.6 s by default), never corrupt the chain.
# KINGA_AUDIT_ASYNC_COMMIT=0 makes them wait too.  Entries older than
# KINGA_AUDIT_RETENTION_YEARS go to KINGA_AUDIT_ARCHIVE_DIR with `kinga audit-archive`.
KINGA_AUDIT = os.environ.get("KINGA_AUDIT", "1") == "1"
KINGA_AUDIT_ASYNC_COMMIT = os.environ.get("KINGA_AUDIT_ASYNC_COMMIT", "1") == "1"
KINGA_AUDIT_RETENTION_YEARS = int(os.environ.get("KINGA_AUDIT_RETENTION_YEARS", "10"))
KINGA_AUDIT_ARCHIVE_DIR = Path(os.environ.get("KINGA_AUDIT_ARCHIVE_DIR", VAR_DIR / "audit"))
# One-time codes (« Activer mon compte », kinga.core.services.login_codes) expire after:
KINGA_LOGIN_CODE_HOURS = int(os.environ.get("KINGA_LOGIN_CODE_HOURS", "72"))
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "kinga.core.lockout.client_ip"
AXES_USERNAME_CALLABLE = "kinga.core.lockout.username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_VERBOSE = False
AXES_USERNAME_FORM_FIELD = "username"

# Sessions: 8 hours of work at most, and 1 hour idle (renewed by SessionLimitMiddleware at most
# once a minute, which spares a database write on most requests).
#
# Stored in the database (Django's django_session table), and read in the same query as the user
# and his rights (kinga.core.sessions): a page costs one query, none of it for the session.
# - Not signed cookies, though they cost no query: a cookie cannot be revoked.  Logging out only
#   drops the browser's copy, and a copied cookie stays good (renewing itself) for the 8 hours;
#   with the database the row is deleted and the session is over on every worker and machine.
#   The idle hour is also the row's expiry date, which an administrator (or a test) can end.
# - Not cached_db with the local-memory cache: that cache is per process, so with several
#   gunicorn workers a logout (or an expiry) in one worker would not reach another worker's
#   cache, which would keep the session alive.  A shared cache would need a server (Redis,
#   memcached) that Kinga does not otherwise need, and would still cost a round trip.
SESSION_ENGINE = "kinga.core.sessions"
SESSION_COOKIE_AGE = 60 * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
KINGA_SESSION_MAX_AGE = 8 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Behind HTTPS in production (KINGA_HTTPS=1): secure cookies, HSTS (subdomains and preload
# unless KINGA_HSTS_SUBDOMAINS=0 / KINGA_HSTS_PRELOAD=0) and a redirect of plain HTTP (unless
# KINGA_SSL_REDIRECT=0, when the proxy alone redirects): `kinga check --deploy` is then clean.
HTTPS = os.environ.get("KINGA_HTTPS", "0") == "1"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS and os.environ.get("KINGA_HSTS_SUBDOMAINS", "1") == "1"
SECURE_HSTS_PRELOAD = HTTPS and os.environ.get("KINGA_HSTS_PRELOAD", "1") == "1"
SECURE_SSL_REDIRECT = HTTPS and os.environ.get("KINGA_SSL_REDIRECT", "1") == "1"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None

# Security headers (the CSP is set by kinga.core.middleware).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
KINGA_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "kinga_language"
TIME_ZONE = os.environ.get("KINGA_TIME_ZONE", "Africa/Douala")
# Dates read dd/mm/yyyy in English too (kinga/core/formats/en); French keeps Django's.
FORMAT_MODULE_PATH = ["kinga.core.formats"]
USE_I18N = True
USE_TZ = True

# Static files are served by WhiteNoise, with debug off as well.  In production KINGA_STATIC_ROOT
# names the folder that `kinga collectstatic` fills: pages then link compressed copies with
# hashed names, which browsers keep for a year.  Without it (the demo, the tests, a first try of
# `kinga serve`) they are served from the apps' own static folders, uncompressed.
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ["KINGA_STATIC_ROOT"]) if os.environ.get("KINGA_STATIC_ROOT") else None
KINGA_STATIC_COLLECTED = STATIC_ROOT is not None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if KINGA_STATIC_COLLECTED
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
WHITENOISE_USE_FINDERS = not KINGA_STATIC_COLLECTED
WHITENOISE_AUTOREFRESH = DEBUG

# Messages ride in a signed cookie (a few hundred bytes, read once by the next page) and fall back
# to the session only when they would not fit: writing the session row on every POST cost 1.5 ms.
MESSAGE_STORAGE = "django.contrib.messages.storage.fallback.FallbackStorage"

# `kinga serve`: gunicorn's sync workers (each a process with its own database connection) and
# the address it listens on; behind a reverse proxy (HTTPS) keep it on 127.0.0.1.
KINGA_WORKERS = int(os.environ.get("KINGA_WORKERS", "2"))
KINGA_BIND = os.environ.get("KINGA_BIND", "127.0.0.1:8000")
# Seconds a request may run before its worker is restarted (an import of a register file runs in
# the request: more than gunicorn's 30 s default).
KINGA_WORKER_TIMEOUT = int(os.environ.get("KINGA_WORKER_TIMEOUT", "120"))

# Background jobs (django-tasks): queued in the database, run by `kinga db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- Kinga's own settings -------------------------------------------------------------
# Names of the four location levels (Region > District > Municipality > Village), per
# language. Cameroon's health pyramid would say Région / District de santé / Aire de santé.
KINGA_LOCATION_LEVEL_NAMES = {
    "en": {"R": "Region", "D": "District", "W": "Municipality", "V": "Village"},
    "fr": {"R": "Région", "D": "District", "W": "Commune", "V": "Village"},
}
KINGA_PAGE_SIZE = 25
# A location field lists its choices in a select up to this many; beyond, it is a search by code
# or name (kinga.locations.forms.PickerMixin), so no page lists a national scope's villages.
KINGA_LOCATION_SELECT_MAX = 100
# Row security: False lets every user see every location (openIMIS's ROW_SECURITY).
KINGA_ROW_SECURITY = True
# Insurance numbers (spec registers §8.3): exact length (None: any, up to 50), check digit
# (None, "modulo7": last digit = base mod 7, "luhn"), and whether Kinga assigns the number
# when the form leaves it empty (generator: next of a sequence, with the check digit).
KINGA_INSUREE_NUMBER = {"length": None, "check": None, "generate": False}
KINGA_AGE_OF_MAJORITY = 18
# Local time ("HH:MM") of the daily policy expiry run (kinga.policies.tasks).
KINGA_EXPIRY_TIME = "00:15"
# Claims' administrative check (first seed 3.2.4, kinga.claims.rules.admin): the most days from
# the end of care to submission for a claim to be timely, and the attachments a claim needs by
# visit type ("O", "R", "E") and by the code of the product that covers it (attachment types of
# kinga.claims.codes.AttachmentType).
KINGA_CLAIM_TIMELINESS_DAYS = 30
KINGA_CLAIM_ATTACHMENTS_BY_VISIT_TYPE = {"R": ["referral"]}
KINGA_CLAIM_ATTACHMENTS_BY_PRODUCT: dict[str, list[str]] = {}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# Lockout is by login name on purpose (the account is locked, whatever the address).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# Kinga's own page for an expired form (Django's has inline styles and speaks to developers).
CSRF_FAILURE_VIEW = "kinga.core.views.auth.csrf_failure"

# Bounds of every import (kinga.core.transfer): an uploaded file past one of them is refused
# with a message before it is read into memory.  The command line (`kinga import`, a file on
# the server) lifts the size and row bounds; the column and cell bounds always hold.
KINGA_IMPORT_MAX_BYTES = int(os.environ.get("KINGA_IMPORT_MAX_BYTES", str(20 * 1024 * 1024)))
KINGA_IMPORT_MAX_ROWS = int(os.environ.get("KINGA_IMPORT_MAX_ROWS", "100000"))
KINGA_IMPORT_MAX_COLUMNS = int(os.environ.get("KINGA_IMPORT_MAX_COLUMNS", "100"))
KINGA_IMPORT_MAX_CELL_CHARS = int(os.environ.get("KINGA_IMPORT_MAX_CELL_CHARS", "2000"))
