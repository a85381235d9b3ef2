"""One settings module for every environment, read from the environment (django-environ).

Nothing exists only in production: production behaviour is switched on by variables, and
``manage.py check --deploy`` with ``DJANGO_DEBUG=false`` proves it. The embedded default (no variables
at all, as ``make run`` uses it) is SQLite under ``var/`` with Celery tasks running in process.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)

if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-development-key-only-for-debug-mode")
else:
    SECRET_KEY = env.str("SECRET_KEY", default="")
    if not SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY must be set when DJANGO_DEBUG is off.")

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "config.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "core",
    "tenants",
    "services",
    "agreements",
    "billing",
    "transition",
    "quality",
    "budget",
    "config.apps.PortalConfig",
]

#: The portal's own apps, lowest layer first: their ``urls``, ``api``, ``portal`` and ``demo`` modules are
#: picked up by name (``config.portal``), and provider staff get their models in the admin.
PORTAL_APPS = ("tenants", "services", "agreements", "billing", "transition", "budget", "quality")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.PortalLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.SessionTimeoutMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "tenants.middleware.MFARequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.middleware.SecurityHeadersMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "config.context_processors.portal",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'portal.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections: a new PostgreSQL connection costs about 6 ms of every request. The health
# check drops a connection the server closed before a request uses it. With PgBouncer: see
# docs/performance.md. DB_CONN_MAX_AGE=0 opens a connection per request.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=600)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("DB_CONN_HEALTH_CHECKS", default=True)
# Behind a transaction-pooling PgBouncer server-side cursors break; set this to true there.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool(
    "DB_DISABLE_SERVER_SIDE_CURSORS", default=False
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication -------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "tenants.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": env.int("PASSWORD_MIN_LENGTH", default=12)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# django-guardian: no anonymous access anywhere in the portal.
GUARDIAN_ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False

# django-axes: lock an account by user name after repeated failures, from whatever address they come
# (guessing spread over many addresses is still counted). Addresses are throttled on their own
# (LOGIN_THROTTLE_*), so one address cannot try many accounts either.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes warns that a lockout without the address can be dodged by rotating user agents; the per-address
# throttle below is what covers addresses here, so the warning does not apply.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# History in the admin is read-only (core.admin_history): no "revert" past the services.
SIMPLE_HISTORY_REVERT_DISABLED = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
# The client's address: REMOTE_ADDR, or behind the TLS proxy the last address the proxy appended to
# X-Forwarded-For (a client can put anything before it, never after it).
BEHIND_TLS_PROXY = env.bool("DJANGO_BEHIND_TLS_PROXY", default=False)
AXES_CLIENT_IP_CALLABLE = "core.clientip.client_ip"
# Failed logins per address per window, whatever the user names tried (a cache counter).
LOGIN_THROTTLE_LIMIT = env.int("LOGIN_THROTTLE_LIMIT", default=20)
LOGIN_THROTTLE_WINDOW_MINUTES = env.int("LOGIN_THROTTLE_WINDOW_MINUTES", default=15)

# Sessions: logged out after this long without a request, and after this long whatever happens.
SESSION_IDLE_TIMEOUT_MINUTES = env.int("SESSION_IDLE_TIMEOUT_MINUTES", default=30)
SESSION_ABSOLUTE_HOURS = env.int("SESSION_ABSOLUTE_HOURS", default=12)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_HOURS * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Two-factor authentication (TOTP, recovery codes): required for provider roles and the admin when on.
MFA_REQUIRED = env.bool("MFA_REQUIRED", default=not DEBUG)
OTP_TOTP_ISSUER = "Portaal bedrijfsvoering Leiden"

# API tokens (django-rest-knox): stored as hashes, shown once, expiring.
KNOX_TOKEN_MODEL = "tenants.ApiToken"  # noqa: S105 (a model name, not a secret)
API_TOKEN_DEFAULT_DAYS = env.int("API_TOKEN_DEFAULT_DAYS", default=90)
API_TOKEN_MAX_DAYS = env.int("API_TOKEN_MAX_DAYS", default=365)
# knox's own table would be made by its migrations even though the model is swapped for ours.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=API_TOKEN_DEFAULT_DAYS),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}

# --- Internationalisation -------------------------------------------------------------------------
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Nederlands")), ("en", _("Engels"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media"))
# Serve static files straight from the app and static/ folders (no collectstatic), as `make run` does.
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=DEBUG)
WHITENOISE_AUTOREFRESH = WHITENOISE_USE_FINDERS
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env.bool("STATIC_MANIFEST", default=not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Security (switched on by variables; defaults are safe when debug is off) ---------------------
SECURE = env.bool("DJANGO_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = SECURE
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000 if SECURE else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Content-Security-Policy (django-csp): the portal's own scripts and styles only, nothing inline.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=()"
)

# --- Uploads --------------------------------------------------------------------------------------
UPLOAD_MAX_PDF_MB = env.int("UPLOAD_MAX_PDF_MB", default=10)
UPLOAD_MAX_CSV_MB = env.int("UPLOAD_MAX_CSV_MB", default=20)
# Request bodies other than files (form fields) stay small; files above 2.5 MB go to a temporary file.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("FILE_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)

# --- E-mail ---------------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="bedrijfsvoering@leiden.example.nl")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery ---------------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
# Without a broker (the embedded default) tasks run in process.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
# A worker process that dies mid-task (killed, out of memory) hands its message back to the queue
# instead of acknowledging it; the task then continues its run (the work is idempotent).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The soft limit raises in the task, which records its run as failed; the hard limit kills the process,
# and the run's stale heartbeat is recovered (recover_runs).
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=600)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=900)
# Redelivery of an unacknowledged task only after this long: above the longest task's hard limit, so a
# task still working is never delivered a second time.
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
if CELERY_VISIBILITY_TIMEOUT <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured("CELERY_VISIBILITY_TIMEOUT must be above CELERY_TASK_TIME_LIMIT.")
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
# A running billing, settlement or transition run whose heartbeat is older than this was interrupted:
# recover_runs (and its beat task) marks it failed and restarts billing for its period.
RUN_STALE_MINUTES = env.int("RUN_STALE_MINUTES", default=20)
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BEAT_SCHEDULE: dict = {
    "purge-login-records": {
        "task": "tenants.purge_login_records_task",
        "schedule": crontab(hour=3, minute=15),
        "kwargs": {"older_than_days": env.int("LOGIN_RECORD_RETENTION_DAYS", default=90)},
    },
    "agreements-notice-reminders": {
        "task": "agreements.send_notice_reminders_task",
        "schedule": crontab(hour=7, minute=0),
    },
    # Renewal: next year's lines on 1 December, so they show before the year starts, and again on
    # 1 January for the new year (for agreements that came into force in December). Both idempotent.
    "agreements-renew-next-year": {
        "task": "agreements.renew_agreements_task",
        "schedule": crontab(month_of_year=12, day_of_month=1, hour=5, minute=0),
        "kwargs": {"years_ahead": 1},
    },
    "agreements-renew-this-year": {
        "task": "agreements.renew_agreements_task",
        "schedule": crontab(month_of_year=1, day_of_month=1, hour=5, minute=0),
        "kwargs": {"years_ahead": 0},
    },
    # Every weekday; the task bills only on the first working day of a period (holidays skipped).
    "billing-bill-due-period": {
        "task": "billing.bill_due_period_task",
        "schedule": crontab(hour=6, minute=30, day_of_week="1-5"),
    },
    # Every five minutes: runs whose heartbeat went stale are marked failed, billing restarted.
    "billing-recover-runs": {
        "task": "billing.recover_runs_task",
        "schedule": crontab(minute="*/5"),
    },
    "transition-recover-runs": {
        "task": "transition.recover_runs_task",
        "schedule": crontab(minute="*/5"),
    },
    "budget-deadline-reminders": {
        "task": "budget.send_deadline_reminders_task",
        "schedule": crontab(hour=7, minute=10),
    },
    "budget-overrun-alerts": {
        "task": "budget.check_budget_overruns_task",
        "schedule": crontab(hour=7, minute=20),
    },
    # Daily; the task makes the reports of the last full quarter once, so a missed day only delays them.
    "quality-quarterly-reports": {
        "task": "quality.generate_quarterly_reports_task",
        "schedule": crontab(hour=6, minute=0),
    },
}

# --- Caches ---------------------------------------------------------------------------------------
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- REST framework -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tenants.auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.PagePagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
        "core.exports.CSVRenderer",
        "core.exports.XLSXRenderer",
    ],
    "DEFAULT_SCHEMA_CLASS": "core.schema.PortalAutoSchema",
    "COERCE_DECIMAL_TO_STRING": True,
    "DATETIME_FORMAT": "iso-8601",
    "DATE_FORMAT": "iso-8601",
    "URL_FORMAT_OVERRIDE": "format",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Portaal bedrijfsvoering Leiden API",
    "DESCRIPTION": (
        "REST exports of the shared business-operations portal: catalogue, tariffs, agreements, "
        "invoices and the transition report. Every list answers JSON (paginated), `?format=csv` "
        "(streamed, every row) and `?format=xlsx`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Swagger UI from the installed package, not from a CDN: the portal works without outside requests.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Portal ---------------------------------------------------------------------------------------
# With debug off, seed_demo runs only when DEMO_PASSWORD was chosen (the default is published).
DEMO_PASSWORD_SET = bool(env.str("DEMO_PASSWORD", default=""))
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="") or "demo-portaal-2024"
BILLING_PERIOD = env.str("BILLING_PERIOD", default="quarter")
NOTICE_LEAD_DAYS = env.int("NOTICE_LEAD_DAYS", default=90)
#: the largest volume a line or change request may hold, in any service's unit
MAX_VOLUME_PER_SERVICE = env.int("MAX_VOLUME_PER_SERVICE", default=1_000_000)
# Forecast above the budget by more than this percentage: alert the municipality (once per quarter).
BUDGET_ALERT_THRESHOLD_PERCENT = env.str("BUDGET_ALERT_THRESHOLD_PERCENT", default="5")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # WeasyPrint and fontTools narrate every PDF at INFO; their warnings still show.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
