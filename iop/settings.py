"""Settings for IOP, read from the environment (one file, twelve-factor style).

Defaults are safe for a developer laptop: a SQLite file under ``var/`` and a
file-system Celery transport, so ``make run`` needs no PostgreSQL or Redis.
Production sets ``DATABASE_URL``, ``CELERY_BROKER_URL``, ``SECRET_KEY`` and
``DEBUG=0``.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("IOP_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# pytest (8.2+) sets PYTEST_VERSION: tests run against the machine's PostgreSQL by default.
TESTING = "PYTEST_VERSION" in os.environ

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=1 for local development).")
    SECRET_KEY = "insecure-development-key-never-use-in-production"  # noqa: S105 (DEBUG or tests only)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Django's admin on a site that refuses filters, searches and sorts on secrets (iop/admin_site.py).
    "iop.admin_site.ProtectedAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_filters",
    "django_celery_beat",
    "simple_history",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    # The project's apps, lowest first: each may use those above it in this list
    # (the README's layout section holds the rule and its named exceptions; iop/tests/test_layout.py checks it).
    "iop",
    "programs",
    "accounts",
    "patients",
    "audit",
    "notifications",
    "scheduling",
    "testing",
    "medications",
    "clinical",
    "aftercare",
    "outcomes",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Responses to a signed-in user are never cached (Back after sign-out shows nothing).
    "accounts.middleware.NoStoreForSignedInMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Idle and absolute session limits end the session before any view (or the login check) runs.
    "accounts.middleware.SessionTimeoutMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # After the login check: a signed-in user must also pass the second factor.
    "accounts.middleware.MFARequiredMiddleware",
    # Admin pages showing patient data write access-log rows; every 403 is logged (audit/middleware.py).
    "audit.middleware.AccessLogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A bad query parameter is a 400 saying which one; a refused look is the app's own 404 (iop/params.py).
    "iop.middleware.ErrorPageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # django-axes wants to be last so it sees the lockout raised by its backend.
    "axes.middleware.AxesMiddleware",
]
# `make bench` only: every response carries X-Query-Count (works with DEBUG off).
if env_bool("IOP_BENCH", False):
    MIDDLEWARE.insert(0, "iop.query_count.QueryCountMiddleware")

ROOT_URLCONF = "iop.urls"
WSGI_APPLICATION = "iop.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "iop.context_processors.clinic",
                "accounts.context_processors.session_timeout",
            ],
        },
    },
]

# Database: PostgreSQL in production and tests, a SQLite file for a bare laptop.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get(
            "DATABASE_URL",
            "postgres://postgres@127.0.0.1:5432/iop" if TESTING else f"sqlite:///{VAR_DIR / 'iop.sqlite3'}",
        ),
        # Tests close connections at once so the test database can be dropped afterwards.
        conn_max_age=0 if TESTING else int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # jit=off: our queries are short lookups whose cost estimates can still cross
    # jit_above_cost (an access-rule subplan inflates them); compiling them took 1.3 s to save
    # milliseconds. random_page_cost=1.1: the working set is in memory or on SSD, where a
    # random read costs about what a sequential one does; at PostgreSQL's default of 4 the
    # planner scanned all 50,000 patients rather than use the trigram index (34 → 14 ms).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        options="-c jit=off -c random_page_cost=1.1",
        # psycopg 3 prepares a statement once it has run 5 times on a connection, so PostgreSQL
        # stops re-planning it: planning a lookup with seven joins takes 7 ms here.
        server_side_binding=True,
        prepare_threshold=5,
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The laptop demo serves a few people and a Celery worker at once: WAL lets readers work
    # while one writes, a writer waits up to 20 s for the lock instead of failing, and writes
    # take it at BEGIN (IMMEDIATE) so two transactions never deadlock upgrading a read lock.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        transaction_mode="IMMEDIATE",
        timeout=20,
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "notifications:home"
LOGOUT_REDIRECT_URL = "login"

# django-axes checks lockout before any other backend tries the password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend with each user's roles and permissions cached per privilege change.
    "accounts.privileges.CachedPermissionBackend",
]
# Lockout (OWASP ASVS 2.2.1): counted per username, known or not, so the answer never
# tells an attacker whether an account exists.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 wants the client address in the lockout key too. A clinic's staff usually share
# one public address (and a proxy hides it), so five typos by one person would lock out the
# whole clinic; per-username lockout plus MFA is the control chosen here.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Axes would log every failure with username and address; the attempts table keeps them instead.
AXES_VERBOSE = False

# MFA (django-otp): every staff user verifies a TOTP code or a one-time recovery code.
# The authenticator app shows the clinic's neutral name (42 CFR Part 2: nothing implying
# addiction treatment).
OTP_TOTP_ISSUER = os.environ.get("CLINIC_NEUTRAL_NAME", "Riverside Health")
MFA_RECOVERY_CODE_COUNT = 10
# A first authenticator is enrolled only with a one-time code an admin issues (Admin -> Users, or
# `manage.py mfa_enrolment_code`): the password alone must not be enough to add a second factor.
MFA_ENROLMENT_CODE_HOURS = int(os.environ.get("MFA_ENROLMENT_CODE_HOURS", "72"))
# Wrong enrolment codes a user may type before their code is void and an admin must issue another.
MFA_ENROLMENT_CODE_MAX_ATTEMPTS = 5
# Demo only: `OTP_DEMO_BYPASS=1` skips the second factor, and is ignored unless DEBUG is on.
OTP_DEMO_BYPASS = DEBUG and env_bool("OTP_DEMO_BYPASS", False)

# Sessions end after this much inactivity (warning shown two minutes before) and, whatever
# the activity, SESSION_COOKIE_AGE after login.
SESSION_IDLE_TIMEOUT_SECONDS = int(os.environ.get("SESSION_IDLE_TIMEOUT_SECONDS", str(15 * 60)))
SESSION_IDLE_WARNING_SECONDS = int(os.environ.get("SESSION_IDLE_WARNING_SECONDS", "120"))
PASSWORD_RESET_TIMEOUT = int(os.environ.get("PASSWORD_RESET_TIMEOUT", str(3600)))
# Password-reset requests per address and per client address (REMOTE_ADDR) within a window that opens at
# the first request; beyond them the same page is shown, nothing is sent and the refusal is logged
# without the address.
PASSWORD_RESET_RATE_WINDOW_SECONDS = int(os.environ.get("PASSWORD_RESET_RATE_WINDOW_SECONDS", "3600"))
PASSWORD_RESET_MAX_PER_ADDRESS = int(os.environ.get("PASSWORD_RESET_MAX_PER_ADDRESS", "3"))
PASSWORD_RESET_MAX_PER_CLIENT = int(os.environ.get("PASSWORD_RESET_MAX_PER_CLIENT", "20"))
# Sending a reset mail that fails is retried this many times (1, 2, 4, 8 minutes apart).
PASSWORD_RESET_MAIL_MAX_ATTEMPTS = 5

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Time: stored in UTC, shown in the clinic's own zone.
LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static", ("vendor", BASE_DIR / "node_modules")]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Uploads (signed paper consents) are patient data: stored here and served only by views that
# check access and log the look; no URL serves MEDIA_ROOT directly.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Sessions live in the database so any number of web processes can serve a user.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_ABSOLUTE_SECONDS", str(12 * 3600)))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", False) else None
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
DATA_UPLOAD_MAX_NUMBER_FILES = 10

# Django's built-in Content-Security-Policy: no inline script anywhere.
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
    "base-uri": ["'self'"],
    "object-src": ["'none'"],
}

# Email: files under var/mail/ in development (never the console: a worker's output is its log,
# and a printed email carries the patient's address), SMTP from the environment in production.
# With DEBUG off the console, file, locmem and dummy backends fail a system check (notifications.E002).
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.filebased.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
# Seconds per SMTP network operation: a hung server must not hold an outbox claim (see NOTIFICATIONS_*).
EMAIL_TIMEOUT = float(os.environ.get("EMAIL_TIMEOUT", "10"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "appointments@clinic.invalid")

# Celery: Redis when configured, otherwise a file-system transport under var/ so a
# laptop runs web + worker + beat with no services at all.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL or "filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    _celery_dir = VAR_DIR / "celery"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_dir / "queue"),
        "data_folder_out": str(_celery_dir / "queue"),
        "processed_folder": str(_celery_dir / "processed"),
        # Kombu's default is ./control in the working directory: keep everything under var/.
        "control_folder": str(_celery_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Workers and beat log through LOGGING below (one line per event, no contact details), not Celery's own handlers;
# what a worker prints is information, not a warning.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_WORKER_REDIRECT_STDOUTS_LEVEL = "INFO"

CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)

# The cache holds short-lived counters (password-reset rate limits), so every web process must
# see the same ones: Redis when REDIS_URL is set, else this process's memory (make run's one server).
# A Redis that does not answer within a second is treated as absent (accounts/password_reset.py).
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # Parallel test workers (pytest-xdist) share one Redis database: each keeps its own keys.
            "KEY_PREFIX": "iop" + os.environ.get("PYTEST_XDIST_WORKER", ""),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The clinic as patients see it: a neutral name that reveals nothing about
# addiction treatment (42 CFR Part 2 §2.13; appointment reminders).
CLINIC_NEUTRAL_NAME = os.environ.get("CLINIC_NEUTRAL_NAME", "Riverside Health")
CLINIC_CALLBACK_PHONE = os.environ.get("CLINIC_CALLBACK_PHONE", "+1 555 010 0100")
CLINIC_DEFAULT_PHONE_REGION = os.environ.get("CLINIC_DEFAULT_PHONE_REGION", "US")

# Messages to patients (notifications/). SMS_BACKEND: "file" (JSON lines in SMS_FILE_PATH,
# for development and tests), "console", "http" (generic JSON provider) or a dotted path.
# With DEBUG off "file" and "console" fail a system check (notifications.E003), so production
# defaults to "http" and a deploy check asks for SMS_HTTP_URL (https) and SMS_HTTP_TOKEN.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "file" if DEBUG or TESTING else "http")
SMS_FILE_PATH = os.environ.get("SMS_FILE_PATH", str(VAR_DIR / "sms-outbox.jsonl"))
SMS_HTTP_URL = os.environ.get("SMS_HTTP_URL", "")
SMS_HTTP_TOKEN = os.environ.get("SMS_HTTP_TOKEN", "")
SMS_HTTP_TIMEOUT_SECONDS = float(os.environ.get("SMS_HTTP_TIMEOUT_SECONDS", "10"))
SMS_FROM_NUMBER = os.environ.get("SMS_FROM_NUMBER", "")
# Shared secret the SMS provider sends in the X-Inbound-Secret header of inbound (STOP/START) webhooks.
SMS_INBOUND_SECRET = os.environ.get("SMS_INBOUND_SECRET", "")
# Seconds the file backend sleeps per message: lets fault-injection tests kill a worker mid-batch.
SMS_FILE_DELAY_SECONDS = float(os.environ.get("SMS_FILE_DELAY_SECONDS", "0"))
# No texts at night, in the clinic's own time zone; equal start and end turn quiet hours off.
QUIET_HOURS_START = os.environ.get("QUIET_HOURS_START", "21:00")
QUIET_HOURS_END = os.environ.get("QUIET_HOURS_END", "08:00")
# Session reminders go out this many hours before the session.
REMINDER_LEAD_TIMES = [float(hours) for hours in env_list("REMINDER_LEAD_TIMES", "24,2")]
# Alumni follow-up: check-ins this many days after discharge (aftercare/services/checkins.py).
ALUMNI_CHECKIN_DAYS = [int(days) for days in env_list("ALUMNI_CHECKIN_DAYS", "7,30,60,90,180")]
NOTIFICATIONS_BATCH_SIZE = int(os.environ.get("NOTIFICATIONS_BATCH_SIZE", "100"))
# A worker renews the heartbeat of the batch it holds at least this often, re-checking before a send
# that its claim still stands; a claim whose heartbeat is older than the stale limit belongs to a
# dead worker and goes back to the queue. Heartbeat + a provider's timeout must stay below the stale
# limit (system check notifications.E005). With beat's 30 s poll, a killed worker's batch is retried
# within 20 + 30 s.
NOTIFICATIONS_STALE_CLAIM_SECONDS = float(os.environ.get("NOTIFICATIONS_STALE_CLAIM_SECONDS", "20"))
NOTIFICATIONS_CLAIM_HEARTBEAT_SECONDS = float(
    os.environ.get("NOTIFICATIONS_CLAIM_HEARTBEAT_SECONDS", str(NOTIFICATIONS_STALE_CLAIM_SECONDS / 4))
)
NOTIFICATIONS_MAX_ATTEMPTS = int(os.environ.get("NOTIFICATIONS_MAX_ATTEMPTS", "6"))
NOTIFICATIONS_RETRY_BASE_SECONDS = int(os.environ.get("NOTIFICATIONS_RETRY_BASE_SECONDS", "60"))
NOTIFICATIONS_RETRY_CAP_SECONDS = int(os.environ.get("NOTIFICATIONS_RETRY_CAP_SECONDS", "3600"))
# One delivery run stops claiming new batches after this long, so runs started by beat do not pile up.
NOTIFICATIONS_RUN_SECONDS = int(os.environ.get("NOTIFICATIONS_RUN_SECONDS", "25"))
# Log the number of database queries per delivered message (benchmarks).
NOTIFICATIONS_COUNT_QUERIES = env_bool("NOTIFICATIONS_COUNT_QUERIES", False)

# Break-the-glass emergency access to a chart outside one's care team lasts this long.
BREAK_GLASS_MINUTES = int(os.environ.get("BREAK_GLASS_MINUTES", "60"))

# The access log's hash chain (audit/): a look writes its row with one INSERT; a sequencer
# chains rows in order shortly after commit (beat, every 5 s) and every 5 minutes signs the
# chain's head into a checkpoint kept outside the database (README: Audit, Security).
# `manage.py audit_verify` reports a row still unchained this long after it was written as a break.
AUDIT_CHAIN_MAX_DELAY_SECONDS = int(os.environ.get("AUDIT_CHAIN_MAX_DELAY_SECONDS", "120"))
# HMAC-SHA256 key of the checkpoints, from the environment only (never in the database, so
# whoever can rewrite the table cannot re-sign its head). Required with DEBUG off (system check
# audit.E001); DEBUG and the tests fall back to this published, worthless development key.
AUDIT_CHECKPOINT_DEVELOPMENT_KEY = "development-only-audit-checkpoint-key-never-use-in-production"
AUDIT_CHECKPOINT_KEY = os.environ.get("AUDIT_CHECKPOINT_KEY", "") or (
    AUDIT_CHECKPOINT_DEVELOPMENT_KEY if DEBUG or TESTING else ""
)
# Keys retired by a rotation (comma-separated): the checkpoints they signed still verify.
AUDIT_CHECKPOINT_PREVIOUS_KEYS = env_list("AUDIT_CHECKPOINT_PREVIOUS_KEYS")
# Each checkpoint is appended here (JSON lines) and logged; empty: the log stream only.
AUDIT_CHECKPOINT_FILE = os.environ.get("AUDIT_CHECKPOINT_FILE", str(VAR_DIR / "audit-checkpoints.jsonl"))
# `audit_verify` fails when the newest checkpoint is older than this (three missed 5-minute runs).
AUDIT_CHECKPOINT_MAX_AGE_SECONDS = int(os.environ.get("AUDIT_CHECKPOINT_MAX_AGE_SECONDS", "900"))

# The edition of the ASAM Criteria the clinic assesses under: 3 (2013) or 4 (2023). An episode
# keeps the edition it was assessed under when the clinic moves to the other.
ASAM_EDITION = os.environ.get("ASAM_EDITION", "3").strip()
if ASAM_EDITION not in {"3", "4"}:
    raise ImproperlyConfigured(f"ASAM_EDITION must be 3 (2013) or 4 (2023), not {ASAM_EDITION!r}.")
ASAM_EDITION = int(ASAM_EDITION)

# CIWA-Ar cut-offs differ between sources, so they are configurable:
# (lowest score of the band, band label), in ascending order.
CIWA_AR_BANDS = [(0, "minimal"), (10, "mild to moderate"), (16, "severe")]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Log forging: CR/LF in a message (user input) is escaped, so one event is one line.
    # Privacy: email addresses and phone numbers are masked in messages and tracebacks alike.
    "filters": {
        "single_line": {"()": "iop.logging.SingleLineFilter"},
        "no_contact_details": {"()": "iop.logging.NoContactDetailsFilter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["no_contact_details", "single_line"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Request logs carry URLs and query strings; keep them out of the default output.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
        # Celery gives its task logger a handler of its own unless one is configured here.
        "celery.task": {"handlers": ["console"], "propagate": False},
        # Signed checkpoints of the access-log chain: kept in the log stream whatever LOG_LEVEL is.
        "audit.checkpoints": {"level": "INFO"},
    },
}
