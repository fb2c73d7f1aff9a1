from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("health", views.health, name="health"),
    path("ready", views.ready, name="ready"),
    # Browsers ask for /favicon.ico whatever the page links; the icon is an SVG.
    path("favicon.ico", RedirectView.as_view(url=static("openxm/favicon.svg"), permanent=True)),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("org/switch/", views.switch_organization, name="switch_org"),
    path("language/", views.set_language, name="set_language"),
    path("settings/members/", views.members, name="members"),
    path("settings/members/<int:membership_id>/role/", views.member_role, name="member_role"),
    path("settings/members/<int:membership_id>/remove/", views.member_remove, name="member_remove"),
    path("settings/api-keys/", views.api_keys, name="api_keys"),
    path("settings/api-keys/<int:key_id>/revoke/", views.api_key_revoke, name="api_key_revoke"),
    path("settings/units/", views.units, name="units"),
    path("settings/units/export.csv", views.units_export, name="units_export"),
    path("settings/audit/", views.audit_log, name="audit"),
    path("settings/audit/export.csv", views.audit_export, name="audit_export"),
]
