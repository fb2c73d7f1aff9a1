from django.urls import path

from . import views

app_name = "employees"

urlpatterns = [
    path("", views.results, name="results"),
    path("matrix/", views.matrix, name="matrix"),
    path("unit/", views.unit, name="unit"),
    path("settings/", views.settings, name="settings"),
]
