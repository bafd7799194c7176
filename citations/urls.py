from django.urls import path

from . import views

app_name = "citations"

urlpatterns = [
    path("<path:key>/", views.work_detail, name="work"),
]
