"""Settings for the test suite: fast hashing, local caches, no real mail."""

import os

os.environ["DEBUG"] = "false"

from .base import *  # noqa: E402,F403
from .base import BASE_DIR, CACHES, DEFAULT_STORAGE, ORIGINALS_STORAGE  # noqa: E402

# Tests run in parallel worker processes (pytest-xdist): each has its own
# media folder, generation file and Redis database, as it has its own test
# database.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
WORKER_NUMBER = int(WORKER.removeprefix("gw") or 0)
ARTIFACTS = BASE_DIR / "test-artifacts" / WORKER

SECRET_KEY = "test-key"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = ARTIFACTS / "media"
PAGE_GENERATION_FILE = ARTIFACTS / "page-generation"
REDIS_TEST_URL = ""
if os.environ.get("REDIS_URL"):
    # Databases 1, 2, … of the server: clearing one never touches another.
    REDIS_TEST_URL = (
        os.environ["REDIS_URL"].rsplit("/", 1)[0] + f"/{1 + WORKER_NUMBER % 15}"
    )
    CACHES = {**CACHES, "default": {**CACHES["default"], "LOCATION": REDIS_TEST_URL}}
ORIGINALS_ROOT = ARTIFACTS / "originals"
STORAGES = {
    "default": DEFAULT_STORAGE,
    "originals": {**ORIGINALS_STORAGE, "OPTIONS": {"location": ORIGINALS_ROOT}}
    if ORIGINALS_STORAGE["BACKEND"].endswith("FileSystemStorage")
    else ORIGINALS_STORAGE,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
# Every test renders its pages; tests of the page cache switch it on (and run
# the after-commit callbacks that start new generations).
PAGE_CACHE = False

# Replicas (DATABASE_REPLICA_URLS, set by .ci/run) are only read from in the
# tests of scholargate/dbrouter.py, which switch the router on: other tests
# use the primary alone.
DATABASE_ROUTERS = []
