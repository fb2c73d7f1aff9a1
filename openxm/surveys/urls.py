from django.urls import include, path

from . import views

app_name = "surveys"

urlpatterns = [
    path("", views.survey_list, name="list"),
    path("templates/", views.template_gallery, name="templates"),
    path("import/", views.import_definition, name="import"),
    path("<int:ref>/", views.survey_detail, name="detail"),
    path("<int:ref>/export/", views.export_definition, name="export"),
    path("<int:ref>/publish/", views.publish, name="publish"),
    path("<int:ref>/status/", views.change_status, name="status"),
    path("<int:ref>/duplicate/", views.duplicate, name="duplicate"),
    path("<int:ref>/quotas/<str:quota_id>/reset/", views.reset_quota, name="quota_reset"),
    path("<int:ref>/builder/", include("openxm.surveys.builder.urls")),
]
