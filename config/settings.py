"""Settings for the complaint case management product.

Everything that differs between the embedded demo and production comes from
the environment (see README "Settings"). Defaults are safe for the demo:
SQLite, an embedded task queue, console email, DEBUG on. Production sets
DJANGO_DEBUG=false, DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS and DATABASE_URL.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config import logs
from config.env import env, envbool, envchoice, envdate, envint, envlist, envshare
from config.schedules import every

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env("DJANGO_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = envbool("DJANGO_DEBUG", True)

SECRET_KEY = env("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is false")
    # Only for the local demo; production refuses to start without a real key.
    SECRET_KEY = "insecure-demo-key-only-for-local-development-not-for-production-use"

ALLOWED_HOSTS = envlist("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = envlist("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # First: its runserver (the demo's) replaces Django's and keeps the debug page on loopback.
    "ops",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts.apps.SignInProtectionConfig",  # django-axes, with a Chinese heading
    "django_fsm",
    "accounts",
    "complaints",
    "escalation",
    "approvals",
    "dashboards",
    "demo",
]

MIDDLEWARE = [
    # First: every answer and every log line of the request carries its id.
    "config.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files from the web processes themselves, compressed and cached forever (whitenoise).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.ChineseFirstLocaleMiddleware",
    "config.middleware.DatabaseUnavailableMiddleware",
    "config.middleware.RejectNulCharactersMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.middleware.NoStoreForStaffMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last: locks out repeated sign-in failures (django-axes).
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.auth.ModelBackend",
]
# Sign-in lockout: 5 failures for one user name from one address lock it for an hour.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_HOURS", 1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The client's address behind AXES_PROXY_COUNT proxies that append to X-Forwarded-For
# (config/client_ip.py; named PROXY_COUNT here: axes warns of its own old setting name).
PROXY_COUNT = envint("AXES_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "config.client_ip.client_ip"

# Content Security Policy (django-csp): our own origin only; no inline script.
from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        # Django's admin and Chart.js set a few style attributes.
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_EXPIRE_AT_BROWSER_CLOSE = envbool("DJANGO_SESSION_EXPIRE_AT_BROWSER_CLOSE", True)

ROOT_URLCONF = "config.urls"

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
                "django.template.context_processors.i18n",
                "complaints.context_processors.navigation",
                "escalation.context_processors.navigation",
                "approvals.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# Database: a SQLite file by default, PostgreSQL (psycopg2) when DATABASE_URL says so.
DATABASE_URL = env("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=envint("DJANGO_CONN_MAX_AGE", 0))}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a competing writer instead of failing at once ("database is locked").
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
# A streaming read replica for reports (config/routers.py): dashboards, the monthly
# report, exports and the stats API read there inside ``reporting()``; everything
# else, and every write, uses default. Tests treat it as a mirror of default.
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL,
                                                 conn_max_age=envint("DJANGO_CONN_MAX_AGE", 0))
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    if DATABASES["replica"]["ENGINE"].endswith("postgresql"):
        # A replica host that does not answer costs a report 2 s, then is not asked for 10 s.
        DATABASES["replica"].setdefault("OPTIONS", {})["connect_timeout"] = 2
        # A replica that hangs fails the report's query before gunicorn's timeout; the report is
        # then made from the primary (config.routers.report_view).
        DATABASES["replica"]["OPTIONS"]["options"] = "-c statement_timeout=20000"
REPORTING_DATABASE = "replica" if DATABASE_REPLICA_URL else "default"
# Reports read the primary instead when the replica is further behind than this (seconds);
# a page read from the replica states its lag (config/routers.py).
REPORTING_MAX_LAG_SECONDS = envint("REPORTING_MAX_LAG_SECONDS", 30)
DATABASE_ROUTERS = ["config.routers.ReportingRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "complaints:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
if DEBUG:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise looks there too
# Production (DEBUG off) serves the collected files (manage.py collectstatic) with
# hashed names and gzip copies; the demo and the tests read the source
# folders directly, no collectstatic needed (whitenoise uses the finders when DEBUG).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage" if DEBUG
                    else "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", str(VAR_DIR / "media")))

# Celery: Redis when REDIS_URL is set.
REDIS_URL = env("REDIS_URL")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "accounts.auth.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "complaints.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "complaints.api.errors.exception_handler",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # API.md: JSON over HTTP (the token endpoint also takes a form).
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Throttles key anonymous callers by the same client address as the sign-in lockout.
    "NUM_PROXIES": PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "投诉管理系统 API",
    "DESCRIPTION": "Complaint case management REST API, version 1 (see API.md). Bodies are JSON; text never "
                   "contains a NUL character (U+0000), and a request with one is refused (400).",
    # List filters: an empty value of a choice means "any" (the pages' filter forms send them).
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "complaints.api.schema.empty_choice_means_any",
                             "complaints.api.schema.moments_within_storable_offsets"],
    "VERSION": "1.1.0",
    # One name per choice set where two fields share a name (channel, kind, outcome, state).
    "ENUM_NAME_OVERRIDES": {
        "ComplaintChannelEnum": "complaints.choices.Channel",
        "NoticeChannelEnum": "complaints.models.notices.NoticeChannel",
        "NoticeKindEnum": "complaints.models.notices.NoticeKind",
        "ContactOutcomeEnum": "complaints.models.activity.ContactAttempt.Outcome",
        "ReviewOutcomeEnum": "complaints.models.reviews.Review.Outcome",
        "ReviewStateEnum": "complaints.models.reviews.Review.State",
        "ComplaintStateEnum": "complaints.choices.State",
    },
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI served from our own static files, never a CDN (closed intranets).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Uploaded evidence: recordings, policy images, receipts, photos.
ATTACHMENT_MAX_BYTES = envint("ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Production hardening: on whenever DEBUG is off.
SECURE_SSL_REDIRECT = envbool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
# Load balancers and monitors ask for /healthz over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = envint("DJANGO_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if envbool("DJANGO_BEHIND_PROXY", False) else None
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = envint("DJANGO_SESSION_AGE", 8 * 3600)

EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", "complaints@localhost")
# The SMTP relay, with DJANGO_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend.
EMAIL_HOST = env("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = envint("DJANGO_EMAIL_PORT", 25)
EMAIL_HOST_USER = env("DJANGO_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("DJANGO_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = envbool("DJANGO_EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10

# Logs (config/logs.py): JSON lines on stdout in production, text for the demo.
LOG_FORMAT = envchoice("DJANGO_LOG_FORMAT", ("json", "text"), "text" if DEBUG else "json")
LOG_LEVEL = envchoice("DJANGO_LOG_LEVEL", ("debug", "info", "warning", "error", "critical"), "info").upper()
LOGGING = logs.django_logging(fmt=LOG_FORMAT, level=LOG_LEVEL)

# Product settings (docs/rules.md).
COMPLAINT_RETENTION_YEARS = envint("COMPLAINT_RETENTION_YEARS", 3)

# Business calendar (docs/rules.md §4): business hours, Asia/Shanghai.
import datetime as _dt  # noqa: E402

# The earliest received date a complaint may carry: earlier is a typing error.
EARLIEST_RECEIVED_DATE = envdate("EARLIEST_RECEIVED_DATE", _dt.date(2000, 1, 1))


def _hhmm(name: str, default: str) -> _dt.time:
    raw = env(name, default)
    try:
        return _dt.datetime.strptime(raw, "%H:%M").time()
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be HH:MM, got {raw!r}") from None


BUSINESS_DAY_START = _hhmm("BUSINESS_DAY_START", "09:00")
BUSINESS_DAY_END = _hhmm("BUSINESS_DAY_END", "18:00")

# Celery (config/celery.py). Redis when REDIS_URL is set; else the embedded
# filesystem transport: no server to install for the demo.
CELERY_DATA_DIR = VAR_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # Fail fast when Redis is down: the request's change is already committed and
    # the periodic sweep re-queues (or sends) what could not be queued.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_connect_timeout": 2,
                                       "socket_timeout": 5, "max_retries": 0}
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_DATA_DIR / "queue"),
        "data_folder_out": str(CELERY_DATA_DIR / "queue"),
        "processed_folder": str(CELERY_DATA_DIR / "processed"),
        "control_folder": str(CELERY_DATA_DIR / "control"),
        "store_processed": False,
        "polling_interval": 0.2,  # seconds between looks at the queue folder
    }
    for _folder in ("queue", "processed", "control"):
        (CELERY_DATA_DIR / _folder).mkdir(parents=True, exist_ok=True)
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", "celery")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# Beat (docs/rules.md §4). Each periodic task gets ``slot`` (its period in seconds)
# and runs once per slot of that length (ops/services.py: slot_claim), however
# many schedulers sent it. With Redis, beat is also RedBeat: the schedule lives in
# Redis and a lock there lets one beat send while any other waits to take over,
# so starting beat on two machines never sends twice. Without Redis (the demo's
# filesystem transport) beat keeps its schedule in a local file.
SWEEP_INTERVAL_SECONDS = envint("SWEEP_INTERVAL_SECONDS", 60)
# Reference data (working days, the complaint taxonomy) read once a minute per
# process rather than for every intake (config/kept.py); changes saved in the
# same process apply at once.
REFERENCE_CACHE_SECONDS = envint("REFERENCE_CACHE_SECONDS", 60)
# Dashboard figures (dashboards/rollups.py): read from daily roll-ups that beat folds
# the cases' changes into this often (figures at most this old). 0: no roll-ups, every
# figure computed from the cases on each request.
FIGURES_FOLD_SECONDS = envint("FIGURES_FOLD_SECONDS", 60)
FIGURES_CACHE = "figures"
# Similar complaints (complaints/similar.py, likeness.py): the least likeness (the cosine of the
# texts' tokens weighted by rarity, 0-1) of a complaint shown as similar on a case page and in the
# intake preview; the tokens' weights are learnt from the latest complaints this often (seconds).
SIMILAR_MIN_LIKENESS = envshare("SIMILAR_MIN_LIKENESS", 0.3)
LIKENESS_WEIGHTS_SECONDS = envint("LIKENESS_WEIGHTS_SECONDS", 6 * 3600)
# Batches without a tag (complaints/services/grouping.py): complaints of one unit, category and day
# at least this alike join one issue (measured on paraphrased groups: bench/RESULTS.md), and how
# often beat checks the complaints the intake's queued check missed (seconds).
BATCH_MIN_LIKENESS = envshare("BATCH_MIN_LIKENESS", 0.6)
GROUPING_CHECK_SECONDS = envint("GROUPING_CHECK_SECONDS", 20)
# A cache every web and worker process shares (Redis in production): search throttles.
SHARED_CACHE = FIGURES_CACHE
# Notices to the customer (docs/rules.md §8): SMS through a gateway (escalation/gateways.py).
SMS_BACKEND = env("SMS_BACKEND", "console")  # console | http | a dotted path
SMS_FILE_DIR = env("SMS_FILE_DIR", str(VAR_DIR / "sms"))
SMS_GATEWAY_URL = env("SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = env("SMS_GATEWAY_TOKEN", "")
SMS_GATEWAY_TIMEOUT_SECONDS = envint("SMS_GATEWAY_TIMEOUT_SECONDS", 10)
if SMS_BACKEND == "http" and not SMS_GATEWAY_URL:
    raise ImproperlyConfigured("SMS_BACKEND=http needs SMS_GATEWAY_URL")
# The longest reason, request or narrative a complaint may be logged with (characters;
# issue 18: a 20,000-character narrative made a case page 13,000 px tall).
COMPLAINT_TEXT_MAX_CHARS = envint("COMPLAINT_TEXT_MAX_CHARS", 4000)
# The empty choice of a list filter (django-filter shows "---------" otherwise).
FILTERS_EMPTY_CHOICE_LABEL = _("All")
# An acknowledgement SMS (受理回执) at intake when the complainant gave a mobile number.
NOTICE_ACKNOWLEDGE_BY_SMS = envbool("NOTICE_ACKNOWLEDGE_BY_SMS", True)
# Delivery of SMS and e-mail notices: attempts before giving up, and how long a
# worker holds a message it is sending before another may take it over.
NOTICE_MAX_ATTEMPTS = envint("NOTICE_MAX_ATTEMPTS", 8)
NOTICE_LEASE_SECONDS = envint("NOTICE_LEASE_SECONDS", 120)
# The sender's name at the head of every SMS.
NOTICE_SIGNATURE = env("NOTICE_SIGNATURE", "客户服务中心")

# Searches by a full phone or ID number, per user and window (complaints/privacy.py).
NUMBER_SEARCHES = envint("NUMBER_SEARCHES", 30)
NUMBER_SEARCH_WINDOW_SECONDS = envint("NUMBER_SEARCH_WINDOW_SECONDS", 600)
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Shared by every web and worker process: Redis, or files under var/ for the demo.
    FIGURES_CACHE: ({"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                     "KEY_PREFIX": env("CACHE_KEY_PREFIX", ""),
                     "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 5}}
                    if REDIS_URL else
                    {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                     "LOCATION": str(VAR_DIR / "cache" / "figures")}),
}
# Each periodic task claims the slot beat sent it for before it runs (ops.services.tick_claim); every()
# sends a period of whole minutes on its slots' boundaries (config/schedules.py).
CELERY_BEAT_SCHEDULE = {
    # docs/rules.md §4: deadlines watched every minute; also re-queues pending e-mail.
    "sweep-deadlines": {"task": "complaints.tasks.sweep_deadlines", "schedule": every(SWEEP_INTERVAL_SECONDS),
                        "kwargs": {"slot": SWEEP_INTERVAL_SECONDS},
                        "options": {"expires": max(SWEEP_INTERVAL_SECONDS - 5, 1)}},
    # Issue 19: the near-duplicate check for what the intake's queued check missed, and the likeness weights.
    "group-alike": {"task": "complaints.tasks.group_alike", "schedule": every(GROUPING_CHECK_SECONDS),
                    "kwargs": {"slot": GROUPING_CHECK_SECONDS}, "options": {"expires": max(GROUPING_CHECK_SECONDS - 2, 1)}},
    "learn-likeness-weights": {"task": "complaints.tasks.learn_likeness_weights",
                               "schedule": every(LIKENESS_WEIGHTS_SECONDS), "kwargs": {"slot": LIKENESS_WEIGHTS_SECONDS},
                               "options": {"expires": max(LIKENESS_WEIGHTS_SECONDS - 60, 1)}},
    # docs/rules.md §8: notices to customers (SMS, e-mail) still queued or to be retried.
    "deliver-notices": {"task": "complaints.tasks.deliver_notices", "schedule": every(60), "kwargs": {"slot": 60},
                        "options": {"expires": 55}},
    # docs/rules.md §7 预警: spikes told to managers once a day (each spike once).
    "warn-spikes": {"task": "dashboards.tasks.warn_spikes", "schedule": every(3600), "kwargs": {"slot": 3600},
                    "options": {"expires": 3000}},
    # docs/rules.md §7 整改: overdue rectification items told to their owner and cs_manager once.
    "warn-overdue-items": {"task": "dashboards.tasks.warn_overdue_items", "schedule": every(3600),
                           "kwargs": {"slot": 3600}, "options": {"expires": 3000}},
    # Issue 17: the cases' changes folded into the daily roll-ups the figures are read from.
    # With the roll-ups off (0) it still runs, every 5 minutes, to drop the triggers' notes.
    "fold-figures": {"task": "dashboards.tasks.fold_figures", "schedule": every(FIGURES_FOLD_SECONDS or 300),
                     "kwargs": {"slot": FIGURES_FOLD_SECONDS or 300},
                     "options": {"expires": max((FIGURES_FOLD_SECONDS or 300) - 5, 1)}},
}
# Beat wakes at least every 5 s: a waiting RedBeat retries the lock that often.
CELERY_BEAT_MAX_LOOP_INTERVAL = 5
if REDIS_URL:
    CELERY_BEAT_SCHEDULER = "redbeat.RedBeatScheduler"
    CELERY_REDBEAT_REDIS_URL = REDIS_URL
    CELERY_REDBEAT_REDIS_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
    # One schedule and one lock per queue (tests run their own queues side by side).
    CELERY_REDBEAT_KEY_PREFIX = f"redbeat:{CELERY_TASK_DEFAULT_QUEUE}:"
    # The lock holder renews it on every wake-up; if it dies, another beat
    # takes over within this many seconds (plus one wake-up).
    CELERY_REDBEAT_LOCK_TIMEOUT = envint("BEAT_LOCK_TIMEOUT_SECONDS", 30)

# GET /healthz (ops/views.py) answers 503 when the last completed deadline sweep
# is older than this.
HEALTH_SWEEP_MAX_AGE_SECONDS = envint("HEALTH_SWEEP_MAX_AGE_SECONDS", 5 * SWEEP_INTERVAL_SECONDS)
