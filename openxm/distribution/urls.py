"""Respondent pages at /r/... and distribution management under /distribution/."""

from django.urls import path

from . import manage_views, views

app_name = "distribution"

urlpatterns = [
    # respondents (public, signed tokens)
    path("r/l/<str:token>/", views.public_link, name="link"),
    path("r/i/<str:token>/", views.personal_link, name="invitation"),
    path("r/p/<str:token>/", views.resume, name="resume"),
    path("r/done/<str:token>/", views.done, name="done"),
    path("r/u/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("r/x/<str:token>/config.json", views.intercept_config, name="intercept_config"),
    path("r/preview/<int:survey_id>/", views.preview, name="preview"),
    # management
    path("distribution/", manage_views.overview, name="overview"),
    path("distribution/new/", manage_views.create, name="create"),
    path("distribution/share/<int:survey_id>/", manage_views.share_link, name="share_link"),
    path("distribution/<int:pk>/", manage_views.detail, name="detail"),
    path("distribution/<int:pk>/qr.<str:fmt>", manage_views.qr_code, name="qr"),
    path("distribution/<int:pk>/invite/", manage_views.invite, name="invite"),
    path("distribution/<int:pk>/invite-segment/", manage_views.invite_segment, name="invite_segment"),
    path("distribution/<int:pk>/toggle/", manage_views.toggle, name="toggle"),
    path("distribution/invitations/<int:pk>/", manage_views.invitation_detail, name="invitation_detail"),
    path("distribution/triggers/", manage_views.triggers, name="triggers"),
    path("distribution/messengers/", manage_views.messengers, name="messengers"),
    path("distribution/policy/", manage_views.policy, name="policy"),
]
