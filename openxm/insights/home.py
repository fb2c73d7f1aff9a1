"""The home page of a CX team (``/``): headline NPS/CSAT/CES of the last 30 days with their change,
the newest negative comments and links to act. Members, units and the audit log stay in the
settings menu. Registered as the shell's home view in ``InsightsConfig.ready``."""

from django.shortcuts import render
from django.utils import translation

from openxm.accounts.roles import Perm
from openxm.comments import services as comments
from openxm.surveys.door import Slice
from openxm.web.views import member_required

from . import params, widgets

HEADLINE = ("nps", "csat", "ces")


@member_required(Perm.DASHBOARDS_VIEW)
def home(request):
    actor = request.actor
    last_30 = params.parse(actor.organization, {}, {"period": "30d"})
    headline = [
        widgets.render(actor, {"type": "metric_card", "metric": metric}, last_30, i)
        for i, metric in enumerate(HEADLINE)
    ]
    negative = (
        comments.verbatims(
            actor, Slice(), sentiment="negative", limit=5, language=translation.get_language()
        ).rows
        if actor.can(Perm.RESPONSES_VIEW)
        else []
    )
    context = {
        "headline": headline,
        "negative": negative,
        "can_design": actor.can(Perm.SURVEYS_DESIGN),
        "can_view_responses": actor.can(Perm.RESPONSES_VIEW),
    }
    return render(request, "web/home.html", context)
