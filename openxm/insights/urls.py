from django.urls import path

from . import views

app_name = "insights"

urlpatterns = [
    path("", views.dashboard_list, name="dashboards"),
    path("journeys/<slug:key>/", views.journey_map_page, name="journey_map"),
    path("touchpoints/<str:key>/", views.touchpoint_page, name="touchpoint"),
    path("dashboards/new/", views.dashboard_edit, name="dashboard_new"),
    path("dashboards/<slug:key>/", views.dashboard_page, name="dashboard"),
    path("dashboards/<slug:key>/edit/", views.dashboard_edit, name="dashboard_edit"),
    path("dashboards/<slug:key>/delete/", views.dashboard_delete, name="dashboard_delete"),
    path("dashboards/<slug:key>/report/", views.dashboard_pdf, name="dashboard_report"),
    path("responses/", views.response_list, name="responses"),
    path("responses/<int:response_id>/", views.response_detail, name="response"),
    path("reports/", views.schedules, name="schedules"),
    path("reports/<int:schedule_id>/delete/", views.schedule_delete, name="schedule_delete"),
    path("reports/<int:schedule_id>/send/", views.schedule_send, name="schedule_send"),
    path("segments/", views.segment_settings, name="segments"),
]
