import functools

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse


@functools.cache
def _site_urls():
    """The addresses every page links to, resolved once per process."""
    names = ["home", "topics:list", "a-z", "tags:list", "random", "search"]
    urls = {name.replace(":", "_").replace("-", "_"): reverse(name) for name in names}
    urls["site_css"] = static("css/site.css")
    urls["print_css"] = static("css/print.css")
    return urls


def site(request):
    """Expose the site's name, content licence and main addresses to templates."""
    return {
        "site_name": settings.SCHOLARGATE_SITE_NAME,
        "content_licence": settings.SCHOLARGATE_CONTENT_LICENCE,
        "site_urls": _site_urls(),
        "feed_url": _feed_url(),
    }


@functools.cache
def _feed_url():
    return reverse("feed-recent")
