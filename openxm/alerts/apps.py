"""Alerts: rules evaluated on every stored response (and again after its text analysis)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "openxm.alerts"
    label = "alerts"
    verbose_name = _("Alerts")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from openxm.accounts.roles import Perm
        from openxm.comments.signals import analyses_written
        from openxm.insights import notices
        from openxm.surveys.signals import responses_recorded
        from openxm.web.navigation import NavItem, register

        from . import personal_data

        personal_data.register_hook()

        from . import episodes, evaluate
        from .services import unread_count

        # Score/answer rules: once the storing transaction commits; text rules: after analysis.
        responses_recorded.connect(evaluate.on_responses_recorded, dispatch_uid="alerts.rules")
        analyses_written.connect(evaluate.on_analyses_written, dispatch_uid="alerts.text_rules")
        # Which organizations have rules of each kind is remembered briefly (evaluate.py).
        post_save.connect(evaluate.forget_rules, sender="alerts.Rule", dispatch_uid="alerts.forget_rules")
        post_delete.connect(evaluate.forget_rules, sender="alerts.Rule", dispatch_uid="alerts.forget_rules")
        # Open early-warning episodes on the dashboard, the journey map and the touchpoint page.
        notices.register("alerts.episodes", episodes.notices)
        register(
            NavItem(
                "alerts-inbox",
                _("Alerts"),
                "alerts:inbox",
                Perm.DASHBOARDS_VIEW,
                order=15,
                badge=unread_count,
            )
        )
        register(
            NavItem(
                "early-warning", _("Early warning"), "alerts:early_warning", Perm.DASHBOARDS_VIEW, order=16
            )
        )
        register(NavItem("alerts-rules", _("Alert rules"), "alerts:rules", Perm.ALERTS_MANAGE, order=47))
        register(NavItem("alerts-webhooks", _("Webhooks"), "alerts:webhooks", Perm.ALERTS_MANAGE, order=48))
