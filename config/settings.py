"""Settings for the reception platform: one module, driven by the environment.

Every value that differs between a laptop, CI and production comes from an environment
variable; the defaults are the development ones and never weaken a production deploy silently
(HTTPS hardening is its own switch, SECURE_HTTPS, and never implied by DEBUG=0).
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from core.mailurl import email_settings

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("DATA_DIR", BASE_DIR / ".data"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
BASE_DOMAIN = os.environ.get("BASE_DOMAIN", "localhost").lower()
# Secrets come only from the environment. A local run on loopback may go without one (a fixed
# key that `check --deploy` flags); any other domain refuses to start without SECRET_KEY.
SECRET_KEY = os.environ.get("SECRET_KEY", "")
# Seals each audit chain's head (core.audit): a key outside the database. Defaults to one derived
# from SECRET_KEY; set its own to keep the audit seal when SECRET_KEY rotates.
AUDIT_ANCHOR_KEY = os.environ.get("AUDIT_ANCHOR_KEY", "")
if not SECRET_KEY:
    if BASE_DOMAIN not in {"localhost", "127.0.0.1"} and not BASE_DOMAIN.endswith(".localhost"):
        raise ImproperlyConfigured("SECRET_KEY must be set in the environment outside local development.")
    SECRET_KEY = "django-insecure-local-development-only-" + "0" * 24
PORT = int(os.environ.get("PORT", "8000"))
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [BASE_DOMAIN, "." + BASE_DOMAIN])
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "")

# --- Applications -------------------------------------------------------------------------
# Public schema: identity, the jurisdiction tree, providers and the cross-tenant tables.
SHARED_APPS = [
    # `tenants` comes first so that its migrate/migrate_schemas commands (which also migrate the
    # template schema) take precedence over django-tenants' own.
    "tenants",
    "django_tenants",
    "core",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "provider_portal",
    "reporting",
]
# Tenant schemas: the reception workflow and the tenant-local parts of the upper apps.
TENANT_APPS = [
    "reception",
    "provider_portal.orders",
    "reporting.local",
]
INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Jurisdiction"
TENANT_DOMAIN_MODEL = "tenants.Domain"
# New tenants are cloned from this migrated template schema (see tenants/provisioning.py).
TENANT_BASE_SCHEMA = "tenant_template"
TENANT_CREATION_FAKES_MIGRATIONS = True
PUBLIC_SCHEMA_URLCONF = "config.urls_public"
ROOT_URLCONF = "config.urls_tenant"
# Reporting reads to the read replica when there is one (core/db/replica.py); answers nothing
# without DATABASE_REPLICA_URL.
DATABASE_ROUTERS = ["core.db.replica.ReplicaRouter", "django_tenants.routers.TenantSyncRouter"]
# Set search_path once per schema switch instead of before every query (one round trip saved per
# query; switching schemas still resets it).
TENANT_LIMIT_SET_CALLS = True

MIDDLEWARE = [
    "core.middleware.HealthCheckMiddleware",
    "core.middleware.RequestIdMiddleware",
    "core.middleware.ReplicaPinMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tenants.middleware.JurisdictionMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "core.middleware.UserTimeZoneMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.uploads.AnonymousMultipartMiddleware",  # before anything parses the body
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

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
                "tenants.context_processors.jurisdiction",
            ],
        },
    },
]

# Form errors render their stable code as `data-code` (core/form_templates).
FORM_RENDERER = "core.forms.FormRenderer"

WSGI_APPLICATION = "config.wsgi.application"

# --- Database -----------------------------------------------------------------------------

# "transaction" when DATABASE_URL points at PgBouncer in transaction-pooling mode.
DATABASE_POOLING = os.environ.get("DATABASE_POOLING", "").strip().lower()
if DATABASE_POOLING not in {"", "session", "transaction"}:
    raise ImproperlyConfigured("DATABASE_POOLING must be empty, session or transaction")


def database_from_url(url: str) -> dict:
    config: dict = dj_database_url.parse(  # type: ignore[assignment]
        url, conn_max_age=600, conn_health_checks=True
    )
    # A socket directory given as ?host=/path (the embedded server's URI) belongs in HOST.
    options = config.setdefault("OPTIONS", {})
    if "host" in options:
        config["HOST"] = options.pop("host")
    # django-tenants' backend, which also works behind a transaction-pooling PgBouncer.
    config["ENGINE"] = "core.db.backend"
    config["CONN_MAX_AGE"] = int(os.environ.get("CONN_MAX_AGE", "600"))
    config["CONN_HEALTH_CHECKS"] = True
    if DATABASE_POOLING == "transaction":
        # Behind PgBouncer (docs/scaling.md): the search path travels with every statement, and
        # no server-side cursor (it would outlive the transaction's server connection).
        config["POOLING"] = DATABASE_POOLING
        config["DISABLE_SERVER_SIDE_CURSORS"] = True
    return config


DATABASE_URL = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/reception")
DATABASES = {"default": database_from_url(DATABASE_URL)}
# A streaming replica of DATABASE_URL's database (docs/scaling.md): statistics, exports, PDFs and
# the oversight dashboard read from it; it runs in the default connection's tenant schema.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "").strip()
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = database_from_url(DATABASE_REPLICA_URL)
    DATABASES["replica"]["SCHEMA_FOLLOWS"] = "default"
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
# After a write, its client reads from the primary for this long (covers the replica's lag).
DATABASE_REPLICA_PIN_SECONDS = int(os.environ.get("DATABASE_REPLICA_PIN_SECONDS", "5"))
# Each web process keeps the host, token, user and membership rows it read, emptied by PostgreSQL
# NOTIFY whenever any of them changes (core/db/notified.py). Listening needs a direct connection:
# behind PgBouncer in transaction mode set DATABASE_LISTEN_URL to the server itself, or the cache
# stays off.
ACCESS_CACHE = env_bool("ACCESS_CACHE", True)
ACCESS_CACHE_SECONDS = int(os.environ.get("ACCESS_CACHE_SECONDS", "300"))
DATABASE_LISTEN_URL = os.environ.get("DATABASE_LISTEN_URL", "").strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Identity -----------------------------------------------------------------------------
AUTH_USER_MODEL = "core.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/work/"  # tenants.views.landing: where the user's work is
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Host-only cookies on purpose: single sign-on works by signed codes, not a shared domain cookie.
SESSION_COOKIE_DOMAIN = None
CSRF_COOKIE_DOMAIN = None
SSO_CODE_MAX_AGE = 60

# Login throttling (docs/api.md): failures per username and per client address.
LOGIN_THROTTLE_WINDOW = timedelta(minutes=15)
LOGIN_THROTTLE_USERNAME_FAILURES = 5
LOGIN_THROTTLE_IP_FAILURES = 100
# Number of reverse proxies in front of the app whose X-Forwarded-For may be trusted.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

# --- Security -----------------------------------------------------------------------------
SECURE_HTTPS = env_bool("SECURE_HTTPS", False)
SECURE_SSL_REDIRECT = SECURE_HTTPS
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SECURE_HSTS_SECONDS = 31536000 if SECURE_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HTTPS
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Preloading HSTS binds the whole registrable domain (often a government's shared parent domain):
# that is the domain owner's decision, taken with SECURE_HSTS_PRELOAD=1, not a deploy default.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
# Script and style from this site only, never inline (static/js/app.js carries what pages did
# inline); images may be data: URLs (charts); no plugins; no framing by other sites.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
    ]
)
CONTENT_SECURITY_POLICY_DOCS = CONTENT_SECURITY_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY") else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
#: Anonymous multipart bodies (core/uploads.py): no anonymous form sends files.
ANONYMOUS_MULTIPART_MAX_BYTES = int(os.environ.get("ANONYMOUS_MULTIPART_MAX_BYTES", str(256 * 1024)))
ANONYMOUS_MULTIPART_RATE = int(os.environ.get("ANONYMOUS_MULTIPART_RATE", "20"))
ANONYMOUS_MULTIPART_WINDOW = 60
#: The largest JSON body the API reads (core/requestbody.py); nesting is limited to 64 levels.
JSON_MAX_BYTES = 2 * 1024 * 1024

# --- I18n ---------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media ---------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# STATIC_MANIFEST=1 (compose, after collectstatic) gives hashed names and long cache lifetimes;
# without it files are served straight from the apps' static folders (make run, tests).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- Cache --------------------------------------------------------------------------------
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL.startswith("redis://"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- REST API -----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tenants.authentication.TokenAuthentication",  # core's, with the memberships
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "core.requestbody.JsonParser",  # size and depth checked before parsing
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["core.api.FilterBackend"],  # django-filter's, skipped when nothing is filtered
    "DEFAULT_PAGINATION_CLASS": "core.api.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=int(os.environ.get("TOKEN_TTL_HOURS", "10"))),
    "AUTO_REFRESH": True,
    "TOKEN_LIMIT_PER_USER": None,
    "AUTH_HEADER_PREFIX": "Token",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Official reception platform API",
    "DESCRIPTION": (
        "公务接待管理平台. The public host documents sign-in, the directory, the provider portal and "
        "onboarding; each jurisdiction's operations (letters, tasks, plans, orders, statistics, directives) "
        "are documented on its own host, `https://<slug>.<BASE_DOMAIN>/api/docs/` (the slugs are in "
        "`GET /api/v1/jurisdictions/`). The stable v1 contract is docs/api.md in the repository."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ReceptionLevelEnum": "reception.models.common.ReceptionLevel",
        "TaskStatusEnum": "reception.models.tasks.TaskStatus",
        "LetterStatusEnum": "reception.models.letters.LetterStatus",
        "ItemKindEnum": "reception.models.plans.ItemKind",
        "RoomTypeEnum": "reception.models.plans.RoomType",
        "ResourceKindEnum": "reception.models.resources.ResourceKind",
        "NoticeKindEnum": "reception.models.meetings.NoticeKind",
        "SeatingLayoutEnum": "reception.models.seating.Layout",
        "SeatingSideEnum": "reception.models.seating.Side",
        "ProviderKindEnum": "provider_portal.models.ProviderKind",
        "OrderStatusEnum": "provider_portal.models.OrderStatus",
        "PaymentMethodEnum": "provider_portal.orders.models.PaymentMethod",
        "DirectiveKindEnum": "reporting.models.DirectiveKind",
        "DeliveryStatusEnum": "reporting.models.DeliveryStatus",
        "ReportStatusEnum": "reporting.models.ReportStatus",
    },
}

# --- Celery -------------------------------------------------------------------------------
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
# The worker logs through LOGGING (UTC timestamps) instead of replacing the root logger's handlers.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = DATA_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        # kombu's default is ./control, in whatever folder the worker starts: keep it with the data.
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # An unacknowledged task (its worker died) is handed to another worker after this long.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600")),
        # How often workers look for such abandoned tasks (seconds, and every Nth look scans).
        "unacked_restore_interval": int(os.environ.get("CELERY_UNACKED_RESTORE_INTERVAL", "10")),
        "unacked_restore_throttle": int(os.environ.get("CELERY_UNACKED_RESTORE_THROTTLE", "10")),
    }
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "reception")
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict = {
    "notifications-sweep": {
        "task": "core.notifications_sweep",
        "schedule": float(os.environ.get("NOTIFICATION_SWEEP_INTERVAL", "60")),
    },
    "login-failures-prune": {"task": "core.login_failures_prune", "schedule": 3600.0},
    # Spare schemas for onboarding (tenants/pool.py) and approvals whose task never ran.
    "tenants-spare-pool-refill": {
        "task": "tenants.spare_pool_refill",
        "schedule": float(os.environ.get("TENANT_SPARE_POOL_INTERVAL", "60")),
    },
    "tenants-onboarding-sweep": {"task": "tenants.onboarding_sweep", "schedule": 120.0},
    # Reminds jurisdictions that have not reported, 3 days before the deadline (daily at 08:00).
    "report-reminders": {"task": "reporting.report_reminders", "schedule": crontab(hour=8, minute=0)},
    # Early warnings: supervisors get a daily digest (08:30); finance each new finding (below).
    "reporting-warnings-digest": {
        "task": "reporting.warnings_digest_sweep",
        "schedule": crontab(hour=8, minute=30),
    },
    "reporting-warnings-sweep": {
        "task": "reporting.warnings_sweep",
        "schedule": float(os.environ.get("WARNINGS_SWEEP_INTERVAL", "300")),
    },
}
# Directive deliveries retry after base, 2×base, 4×base … seconds (5 attempts in all).
DIRECTIVE_RETRY_BASE_SECONDS = float(os.environ.get("DIRECTIVE_RETRY_BASE_SECONDS", "5"))

# --- Messages that leave the system (docs/messages.md) --------------------------------------
# E-mail: EMAIL_URL (smtp://, smtp+tls://, smtp+ssl://, user:password@host:port). Without it
# mail goes to files under .data/mail (status `sent`), so a local run works offline.
EMAIL_URL = os.environ.get("EMAIL_URL", "")
_mail = email_settings(EMAIL_URL) if EMAIL_URL else {}
EMAIL_BACKEND = _mail.get("EMAIL_BACKEND") or os.environ.get(
    "EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend"
)
EMAIL_FILE_PATH = str(Path(os.environ.get("EMAIL_FILE_PATH", DATA_DIR / "mail")))
EMAIL_HOST = _mail.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _mail.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _mail.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _mail.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _mail.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _mail.get("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = _mail.get("EMAIL_TIMEOUT", 20.0)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL") or "公务接待 <reception@" + BASE_DOMAIN + ">"
# SMS: `log` (development), `aliyun` (Alibaba Cloud SMS), `tencent` (Tencent Cloud SMS), or a
# dotted path to a gateway class. Vendor templates are approved in advance: SMS_TEMPLATES maps
# each message kind to its template id ("kind=id,kind=id"; "*" for every other kind).
SMS_BACKEND = os.environ.get("SMS_BACKEND") or "log"
SMS_ACCESS_KEY_ID = os.environ.get("SMS_ACCESS_KEY_ID", "")
SMS_ACCESS_KEY_SECRET = os.environ.get("SMS_ACCESS_KEY_SECRET", "")
SMS_SIGN_NAME = os.environ.get("SMS_SIGN_NAME") or "公务接待"
SMS_APP_ID = os.environ.get("SMS_APP_ID", "")  # Tencent's SmsSdkAppId
SMS_REGION = os.environ.get("SMS_REGION") or "ap-guangzhou"  # Tencent's region
SMS_ENDPOINT = os.environ.get("SMS_ENDPOINT", "")  # e.g. a government cloud's endpoint
SMS_TIMEOUT = float(os.environ.get("SMS_TIMEOUT", "10"))
_sms_pairs = [pair.split("=", 1) for pair in env_list("SMS_TEMPLATES", []) if "=" in pair]
SMS_TEMPLATES = {kind.strip(): template.strip() for kind, template in _sms_pairs}
# Delivery receipts are pushed by the gateway to /api/v1/messages/receipts/<vendor>/<token>/.
SMS_RECEIPT_TOKEN = os.environ.get("SMS_RECEIPT_TOKEN", "")
# The outbox worker: attempts, backoff (base, doubling, capped), lease of a claimed row, batch.
OUTBOX_MAX_ATTEMPTS = int(os.environ.get("OUTBOX_MAX_ATTEMPTS", "6"))
OUTBOX_RETRY_BASE_SECONDS = float(os.environ.get("OUTBOX_RETRY_BASE_SECONDS", "10"))
OUTBOX_RETRY_MAX_SECONDS = float(os.environ.get("OUTBOX_RETRY_MAX_SECONDS", "1800"))
OUTBOX_LEASE_SECONDS = int(os.environ.get("OUTBOX_LEASE_SECONDS", "300"))
OUTBOX_CLAIM_BATCH = int(os.environ.get("OUTBOX_CLAIM_BATCH", "10"))
# Queued messages no worker took for this long are re-queued by the sweeper (broker outages).
NOTIFICATION_SWEEP_AFTER = int(os.environ.get("NOTIFICATION_SWEEP_AFTER", "120"))
# Links in messages: the scheme and port of the platform's public address.
SITE_SCHEME = os.environ.get("SITE_SCHEME", "https" if SECURE_HTTPS else "http")
SITE_PORT = os.environ.get("SITE_PORT", "" if BASE_DOMAIN not in {"localhost", "127.0.0.1"} else str(PORT))

# --- Logging ------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"()": "core.logging.UTCFormatter", "format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    },
    "filters": {"one_line_refusals": {"()": "core.logging.OneLineRefusals"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"filters": ["one_line_refusals"]},
        "django.db.backends": {"level": "WARNING"},
        "django_tenants": {"level": "WARNING"},
    },
}

# --- Reception ---------------------------------------------------------------------------
# Public letter intake: submissions per client address per hour; guest itinerary links: lifetime.
RECEPTION_INTAKE_PER_HOUR = int(os.environ.get("RECEPTION_INTAKE_PER_HOUR", "10"))
RECEPTION_ITINERARY_DAYS = int(os.environ.get("RECEPTION_ITINERARY_DAYS", "30"))
# Evaluation links sent to the parties expire (410 `link_expired`); staff can resend fresh ones.
RECEPTION_EVALUATION_LINK_DAYS = int(os.environ.get("RECEPTION_EVALUATION_LINK_DAYS", "30"))

# --- Onboarding ---------------------------------------------------------------------------
# Applications per client address per hour (docs/api.md: 30); spare schemas kept ready.
ONBOARDING_APPLICATIONS_PER_HOUR = int(os.environ.get("ONBOARDING_APPLICATIONS_PER_HOUR", "30"))
TENANT_SPARE_POOL_SIZE = int(os.environ.get("TENANT_SPARE_POOL_SIZE", "2"))

PLATFORM_NAME = _("公务接待管理平台")
