from django.urls import path

from . import views

app_name = "topics"

urlpatterns = [
    path("", views.topic_list, name="list"),
    path("<slug:slug>/", views.topic_detail, name="detail"),
    path("<slug:slug>/v/<int:number>/", views.version_detail, name="version"),
    path("<slug:slug>/preview/<int:pk>/", views.version_preview, name="preview"),
]
