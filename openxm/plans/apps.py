"""Action plans: improvements tied to touchpoints, topics, units or root causes, with measured impact."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "openxm.plans"
    label = "plans"
    verbose_name = _("Action plans")

    def ready(self) -> None:
        from openxm.accounts.roles import Perm
        from openxm.web.navigation import NavItem, register

        from . import personal_data

        personal_data.register_hook()
        register(NavItem("plans", _("Action plans"), "plans:list", Perm.DASHBOARDS_VIEW, order=17))
        register(NavItem("plans-backlog", _("Backlog"), "plans:backlog", Perm.DASHBOARDS_VIEW, order=18))
