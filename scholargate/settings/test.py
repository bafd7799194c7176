"""Settings for the test suite: fast hashing, local caches, no real mail."""

import os

os.environ["DEBUG"] = "false"

from .base import *  # noqa: E402,F403
from .base import BASE_DIR, DEFAULT_STORAGE  # noqa: E402

SECRET_KEY = "test-key"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = BASE_DIR / "test-artifacts" / "media"
PAGE_GENERATION_FILE = BASE_DIR / "test-artifacts" / "page-generation"
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
# Every test renders its pages; tests of the page cache switch it on (and run
# the after-commit callbacks that start new generations).
PAGE_CACHE = False
