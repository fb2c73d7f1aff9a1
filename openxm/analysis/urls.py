from django.urls import path

from . import views

app_name = "analysis"

urlpatterns = [
    path("", views.study_list, name="list"),
    path("new/", views.study_new, name="new"),
    path("new/questions/", views.study_questions, name="new_questions"),
    path("<int:study_id>/", views.study_detail, name="detail"),
    path("<int:study_id>/csv/<slug:table>/", views.study_csv, name="csv"),
    path("<int:study_id>/delete/", views.study_delete, name="delete"),
]
