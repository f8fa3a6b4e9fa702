"""Sightline settings, read from the environment only (12-factor).

Every value has a default that lets a fresh clone run (`make run`), and every typed value
fails loudly when it cannot be parsed, so a typo in production stops the process at start.
"""

import os
import re
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from scorecard import fiscal

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str) -> str:
    # An empty variable counts as unset, so `DATABASE_URL= make run` still works.
    return os.environ.get(name) or default


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    lowered = raw.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true or false).")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


def env_int_within(name: str, default: int, *, low: int, high: int) -> int:
    value = env_int(name, default)
    if not low <= value <= high:
        raise ImproperlyConfigured(f"{name}={value} is out of range: use {low} to {high}.")
    return value


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false.")
    SECRET_KEY = "django-insecure-sightline-development-key-only-for-local-use"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "rules.apps.AutodiscoverRulesConfig",
    "treebeard",
    "simple_history",
    "axes",
    "scorecard",
    "strategy",
    "kpis",
    "reviews",
    "connections",
    "dashboards",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes must come last: it reads the outcome of authentication to count failures.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "scorecard.urls"
WSGI_APPLICATION = "scorecard.wsgi.application"
ASGI_APPLICATION = "scorecard.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # Every template's {% url %} remembers what it reversed (about 4 ms a page).
            "builtins": ["scorecard.templatetags.remembered_url"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'sightline.sqlite3'}"),
        # A connection kept for a minute, checked before reuse: opening one (a PostgreSQL
        # backend started for every request) cost more than a cheap page does (issue 18).
        # 0 closes it after every request, as Django does by default.
        conn_max_age=env_int_within("DATABASE_CONN_MAX_AGE", 60, low=0, high=3600),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves a web server and a Celery worker at once: wait for a lock
    # rather than fail at once. Its test database is a file (in memory where /dev/shm exists),
    # not SQLite's in-memory database, which Django shares across the threads of a live
    # server through one connection: a browser test's requests then step on each other.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    _TEST_FOLDER = "/dev/shm" if os.path.isdir("/dev/shm") else tempfile.gettempdir()
    DATABASES["default"]["TEST"] = {
        "NAME": env_str("SQLITE_TEST_NAME", f"{_TEST_FOLDER}/sightline-test-{os.getpid()}.sqlite3")
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # Axes first, so that a locked-out login is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = env_list(
    "PASSWORD_HASHERS",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "scorecard:home"
LOGOUT_REDIRECT_URL = "login"

AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", True)

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True
# Dates as "1 Jul 2026" everywhere: the formats in scorecard/formats/en/formats.py.
FORMAT_MODULE_PATH = ["scorecard.formats"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env_str(
            "STATICFILES_BACKEND",
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}

# Content Security Policy: scripts and styles only from our own static files, which is why
# charts read their data from json_script blocks instead of inline scripts.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# Secure cookies whenever DEBUG is off; `make loadtest` turns them off for its loopback HTTP
# server (a client sends a secure cookie over HTTPS only).
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"

# Mail: the environment keeps the familiar EMAIL_* names; Django 6.1 reads them as MAILERS.
EMAIL_BACKEND_PATH = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
_MAIL_OPTIONS: dict[str, object] = {}
if EMAIL_BACKEND_PATH.endswith("filebased.EmailBackend"):
    _MAIL_OPTIONS = {"file_path": env_str("EMAIL_FILE_PATH", str(BASE_DIR / "sent-mail"))}
elif EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend"):
    _MAIL_OPTIONS = {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 25),
        "username": env_str("EMAIL_HOST_USER", ""),
        "password": env_str("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
        "timeout": env_int("EMAIL_TIMEOUT", 10),
    }
MAILERS = {"default": {"BACKEND": EMAIL_BACKEND_PATH, "OPTIONS": _MAIL_OPTIONS}}
# The address people reach Sightline at: e-mails need absolute links.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Sightline <sightline@localhost>")

# The data window: the fiscal years in which periods may be read or opened. A key outside it
# (FY1900-Q1, FY9999-Q4) is refused with a message, so no reader can create rows for
# centuries nobody reports on. The last year moves with the calendar: this many years after
# today's fiscal year.
SIGHTLINE_FIRST_FISCAL_YEAR = env_int("SIGHTLINE_FIRST_FISCAL_YEAR", 1990)
SIGHTLINE_LAST_FISCAL_YEAR_AHEAD = env_int("SIGHTLINE_LAST_FISCAL_YEAR_AHEAD", 5)
if not fiscal.MIN_FISCAL_YEAR <= SIGHTLINE_FIRST_FISCAL_YEAR <= fiscal.MAX_FISCAL_YEAR:
    raise ImproperlyConfigured(
        f"SIGHTLINE_FIRST_FISCAL_YEAR={SIGHTLINE_FIRST_FISCAL_YEAR} is not a fiscal year "
        f"from {fiscal.MIN_FISCAL_YEAR} to {fiscal.MAX_FISCAL_YEAR}."
    )
if SIGHTLINE_LAST_FISCAL_YEAR_AHEAD < 0:
    raise ImproperlyConfigured(
        f"SIGHTLINE_LAST_FISCAL_YEAR_AHEAD={SIGHTLINE_LAST_FISCAL_YEAR_AHEAD} is negative: "
        "give the years after the current fiscal year, 0 or more."
    )

# Celery. Without REDIS_URL the broker is a folder on disk, so `make run` needs no Redis.
REDIS_URL = env_str("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_BROKER_FOLDER = Path(env_str("CELERY_BROKER_FOLDER", str(BASE_DIR / ".celery-broker")))
if CELERY_BROKER_URL == "filesystem://":
    # The filesystem transport needs its folders before the first message is sent or read.
    for _sub in ("queue", "processed", "control"):
        (CELERY_BROKER_FOLDER / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Kombu keeps its exchange table in a relative `control/` folder unless told where:
        # that is the working directory, the repository root under `make run`.
        "control_folder": str(CELERY_BROKER_FOLDER / "control"),
        "data_folder_in": str(CELERY_BROKER_FOLDER / "queue"),
        "data_folder_out": str(CELERY_BROKER_FOLDER / "queue"),
        "processed_folder": str(CELERY_BROKER_FOLDER / "processed"),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)

# Issue 18: a full recompute is shared out as jobs (kpis.recompute_plan). A tree of more
# scorecards than this is cut into subtree chunks of at most as many (each job's memory is
# bounded by it, not by the organization), and each job takes this many periods of a grain
# (it reads their structure once).
SIGHTLINE_RECOMPUTE_CHUNK_UNITS = env_int_within(
    "SIGHTLINE_RECOMPUTE_CHUNK_UNITS", 100, low=1, high=1_000_000
)
SIGHTLINE_RECOMPUTE_PERIODS_PER_TASK = env_int_within(
    "SIGHTLINE_RECOMPUTE_PERIODS_PER_TASK", 12, low=1, high=10_000
)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "scorecard.pagination.Pagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Sightline API",
    "DESCRIPTION": "Balanced Scorecards: org units, objectives, KPIs, links, scores.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from our own static files: no CDN, and the CSP allows no inline script.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"

# Entered values (actuals, targets, red flags) lie within ±SIGHTLINE_VALUE_BOUND (DESIGN.md
# section 4, "Values that fit"). Their columns hold 14 digits before the decimal point, so the
# bound stays below 10**14; computed columns are wide enough for any aggregate of such values.
SIGHTLINE_VALUE_BOUND = env_int_within("SIGHTLINE_VALUE_BOUND", 10**12, low=1, high=10**14 - 1)

# Issue 14 — sign-in and expensive work throttling, headers, text hygiene.
_RATE = re.compile(r"^[1-9][0-9]*/[smhd]$")


def env_rate(name: str, default: str) -> str:
    """A rate like `30/m`: so many per second, minute, hour or day (s, m, h, d)."""
    value = env_str(name, default).strip()
    if not _RATE.match(value):
        raise ImproperlyConfigured(f"{name}={value!r} is not a rate (use e.g. 30/m or 100/h).")
    return value


# The client's address is REMOTE_ADDR unless a trusted reverse proxy, in front of every
# request, sets this header (e.g. X-Forwarded-For or X-Real-IP). Off by default: a client
# could set the header itself when no proxy overwrites it.
SIGHTLINE_CLIENT_IP_HEADER = env_str("SIGHTLINE_CLIENT_IP_HEADER", "")
AXES_CLIENT_IP_CALLABLE = "scorecard.throttling.client_address"
RATELIMIT_IP_META_KEY = "scorecard.throttling.client_address"
# Sign-in (scorecard/sign_in.py): a pair of name and address is locked out after
# AXES_FAILURE_LIMIT failures; an address after this many failures across all names; a name
# is slowed down (never locked out) past this rate of failures, from any address.
AXES_HANDLER = "scorecard.sign_in.SignInLockout"
SIGHTLINE_SIGN_IN_ADDRESS_FAILURE_LIMIT = env_int_within(
    "SIGHTLINE_SIGN_IN_ADDRESS_FAILURE_LIMIT", 20, low=1, high=1_000_000
)
SIGHTLINE_SIGN_IN_USERNAME_RATE = env_rate("SIGHTLINE_SIGN_IN_USERNAME_RATE", "10/m")
AUTHENTICATION_BACKENDS.insert(1, "scorecard.sign_in.UsernameSlowdownBackend")

# Rate limits count in the cache: Redis when REDIS_URL is set, so every gunicorn worker
# shares them; otherwise this process's memory (one process under `make run`). A cache that
# cannot be reached lets requests through (axes' lockouts, kept in the database, still hold).
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "sightline",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
RATELIMIT_USE_CACHE = "default"
RATELIMIT_FAIL_OPEN = True
# Expensive work, per person (scorecard/throttling.py): pages and API alike.
SIGHTLINE_RATE_LIMITS = {
    "pdf": env_rate("SIGHTLINE_RATE_PDF", "30/m"),
    "export": env_rate("SIGHTLINE_RATE_EXPORT", "30/m"),
    "explanation": env_rate("SIGHTLINE_RATE_EXPLANATION", "120/m"),
    "import": env_rate("SIGHTLINE_RATE_IMPORT", "30/m"),
}

# The API's schema and its documentation page need a signed-in caller (session or token).
SIGHTLINE_API_DOCS_NEED_SIGN_IN = env_bool("SIGHTLINE_API_DOCS_NEED_SIGN_IN", True)
SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"] = ["scorecard.api_support.ApiDocsReaders"]

# Every answer to a signed-in person is `Cache-Control: private, no-store`.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "scorecard.middleware.private_to_the_signed_in",
)

# Issue 14 — limits: uploads, bulk rows, request bodies, JSON nesting and free-text lengths.
# Each is checked before the work it guards starts, and its refusal names the limit.
# A spreadsheet upload: its bytes, the uncompressed size and member count of an XLSX (a zip),
# and the rows and columns read from it (reading stops one row past the limit).
SIGHTLINE_IMPORT_MAX_BYTES = env_int_within(
    "SIGHTLINE_IMPORT_MAX_BYTES", 2 * 1024 * 1024, low=1024, high=1024**3
)
SIGHTLINE_IMPORT_MAX_UNCOMPRESSED_BYTES = env_int_within(
    "SIGHTLINE_IMPORT_MAX_UNCOMPRESSED_BYTES", 32 * 1024 * 1024, low=1024, high=8 * 1024**3
)
SIGHTLINE_IMPORT_MAX_ZIP_MEMBERS = env_int_within(
    "SIGHTLINE_IMPORT_MAX_ZIP_MEMBERS", 200, low=10, high=100_000
)
SIGHTLINE_IMPORT_MAX_ROWS = env_int_within("SIGHTLINE_IMPORT_MAX_ROWS", 5000, low=1, high=10**6)
SIGHTLINE_IMPORT_MAX_COLUMNS = env_int_within("SIGHTLINE_IMPORT_MAX_COLUMNS", 30, low=5, high=16384)
# Rows per request of the bulk API (and of any page that posts many rows at once).
SIGHTLINE_BULK_MAX_ROWS = env_int_within("SIGHTLINE_BULK_MAX_ROWS", 1000, low=1, high=10**6)
# Request bodies: a body past DATA_UPLOAD_MAX_MEMORY_SIZE (files excluded) answers 413; an
# uploaded file past FILE_UPLOAD_MAX_MEMORY_SIZE is spooled to disk rather than held in memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int_within(
    "DATA_UPLOAD_MAX_MEMORY_SIZE", 4 * 1024 * 1024, low=1024, high=1024**3
)
FILE_UPLOAD_MAX_MEMORY_SIZE = env_int_within(
    "FILE_UPLOAD_MAX_MEMORY_SIZE", 2_621_440, low=1024, high=1024**3
)
DATA_UPLOAD_MAX_NUMBER_FIELDS = env_int_within(
    "DATA_UPLOAD_MAX_NUMBER_FIELDS", 5000, low=100, high=10**6
)
# JSON bodies nested deeper than this are refused with a 400 before they are parsed.
SIGHTLINE_JSON_MAX_DEPTH = env_int_within("SIGHTLINE_JSON_MAX_DEPTH", 32, low=2, high=500)
# Free text a person writes: comments (actuals, findings, notes on actions) and longer
# notes and descriptions (progress notes, review summaries, descriptions, reasons).
SIGHTLINE_COMMENT_MAX_LENGTH = env_int_within(
    "SIGHTLINE_COMMENT_MAX_LENGTH", 4000, low=100, high=10**6
)
SIGHTLINE_NOTE_MAX_LENGTH = env_int_within("SIGHTLINE_NOTE_MAX_LENGTH", 20000, low=100, high=10**7)
# The middleware that answers a body past these limits sits before CSRF, which reads forms.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.csrf.CsrfViewMiddleware"),
    "scorecard.request_limits.RequestLimitsMiddleware",
)
REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"] = [
    "scorecard.request_limits.DepthLimitedJSONParser",
    "rest_framework.parsers.FormParser",
    "rest_framework.parsers.MultiPartParser",
]
SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"] = [
    "drf_spectacular.hooks.postprocess_schema_enums",
    "scorecard.request_limits.bulk_rows_in_schema",
]

# Calculated KPIs (issue 15): how many KPIs the editor lists as a formula may refer to.
SIGHTLINE_FORMULA_REFERENCES_LISTED = env_int_within(
    "SIGHTLINE_FORMULA_REFERENCES_LISTED", 200, low=1, high=10**5
)

# Issue 15 — the API a migration needs: under /api/, a 404 or 405 answers JSON, also for an
# unknown path (scorecard.middleware.api_errors_as_json).
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.common.CommonMiddleware"),
    "scorecard.middleware.api_errors_as_json",
)

# Issue 16 — data connections (connections/): the keys that encrypt their secrets, the hosts
# they may reach, the folder their files live under, and the limits every read runs within.
# Keys are Fernet keys, comma-separated: the first encrypts, every one decrypts (rotate by
# putting the new key first). Without any, a key derived from SECRET_KEY is used, so a fresh
# clone runs; production sets its own.
SIGHTLINE_CONNECTION_KEYS = env_list("SIGHTLINE_CONNECTION_KEYS", "")
# Host names or IP addresses SQL and HTTP connections may reach (`*.example.com` for a
# domain's hosts). Nothing is listed by default: not even this machine's own addresses.
SIGHTLINE_CONNECTION_HOSTS = env_list("SIGHTLINE_CONNECTION_HOSTS", "")
SIGHTLINE_CONNECTION_FILE_ROOT = env_str(
    "SIGHTLINE_CONNECTION_FILE_ROOT", str(BASE_DIR / "var" / "connections")
)
SIGHTLINE_CONNECTION_HTTP_TIMEOUT = env_int_within(
    "SIGHTLINE_CONNECTION_HTTP_TIMEOUT", 20, low=1, high=600
)
SIGHTLINE_CONNECTION_MAX_BYTES = env_int_within(
    "SIGHTLINE_CONNECTION_MAX_BYTES", 5 * 1024 * 1024, low=1024, high=1024**3
)
SIGHTLINE_CONNECTION_SQL_TIMEOUT_MS = env_int_within(
    "SIGHTLINE_CONNECTION_SQL_TIMEOUT_MS", 30_000, low=10, high=3_600_000
)
SIGHTLINE_CONNECTION_MAX_ROWS = env_int_within(
    "SIGHTLINE_CONNECTION_MAX_ROWS", 10_000, low=1, high=10**7
)
SIGHTLINE_CONNECTION_RUNS_KEPT_DAYS = env_int_within(
    "SIGHTLINE_CONNECTION_RUNS_KEPT_DAYS", 400, low=1, high=100_000
)
# A run's progress on its page: the page polls every POLL seconds while the run is queued
# or running; the run records its count every EVERY_ROWS rows; entries expire after KEPT.
SIGHTLINE_CONNECTION_PROGRESS_POLL_SECONDS = env_int_within(
    "SIGHTLINE_CONNECTION_PROGRESS_POLL_SECONDS", 2, low=1, high=60
)
SIGHTLINE_CONNECTION_PROGRESS_EVERY_ROWS = env_int_within(
    "SIGHTLINE_CONNECTION_PROGRESS_EVERY_ROWS", 200, low=1, high=10**7
)
SIGHTLINE_CONNECTION_PROGRESS_KEPT_SECONDS = env_int_within(
    "SIGHTLINE_CONNECTION_PROGRESS_KEPT_SECONDS", 3600, low=60, high=7 * 86400
)
# The failed or late imports the dashboard's data-freshness panel lists (it counts them all).
SIGHTLINE_DASHBOARD_IMPORTS_SHOWN = env_int_within(
    "SIGHTLINE_DASHBOARD_IMPORTS_SHOWN", 10, low=1, high=1000
)
# Issue 18 — the unit picker: how many matching units one search answers (the page asks
# again as the person types, so a few suffice). The API's `?search=` pages as every list does.
SIGHTLINE_UNIT_PICKER_RESULTS = env_int_within("SIGHTLINE_UNIT_PICKER_RESULTS", 10, low=1, high=100)
# The home page's unit tiles: the top of what a person may see, at most this many (an
# executive of a 1,000-unit organization would otherwise get 1,000 tiles, 200 ms a page).
SIGHTLINE_HOME_TILES = env_int_within("SIGHTLINE_HOME_TILES", 24, low=1, high=500)
