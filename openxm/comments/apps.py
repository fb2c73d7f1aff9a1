"""Comments: text analytics of open answers (language, sentiment, topics, flags, PII) stored per
answer, organization taxonomies and custom classifiers, and re-analysis jobs."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _on_responses_recorded(sender, recorded, **kwargs) -> None:
    """Queue the new responses' comments for analysis once their transaction commits."""
    from .engine import is_comment
    from .tasks import queue_response

    for response, answers in recorded:
        if any(is_comment(a) for a in answers):
            queue_response(response.organization_id, response.pk)


class CommentsConfig(AppConfig):
    name = "openxm.comments"
    label = "comments"
    verbose_name = _("Comments")

    def ready(self) -> None:
        from openxm.accounts.roles import Perm
        from openxm.surveys.signals import responses_recorded
        from openxm.web.navigation import NavItem, register

        responses_recorded.connect(_on_responses_recorded, dispatch_uid="openxm.comments.analyse")
        register(
            NavItem("comments", _("Text analytics"), "comments:overview", Perm.DASHBOARDS_VIEW, order=40)
        )
