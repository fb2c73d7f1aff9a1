from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "openxm.surveys"
    label = "surveys"
    verbose_name = _("Surveys")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from openxm.accounts.roles import Perm
        from openxm.web.navigation import NavItem, register

        from . import collect
        from .models import Survey

        post_save.connect(collect.forget_surveys, sender=Survey, dispatch_uid="surveys.forget")

        register(NavItem("surveys", _("Surveys"), "surveys:list", Perm.DASHBOARDS_VIEW, order=20))
