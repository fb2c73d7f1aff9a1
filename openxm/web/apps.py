from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "openxm.web"
    label = "web"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        import openxm.celery  # noqa: F401  (makes the openxm Celery app current for @shared_task)
        from openxm.accounts.roles import Perm

        from . import checks  # noqa: F401  (registers system checks)
        from .navigation import NavItem, register

        register(NavItem("home", _("Overview"), "web:home", Perm.DASHBOARDS_VIEW, order=0))
        register(NavItem("members", _("Members"), "web:members", Perm.DASHBOARDS_VIEW, "settings", 10))
        register(NavItem("units", _("Units"), "web:units", Perm.DASHBOARDS_VIEW, "settings", 20))
        register(NavItem("api_keys", _("API keys"), "web:api_keys", Perm.APIKEYS_MANAGE, "settings", 30))
        register(NavItem("audit", _("Audit log"), "web:audit", Perm.AUDIT_VIEW, "settings", 40))
