from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResponsesConfig(AppConfig):
    name = "openxm.responses"
    label = "responses"
    verbose_name = _("Responses")

    def ready(self) -> None:
        from openxm.accounts.roles import Perm
        from openxm.web.navigation import NavItem, register

        from . import personal_data

        personal_data.register_hook()

        register(NavItem("responses", _("Responses"), "responses:browser", Perm.RESPONSES_VIEW, order=30))
        register(NavItem("imports", _("Imports"), "responses:imports", Perm.RESPONSES_WRITE, order=32))
        register(NavItem("exports", _("Exports"), "responses:exports", Perm.DATA_EXPORT, order=34))
