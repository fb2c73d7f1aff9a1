"""Cases: opened from alert rules (the ``case`` action), response pages, the API or by hand."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "openxm.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from openxm.accounts.roles import Perm
        from openxm.alerts.signals import alert_fired
        from openxm.profiles import cases as profile_cases
        from openxm.surveys.signals import responses_recorded
        from openxm.web.navigation import NavItem, register

        from . import followup, for_profiles, opening, personal_data

        personal_data.register_hook()
        # Profiles show, count and move a contact's cases and open one for a customer at risk.
        profile_cases.register(for_profiles.CaseProvider())

        alert_fired.connect(opening.on_alert_fired, dispatch_uid="cases.open_from_rule")
        # In the storing transaction: a follow-up answer lands on its case with the response.
        responses_recorded.connect(followup.on_responses_recorded, dispatch_uid="cases.followup")
        register(NavItem("cases-inbox", _("Cases"), "cases:inbox", Perm.CASES_WORK, order=14))
        register(
            NavItem("cases-dashboard", _("Case metrics"), "cases:dashboard", Perm.DASHBOARDS_VIEW, order=17)
        )
        register(
            NavItem(
                "cases-config",
                _("Case configuration"),
                "cases:config_settings",
                Perm.MEMBERS_MANAGE,
                section="settings",
                order=45,
            )
        )
