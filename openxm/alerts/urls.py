from django.urls import path

from . import views

app_name = "alerts"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("early-warning/", views.early_warning, name="early_warning"),
    path("early-warning/<int:episode_id>/", views.episode, name="episode"),
    path("settings/", views.notification_settings, name="settings"),
    path("rules/", views.rules, name="rules"),
    path("rules/<slug:key>/", views.rule, name="rule"),
    path("rules/<slug:key>/toggle/", views.toggle_rule, name="toggle_rule"),
    path("webhooks/", views.webhooks, name="webhooks"),
    path("webhooks/<slug:key>/", views.webhook, name="webhook"),
    path("webhooks/<slug:key>/test/", views.test_webhook, name="test_webhook"),
]
