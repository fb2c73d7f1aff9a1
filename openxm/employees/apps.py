"""Employee experience: confidential employee results and their anonymity thresholds."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmployeesConfig(AppConfig):
    name = "openxm.employees"
    label = "employees"
    verbose_name = _("Employee experience")

    def ready(self) -> None:
        from openxm.accounts.roles import Perm
        from openxm.personal_data import exempt
        from openxm.surveys import door
        from openxm.web.navigation import NavItem, register

        from . import thresholds

        # Employee responses are stored without a person (surveys.collect.deidentify), so a
        # data-subject request finds none of them; the thresholds name no one.
        exempt("employees.Confidentiality", "an organization's or survey's anonymity thresholds")

        # The survey's own page counts responses only from this group size on.
        door.register_confidential_min_group(lambda org, survey: thresholds.effective(org, survey).min_group)

        view = Perm.DASHBOARDS_VIEW
        register(NavItem("employees", _("Employee experience"), "employees:results", view, order=17))
        register(NavItem("employees-matrix", _("Internal service"), "employees:matrix", view, order=18))
        register(NavItem("employees-unit", _("eNPS and NPS"), "employees:unit", view, order=19))
        register(NavItem("employees-settings", _("Anonymity"), "employees:settings", view, "settings", 49))
