"""Comments: text analytics of open answers (language, sentiment, topics, flags, PII) stored per
answer, organization taxonomies and custom classifiers, and re-analysis jobs."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommentsConfig(AppConfig):
    name = "openxm.comments"
    label = "comments"
    verbose_name = _("Comments")

    def ready(self) -> None:
        from openxm.accounts.roles import Perm
        from openxm.responses.exporting import register_comment_reader
        from openxm.surveys.signals import response_anonymised, response_deleted, responses_recorded
        from openxm.web.navigation import NavItem, register

        from . import personal_data, queries, receivers

        personal_data.register_hook()

        # Results follow their responses: analysed after the storing commit; dropped, and
        # re-analysed from the redacted text, inside the deleting and anonymising transactions.
        responses_recorded.connect(receivers.on_responses_recorded, dispatch_uid="comments.analyse")
        response_deleted.connect(receivers.on_response_deleted, dispatch_uid="comments.results")
        response_anonymised.connect(receivers.on_response_anonymised, dispatch_uid="comments.results")
        # Exports write each comment's sentiment, score, topics and flags next to it.
        register_comment_reader(queries.export_findings)
        register(
            NavItem("comments", _("Text analytics"), "comments:overview", Perm.DASHBOARDS_VIEW, order=40)
        )
