from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "openxm.surveys"
    label = "surveys"
    verbose_name = _("Surveys")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from openxm import metrics
        from openxm.accounts.roles import Perm
        from openxm.web.navigation import NavItem, register

        from . import collect, quota_counts
        from .models import Survey
        from .signals import response_deleted, responses_recorded

        post_save.connect(collect.forget_surveys, sender=Survey, dispatch_uid="surveys.forget")
        # A deleted response frees its quota places, in the deleting transaction.
        response_deleted.connect(quota_counts.on_response_deleted, dispatch_uid="surveys.quota_counts")
        # Stored responses are counted for /metrics once their transaction commits.
        responses_recorded.connect(metrics.on_responses_recorded, dispatch_uid="surveys.metrics")

        register(NavItem("surveys", _("Surveys"), "surveys:list", Perm.DASHBOARDS_VIEW, order=20))

        from openxm.personal_data import exempt

        # Response and Answer: the responses app's hook (it owns deleting and anonymising them).
        exempt("surveys.Survey", "a survey and its draft definition")
        exempt("surveys.SurveyVersion", "a published definition")
        exempt("surveys.QuotaCount", "how many responses filled a quota cell")
