from django.urls import path

from . import views

app_name = "journeys"

urlpatterns = [
    path("", views.journey_list, name="list"),
    path("import/", views.import_document, name="import"),
    path("operational/", views.operational_page, name="operational"),
    path("touchpoints/<str:key>/", views.touchpoint_edit, name="touchpoint"),
    path("touchpoints/<str:key>/delete/", views.touchpoint_delete, name="touchpoint_delete"),
    path("<slug:key>/", views.journey_detail, name="detail"),
    path("<slug:key>/delete/", views.journey_delete, name="delete"),
    path("<slug:key>/export/", views.export_document, name="export"),
    path("<slug:key>/stages/", views.stage_add, name="stage_add"),
    path("<slug:key>/stages/<slug:stage>/move/", views.stage_move, name="stage_move"),
    path("<slug:key>/stages/<slug:stage>/delete/", views.stage_delete, name="stage_delete"),
    path("<slug:key>/touchpoints/", views.touchpoint_add, name="touchpoint_add"),
]
