"""The site's current generation of readers' pages.

A generation token is `<start in ns>-<build>-<random>`. Its start is the
time it began, never ahead of the clock (at most a nanosecond after the one
before, whatever several hosts' clocks say), and the build is a hash of the
code and templates, so a deploy starts a new generation by itself.

Last-Modified has whole seconds. A page is given one only once the second
its generation started is over: then no later generation can start in that
second, and a revalidation by date (If-Modified-Since) is exact. Pages
served in the generation's first second carry only their ETag.
"""

import datetime
import functools
import hashlib
import os
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

GENERATION_KEY = "sg:pages:generation"
LOCAL_BACKENDS = ("LocMemCache", "DummyCache")


@functools.cache
def build_id() -> str:
    """A hash of the code and templates, computed once per process."""
    digest = hashlib.sha256()
    root = Path(settings.BASE_DIR)
    for folder in ("scholargate", "topics", "citations", "templates", "static"):
        for path in sorted((root / folder).rglob("*")):
            if path.suffix in {".py", ".html", ".css", ".js", ".lua", ".txt"}:
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def shared() -> bool:
    """Whether the default cache is shared by every process (Redis)."""
    return not settings.CACHES["default"]["BACKEND"].endswith(LOCAL_BACKENDS)


def start_ns(token) -> int:
    try:
        return int(token.split("-", 1)[0])
    except (ValueError, AttributeError):
        return 0


def _new_token(previous=None) -> str:
    now, before = time.time_ns(), start_ns(previous)
    # After the one before, unless that one claims to be from the future (a
    # clock set wrong, or the old rule of a second per generation): such a
    # generation never gave a page a Last-Modified, so nothing depends on it.
    start = max(now, before + 1) if before <= now + 1_000_000_000 else now
    return f"{start}-{build_id()}-{secrets.token_hex(4)}"


def _is_current(token) -> bool:
    return token is not None and token.split("-")[1:2] == [build_id()]


def _file() -> Path:
    return Path(settings.PAGE_GENERATION_FILE)


def _read_file() -> str:
    try:
        token = _file().read_text()
    except FileNotFoundError:
        return _write_file()
    return token if _is_current(token) else _write_file(token)


def _write_file(previous=None) -> str:
    path = _file()
    path.parent.mkdir(parents=True, exist_ok=True)
    if previous is None and path.exists():
        previous = path.read_text()
    token = _new_token(previous)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    temporary.write_text(token)
    temporary.replace(path)
    return token


def generation() -> str:
    """The current generation token."""
    if not shared():
        return _read_file()
    token = cache.get(GENERATION_KEY)
    if token is None:
        cache.add(GENERATION_KEY, _new_token(), timeout=None)
        token = cache.get(GENERATION_KEY)
    elif not _is_current(token):
        token = _new_token(token)
        cache.set(GENERATION_KEY, token, timeout=None)
    return token


def current(token) -> str:
    """`token` if it is of this build, else the current generation."""
    return token if _is_current(token) else generation()


def new_generation() -> str:
    """Start a new generation now."""
    if not shared():
        return _write_file()
    token = _new_token(cache.get(GENERATION_KEY))
    cache.set(GENERATION_KEY, token, timeout=None)
    return token


def changed(*keys: str) -> None:
    """Something readers could see changed: a new generation once the
    transaction commits (at once outside one), and purges of the pages
    that show `keys` from the HTTP caches in front of the site.

    A page rendered before the commit shows the old data and is stored
    under the old generation, which no request reads afterwards.
    """
    transaction.on_commit(new_generation)
    if keys:
        from . import purge

        # robust: a failure is logged and never stops the commit's other
        # callbacks (the mails of an approval).
        transaction.on_commit(lambda: purge.send(keys), robust=True)


def last_modified(token, now=None) -> datetime.datetime | None:
    """The generation's start as Last-Modified, once its second is over."""
    seconds = start_ns(token) // 1_000_000_000
    now = time.time() if now is None else now
    if not seconds or int(now) <= seconds:
        return None
    return datetime.datetime.fromtimestamp(seconds, tz=datetime.UTC)


def etag(token) -> str:
    return f'W/"{token}"'
