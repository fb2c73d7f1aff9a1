from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JourneysConfig(AppConfig):
    name = "openxm.journeys"
    label = "journeys"
    verbose_name = _("Journeys")

    def ready(self) -> None:
        from openxm.accounts.roles import Perm
        from openxm.web.navigation import NavItem, register

        register(NavItem("journeys", _("Journeys"), "journeys:list", Perm.DASHBOARDS_VIEW, order=15))

        from openxm.personal_data import exempt

        for label in ("Journey", "Stage", "Touchpoint"):
            exempt(f"journeys.{label}", "the organization's journey map")
        exempt("journeys.OperationalMetric", "a touchpoint's operational figures per period")
