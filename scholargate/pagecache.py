"""Whole-page caching of readers' pages, invalidated by a site-wide generation.

Every public page can show other topics (related, sub-topics, referenced by,
lists, search), so any change readers could see (an approval, a take-down, a
renamed slug, an edited work or person) moves the site to a new
*generation*, and a page cached in an older one is never served again. No
purge and no dependency tracking: a change shows at once everywhere.

- The generation is a unique token written after the change commits. With a
  shared cache (Redis) it lives in that cache, read with the page in one
  round trip; with the per-process local-memory cache it lives in a small
  file, so every worker process on the host sees a change at once.
- Only anonymous requests (no session cookie) read or fill the cache, in a
  middleware placed before sessions and authentication: a cache hit costs a
  file read and a cache lookup. Signed-in editors and moderators always get
  a freshly rendered, personalised page marked private.
- `public_page` marks a view's responses as cacheable and gives them an
  ETag and Last-Modified from the generation (and the view's own token, such
  as the live version), so revalidations get 304 Not Modified without
  rendering, from the cache or from the view.
"""

import hashlib
import os
import secrets
import time
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date, parse_http_date_safe

GENERATION_KEY = "sg:pages:generation"
LOCAL_BACKENDS = ("LocMemCache", "DummyCache")


def _build_id():
    """A hash of the code and templates, so a deploy never serves old pages."""
    digest = hashlib.sha256()
    root = Path(settings.BASE_DIR)
    for folder in ("scholargate", "topics", "citations", "templates", "static"):
        for path in sorted((root / folder).rglob("*")):
            if path.suffix in {".py", ".html", ".css", ".js", ".lua", ".txt"}:
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


BUILD = _build_id()


def _shared():
    return not settings.CACHES["default"]["BACKEND"].endswith(LOCAL_BACKENDS)


def _new_token(previous=None):
    """A token never used before, starting with its time in nanoseconds.

    Each generation starts at least a second after the one before (whatever
    the clocks of several hosts say), so Last-Modified, which has whole
    seconds, changes with every generation; the build is part of it, so a
    deploy starts a new generation too.
    """
    start = time.time_ns()
    if previous:
        start = max(start, int(generation_time(previous) * 1e9) + 1_000_000_000)
    return f"{start}-{BUILD}-{secrets.token_hex(4)}"


def _is_current(token):
    return token is not None and token.split("-")[1:2] == [BUILD]


def _file():
    return Path(settings.PAGE_GENERATION_FILE)


def _read_file():
    try:
        token = _file().read_text()
    except FileNotFoundError:
        return _write_file()
    return token if _is_current(token) else _write_file(token)


def _write_file(previous=None):
    path = _file()
    path.parent.mkdir(parents=True, exist_ok=True)
    if previous is None and path.exists():
        previous = path.read_text()
    token = _new_token(previous)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    temporary.write_text(token)
    temporary.replace(path)
    return token


def generation():
    """The current generation token."""
    if not _shared():
        return _read_file()
    token = cache.get(GENERATION_KEY)
    if token is None:
        cache.add(GENERATION_KEY, _new_token(), timeout=None)
        token = cache.get(GENERATION_KEY)
    elif not _is_current(token):
        token = _new_token(token)
        cache.set(GENERATION_KEY, token, timeout=None)
    return token


def _bump_now():
    if _shared():
        cache.set(GENERATION_KEY, _new_token(cache.get(GENERATION_KEY)), timeout=None)
    else:
        _write_file()


def bump():
    """Start a new generation now and again once the transaction commits.

    The second one matters: a page rendered between the first bump and the
    commit shows the old data; it is stored under a generation that no
    request reads after the commit.
    """
    _bump_now()
    transaction.on_commit(_bump_now)


def generation_time(token):
    """When a generation started, as seconds since the epoch."""
    try:
        return int(token.split("-", 1)[0]) / 1e9
    except (ValueError, AttributeError):
        return time.time()


def etag(token, extra=""):
    return f'W/"{BUILD}.{token}{"." + str(extra) if extra else ""}"'


# -- Who gets cached pages --------------------------------------------------


def is_anonymous_request(request):
    """No session (so no signed-in user) and nothing else personal."""
    cookies = request.COOKIES
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in cookies
        and "messages" not in cookies
    )


def _key(request):
    url = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    return f"sg:page:{BUILD}:{hashlib.sha256(url.encode()).hexdigest()}"


class PageCacheMiddleware:
    """Serve anonymous readers' pages from the cache; fill it on a miss."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not (settings.PAGE_CACHE and is_anonymous_request(request)):
            return self.get_response(request)
        key = _key(request)
        if _shared():
            found = cache.get_many([GENERATION_KEY, key])
            token = found.get(GENERATION_KEY)
            if not _is_current(token):
                token = generation()
            entry = found.get(key)
        else:
            token = _read_file()
            entry = cache.get(key)
        if entry is not None and entry[0] == token:
            return self._respond(request, entry)
        request.page_generation = token
        response = self.get_response(request)
        if (
            getattr(response, "public_page", False)
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
        ):
            headers = [(k, v) for k, v in response.items()]
            cache.set(
                key,
                (token, headers, response.content),
                settings.PAGE_CACHE_SECONDS,
            )
        return response

    @staticmethod
    def _respond(request, entry):
        _token, headers, content = entry
        response = HttpResponse(content)
        for name, value in headers:
            response[name] = value
        conditional = get_conditional_response(
            request,
            etag=response.get("ETag"),
            last_modified=parse_http_date_safe(response.get("Last-Modified", "")),
            response=response,
        )
        return conditional


# -- Views ------------------------------------------------------------------


def public_page(etag_token=None, query=()):
    """Mark a reader's page as cacheable and conditional.

    `etag_token(request, **kwargs)` may return a short string naming what
    the page shows (e.g. the live version's id), added to the ETag; a view
    that knows it sets `response.etag_token` instead. For an anonymous
    revalidation that matches, the view does not run at all.

    A page is stored only for addresses whose query string uses the
    parameter names in `query`, so made-up parameters cannot fill the cache
    with copies of a page.
    """

    allowed = set(query)

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not is_anonymous_request(request) and request.user.is_authenticated:
                response = view(request, *args, **kwargs)
                response["Cache-Control"] = "private, no-cache"
                patch_vary_headers(response, ["Cookie"])
                return response
            token = getattr(request, "page_generation", None) or generation()
            # Never later than now: after a burst of changes generations run
            # ahead of the clock (each starts a second after the last).
            modified = int(min(generation_time(token), time.time()))
            if request.method in ("GET", "HEAD") and (
                request.headers.get("If-None-Match")
                or request.headers.get("If-Modified-Since")
            ):
                extra = etag_token(request, *args, **kwargs) if etag_token else ""
                not_modified = get_conditional_response(
                    request, etag=etag(token, extra), last_modified=modified
                )
                if not_modified is not None:
                    not_modified["ETag"] = etag(token, extra)
                    not_modified["Last-Modified"] = http_date(modified)
                    _public_headers(not_modified)
                    return not_modified
            response = view(request, *args, **kwargs)
            if response.status_code == 200:
                # The view names what it showed (saving a query); else ask.
                extra = getattr(response, "etag_token", None)
                if extra is None and etag_token:
                    extra = etag_token(request, *args, **kwargs)
                response["ETag"] = etag(token, extra or "")
                response["Last-Modified"] = http_date(modified)
                response.public_page = set(request.GET) <= allowed
            _public_headers(response)
            return response

        return wrapper

    return decorator


def _public_headers(response):
    if "Cache-Control" not in response:
        seconds = settings.PUBLIC_CACHE_SECONDS
        response["Cache-Control"] = (
            f"public, max-age=0, s-maxage={seconds}, must-revalidate"
            if seconds
            else "public, no-cache"
        )
    patch_vary_headers(response, ["Cookie"])
