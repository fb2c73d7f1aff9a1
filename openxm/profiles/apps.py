from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProfilesConfig(AppConfig):
    name = "openxm.profiles"
    label = "profiles"
    verbose_name = _("Customer profiles")

    def ready(self) -> None:
        from openxm.accounts.roles import Perm
        from openxm.customers import segments as contact_segments
        from openxm.web.navigation import NavItem, register

        from . import personal_data

        personal_data.register_hook()

        from .segments import SegmentProvider

        # Dashboards, distribution and alert rules read saved segments through customers.
        contact_segments.register(SegmentProvider())

        register(NavItem("contacts", _("Contacts"), "profiles:directory", Perm.RESPONSES_VIEW, order=35))
        register(NavItem("segments", _("Segments"), "profiles:segments", Perm.RESPONSES_VIEW, order=36))
