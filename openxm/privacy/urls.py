from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("", views.requests, name="requests"),
    path("deadline/", views.deadline, name="deadline"),
    path("retention/", views.retention_page, name="retention"),
    path("requests/<int:request_id>/archive/", views.archive, name="archive"),
]
