"""Every template of the survey library as a published survey of the demo company.

The collection and studies steps create (and answer) the customer surveys they need; this step
adds the rest of the library — the eNPS pulse and the internal-customer survey for the HR and
operations teams — so every template is there to open, edit and send.
"""

from openxm.accounts import services as accounts
from openxm.accounts.errors import NotFound
from openxm.surveys import services as surveys

from .loader import DemoContext, demo_step


@demo_step("survey-library", order=75)
def load_library(ctx: DemoContext) -> None:
    actor = accounts.operator_actor(ctx.organization)
    added = []
    for template in surveys.list_templates("en"):
        key = template["key"]
        try:
            surveys.get_survey(actor, key)
        except NotFound:
            survey = surveys.create_from_template(actor, key, key=key)
            surveys.publish_survey(actor, survey.pk)
            added.append(key)
    if added:
        ctx.say(f"survey templates published: {', '.join(added)}")
