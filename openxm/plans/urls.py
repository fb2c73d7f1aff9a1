from django.urls import path

from . import views

app_name = "plans"

urlpatterns = [
    path("", views.plan_list, name="list"),
    path("backlog/", views.backlog, name="backlog"),
    path("<int:plan_id>/", views.plan_detail, name="detail"),
    path("<int:plan_id>/delete/", views.plan_delete, name="delete"),
]
