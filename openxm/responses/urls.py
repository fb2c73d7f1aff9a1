from django.urls import path

from . import views

app_name = "responses"

urlpatterns = [
    path("", views.browser, name="browser"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("<int:pk>/anonymise/", views.anonymise, name="anonymise"),
    path("tag/", views.tag, name="tag"),
    path("codebook/", views.codebook, name="codebook"),
    path("exports/", views.exports, name="exports"),
    path("exports/<int:pk>/row/", views.export_row, name="export_row"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    path("imports/", views.imports, name="imports"),
    path("imports/<int:pk>/", views.import_job, name="import_job"),
    path("imports/<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("imports/<int:pk>/rejected-rows.csv", views.import_report, name="import_report"),
]
