from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "openxm.insights"
    label = "insights"
    verbose_name = _("Insights")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from openxm.accounts.roles import Perm
        from openxm.surveys.signals import response_anonymised, response_deleted, responses_recorded
        from openxm.web.navigation import NavItem, register

        from . import personal_data

        personal_data.register_hook()

        from . import rollups
        from .models import RollupSettings

        # Rollups change in the transaction that stores, deletes or anonymises the response.
        responses_recorded.connect(rollups.on_responses_recorded, dispatch_uid="insights.rollups")
        response_deleted.connect(rollups.on_response_deleted, dispatch_uid="insights.rollups")
        response_anonymised.connect(rollups.on_response_anonymised, dispatch_uid="insights.rollups")
        for signal in (post_save, post_delete):
            signal.connect(rollups.forget_segments, sender=RollupSettings, dispatch_uid="insights.segments")

        from openxm.web.views import set_home_view

        from .home import home

        set_home_view(home)
        register(
            NavItem("dashboards", _("Dashboards"), "insights:dashboards", Perm.DASHBOARDS_VIEW, order=10)
        )
        register(
            NavItem("reports", _("Scheduled reports"), "insights:schedules", Perm.DASHBOARDS_VIEW, order=45)
        )
