"""Django settings for Liên Thông, read from the environment.

Production-safe by default: DEBUG is off, cookies are secure, HTTPS is enforced. The demo
(`make demo`) serves plain HTTP on 127.0.0.1 and says so by setting LIENTHONG_INSECURE_HTTP=1.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
DATA_DIR = Path(os.environ.get("LIENTHONG_DATA_DIR", PROJECT_DIR / "var")).resolve()


def env_bool(name: str, default: bool = False) -> bool:
    """Read a yes/no environment variable (1, true, yes, on)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    """Read a comma-separated environment variable."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    """Read a whole-number environment variable; a bad value stops start-up with its name."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} phải là số nguyên, không phải {value!r}.") from None


def _database(url: str) -> dict:
    """The default database from DATABASE_URL: SQLite or PostgreSQL, nothing else."""
    try:
        config = dj_database_url.parse(
            url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL không hợp lệ: {exc}") from None
    if config["ENGINE"] not in SUPPORTED_DATABASES:
        raise ImproperlyConfigured(
            "DATABASE_URL phải bắt đầu bằng sqlite:// hoặc postgresql:// "
            f"(không hỗ trợ {config['ENGINE'].rsplit('.', 1)[-1]})."
        )
    return dict(config)


def _secret_key() -> str:
    """SECRET_KEY from the environment, else a key generated once and kept in DATA_DIR."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        # Written aside (mode 0600), then linked into place: processes starting together agree.
        fd, aside = tempfile.mkstemp(dir=DATA_DIR, prefix=".secret_key.")
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(64))
        try:
            os.link(aside, key_file)
        except FileExistsError:
            pass
        finally:
            os.unlink(aside)
    return key_file.read_text().strip()


DEBUG = env_bool("DEBUG")
SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "lienthong.core",
    "lienthong.accounts",
    "lienthong.workflow",
    "lienthong.exchange",
    "lienthong.exchange.messagelog",
    "lienthong.exchange.clients",
    "lienthong.exchange.delivery",
    "lienthong.exchange.adapters",
    "lienthong.search",
    "lienthong.onestop",
    "lienthong.complaints",
    "lienthong.privacy",
    "lienthong.documents",
    "lienthong.documents.outgoing",
    "lienthong.documents.calendar",
    "lienthong.registries.base",
    "lienthong.registries.population",
    "lienthong.registries.enterprises",
    "lienthong.registries.legal",
    "lienthong.registries.staff",
    "lienthong.registries.land",
    "lienthong.registries.labour",
    "lienthong.registries.budget",
    "lienthong.ict",
    "lienthong.portal",
    "lienthong.dashboard",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    # Listed so that /api/docs serves Swagger UI from the package's static files, not a CDN.
    "ninja",
]

MIDDLEWARE = [
    # First: cached public portal pages are served (and counted) before sessions and auth.
    "lienthong.portal.fastpath.PortalFastPathMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "lienthong.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "lienthong.core.middleware.RequestContextMiddleware",
    "lienthong.exchange.clients.middleware.ExchangeLogMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "lienthong.accounts.middleware.RequireOTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "lienthong.accounts.middleware.SessionLimitsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "lienthong.urls"
WSGI_APPLICATION = "lienthong.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "lienthong.core.context_processors.platform",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
SUPPORTED_DATABASES = ("django.db.backends.sqlite3", "django.db.backends.postgresql")
SQLITE_PATH = DATA_DIR / "lienthong.sqlite3"
# An empty DATABASE_URL means "not set", so `DATABASE_URL= make demo` gets SQLite.
DATABASES = {"default": _database(os.environ.get("DATABASE_URL") or f"sqlite:///{SQLITE_PATH}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN so
    # two writers queue on busy_timeout instead of failing with "database is locked" mid-way.
    # Connections are kept (DB_CONN_MAX_AGE, as for PostgreSQL): opening one and running these
    # PRAGMAs cost 2.5 ms of a 3.8 ms lookup. Each gunicorn thread holds its own.
    # A checkpoint every 10,000 WAL pages (40 MB) instead of SQLite's 1,000: rarer, and the
    # pages written over and over between two (the audit head, index tails) are copied back
    # once. Measured +10 % workflow transitions per second (docs/performance.md).
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA foreign_keys=ON;"
            "PRAGMA busy_timeout=30000;"
            "PRAGMA wal_autocheckpoint=10000;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
    if name := DATABASES["default"].get("NAME"):
        Path(name).parent.mkdir(parents=True, exist_ok=True)

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Values travel apart from the SQL text and psycopg prepares a statement a connection has
    # run five times, so PostgreSQL stops parsing and planning it: measured 7.6 → 6.5 ms of
    # web-process CPU and 2.5 → 2.3 ms of database CPU per submission (docs/performance.md).
    # Prepared statements need a session-pooling PgBouncer (or none), not transaction pooling.
    DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and security ------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, with the request's user (and roles) read by one fixed statement.
    "lienthong.accounts.backends.SessionUserBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours: a locked account opens again after 15 minutes
# Lock an account after 5 failures from anywhere, and an address after 5 failures on any account.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
OTP_TOTP_ISSUER = "Liên Thông"

INSECURE_HTTP = env_bool("LIENTHONG_INSECURE_HTTP")
# `lienthong serve` binds to 127.0.0.1 by default: HTTPS ends at a reverse proxy in front, which
# must set (and overwrite) X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = not INSECURE_HTTP and not DEBUG
SESSION_COOKIE_SECURE = not INSECURE_HTTP and not DEBUG
CSRF_COOKIE_SECURE = not INSECURE_HTTP and not DEBUG
SECURE_HSTS_SECONDS = 0 if (INSECURE_HTTP or DEBUG) else 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
# Django's database sessions, loaded by one fixed statement (lienthong/accounts/sessions.py).
SESSION_ENGINE = "lienthong.accounts.sessions"
SESSION_COOKIE_AGE = 12 * 3600  # absolute limit
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
X_FRAME_OPTIONS = "DENY"

# --- Language and time ----------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# The shell's own files and the front-end libraries vendored from npm (scripts/vendor-assets.sh).
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Mail -----------------------------------------------------------------------------------
EMAIL_HOST = os.environ.get("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Liên Thông <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")

# --- Platform -------------------------------------------------------------------------------
NATS_URL = os.environ.get("NATS_URL", "")
LIENTHONG = {
    "PROVINCE_NAME": os.environ.get("LIENTHONG_PROVINCE_NAME", "Tỉnh Bình Dương"),
    # Office hours for hour-based time limits (Decree 61/2018 counts hours of the working day).
    "OFFICE_HOURS": [("07:30", "11:30"), ("13:00", "17:00")],
    "OUTBOX_BATCH": 200,
    # Outbox relay: retries back off from 30 s to 6 h; after 10 attempts an event is dead.
    "OUTBOX_MAX_ATTEMPTS": 10,
    "OUTBOX_RETRY_BASE_SECONDS": 30,
    "OUTBOX_RETRY_MAX_SECONDS": 6 * 3600,
    "OUTBOX_LEASE_SECONDS": 300,
    "OUTBOX_POLL_SECONDS": 1.0,
    # A relay thread inside each web process, woken after commit; `lienthong worker` is the
    # guaranteed path and the one to run at scale.
    "OUTBOX_RELAY_IN_PROCESS": env_bool("LIENTHONG_RELAY_IN_PROCESS"),
    "EVENT_SOURCE": os.environ.get("LIENTHONG_EVENT_SOURCE", "/lienthong"),
    # How long another process's calendar edit may take to reach this process's cache.
    "CALENDAR_CACHE_SECONDS": 60,
    # Login sessions (accounts.middleware.SessionLimitsMiddleware): 12 hours in all; idle 15
    # minutes for officials, 30 for citizens (level-3 rules, docs/security.md).
    "SESSION_ABSOLUTE_SECONDS": 12 * 3600,
    "SESSION_IDLE_SECONDS_OFFICIAL": 15 * 60,
    "SESSION_IDLE_SECONDS_CITIZEN": 30 * 60,
    # Who must pass a TOTP second factor after the password: "officials" (every official;
    # level 3, the default) or "admins" (only administrators; `make demo` sets it).
    "OTP_REQUIRED_FOR": os.environ.get("LIENTHONG_OTP_REQUIRED_FOR", "officials"),
    # The public site's address: receipts print it and its QR code, emails link to it.
    "PUBLIC_URL": os.environ.get("LIENTHONG_PUBLIC_URL", "http://127.0.0.1:8000"),
    # Uploaded documents: largest file and the kinds accepted (checked by content, not name).
    "UPLOAD_MAX_BYTES": env_int("LIENTHONG_UPLOAD_MAX_BYTES", 20 * 1024 * 1024),
    "UPLOAD_TYPES": ("pdf", "jpeg", "png", "docx", "xlsx"),
    # Malware scanning of uploads (core/scanning.py): "" = none, or "clamd:unix:/path" /
    # "clamd:tcp:host:port". A configured scanner that cannot answer refuses the upload.
    "MALWARE_SCANNER": os.environ.get("LIENTHONG_MALWARE_SCANNER", ""),
    # How long a process keeps the procedure catalogue it reads on every submission.
    "INTAKE_CACHE_SECONDS": 30,
    "SMS_BACKEND": os.environ.get(
        "LIENTHONG_SMS_BACKEND", "lienthong.onestop.notify.LoggingSmsBackend"
    ),
    # Gateway (docs/exchange.md): client calls per minute by default, message-log retention
    # in days (the purge refuses under 90), Redis for the rate limit (else the database).
    "EXCHANGE_RATE_LIMIT_PER_MINUTE": env_int("LIENTHONG_EXCHANGE_RATE_LIMIT", 600),
    "EXCHANGE_LOG_RETENTION_DAYS": env_int("LIENTHONG_EXCHANGE_LOG_RETENTION_DAYS", 90),
    "REDIS_URL": os.environ.get("REDIS_URL", ""),
    # Adapters (docs/exchange-adapters.md): the national public service portal (off unless
    # both are set), the provincial LGSP gateway, edXML peers as JSON {code: {url, api_key}}.
    "PORTAL_URL": os.environ.get("LIENTHONG_PORTAL_URL", ""),
    "PORTAL_TOKEN": os.environ.get("LIENTHONG_PORTAL_TOKEN", ""),
    "LGSP_URL": os.environ.get("LIENTHONG_LGSP_URL", ""),
    "LGSP_TOKEN_URL": os.environ.get("LIENTHONG_LGSP_TOKEN_URL", ""),
    "LGSP_CLIENT_ID": os.environ.get("LIENTHONG_LGSP_CLIENT_ID", ""),
    "LGSP_CLIENT_SECRET": os.environ.get("LIENTHONG_LGSP_CLIENT_SECRET", ""),
    "EDXML_ORGAN_ID": os.environ.get("LIENTHONG_EDXML_ORGAN_ID", ""),
    "EDXML_ORGAN_NAME": os.environ.get("LIENTHONG_EDXML_ORGAN_NAME", ""),
    "EDXML_PEERS": os.environ.get("LIENTHONG_EDXML_PEERS", ""),
    # Public portal (docs/portal.md): Redis keys' prefix (pages and counters use REDIS_URL),
    # whether X-Forwarded-For names the visitor (behind a trusted proxy only), and whether
    # anonymous visitors of / are sent to the portal at /cong/.
    "PORTAL_REDIS_PREFIX": os.environ.get("LIENTHONG_PORTAL_REDIS_PREFIX", "lienthong:portal:"),
    "PORTAL_TRUST_X_FORWARDED_FOR": env_bool("LIENTHONG_PORTAL_TRUST_X_FORWARDED_FOR"),
    "PORTAL_AT_ROOT": env_bool("LIENTHONG_PORTAL_AT_ROOT", default=True),
}
# A JSON submission may carry a scanned document inline (base64, a third larger than the file).
DATA_UPLOAD_MAX_MEMORY_SIZE = 32 * 1024 * 1024
# Shared reference data beside the project (../shared): legal texts, procedures, edXML samples.
SHARED_DIR = Path(os.environ.get("LIENTHONG_SHARED_DIR", PROJECT_DIR.parent / "shared")).resolve()

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # WeasyPrint logs every layout step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
