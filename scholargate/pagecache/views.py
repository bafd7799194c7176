"""`public_page`: a reader's page, cacheable and conditional."""

from functools import wraps

from django.conf import settings
from django.http import HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import condition

from .generations import etag, generation, last_modified
from .middleware import is_anonymous_request, validators

KEY_HEADER = "xkey"


def _token(request):
    token = getattr(request, "page_generation", None)
    if token is None:
        token = request.page_generation = generation()
    return token


def shows(request, *keys: str) -> None:
    """Name more of what the page shows (surrogate keys: "topic-12", "tag-3",
    "recent"...): an HTTP cache in front drops it when one of them changes."""
    request.__dict__.setdefault("surrogate_keys", set()).update(keys)


def shows_topics(request, topic_ids) -> None:
    """The topics a page lists, one key each; a long list is named "recent"
    (purged by any change of any topic) to keep the header short."""
    topic_ids = set(topic_ids)
    if len(topic_ids) > settings.SURROGATE_KEYS_MAX:
        shows(request, "recent")
    else:
        shows(request, *(f"topic-{pk}" for pk in topic_ids))


def public_page(query=(), keys=()):
    """Mark a reader's page as cacheable and conditional.

    Its validators come from the generation: a revalidation that matches
    gets 304 before the view runs. A page is stored only when its query
    string uses the parameter names in `query`, and a view can refuse
    storing one response by setting `response.public_page = False` (a query
    that was not valid). Signed-in staff get their own page, never stored.

    Readers' pages carry an `xkey` header naming what they show: "all",
    `keys`, and what the view adds with `shows`.
    """
    allowed = set(query)
    static_keys = {"all", *keys}

    def decorator(view):
        conditional = condition(
            etag_func=lambda request, *a, **k: etag(_token(request)),
            last_modified_func=lambda request, *a, **k: last_modified(_token(request)),
        )(view)

        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not is_anonymous_request(request) and request.user.is_authenticated:
                response = view(request, *args, **kwargs)
                response["Cache-Control"] = "private, no-cache"
                patch_vary_headers(response, ["Cookie"])
                return response
            if request.headers.get("If-None-Match", "").strip() == "*":
                # "Any representation": only a page that exists has one.
                response = view(request, *args, **kwargs)
                if response.status_code == 200:
                    response = HttpResponseNotModified()
                    validators(response, _token(request))
            else:
                response = conditional(request, *args, **kwargs)
            if response.status_code == 200:
                response.public_page = getattr(response, "public_page", True) and (
                    set(request.GET) <= allowed
                )
            elif response.status_code != 304:
                for header in ("ETag", "Last-Modified"):
                    if header in response:
                        del response[header]
            _public_headers(response)
            if response.status_code == 410 or getattr(response, "public_page", False):
                shown = static_keys | getattr(request, "surrogate_keys", set())
                response[KEY_HEADER] = " ".join(sorted(shown))
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
