from django.urls import path

from . import config_views, views

app_name = "comments"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("verbatims/", views.verbatims, name="verbatims"),
    path("verbatims/<int:pk>/correct/", views.correct, name="correct"),
    path("responses/<int:pk>/", views.response_comments, name="response"),
    path("reanalyse/", views.reanalyse, name="reanalyse"),
    path("jobs/<int:pk>/", views.job, name="job"),
    path("jobs/<int:pk>/progress/", views.job_progress, name="job_progress"),
    path("taxonomy/", config_views.taxonomy, name="taxonomy"),
    path("taxonomy/export/", config_views.taxonomy_export, name="taxonomy_export"),
    path("taxonomy/import/", config_views.taxonomy_import, name="taxonomy_import"),
    path("taxonomy/reset/", config_views.taxonomy_reset, name="taxonomy_reset"),
    path("classifiers/", config_views.classifiers, name="classifiers"),
    path("classifiers/<int:pk>/", config_views.classifier, name="classifier"),
    path("classifiers/<int:pk>/status/", config_views.classifier_status, name="classifier_status"),
    path(
        "classifiers/<int:pk>/activate/",
        config_views.classifier_switch,
        {"action": "activate"},
        name="classifier_activate",
    ),
    path(
        "classifiers/<int:pk>/deactivate/",
        config_views.classifier_switch,
        {"action": "deactivate"},
        name="classifier_deactivate",
    ),
    path("classifiers/<int:pk>/delete/", config_views.classifier_delete, name="classifier_delete"),
    path("themes/", config_views.themes, name="themes"),
    path("adaptation/", config_views.adaptation, name="adaptation"),
]
