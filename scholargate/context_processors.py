import functools

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _


@functools.cache
def _site_urls():
    """The addresses every page links to, resolved once per process."""
    names = ["home", "assistant", "topics:list", "a-z", "tags:list", "random", "search"]
    urls = {name.replace(":", "_").replace("-", "_"): reverse(name) for name in names}
    urls["site_css"] = static("css/site.css")
    urls["print_css"] = static("css/print.css")
    urls["cite_panel_js"] = static("js/cite-panel.js")
    return urls


@functools.cache
def _site_texts(language):
    """The words of every page's frame (header, footer, breadcrumbs),
    translated once per language and process: as {% translate %} tags they
    took a tenth of a cold topic page's time (bench/pages.py)."""
    site = settings.SCHOLARGATE_SITE_NAME
    licence = settings.SCHOLARGATE_CONTENT_LICENCE
    return {
        "feed_title": _("%(site)s: recently approved") % {"site": site},
        "skip": _("Skip to content"),
        "assistant": _("Assistant"),
        "site_nav": _("Site"),
        "all_topics": _("All topics"),
        "a_z": _("A–Z"),
        "tags": _("Tags"),
        "random": _("Random"),
        "desk": _("Editorial desk"),
        "search_topics": _("Search topics"),
        "search": _("Search"),
        "licence": format_html(
            _(
                'Text is available under <a rel="license" href="{}">{}</a>; every '
                "entry is reviewed by a moderator before it is published."
            ),
            licence["url"],
            licence["name"],
        ),
        "tagline": _("%(site)s — a scholarly encyclopedia.") % {"site": site},
        "breadcrumbs": _("Breadcrumbs"),
        "home": _("Home"),
        "about_topic": _("About this topic"),
        "sub_topics": _("Sub-topics"),
        "close": _("Close"),
    }


def site(request):
    """Expose the site's name, content licence, main addresses and the words
    of its frame to templates."""
    return {
        "site_name": settings.SCHOLARGATE_SITE_NAME,
        "content_licence": settings.SCHOLARGATE_CONTENT_LICENCE,
        "site_urls": _site_urls(),
        "site_texts": _site_texts(get_language()),
        "feed_url": _feed_url(),
    }


@functools.cache
def _feed_url():
    return reverse("feed-recent")
