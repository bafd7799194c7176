from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html
from django.utils.translation import gettext as _
from taggit.models import Tag

from .models import TopicVersion
from .selectors import TEXT_FIELDS


class RecentVersionsFeed(Feed):
    """Approved versions, newest first; each links to its permalink."""

    feed_type = Atom1Feed
    link = "/"

    def title(self):
        return f"{settings.SCHOLARGATE_SITE_NAME}: recently approved versions"

    def subtitle(self):
        return "Every version a moderator approved, with its edit summary."

    def versions(self):
        return (
            TopicVersion.objects.approved()
            .filter(is_permalink_withdrawn=False, topic__is_unpublished=False)
            .select_related("topic", "page")
            .defer(*(f"page__{name}" for name in TEXT_FIELDS))
            .order_by("-approved_at", "-pk")
        )

    def items(self):
        return self.versions()[:50]

    def item_title(self, version):
        return f"{version.title} (version {version.number})"

    def item_description(self, version):
        summary = version.page.summary_html
        if version.edit_summary:
            # The summary is stored sanitised HTML; the edit summary is text.
            summary += format_html(
                "<p>{}</p>",
                _("Change: %(summary)s") % {"summary": version.edit_summary},
            )
        return summary

    def item_link(self, version):
        return version.get_absolute_url()

    def item_guid(self, version):
        return settings.SCHOLARGATE_SITE_URL + version.get_absolute_url()

    item_guid_is_permalink = True

    def item_pubdate(self, version):
        return version.approved_at

    def item_updateddate(self, version):
        return version.approved_at

    def item_author_name(self, version):
        return version.page.byline or None


class TagFeed(RecentVersionsFeed):
    def get_object(self, request, slug):
        tag = get_object_or_404(Tag, slug=slug)
        if not self.versions().filter(tags=tag).exists():
            raise Http404("No published topic has this tag.")
        return tag

    def title(self, tag):
        return f"{settings.SCHOLARGATE_SITE_NAME}: {tag.name}"

    def link(self, tag):
        return f"/tags/{tag.slug}/"

    def items(self, tag):
        return self.versions().filter(tags=tag)[:50]
