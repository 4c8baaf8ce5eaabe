"""One settings module, read from the environment.

The embedded default (``make run``, ``make test``) needs no variables at all: SQLite under
``var/``, an embedded Celery broker, DEBUG on. Production sets ``DJANGO_DEBUG=False`` and must
then provide ``DJANGO_SECRET_KEY`` and ``ALLOWED_HOSTS``; ``manage.py check --deploy`` is clean.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("RECTIFY_VAR_DIR", BASE_DIR / "var"))


def envbool(name: str, default: str) -> bool:
    # Strict on purpose: "false", "0" or "no" would silently mean something else elsewhere.
    value = os.environ.get(name, default)
    if value not in ("True", "False"):
        raise ImproperlyConfigured(f"{name} must be exactly True or False, not {value!r}")
    return value == "True"


def envint(name: str, default: str) -> int:
    value = os.environ.get(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from None


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DJANGO_DEBUG", "True")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY is required when DJANGO_DEBUG=False")
    SECRET_KEY = "insecure-development-key-only-for-DEBUG-mode-do-not-deploy"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    # The project's apps, in their layers (bottom first; pyproject.toml's import-linter contract).
    "core",
    "villages",
    "casework",
    "earlywarning",
    "rectify",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "rectify.middleware.DefaultLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.http.DomainErrorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "rectify.urls"
WSGI_APPLICATION = "rectify.wsgi.application"

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
                "rectify.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'rectify.sqlite3'}"),
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", "0"),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the Celery worker and the web server read while the other writes.
    DATABASES["default"]["OPTIONS"] = {"init_command": "PRAGMA journal_mode=WAL;", "timeout": 20}
# Past one machine (README, "Scaling out"). A read replica: page and API reads go there, writes
# and reads inside a transaction to the primary (core/db.py, ReplicaRouter).
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", "0"))
    # Tests use the primary's test database for it, as the replica would show the same rows.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["core.db.ReplicaRouter"]
for _database in DATABASES.values():
    # Behind PgBouncer in transaction mode a server-side cursor (``.iterator()`` on PostgreSQL)
    # may outlive the transaction that opened it on a pooled connection: switch them off there.
    _database["DISABLE_SERVER_SIDE_CURSORS"] = envbool(
        "DATABASE_DISABLE_SERVER_SIDE_CURSORS", "False")
    # With persistent connections, check one before reusing it after a request (a restarted
    # server or pooler would otherwise cost the next request an error).
    _database["CONN_HEALTH_CHECKS"] = envbool("DATABASE_CONN_HEALTH_CHECKS", "False")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "villages.User"
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploaded evidence is never served by URL: views stream it after a scope check.
MEDIA_ROOT = Path(os.environ.get("RECTIFY_MEDIA_ROOT", VAR_DIR / "media"))

# --- Security (production: DJANGO_DEBUG=False) -------------------------------------------------
SESSION_COOKIE_SECURE = envbool("DJANGO_SECURE_COOKIES", str(not DEBUG))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = envbool("DJANGO_SECURE_SSL_REDIRECT", str(not DEBUG))
# The container health check calls plain http on 127.0.0.1 from inside.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = envint("DJANGO_SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000")
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", str(not DEBUG))
SECURE_HSTS_PRELOAD = envbool("DJANGO_SECURE_HSTS_PRELOAD", str(not DEBUG))
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if envbool("DJANGO_BEHIND_TLS_PROXY", "False"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- REST API -----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header is what turns "not logged in" into 401, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rectify.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["core.filters.StrictFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "EXCEPTION_HANDLER": "core.http.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "rectify API",
    "DESCRIPTION": "后进村党组织整顿转化 — villages, warning ratings, evaluations and bulletins.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Served from drf-spectacular-sidecar: government intranets have no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Celery -------------------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # A task taken by a worker that dies (acks_late) goes back to the queue after this long.
    # Workers look for such tasks every CELERY_RESTORE_INTERVAL seconds (kombu's default,
    # 10 s throttled to every 10th look, is ~100 s and hard to reason about).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", "3600"),
        "unacked_restore_interval": envint("CELERY_RESTORE_INTERVAL", "60"),
        "unacked_restore_throttle": 1,
    }
else:
    # Embedded default: kombu's filesystem transport needs no server at all.
    CELERY_BROKER_DIR = VAR_DIR / "celery"
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = envint("CELERY_TASK_SOFT_TIME_LIMIT", "300")
CELERY_TASK_TIME_LIMIT = envint("CELERY_TASK_TIME_LIMIT", "360")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The whole beat schedule lives here, in one visible place (times are Asia/Shanghai).
CELERY_BEAT_SCHEDULE = {
    # Rectification ledger: flag items past their due date, just after midnight.
    "casework-flag-overdue-ledger-items": {
        "task": "casework.tasks.flag_overdue_ledger_items",
        "schedule": crontab(hour=0, minute=10),
    },
    # Points (积分制): the month just ended, once its last day's ledger strike-offs and overdue
    # flags (00:10) are in.
    "casework-monthly-points": {
        "task": "casework.tasks.post_monthly_points",
        "schedule": crontab(day_of_month=1, hour=2, minute=0),
    },
    # Warning ratings: the task itself decides whether today is the 1st, the 16th or two days
    # before a deadline, so the schedule stays right whatever RATING_DEADLINE_DAYS is.
    "earlywarning-rating-reminders": {
        "task": "earlywarning.tasks.send_rating_reminders",
        "schedule": crontab(hour=8, minute=0),
    },
    # The warning roster of the half-month that begins today (pages make it too if this is late).
    "earlywarning-make-roster": {
        "task": "earlywarning.tasks.make_roster",
        "schedule": crontab(day_of_month="1,16", hour=0, minute=5),
    },
    # Monthly warning bulletins: each county's and the city's draft for the month just ended.
    "earlywarning-monthly-bulletins": {
        "task": "earlywarning.tasks.build_monthly_bulletins",
        "schedule": crontab(day_of_month=1, hour=6, minute=0),
    },
}

# --- Monthly bulletins ---------------------------------------------------------------------------
# False: the 1st-of-month task builds drafts that county staff review and publish by hand.
BULLETIN_AUTO_PUBLISH = envbool("BULLETIN_AUTO_PUBLISH", "False")

# --- Half-monthly warning ratings ----------------------------------------------------------------
# A period accepts ratings until this many days after it ends, then locks (DHIS2's expiry days).
RATING_DEADLINE_DAYS = envint("RATING_DEADLINE_DAYS", "3")
# How long a county's lock exception keeps a closed period open for one township.
RATING_EXCEPTION_DAYS = envint("RATING_EXCEPTION_DAYS", "7")

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "rectify@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}

# --- Rectification evidence ----------------------------------------------------------------------
# Uploaded evidence (ledger strike-offs, case closings): at most this many bytes, of these types
# (by extension and by the file's own signature). Stored under MEDIA_ROOT, never served by URL.
RECTIFY_EVIDENCE_MAX_BYTES = envint("RECTIFY_EVIDENCE_MAX_BYTES", str(10 * 1024 * 1024))
RECTIFY_EVIDENCE_TYPES = envlist("RECTIFY_EVIDENCE_TYPES", "pdf,jpg,jpeg,png,docx,xlsx")

# --- Quarterly evaluations ------------------------------------------------------------------------
# Score files uploaded through the web page or the API: at most this many bytes (a county of
# 3,000 villages × 111 indicators is about 1.5 MB of CSV). The import_scores command has no limit.
SCORE_IMPORT_MAX_BYTES = envint("SCORE_IMPORT_MAX_BYTES", str(20 * 1024 * 1024))
# Several resources have a "status" with its own choices; name each enum in the API schema.
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update({
    "CaseStatusEnum": "casework.models.CaseStatus",
    "LedgerItemStatusEnum": "casework.models.LedgerStatus",
    "HelpTeamStatusEnum": "casework.models.HelpTeamStatus",
    "ProjectStatusEnum": "casework.models.ProjectStatus",
    "RatingStatusEnum": "earlywarning.models.ratings.RatingStatus",
    "LineageKindEnum": "villages.models.LineageKind",
})
