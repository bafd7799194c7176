"""Embedded mode for a developer's machine: DEBUG on unless told otherwise."""

import os

os.environ.setdefault("DEBUG", "true")

from .base import *  # noqa: E402,F403
from .base import ALLOWED_HOSTS, SECRET_KEY  # noqa: E402

SECRET_KEY = SECRET_KEY or "embedded-development-key-not-for-production"
ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]"]
