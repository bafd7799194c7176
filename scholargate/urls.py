import re

from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.http import HttpResponse
from django.urls import include, path, re_path
from django.views.decorators.cache import cache_control, never_cache
from django.views.static import serve

from scholargate.pagecache import public_page
from topics import views as topic_views
from topics.assistant import views as assistant_views
from topics.feeds import RecentVersionsFeed, TagFeed
from topics.sitemaps import TopicSitemap, VersionSitemap

tag_patterns = (
    [
        path("", topic_views.tag_list, name="list"),
        path("<slug:slug>/", topic_views.tag_detail, name="detail"),
    ],
    "tags",
)


@never_cache
def health(request):
    """For load balancers and uptime checks; also the benchmarks' floor."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("health/", health, name="health"),
    path("", topic_views.home, name="home"),
    path("topics/", include("topics.urls")),
    path("works/", include("citations.urls")),
    path("people/<slug:slug>/", topic_views.person_detail, name="person"),
    path("search/", topic_views.search_view, name="search"),
    path("assistant/", assistant_views.ask, name="assistant"),
    path("assistant/answer.json", assistant_views.answer_json, name="assistant-json"),
    path("tags/", include(tag_patterns)),
    path("a-z/", topic_views.a_to_z, name="a-z"),
    path("random/", topic_views.random_topic, name="random"),
    path(
        "feeds/recent/",
        public_page(keys=("recent",))(RecentVersionsFeed()),
        name="feed-recent",
    ),
    path(
        "feeds/tags/<slug:slug>/",
        public_page(keys=("recent", "tags"))(TagFeed()),
        name="feed-tag",
    ),
    path(
        "sitemap.xml",
        public_page(keys=("recent",))(sitemap),
        {"sitemaps": {"topics": TopicSitemap, "versions": VersionSitemap}},
        name="sitemap",
    ),
    path("robots.txt", topic_views.robots_txt, name="robots"),
    path("admin/", admin.site.urls),
]

if settings.SERVE_MEDIA:
    # Figures are content-addressed and never change: cache them for a year.
    urlpatterns += [
        re_path(
            "^" + re.escape(settings.MEDIA_URL.lstrip("/")) + "(?P<path>.*)$",
            cache_control(public=True, max_age=31536000, immutable=True)(serve),
            {"document_root": settings.MEDIA_ROOT},
        )
    ]
