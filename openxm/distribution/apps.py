from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DistributionConfig(AppConfig):
    name = "openxm.distribution"
    label = "distribution"
    verbose_name = _("Distribution")

    def ready(self) -> None:
        from openxm.accounts.roles import Perm
        from openxm.web.navigation import NavItem, register

        from . import personal_data

        personal_data.register_hook()
        register(
            NavItem(
                "distribution", _("Distribution"), "distribution:overview", Perm.DASHBOARDS_VIEW, order=30
            )
        )
