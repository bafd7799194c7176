"""Serve anonymous readers' pages from the cache; fill it on a miss."""

import hashlib

from django.conf import settings
from django.core.cache import cache, caches
from django.http import HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from .generations import (
    GENERATION_KEY,
    build_id,
    current,
    etag,
    last_modified,
    shared,
)

# Pages whose address has a query string (search, filtered lists, pages of
# lists, questions) are made from what readers type: they go to a cache of
# their own, bounded (settings.CACHES["query_pages"]), so a flood of made-up
# queries can never evict topic pages.
QUERY_PAGES = "query_pages"


def is_anonymous_request(request) -> bool:
    """No session (so no signed-in user) and nothing else personal."""
    cookies = request.COOKIES
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in cookies
        and "messages" not in cookies
    )


def _key(request) -> str:
    url = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    return f"sg:page:{build_id()}:{hashlib.sha256(url.encode()).hexdigest()}"


def validators(response, token) -> None:
    """ETag and (once the generation's first second is over) Last-Modified."""
    response["ETag"] = etag(token)
    modified = last_modified(token)
    if modified is not None:
        response["Last-Modified"] = http_date(modified.timestamp())
    elif "Last-Modified" in response:
        del response["Last-Modified"]


class PageCacheMiddleware:
    """Placed before sessions and authentication: a hit costs one lookup."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not (settings.PAGE_CACHE and is_anonymous_request(request)):
            return self.get_response(request)
        key = _key(request)
        store = caches[QUERY_PAGES] if request.META.get("QUERY_STRING") else cache
        if shared() and store is cache:
            found = cache.get_many([GENERATION_KEY, key])
            token = current(found.get(GENERATION_KEY))
            entry = found.get(key)
        else:
            token = current(cache.get(GENERATION_KEY) if shared() else None)
            entry = store.get(key)
        if entry is not None and entry[0] == token:
            return self._respond(request, token, entry)
        request.page_generation = token
        response = self.get_response(request)
        if (
            getattr(response, "public_page", False)
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
        ):
            headers = [
                (k, v)
                for k, v in response.items()
                if k not in ("ETag", "Last-Modified")
            ]
            store.set(
                key, (token, headers, response.content), settings.PAGE_CACHE_SECONDS
            )
        return response

    @staticmethod
    def _respond(request, token, entry):
        _token, headers, content = entry
        response = HttpResponse(content)
        for name, value in headers:
            response[name] = value
        validators(response, token)
        modified = last_modified(token)
        return get_conditional_response(
            request,
            etag=response["ETag"],
            last_modified=int(modified.timestamp()) if modified else None,
            response=response,
        )
