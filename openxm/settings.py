"""The one settings module, configured from the environment.

Every variable read here is documented in docs/settings.md (a test fails when one is not).
With no environment at all openxm runs embedded: SQLite in WAL mode under OPENXM_HOME and
Celery tasks executed inline. The scaled deployment sets DATABASE_URL and CELERY_BROKER_URL.
"""

import contextlib
import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value in (None, "") else value


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if value is None:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


OPENXM_HOME = Path(env("OPENXM_HOME", "var")).resolve()
DEBUG = env_bool("OPENXM_DEBUG", False)

# Secret key: a missing or placeholder key is fatal outside debug mode (checked in
# openxm.web.checks so that `openxm check` and start-up report it in one clear line).
PLACEHOLDER_SECRET_KEYS = {"", "changeme", "change-me", "secret", "insecure", "openxm-insecure-dev-key"}
SECRET_KEY = env("OPENXM_SECRET_KEY", "openxm-insecure-dev-key")

ALLOWED_HOSTS = env_list("OPENXM_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("OPENXM_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "openxm.accounts",
    "openxm.customers",
    "openxm.journeys",
    "openxm.surveys",
    "openxm.distribution",
    "openxm.responses",
    "openxm.comments",
    "openxm.analysis",
    "openxm.insights",
    "openxm.alerts",
    "openxm.employees",
    "openxm.profiles",
    "openxm.privacy",
    "openxm.plans",
    "openxm.cases",
    "openxm.web",
]

MIDDLEWARE = [
    "openxm.metrics.MetricsMiddleware",  # outermost: its time covers every other layer
    "openxm.logs.RequestIdMiddleware",
    "openxm.web.middleware.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "openxm.web.middleware.PublicAddressMiddleware",
    "openxm.web.middleware.InputHygieneMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "openxm.web.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "openxm.web.middleware.CurrentOrganizationMiddleware",
    "openxm.web.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "openxm.urls"
WSGI_APPLICATION = "openxm.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "openxm.web.context_processors.shell",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL")
QUEUE_WRITERS = env_bool("OPENXM_SQLITE_QUEUE_WRITERS", True)
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            # Django's backend, with writers queued on a file lock (openxm/sqlite/base.py).
            "ENGINE": "openxm.sqlite" if QUEUE_WRITERS else "django.db.backends.sqlite3",
            "NAME": OPENXM_HOME / "openxm.sqlite3",
            "OPTIONS": {
                # WAL lets the web server read while a worker writes; the busy timeout makes a
                # second writer wait instead of failing with "database is locked".
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                ),
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Background work -------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", CELERY_BROKER_URL)
# Without a broker, tasks run inline in the calling process: the embedded default.
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task is acknowledged when it has finished, not when a worker takes it: a worker killed
# mid-task (SIGKILL, OOM, a lost host) leaves its task on the broker, which hands it to another
# worker. Each worker process reserves one task at a time, so a crash strands no prefetched
# ones. The tasks are idempotent (docs/deployment.md#background-work-that-survives-a-crash).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis gives an unacknowledged task to another worker this many seconds after it was taken.
# It must exceed the longest task (a re-analysis of a million comments runs for minutes): a task
# still running then is started a second time (harmless, the tasks are idempotent, but wasted).
OPENXM_TASK_VISIBILITY_SECONDS = int(env("OPENXM_TASK_VISIBILITY_SECONDS", "3600"))
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": OPENXM_TASK_VISIBILITY_SECONDS}

# --- Periodic work ---------------------------------------------------------------------------
# Each job runs every N seconds (0 switches it off): through Celery beat when there is a broker
# (`openxm beat`, or `openxm worker --beat`), else in a thread of `openxm serve` (openxm.periodic).
PERIODIC_JOBS = {
    "openxm-distribution-tick": (
        "openxm.distribution.tick",
        int(env("OPENXM_DISTRIBUTION_TICK_SECONDS", "60")),
    ),
    "openxm-insights-send-reports": (
        "openxm.insights.send_due_reports",
        int(env("OPENXM_SEND_REPORTS_SECONDS", "300")),
    ),
    "openxm-alerts-deliver-due": (
        "openxm.alerts.deliver_due",
        int(env("OPENXM_WEBHOOK_RETRY_SECONDS", "15")),
    ),
    "openxm-alerts-notify": (
        "openxm.alerts.notify_due",
        int(env("OPENXM_ALERT_NOTIFY_SECONDS", "60")),
    ),
    "openxm-alerts-early-warning": (
        "openxm.alerts.early_warning",
        int(env("OPENXM_EARLY_WARNING_SECONDS", "3600")),
    ),
    "openxm-cases-escalate": (
        "openxm.cases.escalate",
        int(env("OPENXM_CASE_ESCALATION_SECONDS", "300")),
    ),
    "openxm-profiles-refresh-values": (
        "openxm.profiles.refresh_values",
        int(env("OPENXM_PROFILE_VALUES_SECONDS", "86400")),
    ),
    "openxm-privacy-retention": (
        "openxm.privacy.apply_retention",
        int(env("OPENXM_RETENTION_SECONDS", "86400")),
    ),
    "openxm-refresh-statistics": (
        "openxm.refresh_statistics",
        int(env("OPENXM_STATISTICS_SECONDS", "86400")),
    ),
}
CELERY_BEAT_SCHEDULE = {
    name: {"task": task, "schedule": float(seconds), "options": {"expires": float(seconds)}}
    for name, (task, seconds) in PERIODIC_JOBS.items()
    if seconds > 0
}
CELERY_BEAT_SCHEDULE_FILENAME = str(OPENXM_HOME / "celerybeat-schedule")
# Without a broker, `openxm serve` runs the jobs above itself (one process per OPENXM_HOME).
OPENXM_EMBEDDED_SCHEDULER = env_bool("OPENXM_EMBEDDED_SCHEDULER", True)
# Without a broker, a large import's comments are analysed by this many processes of its own
# while it stores the next chunk (openxm.jobs.worker_pool); 0 analyses them inline between chunks.
OPENXM_IMPORT_WORKERS = int(env("OPENXM_IMPORT_WORKERS", str(max(1, (os.cpu_count() or 2) - 1))))

# An invitation claimed for sending by a worker that then died is sent by a later run once its
# claim is this old; it must exceed the time one e-mail or message takes to send.
OPENXM_SEND_CLAIM_SECONDS = int(env("OPENXM_SEND_CLAIM_SECONDS", "600"))

# --- Webhooks ---------------------------------------------------------------------------------
# Webhooks may reach only public addresses; these networks (CIDRs, comma-separated) are allowed
# besides, e.g. "127.0.0.0/8" for a receiver on this machine or "10.20.0.0/16" for an intranet.
OPENXM_WEBHOOK_ALLOWED_NETWORKS = env("OPENXM_WEBHOOK_ALLOWED_NETWORKS", "")
try:
    for _cidr in OPENXM_WEBHOOK_ALLOWED_NETWORKS.replace(",", " ").split():
        ipaddress.ip_network(_cidr, strict=False)
except ValueError as _exc:
    raise ImproperlyConfigured(f"OPENXM_WEBHOOK_ALLOWED_NETWORKS: {_exc}") from None
# How long a case message's Claim and Close links work (openxm/cases/links.py).
OPENXM_CASE_LINK_HOURS = int(env("OPENXM_CASE_LINK_HOURS", "72"))

# --- Cache (sign-in throttling, rate limits) -----------------------------------------------
REDIS_URL = env("OPENXM_REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # Shared between processes of one machine through the database, unlike LocMemCache.
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "openxm_cache"}
    }

# --- Passwords and sessions ------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_MAX_FAILURES = int(env("OPENXM_LOGIN_MAX_FAILURES", "5"))
LOGIN_LOCKOUT_SECONDS = int(env("OPENXM_LOGIN_LOCKOUT_SECONDS", "900"))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Secure cookies outside debug; OPENXM_INSECURE_COOKIES lets a plain-HTTP demo on a laptop work.
_secure_cookies = not DEBUG and not env_bool("OPENXM_INSECURE_COOKIES", False)
SESSION_COOKIE_SECURE = _secure_cookies
CSRF_COOKIE_SECURE = _secure_cookies
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("OPENXM_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = int(env("OPENXM_HSTS_SECONDS", "0"))
# X-Forwarded-For and X-Forwarded-Proto are believed only from these networks (a proxy's own
# address); OPENXM_BEHIND_PROXY=true alone means a proxy on this host. openxm.web.middleware.
# TrustedProxyMiddleware applies them, before anything reads the client's address or scheme.
_LOCAL_PROXY = "127.0.0.1/32,::1/128" if env_bool("OPENXM_BEHIND_PROXY", False) else ""
OPENXM_TRUSTED_PROXIES = env_list("OPENXM_TRUSTED_PROXIES", _LOCAL_PROXY)
try:
    from openxm.utils.forwarded import parse_networks

    parse_networks(tuple(OPENXM_TRUSTED_PROXIES))
except ValueError as exc:
    raise ImproperlyConfigured(f"OPENXM_TRUSTED_PROXIES: {exc}") from None

# --- Languages -------------------------------------------------------------------------------
LANGUAGE_CODE = env("OPENXM_LANGUAGE", "en")
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env("OPENXM_TIME_ZONE", "UTC")
USE_TZ = True

# --- Files -----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = OPENXM_HOME / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
# The home holds the SQLite file, media and collected static files; WhiteNoise wants the
# static directory to exist even when it serves from the package through finders. A read-only
# home (a container whose static files were collected at build time) is fine.
with contextlib.suppress(OSError):
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("OPENXM_MEDIA_ROOT", str(OPENXM_HOME / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, gzip- and brotli-compressed once `openxm serve` has collected them; plain names from
    # the package before that (openxm.web.staticstorage).
    "staticfiles": {"BACKEND": "openxm.web.staticstorage.StaticStorage"},
}
# `openxm serve` collects them at start (skipped while the package's files are unchanged);
# false serves them uncompressed from the package, e.g. from a read-only home.
OPENXM_COLLECT_STATIC = env_bool("OPENXM_COLLECT_STATIC", True)
# Uncollected files are still served from the package (tests, the development server).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- E-mail ----------------------------------------------------------------------------------
EMAIL_URL = env("OPENXM_EMAIL_URL")
DEFAULT_FROM_EMAIL = env("OPENXM_FROM_EMAIL", "openxm@localhost")
if EMAIL_URL:
    from urllib.parse import unquote, urlparse

    _email = urlparse(EMAIL_URL)
    if _email.scheme not in {"smtp", "smtps", "smtp+tls"}:
        raise ImproperlyConfigured("OPENXM_EMAIL_URL must start with smtp://, smtps:// or smtp+tls://")
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _email.hostname or "localhost"
    EMAIL_PORT = _email.port or (465 if _email.scheme == "smtps" else 25)
    EMAIL_HOST_USER = unquote(_email.username or "")
    EMAIL_HOST_PASSWORD = unquote(_email.password or "")
    EMAIL_USE_SSL = _email.scheme == "smtps"
    EMAIL_USE_TLS = _email.scheme == "smtp+tls"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# --- API -------------------------------------------------------------------------------------
NINJA_PAGINATION_PER_PAGE = 100

# --- Logs and metrics ------------------------------------------------------------------------
# "text" (the message alone) or "json" (one object per line with the request id; openxm.logs).
OPENXM_LOG_FORMAT = env("OPENXM_LOG_FORMAT", "text")
if OPENXM_LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(f"OPENXM_LOG_FORMAT must be text or json, not {OPENXM_LOG_FORMAT!r}")
# The bearer token a Prometheus scraper sends to /metrics; unset, /metrics answers 404.
OPENXM_METRICS_TOKEN = env("OPENXM_METRICS_TOKEN", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "outage": {"()": "openxm.web.outage.OutageLogFilter"},
        "request_id": {"()": "openxm.logs.RequestIdFilter"},
    },
    "formatters": {"json": {"()": "openxm.logs.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["outage", "request_id"],
            **({"formatter": "json"} if OPENXM_LOG_FORMAT == "json" else {}),
        }
    },
    "root": {"handlers": ["console"], "level": env("OPENXM_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
