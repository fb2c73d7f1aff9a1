"""``{% survey_share_panel survey %}``: the share panel of the survey page.

A template tag rather than a view import keeps the survey pages (the surveys app) free of imports
from distribution, which sits to its right in the layers (docs: DESIGN.md).
"""

from django import template

from openxm.accounts.roles import Perm
from openxm.distribution import services
from openxm.distribution.models import Channel

register = template.Library()

MESSENGERS = ("sms", "wechat", "wecom", "dingtalk")


@register.inclusion_tag("distribution/_share_panel.html", takes_context=True)
def survey_share_panel(context, survey):
    actor = context["request"].actor
    share = services.survey_share(actor, survey.pk)
    labels = dict(Channel.choices)
    return {
        "survey": survey,
        "share": share,
        "rows": [(d, labels.get(d.channel, d.channel)) for d in share.distributions],
        "link": share.links[0] if share.links else None,
        "channels": labels,
        "messengers": [(code, labels[code]) for code in MESSENGERS],
        "can_distribute": actor.can(Perm.SURVEYS_DISTRIBUTE),
        "published": survey.current_version_id is not None,
        "csrf_token": context.get("csrf_token"),
    }
