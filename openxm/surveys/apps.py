from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "openxm.surveys"
    label = "surveys"
    verbose_name = _("Surveys")

    def ready(self) -> None:
        from openxm.accounts.roles import Perm
        from openxm.web.navigation import NavItem, register

        register(NavItem("surveys", _("Surveys"), "surveys:list", Perm.DASHBOARDS_VIEW, order=20))
