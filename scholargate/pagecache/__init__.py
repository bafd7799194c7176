"""Whole-page caching of readers' pages, invalidated by a site-wide generation.

Every public page can show other topics (related, sub-topics, referenced by,
lists, search), so any change readers could see moves the site to a new
*generation* once it commits (`changed`), and a page cached in an older one
is never served again. What calls it is listed in topics/reactions.py.

- `generation`: the token, shared by every process (in Redis, or in a small
  file beside the local-memory cache of each process of one host);
- `PageCacheMiddleware`: serves anonymous requests from the cache before
  sessions and authentication run, and fills it;
- `public_page`: marks a view's responses as cacheable, with ETag and
  Last-Modified from the generation (Django's `condition()`), and names
  what they show for the HTTP caches in front (`shows`, the `xkey` header);
- `purge`: after a change, purges the pages that show it from those caches.
"""

from .generations import (
    build_id,
    changed,
    etag,
    generation,
    last_modified,
    new_generation,
)
from .middleware import PageCacheMiddleware, is_anonymous_request
from .views import public_page, shows, shows_topics

__all__ = [
    "PageCacheMiddleware",
    "build_id",
    "changed",
    "etag",
    "generation",
    "is_anonymous_request",
    "last_modified",
    "new_generation",
    "public_page",
    "shows",
    "shows_topics",
]
