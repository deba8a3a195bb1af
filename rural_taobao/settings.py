"""Settings for the Rural Taobao Partner Hub, driven by the environment.

DEBUG is off unless DEBUG=1 is set (`make run` and the tests set it). Development
defaults are embedded and safe (SQLite file, tasks run in-process); production sets
DATABASE_URL (PostgreSQL), CELERY_BROKER_URL (Redis) and SECRET_KEY, and refuses to
start without a secret key when DEBUG is off.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

# Production by default: DEBUG is on only when asked for (`make run` and scripts/test.sh
# set DEBUG=1); a missing variable means production settings.
DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set: DEBUG is off (the default, production). Set SECRET_KEY to a long random"
            " value, or set DEBUG=1 for development (`make run` does)."
        )
    # A dev-only default, refused when DEBUG is off (bandit B105).
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production"  # noqa: S105  # nosec B105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

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
    "axes",
    "simple_history",
    "rural_taobao.apps.KernelConfig",
    "counties",
    "partners",
    "orders",
    "notifications",
    "integrity",
    "analytics",
    "payouts",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages and API answers gzipped for partners on 3G (static files come from whitenoise,
    # compressed when collected, and never reach this). Django's GZipMiddleware pads each
    # answer with random bytes ("Heal the Breach"), its mitigation against BREACH.
    "django.middleware.gzip.GZipMiddleware",
    "rural_taobao.middleware.RequestSizeLimitMiddleware",
    "rural_taobao.middleware.RefuseNullCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # X-RT-User on HTML answers: whose page it is, for the service worker's saved copies.
    "rural_taobao.middleware.OfflineIdentityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "rural_taobao.middleware.DatabaseUnavailableMiddleware",
    # The product's 404 page with DEBUG on too (rural_taobao/error_pages.py).
    "rural_taobao.error_pages.NotFoundPageMiddleware",
]

ROOT_URLCONF = "rural_taobao.urls"
WSGI_APPLICATION = "rural_taobao.wsgi.application"

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
                "rural_taobao.context_processors.role_context",
            ],
            # yuan, count, percent …: the same figures on every page in every language.
            "builtins": ["rural_taobao.template_filters"],
        },
    },
]

# The embedded default is a SQLite file beside manage.py; production is PostgreSQL.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
# A persistent connection broken by a database restart is replaced, not reused.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server read while a task writes.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Optional read replica: dashboard, profile and export reads go there (rural_taobao/db_router.py).
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"].setdefault("CONN_MAX_AGE", DATABASES["default"]["CONN_MAX_AGE"])
    # Tests run the replica as a mirror of the test database.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["rural_taobao.db_router.ReplicaRouter"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "rural_taobao.login_protection.LoginLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Login protection (django-axes): see rural_taobao/login_protection.py.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_COOLOFF_TIME = 0.5  # hours
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "rural_taobao.login_protection.lockout_response"
AXES_USERNAME_CALLABLE = "rural_taobao.login_protection.lockout_username"
# The client's address: X-Forwarded-For PROXY_COUNT hops from the right behind the TLS
# proxy (rural_taobao/client_ip.py); the API throttles read the same function.
PROXY_COUNT = env.int("PROXY_COUNT", default=0)
if PROXY_COUNT < 0:
    raise ImproperlyConfigured("PROXY_COUNT must be 0 or the number of proxies in front of the app")
AXES_CLIENT_IP_CALLABLE = "rural_taobao.client_ip.client_ip"
AXES_SENSITIVE_PARAMETERS = ["password"]
AXES_VERBOSE = False

# API tokens expire this many days after they are issued (rural_taobao/api_tokens.py).
API_TOKEN_DAYS = env.int("API_TOKEN_DAYS", default=30)
if API_TOKEN_DAYS < 1:
    raise ImproperlyConfigured("API_TOKEN_DAYS must be a positive number of days")

# Bodies: 25 MB at most for any request (the partner import allows 20 MB files);
# form fields other than files: 2.5 MB (Django's default).
MAX_REQUEST_BYTES = env.int("MAX_REQUEST_BYTES", default=25 * 1024 * 1024)

# Money: commission confirmed by the platform becomes payable this many days after the
# confirmation (the villager's return window); exited partners read their income pages
# this many days after they exit.
RETURN_WINDOW_DAYS = env.int("RETURN_WINDOW_DAYS", default=7)
EXITED_PARTNER_INCOME_DAYS = env.int("EXITED_PARTNER_INCOME_DAYS", default=365)
# Someone rejected or failed in training may apply again (the same phone, through /apply/)
# this many days after that decision; a withdrawn or exited partner at once.
PARTNER_REAPPLY_WAIT_DAYS = env.int("PARTNER_REAPPLY_WAIT_DAYS", default=90)
if PARTNER_REAPPLY_WAIT_DAYS < 0:
    raise ImproperlyConfigured("PARTNER_REAPPLY_WAIT_DAYS must be 0 or a number of days")
# 亿元淘宝县: a county whose yearly online retail sales reach 一亿元 (¥100,000,000). The
# county summary, the ranking, the projection and the national headline measure against it.
TAOBAO_COUNTY_THRESHOLD_YUAN = 100_000_000
# The platform amount may differ from the order's total by this much (yuan) and still match.
RECONCILIATION_TOLERANCE = env.str("RECONCILIATION_TOLERANCE", default="1.00")

# SMS (rural_taobao/sms.py): the console backend logs messages (the embedded default);
# rural_taobao.sms.HttpGatewayBackend POSTs them, signed, to the gateway.
SMS_BACKEND = env.str("SMS_BACKEND", default="rural_taobao.sms.ConsoleBackend")
SMS_GATEWAY_URL = env.str("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_SECRET = env.str("SMS_GATEWAY_SECRET", default="")
SMS_GATEWAY_TIMEOUT = env.float("SMS_GATEWAY_TIMEOUT", default=5.0)
if SMS_BACKEND.endswith(".HttpGatewayBackend") and not (SMS_GATEWAY_URL and SMS_GATEWAY_SECRET):
    raise ImproperlyConfigured("SMS_GATEWAY_URL and SMS_GATEWAY_SECRET must be set for the SMS gateway backend")
if SMS_GATEWAY_TIMEOUT <= 0:
    raise ImproperlyConfigured("SMS_GATEWAY_TIMEOUT must be a positive number of seconds")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Internationalisation: Simplified Chinese first, English second.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
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
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Celery: without a broker, tasks run in-process (the embedded default).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Workers log through LOGGING's console handler (phones masked, tracebacks included)
# rather than handlers of Celery's own that would write them in full.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TASK_ROUTES = {
    "analytics.*": {"queue": "rollups"},
}
CELERY_BEAT_SCHEDULE = {
    "run-nightly-rollups": {
        "task": "analytics.tasks.run_nightly_rollups_task",
        "schedule": crontab(hour=1, minute=30),
        "options": {"expires": 6 * 60 * 60, "queue": "rollups"},
    },
    # The outbox's safety net: messages whose task never reached the broker (it was down
    # when their transaction committed) are sent again.
    "send-queued-messages": {
        "task": "notifications.tasks.send_queued_messages_task",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 4 * 60},
    },
}

REST_FRAMEWORK = {
    # Service errors and Django ValidationErrors answer with their status, mapped in one place.
    "EXCEPTION_HANDLER": "rural_taobao.errors.api_exception_handler",
    # Token first: an anonymous API call gets 401 with a `WWW-Authenticate: Token` challenge.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rural_taobao.api_tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON in and out; the partner import declares its own multipart parser.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "rural_taobao.api.StandardPagination",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "COERCE_DECIMAL_TO_STRING": True,
    # Every API read is counted per user ("reads"); views with throttles of their own list
    # ReadRateThrottle beside them. Writes count against "writes".
    "DEFAULT_THROTTLE_CLASSES": ["rural_taobao.throttling.ReadRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "token": env.str("TOKEN_THROTTLE_RATE", default="20/min"),
        "writes": env.str("WRITE_THROTTLE_RATE", default="600/min"),
        "reads": env.str("READ_THROTTLE_RATE", default="300/min"),
        # Submissions of the public application form per client address (partners.applications).
        "apply": env.str("APPLY_THROTTLE_RATE", default="10/hour"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Rural Taobao Partner Hub API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "rural_taobao.api.document_shared_errors",
    ],
    "ENUM_NAME_OVERRIDES": {
        "OrderStatusEnum": "orders.models.OrderStatus",
        "PartnerStatusEnum": "partners.models.PartnerStatus",
        "StatementStatusEnum": "analytics.models.StatementStatus",
        "ChannelEnum": "orders.models.Channel",
        "PayoutBatchStatusEnum": "payouts.models.BatchStatus",
        "PayoutItemStatusEnum": "payouts.models.ItemStatus",
        "FlagStatusEnum": "integrity.models.FlagStatus",
        "FlagRuleEnum": "integrity.models.Rule",
        "FlagSeverityEnum": "integrity.models.Severity",
        "MessageStatusEnum": "notifications.models.MessageStatus",
    },
}

# A shared cache (throttle counters, axes) when there are several web processes.
CACHE_URL = env.str("CACHE_URL", default="")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_phones": {"()": "rural_taobao.log_privacy.MaskPhoneNumbersFilter"}},
    # The formatter masks the formatted record, tracebacks included (rural_taobao/log_privacy.py).
    "formatters": {"masked": {"()": "rural_taobao.log_privacy.MaskPhoneNumbersFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["mask_phones"], "formatter": "masked"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # axes names the username (a partner's phone) at WARNING; lockouts are in the admin.
        "axes": {"level": "ERROR"},
    },
}

# Behind a TLS-terminating proxy in production.
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Where users open the links the product sends (set-password links by SMS, the QR codes of
# the activation sheet): links are built from this, never from a request's Host header.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
