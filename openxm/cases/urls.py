from django.urls import path

from . import config_views, link_views, views

app_name = "cases"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("bulk/", views.bulk, name="bulk"),
    path("metrics/", views.dashboard, name="dashboard"),
    path("<int:case_id>/", views.case_page, name="case"),
    path("config/", config_views.case_settings, name="config_settings"),
    path("config/calendars/", config_views.calendars, name="config_calendars"),
    path("config/units/", config_views.units, name="config_units"),
    path("config/teams/", config_views.teams, name="config_teams"),
    path("config/codes/", config_views.codes, name="config_codes"),
    path("link/<str:token>/", link_views.link_page, name="link"),
    path("from-response/<int:response_id>/", views.open_from_response, name="from_response"),
]
