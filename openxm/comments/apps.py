"""Comments: text analytics of open answers (language, sentiment, topics, flags, PII) stored per
answer, organization taxonomies and custom classifiers, and re-analysis jobs."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _on_response_recorded(sender, response, answers=None, **kwargs) -> None:
    """Queue the new response's comments for analysis once its transaction commits."""
    from .engine import is_comment
    from .tasks import queue_response

    if answers is not None and not any(is_comment(a) for a in answers):
        return
    queue_response(response.organization_id, response.pk)


class CommentsConfig(AppConfig):
    name = "openxm.comments"
    label = "comments"
    verbose_name = _("Comments")

    def ready(self) -> None:
        from openxm.accounts.roles import Perm
        from openxm.surveys.signals import response_recorded
        from openxm.web.navigation import NavItem, register

        response_recorded.connect(_on_response_recorded, dispatch_uid="openxm.comments.analyse")
        register(
            NavItem("comments", _("Text analytics"), "comments:overview", Perm.DASHBOARDS_VIEW, order=40)
        )
