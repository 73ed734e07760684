"""The smallest Django project that serves django-helpdesk for the peer benchmark.

Run only from `bench/helpdesk_peer.py`, with this folder on PYTHONPATH and the virtualenv that
holds django-helpdesk. Everything comes from the environment the benchmark sets; the database is a
throw-away `helpdesk_bench_<pid>` on the same server as Linli's bench database.
"""

import os

BASE_DIR = os.path.dirname(os.path.abspath(__file__))
SECRET_KEY = os.environ["SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "rest_framework",
    "helpdesk",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "peer_urls"
WSGI_APPLICATION = "peer_wsgi.application"

TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [],
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.debug",
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]

DATABASES = {"default": {
    "ENGINE": "django.db.backends.postgresql",
    "NAME": os.environ["HELPDESK_DB_NAME"],
    "USER": os.environ.get("BENCH_PG_USER", "postgres"),
    "HOST": os.environ.get("BENCH_PG_HOST", "127.0.0.1"),
    "PORT": os.environ.get("BENCH_PG_PORT", "5432"),
    # Persistent connections for 60 s, as Linli's settings default to (DB_CONN_MAX_AGE), so neither
    # side pays a new PostgreSQL connection per request.
    "CONN_MAX_AGE": int(os.environ.get("HELPDESK_CONN_MAX_AGE", "60")),
}}

DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
AUTH_PASSWORD_VALIDATORS = []
LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
SITE_ID = 1
STATIC_URL = "/static/"
MEDIA_ROOT = os.path.join(BASE_DIR, "media-unused")
LOGIN_URL = "helpdesk:login"
LOGIN_REDIRECT_URL = "helpdesk:home"

# Helpdesk sends its notices synchronously inside the request; the dummy backend keeps the
# rendering of those mails (part of the work) and drops the SMTP round trip (not part of it).
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
DEFAULT_FROM_EMAIL = "helpdesk@example.com"

# Teams mode needs pinax-teams, an optional extra; a single queue has no use for it.
HELPDESK_TEAMS_MODE_ENABLED = False
# The knowledge base stays on: helpdesk 2.6.1's urls.py names its views even when it is off
# (NameError at import).
HELPDESK_KB_ENABLED = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
