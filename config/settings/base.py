"""Settings shared by every mode, read from the environment (django-environ).

Defaults run on a laptop with nothing installed: an SQLite file in the project, Celery tasks run
eagerly in-process, e-mail written to files. See `.env.example` for every variable.
"""

from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

SECRET_KEY = env("SECRET_KEY", default="keel-insecure-development-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

# Fernet key material for secrets stored in the database (apps.core.crypto).
KEEL_ENCRYPTION_KEY = env("KEEL_ENCRYPTION_KEY", default=SECRET_KEY)

INSTALLED_APPS = [
    "apps.accounts.admin_config.KeelAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "axes",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "apps.core",
    "apps.organization",
    "apps.accounts",
    "apps.ingestion",
    "apps.delivery",
    "apps.quality",
    "apps.reliability",
    "apps.costs",
    "apps.dora",
    "apps.economics",
    "apps.metrics",
    "apps.alerts",
    "apps.dashboard",
    "apps.digests",
    "apps.demo",
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
    # Last, as django-axes requires: turns a lockout into apps.accounts.throttling's answer.
    "axes.middleware.AxesMiddleware",
]

# django-axes first: it refuses a locked-out username and address before any password check;
# passwords only while KEEL_PASSWORD_LOGIN is on; single sign-on (it does nothing until
# KEEL_OIDC_ISSUER is set).
KEEL_PASSWORD_LOGIN = env.bool("KEEL_PASSWORD_LOGIN", default=True)
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    *(["django.contrib.auth.backends.ModelBackend"] if KEEL_PASSWORD_LOGIN else []),
    "apps.accounts.oidc.KeelOIDCBackend",
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'keel.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Laptop default. WAL lets the web server read while a sync writes; synchronous=NORMAL is
    # SQLite's recommended pairing with WAL (a commit is durable at the next checkpoint rather
    # than fsync'd each time), and IMMEDIATE transactions take the write lock up front so two
    # writers queue (timeout 30 s) instead of failing with "database is locked" mid-transaction.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"

# --- Single sign-on (OpenID Connect; docs/operations.md#single-sign-on) --------------------
# The issuer URL (its /.well-known/openid-configuration names every endpoint); empty: off.
KEEL_OIDC_ISSUER = env("KEEL_OIDC_ISSUER", default="")
KEEL_OIDC_PROVIDER_NAME = env("KEEL_OIDC_PROVIDER_NAME", default="single sign-on")
OIDC_RP_CLIENT_ID = env("KEEL_OIDC_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env("KEEL_OIDC_CLIENT_SECRET", default="")
OIDC_RP_SIGN_ALGO = env("KEEL_OIDC_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env("KEEL_OIDC_SCOPES", default="openid email profile")
OIDC_USE_PKCE = True
OIDC_STORE_ID_TOKEN = True  # the id_token_hint of the provider's logout
OIDC_TIMEOUT = 30
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc-callback"
# "configured": only e-mails of configured people and managers get an account; "anyone".
KEEL_OIDC_NEW_USERS = env("KEEL_OIDC_NEW_USERS", default="configured")
KEEL_OIDC_TRUST_EMAIL = env.bool("KEEL_OIDC_TRUST_EMAIL", default=False)
KEEL_OIDC_GROUPS_CLAIM = env("KEEL_OIDC_GROUPS_CLAIM", default="groups")
KEEL_OIDC_ADMIN_GROUPS = env.list("KEEL_OIDC_ADMIN_GROUPS", default=[])
KEEL_OIDC_MANAGER_GROUPS = env.list("KEEL_OIDC_MANAGER_GROUPS", default=[])
KEEL_OIDC_VIEWER_GROUPS = env.list("KEEL_OIDC_VIEWER_GROUPS", default=[])
KEEL_OIDC_REQUIRE_GROUP = env.bool("KEEL_OIDC_REQUIRE_GROUP", default=False)

# --- Login throttling (django-axes; docs/operations.md#login-throttling) -------------------
AXES_FAILURE_LIMIT = env.int("KEEL_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("KEEL_LOGIN_LOCKOUT_MINUTES", default=15))
# Per username and address: a wrong password from elsewhere never locks a user out.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "apps.accounts.throttling.lockout_response"
AXES_VERBOSE = False
# The client's address: REMOTE_ADDR, or behind KEEL_TRUSTED_PROXY_COUNT proxies (the TLS proxy:
# 1) the address they put in X-Forwarded-For (django-ipware). Never trusted by default: a client
# could send any X-Forwarded-For to dodge its lockout.
_PROXIES = env.int("KEEL_TRUSTED_PROXY_COUNT", default=0)
if _PROXIES:
    AXES_IPWARE_PROXY_COUNT = _PROXIES
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")

# --- E-mail -------------------------------------------------------------------------------
# Default: one file per message in var/mail/ (django-environ's filemail URLs lose the leading
# slash of an absolute path, so the default path is set directly).
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="filemail://var/mail")
vars().update(EMAIL_CONFIG)
if "EMAIL_URL" not in env.ENVIRON:
    EMAIL_FILE_PATH = str(BASE_DIR / "var" / "mail")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="keel@localhost")

# --- REST API -----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.accounts.api.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "apps.accounts.api.TokenScopeAllows",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "apps.metrics.api.schema.KeelAutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": env("API_THROTTLE_RATE", default="6000/minute")},
}

# API tokens (django-rest-knox): hashed at rest, `Authorization: Token keel_...`, expiring after
# KEEL_API_TOKEN_TTL_DAYS unless another life (1 to 366 days) is chosen at creation.
KNOX_TOKEN_MODEL = "accounts.ApiToken"
# knox's own migrations would still create its (swapped-out) token table, whose foreign key to
# the users would then block PostgreSQL's TRUNCATE of them: without them it is never created.
MIGRATION_MODULES = {"knox": None}
KEEL_API_TOKEN_TTL_DAYS = env.int("KEEL_API_TOKEN_TTL_DAYS", default=90)
KEEL_API_TOKEN_MAX_DAYS = 366
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=KEEL_API_TOKEN_TTL_DAYS),
    "AUTH_HEADER_PREFIX": "Token",
    "TOKEN_PREFIX": "keel_",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Keel API",
    "DESCRIPTION": "Engineering-health metrics, each traceable to the records behind it.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Served from the installed drf-spectacular-sidecar package: no CDN, works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "ENUM_NAME_OVERRIDES": {
        "ProviderEnum": "apps.organization.sources.identity_choices",
        "SyncRunStatusEnum": "apps.ingestion.models.SyncRun.Status",
        "CostImportStatusEnum": "apps.costs.models.CostImport.Status",
    },
}

# --- Celery -------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
# Without a broker, tasks run eagerly in the calling process (laptop default).
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = CELERY_BROKER_URL or "memory://"
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis hands a task a worker took but never acknowledged (acks_late: the worker died mid-task)
# to another worker after this many seconds. It must exceed the longest task time limit (cost
# import: 3 h), or a task still running would be started a second time.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT_SECONDS", default=3 * 3600 + 600),
}
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# --- Keel ---------------------------------------------------------------------------------
# The dashboard's address, for links in e-mail.
KEEL_BASE_URL = env("KEEL_BASE_URL", default="http://127.0.0.1:8000")
# Slack Web API base URL for bot-token alert channels (docs/alerts.md); tests use a stand-in.
KEEL_SLACK_API_URL = env("KEEL_SLACK_API_URL", default="https://slack.com/api/")
# Upper bound on one rate-limit wait; a longer reset fails the run instead of hanging a worker.
KEEL_MAX_RATE_LIMIT_WAIT_SECONDS = env.float("KEEL_MAX_RATE_LIMIT_WAIT_SECONDS", default=900.0)
KEEL_HTTP_TIMEOUT_SECONDS = env.float("KEEL_HTTP_TIMEOUT_SECONDS", default=30.0)
# A sync run still "running" after this long was killed (the sync task's hard limit is 1 h);
# the source's next run marks it failed (apps.ingestion.runs.sync_runs_stale_fail).
KEEL_SYNC_RUN_STALE_SECONDS = env.int("KEEL_SYNC_RUN_STALE_SECONDS", default=3600)
# How long the audit log (and the admin's change log) is kept (docs/operations.md#audit-log).
KEEL_AUDIT_RETENTION_DAYS = env.int("KEEL_AUDIT_RETENTION_DAYS", default=400)
KEEL_SMOOTHING_HALF_LIFE = env.float("KEEL_SMOOTHING_HALF_LIFE", default=3.0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"urllib3": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
