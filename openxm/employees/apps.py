"""Employee experience: confidential employee results and their anonymity thresholds."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmployeesConfig(AppConfig):
    name = "openxm.employees"
    label = "employees"
    verbose_name = _("Employee experience")
