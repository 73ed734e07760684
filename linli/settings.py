"""Linli settings, read from the environment (see docs/OPERATIONS.md)."""

import datetime as dt
from pathlib import Path

import dj_database_url

from linli.env import ConfigError, dev_secrets, env_bool, env_data_key, env_int, env_list, env_rate, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("LINLI_DATA_DIR", str(BASE_DIR / "data")))
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)
# The demo (`make run`): a local machine with demo secrets, console e-mail and plain-http cookies, but
# without DEBUG, so a visitor meets the site's own Chinese error pages instead of Django's debug page
# that lists every route.
DEMO = env_bool("LINLI_DEMO", DEBUG)
LOCAL = DEBUG or DEMO

# On a developer's machine or in the demo, secrets are made once in the data folder; in production
# both must be set.
if LOCAL:
    _dev = dev_secrets(DATA_DIR)
    SECRET_KEY = env_str("SECRET_KEY", _dev["SECRET_KEY"])
    LINLI_DATA_KEY = env_data_key("LINLI_DATA_KEY", _dev["LINLI_DATA_KEY"])
else:
    SECRET_KEY = env_str("SECRET_KEY")
    LINLI_DATA_KEY = env_data_key("LINLI_DATA_KEY")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"] if LOCAL else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "axes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",  # its widget templates, found through TEMPLATES so linli/templates can override them
    "django_htmx",
    "ninja",  # serves the API docs page from its own static files, not a CDN
    "django_tasks",
    "linli.core.tasks_app.TasksDatabaseConfig",  # django_tasks_db, named in Chinese
    "linli.core",
    "linli.accounts",
    "linli.places",
    "linli.people",
    "linli.orgs",
    "linli.cases",
    "linli.points",
    "linli.stations",
    "linli.volunteers",
    "linli.council",
    "linli.property",
    "linli.open311",
    "linli.gridwork",
    "linli.dashboard",
    "linli.imports",
    "linli.cockpit",
    "linli.exports",
    "linli.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "linli.core.middleware.ChineseByDefaultMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "linli.core.middleware.SessionIdleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "linli.core.middleware.ChannelMiddleware",
    "linli.core.middleware.RequestMemoMiddleware",
    "linli.core.api.ApiErrorsMiddleware",
    "linli.core.input_guard.InputGuardMiddleware",
    "linli.ratelimit.RateLimitMiddleware",
    # Last, as axes asks: it turns the answer to a locked-out login into the lockout response.
    "axes.middleware.AxesMiddleware",
]
if not DEBUG:
    # The demo's error pages (DEBUG on) carry inline scripts and styles; production pages carry none.
    MIDDLEWARE.insert(1, "csp.middleware.CSPMiddleware")

# Widgets render through the project's template settings, so linli/templates can word them in Chinese.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

ROOT_URLCONF = "linli.urls"
WSGI_APPLICATION = "linli.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "linli" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "linli.core.context.linli",
                "linli.navigation.nav_items",
            ],
        },
    }
]

_database_url = env_str("DATABASE_URL", "")
if _database_url:
    # Persistent connections are checked once per request, so a PostgreSQL restart costs no failed
    # request (without the check, each thread's dead connection answers one 500; bench/faults.py).
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
                                                  conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "linli.sqlite3",
            "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE"},
        }
    }

# A streaming replica for reads that tolerate a few seconds of lag (linli/core/replica.py): the cockpit,
# exports, public Open311 reads. Unset, everything reads the primary.
_replica_url = env_str("DATABASE_REPLICA_URL", "")
if _replica_url:
    if not _database_url:
        raise ConfigError("设置 DATABASE_REPLICA_URL 时必须同时设置 DATABASE_URL（主库）")
    DATABASES["replica"] = dj_database_url.parse(_replica_url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
                                                 conn_health_checks=True)
    # An unreachable replica must cost a read little: it then goes to the primary.
    DATABASES["replica"].setdefault("OPTIONS", {})["connect_timeout"] = env_int("DATABASE_REPLICA_CONNECT_TIMEOUT", 2)
    # Tests read the primary's test database through it; it is never created, flushed or migrated.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["linli.core.replica.ReplicaRouter"]
LINLI_REPLICA_RETRY_SECONDS = env_int("LINLI_REPLICA_RETRY_SECONDS", 30)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Axes first: it refuses a locked-out account or address before any password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "linli" / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
FORMAT_MODULE_PATH = ["linli.formats"]
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("LINLI_MEDIA_ROOT", str(DATA_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend" if LOCAL else
                        "django.core.mail.backends.smtp.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "linli@localhost")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not LOCAL)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not LOCAL)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# Caches: the rate limits and nothing else so far. Shared by every gunicorn process: Redis when
# LINLI_CACHE_URL names one (redis://host:6379/1), else a table in the database (made by migrate).
_cache_url = env_str("LINLI_CACHE_URL", "")
if _cache_url:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache_url}}
else:
    # Culling (past MAX_ENTRIES) would drop live counts along with expired ones, so the bar is high.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "linli_cache",
                          "OPTIONS": {"MAX_ENTRIES": 100_000}}}
LINLI_RATELIMIT_CACHE = "default"

# Login throttling (django-axes; linli/accounts/throttle.py, docs/OPERATIONS.md "Abuse limits").
AXES_HANDLER = "linli.accounts.throttle.LoginThrottle"
AXES_FAILURE_LIMIT = env_int("LINLI_LOGIN_FAILURE_LIMIT", 5)
LINLI_LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LINLI_LOGIN_ADDRESS_FAILURE_LIMIT", 30)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("LINLI_LOGIN_COOLOFF_MINUTES", 15))
# Two separate counts, one per account and one per address (not one per account-and-address pair).
AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "linli.accounts.throttle.lockout_response"
AXES_CLIENT_IP_CALLABLE = "linli.ratelimit.client_ip"
# Successful logins are not logged by axes: the audit log and the session table say enough.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
# How many reverse proxies in front of Linli append to X-Forwarded-For (0: use the TCP peer).
LINLI_PROXY_COUNT = env_int("LINLI_PROXY_COUNT", 0)

# Write rates (linli/core/ratelimit.py): API writes per token or logged-in user, Open311 POSTs per key.
LINLI_API_WRITE_RATE = env_rate("LINLI_API_WRITE_RATE", "120/m")
LINLI_OPEN311_POST_RATE = env_rate("LINLI_OPEN311_POST_RATE", "30/m")

# Grid work (linli/gridwork): a visit may be logged at most this many days after it took place; a
# check-in by this local time (HH:MM) counts as on time.
LINLI_VISIT_BACKDATE_DAYS = env_int("LINLI_VISIT_BACKDATE_DAYS", 3)
try:
    LINLI_CHECKIN_BY = dt.time.fromisoformat(env_str("LINLI_CHECKIN_BY", "08:30"))
except ValueError as exc:
    raise ConfigError("环境变量 LINLI_CHECKIN_BY 应为 HH:MM 形式的时间（如 08:30）") from exc
# The monthly report's PDF font: a TrueType (.ttf/.ttc) file with Chinese glyphs, embedded; empty = look in the
# usual font directories, then fall back to the built-in STSong-Light (see linli/cockpit/report.py).
LINLI_PDF_FONT = env_str("LINLI_PDF_FONT", "")

# Content-Security-Policy (django-csp, only with DEBUG off): the app's own scripts, styles and images.
_SELF, _NONE = "'self'", "'none'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_SELF],
        "script-src": [_SELF],
        "style-src": [_SELF],
        # data: for the SVG icons that Swagger UI's stylesheet embeds (/api/v1/docs).
        "img-src": [_SELF, "data:"],
        "font-src": [_SELF],
        "connect-src": [_SELF],
        "form-action": [_SELF],
        "frame-ancestors": [_NONE],
        "base-uri": [_SELF],
        "object-src": [_NONE],
    },
}

# HSTS, only for a deployment served over TLS (off by default: a browser that saw it refuses plain
# HTTP to the host for that long). Behind a TLS-terminating proxy, set SECURE_PROXY_SSL_HEADER=1 so
# Django knows the request was HTTPS (the proxy must set X-Forwarded-Proto itself).
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Sessions: offices share computers, so a login lasts a working day at most, and ends earlier
# after LINLI_SESSION_IDLE_MINUTES without a request (0: no idle limit).
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", False)
LINLI_SESSION_IDLE_MINUTES = env_int("LINLI_SESSION_IDLE_MINUTES", 60)

# API tokens live this many days.
LINLI_TOKEN_DAYS = env_int("LINLI_TOKEN_DAYS", 30)

# Exports: more rows than this run as a background task (我的导出); their files are kept this long.
LINLI_EXPORT_INLINE_MAX = env_int("LINLI_EXPORT_INLINE_MAX", 5000)
LINLI_EXPORT_KEEP_HOURS = env_int("LINLI_EXPORT_KEEP_HOURS", 72)
# Imports (docs/OPERATIONS.md "Imports"): files larger than this many bytes are checked and written by a
# background job with a progress bar; the job keeps the uploaded file, encrypted, for at most this
# many hours (emptied as soon as the job ends; `linli import-purge` empties the abandoned ones).
LINLI_IMPORT_BACKGROUND_BYTES = env_int("LINLI_IMPORT_BACKGROUND_BYTES", 256 * 1024)
LINLI_IMPORT_FILE_HOURS = env_int("LINLI_IMPORT_FILE_HOURS", 24)
