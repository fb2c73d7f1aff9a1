from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("bulk/", views.bulk, name="bulk"),
    path("metrics/", views.dashboard, name="dashboard"),
    path("<int:case_id>/", views.case_page, name="case"),
    path("from-response/<int:response_id>/", views.open_from_response, name="from_response"),
]
