"""Settings for the test suite: the production settings with fixed test secrets."""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
# 32 bytes of zeros would also work, but a fixed random-looking key keeps ciphertexts realistic.
os.environ.setdefault("LINLI_DATA_KEY", "dGVzdC1rZXktbGlubGktMzItYnl0ZXMtbG9uZy0hISE=")
os.environ.setdefault("DEBUG", "0")
# The same settings whether or not the Makefile exported the demo switch.
os.environ["LINLI_DEMO"] = "0"
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

from linli.settings import *  # noqa: E402,F403
from linli.settings import DATA_DIR  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = DATA_DIR / "test-media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

# Each test's writes and logins start from zero: an in-process cache (no SQL in counted requests),
# limits no ordinary test reaches; the rate-limit tests set their own and clear the cache.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "linli-tests"}}
LINLI_API_WRITE_RATE = (100_000, 60)
LINLI_OPEN311_POST_RATE = (100_000, 60)
# Tests move the clock by days while logged in.
LINLI_SESSION_IDLE_MINUTES = 0
