from django.urls import path, register_converter

from . import views


class VersionNumberConverter:
    """A version number: 1, 2, 3… (at most nine digits, so that no address
    can ask the database for a number it cannot hold)."""

    regex = "[1-9][0-9]{0,8}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


register_converter(VersionNumberConverter, "version")

app_name = "topics"

urlpatterns = [
    path("", views.topic_list, name="list"),
    path("<slug:slug>/", views.topic_detail, name="detail"),
    path("<slug:slug>/v/<version:number>/", views.version_detail, name="version"),
    path("<slug:slug>/cite.<str:fmt>", views.cite_entry, name="cite"),
    path(
        "<slug:slug>/v/<version:number>/cite.<str:fmt>",
        views.cite_entry,
        name="cite-version",
    ),
    path(
        "<slug:slug>/v/<version:number>/cite/<slug:anchor>/",
        views.cite_part,
        name="cite-part",
    ),
    path("<slug:slug>/references.bib", views.references_bibtex, name="references"),
    path(
        "<slug:slug>/v/<version:number>/references.bib",
        views.references_bibtex,
        name="references-version",
    ),
    path("<slug:slug>/preview/<int:pk>/", views.version_preview, name="preview"),
    path("<slug:slug>/history/", views.topic_history, name="history"),
    path("<slug:slug>/compare/", views.compare_redirect, name="compare-form"),
    path(
        "<slug:slug>/compare/<version:a>/<version:b>/",
        views.compare_versions,
        name="compare",
    ),
]
