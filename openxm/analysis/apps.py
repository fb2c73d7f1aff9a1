"""Analysis studies: KANO, SERVQUAL, importance–performance and key drivers on survey data."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalysisConfig(AppConfig):
    name = "openxm.analysis"
    label = "analysis"
    verbose_name = _("Analysis")

    def ready(self) -> None:
        from openxm.accounts.roles import Perm
        from openxm.web.navigation import NavItem, register

        # Seeing studies needs only dashboards.view (aggregated figures); the page offers
        # "New study" to roles with surveys.design.
        register(NavItem("analysis", _("Analysis"), "analysis:list", Perm.DASHBOARDS_VIEW, order=60))

        from openxm.personal_data import exempt

        exempt("analysis.Study", "a study's configuration over a survey")
