from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("", views.requests, name="requests"),
    path("deadline/", views.deadline, name="deadline"),
    path("requests/<int:request_id>/archive/", views.archive, name="archive"),
]
