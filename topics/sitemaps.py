from django.contrib.sitemaps import Sitemap

from .models import Topic, TopicVersion


class TopicSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8
    limit = 5000

    def items(self):
        return Topic.objects.live().select_related("live_version").order_by("pk")

    def lastmod(self, topic):
        return topic.live_version.approved_at


class VersionSitemap(Sitemap):
    """Permalinks of superseded versions: citable, rarely changing."""

    changefreq = "never"
    priority = 0.3
    limit = 5000

    def items(self):
        return (
            TopicVersion.objects.filter(
                state=TopicVersion.State.SUPERSEDED,
                is_permalink_withdrawn=False,
                topic__is_unpublished=False,
            )
            .select_related("topic")
            .order_by("pk")
        )

    def lastmod(self, version):
        return version.approved_at
