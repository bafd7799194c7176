from django.urls import path

from . import views

app_name = "topics"

urlpatterns = [
    path("", views.topic_list, name="list"),
    path("<slug:slug>/", views.topic_detail, name="detail"),
    path("<slug:slug>/v/<int:number>/", views.version_detail, name="version"),
    path("<slug:slug>/cite.<str:fmt>", views.cite_entry, name="cite"),
    path(
        "<slug:slug>/v/<int:number>/cite.<str:fmt>",
        views.cite_entry,
        name="cite-version",
    ),
    path("<slug:slug>/references.bib", views.references_bibtex, name="references"),
    path(
        "<slug:slug>/v/<int:number>/references.bib",
        views.references_bibtex,
        name="references-version",
    ),
    path("<slug:slug>/preview/<int:pk>/", views.version_preview, name="preview"),
    path("<slug:slug>/history/", views.topic_history, name="history"),
    path("<slug:slug>/compare/", views.compare_redirect, name="compare-form"),
    path(
        "<slug:slug>/compare/<int:a>/<int:b>/", views.compare_versions, name="compare"
    ),
]
