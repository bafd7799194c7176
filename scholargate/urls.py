from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from topics import views as topic_views

urlpatterns = [
    path("", topic_views.home, name="home"),
    path("topics/", include("topics.urls")),
    path("works/", include("citations.urls")),
    path("people/<slug:slug>/", topic_views.person_detail, name="person"),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
