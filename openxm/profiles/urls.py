from django.urls import path

from . import views

app_name = "profiles"

urlpatterns = [
    path("", views.directory_page, name="directory"),
    path("new/", views.create_page, name="create"),
    path("import/", views.import_page, name="import"),
    path("at-risk/", views.at_risk_page, name="at_risk"),
    path("duplicates/", views.duplicates_page, name="duplicates"),
    path("segments/", views.segments_page, name="segments"),
    path("segments/<slug:key>/", views.segment_page, name="segment"),
    path("value/", views.value_page, name="value"),
    path("value/tiers/", views.tiers_page, name="tiers"),
    path("value/churn/", views.churn_evaluate_page, name="churn_evaluate"),
    path("value/churn/<int:model_id>/switch/", views.churn_switch_page, name="churn_switch"),
    path("merges/<int:merge_id>/undo/", views.unmerge_page, name="unmerge"),
    path("<int:contact_id>/", views.profile_page, name="profile"),
    path("<int:contact_id>/merge/<int:other_id>/", views.merge_page, name="merge"),
    path("<int:contact_id>/win-back/", views.win_back_page, name="win_back"),
    path("<int:contact_id>/case/", views.open_case_page, name="open_case"),
]
