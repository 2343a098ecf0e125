"""Asa settings. Every value comes from the environment; the defaults run the embedded demo."""

import os
import secrets
import sys
from pathlib import Path

import dj_database_url

from asa.lib.email_url import parse_email_url
from asa.lib.env import envbool, envint, envlist, envstr

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(envstr("ASA_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)
TESTING = "pytest" in sys.modules


def _secret_key() -> str:
    """SECRET_KEY from the environment, or one made once and kept under var/ for the demo."""
    if key := envstr("SECRET_KEY"):
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = envbool("DEBUG", False)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver,[::1]")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "asa.accounts",
    "asa.geo",
    "asa.centers",
    "asa.registry",
    "asa.cases",
    "asa.aid",
    "asa.referrals",
    "asa.reports",
    "asa.privacy",
    "asa.ops",
    "asa.field",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # serves the API docs page (Swagger UI) from its own static files, not a CDN
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "asa.lib.middleware.RequestSizeMiddleware",
    "asa.lib.middleware.NulByteMiddleware",
    "asa.lib.middleware.NumberRangeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "asa.lib.middleware.DisplayPreferencesMiddleware",
    "asa.lib.middleware.ContentSecurityPolicyMiddleware",
    "asa.lib.middleware.PrivateResponseMiddleware",
    "asa.lib.middleware.RateLimitMiddleware",
    "asa.accounts.middleware.TwoFactorMiddleware",
]

ROOT_URLCONF = "asa.urls"
WSGI_APPLICATION = "asa.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "asa" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "asa.lib.context_processors.display",
            ],
            "builtins": ["asa.lib.templatetags.thai"],
        },
    },
]

# Database: SQLite under var/ by default (WAL, immediate transactions so writers queue instead
# of failing), PostgreSQL through DATABASE_URL. Connections are kept open between requests:
# a new PostgreSQL connection per request cost ~7x throughput on a one-row page.
DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL", f"sqlite:///{VAR_DIR / 'asa.sqlite3'}"),
        conn_max_age=envint("CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
            " PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    # Tests use a file (not shared-cache memory) so concurrent writers behave as in production:
    # they queue on the database lock instead of failing with "table is locked". One file per
    # test process, so parallel runs never share one.
    DATABASES["default"]["TEST"] = {
        "NAME": envstr("SQLITE_TEST_NAME", str(VAR_DIR / f"test_asa_{os.getpid()}.sqlite3"))
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Tests create many users; argon2 at full strength would dominate the suite's time.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions end after this many idle seconds: every request pushes the expiry forward.
SESSION_COOKIE_AGE = envint("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
# The field app's data on a phone (assigned cases, unsent outbox) is wiped after this many days
# without a sign-in on that phone (PDPA: README, "What a phone keeps").
FIELD_DEVICE_DAYS = envint("ASA_FIELD_DEVICE_DAYS", 7)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Behind HTTPS (ASA_HTTPS=1): secure cookies, HSTS, redirect plain HTTP.
HTTPS = envbool("ASA_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and envbool("ASA_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if envbool("ASA_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Field encryption at rest (asa/lib/crypto.py): national ID and phone numbers. ASA_FIELD_KEYS =
# base64 32-byte keys, comma-separated, the first encrypts, the others still decrypt (rotation);
# ASA_LOOKUP_KEY = the separate HMAC key of the search hashes. The defaults are public demo keys
# that `asa check --deploy` refuses.
ASA_FIELD_KEYS = envlist("ASA_FIELD_KEYS", "ZGVtby1vbmx5LWFzYS1maWVsZC1rZXktMzItYnl0ZXM=")
ASA_LOOKUP_KEY = envstr("ASA_LOOKUP_KEY") or "demo-only-asa-lookup-key"

LANGUAGE_CODE = "th"
LANGUAGES = [("th", "ไทย"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "asa" / "locale"]
LANGUAGE_COOKIE_NAME = "asa_language"
TIME_ZONE = "Asia/Bangkok"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "asa" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"  # private: never served from a public path

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Email: SMTP from EMAIL_URL (smtp://user:password@host:587?tls=1, smtps://...) or from
# EMAIL_HOST/EMAIL_PORT/EMAIL_HOST_USER/EMAIL_HOST_PASSWORD/EMAIL_USE_TLS/EMAIL_USE_SSL;
# without either, the demo writes each message to a file under var/mail.
EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "asa@localhost")
if envstr("EMAIL_URL"):
    globals().update(parse_email_url(envstr("EMAIL_URL")))
elif envstr("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = envstr("EMAIL_HOST")
    EMAIL_PORT = envint("EMAIL_PORT", 587)
    EMAIL_HOST_USER = envstr("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = envbool("EMAIL_USE_TLS")
    EMAIL_USE_SSL = envbool("EMAIL_USE_SSL")
    EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 20)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_BACKEND = envstr("EMAIL_BACKEND", EMAIL_BACKEND)

# LINE Messaging API (LINE Developers console → the center's official account's channel).
LINE_CHANNEL_ACCESS_TOKEN = envstr("LINE_CHANNEL_ACCESS_TOKEN")
LINE_CHANNEL_SECRET = envstr("LINE_CHANNEL_SECRET")  # verifies the webhook's X-Line-Signature
LINE_API_URL = envstr("LINE_API_URL", "https://api.line.me")
# The official account's add-friend link, e.g. https://line.me/R/ti/p/@asa-center (a QR of it
# is shown next to the one-time link code).
LINE_ADD_FRIEND_URL = envstr("LINE_ADD_FRIEND_URL")
LINE_LINK_CODE_MINUTES = envint("LINE_LINK_CODE_MINUTES", 10)

# SMS over an HTTP gateway in ThaiBulkSMS API v2's shape (asa/accounts/channels.py).
SMS_API_URL = envstr("SMS_API_URL", "https://api-v2.thaibulksms.com/sms")
SMS_API_KEY = envstr("SMS_API_KEY")
SMS_API_SECRET = envstr("SMS_API_SECRET")
SMS_SENDER = envstr("SMS_SENDER", "Asa")  # a sender name registered with the provider
SMS_CREDIT_TYPE = envstr("SMS_CREDIT_TYPE")  # ThaiBulkSMS "force": standard or corporate

# Outside notification channels. Without credentials SMS and LINE are written to files under
# var/outbox (the demo; the channel page says so); with them the real adapters send.
NOTIFICATION_CHANNELS = {
    "email": envstr("NOTIFY_EMAIL_CHANNEL", "asa.accounts.channels.EmailChannel"),
    "sms": envstr(
        "NOTIFY_SMS_CHANNEL",
        "asa.accounts.channels.HttpSmsChannel"
        if SMS_API_KEY
        else "asa.accounts.channels.FileSmsChannel",
    ),
    "line": envstr(
        "NOTIFY_LINE_CHANNEL",
        "asa.accounts.channels.LineChannel"
        if LINE_CHANNEL_ACCESS_TOKEN
        else "asa.accounts.channels.FileLineChannel",
    ),
}
# A failed delivery is tried again after 1, 2, 4, 8... minutes (at most an hour apart; a
# provider's Retry-After is honoured), and shown as failed after this many attempts.
NOTIFICATION_MAX_ATTEMPTS = envint("NOTIFICATION_MAX_ATTEMPTS", 5)
NOTIFICATION_RETRY_SECONDS = envint("NOTIFICATION_RETRY_SECONDS", 60)
NOTIFICATION_RETRY_MAX_SECONDS = envint("NOTIFICATION_RETRY_MAX_SECONDS", 3600)
# Rows of one user's imports in 24 hours that may match people outside their area before their
# imports are stopped and the DPO told (an import must not be a way to ask who is registered).
IMPORT_OUTSIDE_MATCH_LIMIT = envint("IMPORT_OUTSIDE_MATCH_LIMIT", 20)
# The case map draws points on a plain grid; a deployment with a tile server on its own network
# gives its address ({z}/{x}/{y}) and the credit its data needs (asa/cases/case_map.py).
ASA_MAP_TILE_URL = envstr("ASA_MAP_TILE_URL", "")
ASA_MAP_TILE_ATTRIBUTION = envstr("ASA_MAP_TILE_ATTRIBUTION", "")
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000")  # `asa run` sets it from HOST and PORT

# Periodic jobs and health (asa/ops): /healthz answers 503 when the worker's heartbeat (a job
# it runs every minute) is older than this; a queued or running import without a sign of life
# for this long is queued again; run history is kept this many days.
WORKER_SILENT_SECONDS = envint("ASA_WORKER_SILENT_SECONDS", 300)
IMPORT_STALE_MINUTES = envint("ASA_IMPORT_STALE_MINUTES", 10)
JOB_RUN_DAYS = envint("ASA_JOB_RUN_DAYS", 30)

# Sign-in security (asa/accounts/security.py). Staff, officers, admins and the DPO must pass a
# second factor (TOTP); repeated failures lock a user name or an address for the window.
ASA_REQUIRE_TWO_FACTOR = envbool("ASA_REQUIRE_TWO_FACTOR", True)
LOGIN_FAILURES_PER_USER = envint("ASA_LOGIN_FAILURES_PER_USER", 5)
LOGIN_FAILURES_PER_ADDRESS = envint("ASA_LOGIN_FAILURES_PER_ADDRESS", 20)
LOGIN_LOCKOUT_MINUTES = envint("ASA_LOGIN_LOCKOUT_MINUTES", 15)
# The largest request body accepted (several phone photos at once); each kind of upload also has
# its own limit (photos 10 MB each, scans 5 MB, import files IMPORT_MAX_BYTES).
MAX_REQUEST_BYTES = envint("ASA_MAX_REQUEST_MB", 60) * 1024 * 1024
# API tokens stop working this many days after they were made (0: never); revoked ones at once.
API_TOKEN_MAX_AGE_DAYS = envint("ASA_API_TOKEN_MAX_AGE_DAYS", 365)
# Seconds an API token's user and scope are kept in the cache after its lookup (0: never), so
# a burst of requests reads them once; a role or status change, a lock, a deactivation and a
# revocation drop them at once (asa/accounts/token_cache.py). Off in tests unless a test turns
# it on (tests change roles by hand between requests).
API_TOKEN_CACHE_SECONDS = envint("ASA_API_TOKEN_CACHE_SECONDS", 0 if TESTING else 5)

# Rate limits (asa/lib/rate_limit.py): (requests, per seconds). The tests make hundreds of
# requests as one user, so their defaults are out of reach; test_rate_limits.py lowers them.
_NO_LIMIT_IN_TESTS = 1_000_000 if TESTING else 0
RATE_LIMITS = {
    "login": (_NO_LIMIT_IN_TESTS or envint("ASA_RATE_LIMIT_LOGIN", 10), 60),  # per address/name
    # Search-as-you-type sends one request per pause in typing: room for ~20 searches a minute.
    "search": (_NO_LIMIT_IN_TESTS or envint("ASA_RATE_LIMIT_SEARCH", 120), 60),  # per user
    "api": (_NO_LIMIT_IN_TESTS or envint("ASA_RATE_LIMIT_API", 300), 60),  # per token
}
# The counters live in the cache, which every process must share (a per-process cache let each
# gunicorn worker count its own share). Default: files under var/cache, shared by the processes
# of one machine (asa/lib/cache.py). Several machines: CACHE_URL=redis://host:6379/0.
CACHE_URL = envstr("CACHE_URL")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
else:
    # Each test process gets its own directory (parallel runs must not clear each other's).
    _CACHE_DIR = VAR_DIR / (f"test_cache_{os.getpid()}" if TESTING else "cache")
    CACHES = {
        "default": {
            "BACKEND": "asa.lib.cache.SharedFileCache",
            "LOCATION": str(_CACHE_DIR),
            # Counters expire after a minute; room for that many clients counted in one minute.
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        }
    }
    if TESTING:
        import atexit
        import shutil

        atexit.register(shutil.rmtree, _CACHE_DIR, True)

# Pagination size for every list page and API list.
PAGE_SIZE = envint("PAGE_SIZE", 50)

# Volunteer hours: each home visit a volunteer made counts for this many hours.
ASA_HOURS_PER_VISIT = envint("ASA_HOURS_PER_VISIT", 2)

NINJA_PAGINATION_PER_PAGE = PAGE_SIZE
NINJA_PAGINATION_MAX_LIMIT = 500

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    # A refusal (403) is one line with user, path and rule, not a traceback (asa/lib/refusals.py).
    "filters": {"one_line_refusals": {"()": "asa.lib.refusals.OneLineRefusals"}},
    "loggers": {"django.request": {"filters": ["one_line_refusals"]}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "WARNING")},
}
