"""Text feedback: qualitative notes (interviews, focus groups, reviews) stored as responses.

They are kept as responses to one built-in survey per organization (key ``feedback``) with a
long text question and two hidden fields, so text analytics, the response browser and exports
treat them like any comment. Each note is tied to a touchpoint through the response.
"""

from openxm.accounts.actors import Actor
from openxm.surveys import services as surveys

FEEDBACK_KEY = "feedback"

DEFINITION = {
    "schema_version": 1,
    "key": FEEDBACK_KEY,
    "title": {"en": "Text feedback", "zh-Hans": "文本反馈"},
    "description": {
        "en": "Interview notes, focus groups, reviews and other free-text feedback, imported from files.",
        "zh-Hans": "从文件导入的访谈记录、焦点小组、评论等文本反馈。",
    },
    "languages": ["en", "zh-Hans"],
    "default_language": "en",
    "audience": "customer",
    "pages": [
        {
            "id": "feedback",
            "questions": [
                {
                    "id": "source",
                    "type": "hidden",
                    "description": {
                        "en": "Where the feedback comes from (interview, focus group, review…)",
                        "zh-Hans": "反馈来源（访谈、焦点小组、评论…）",
                    },
                },
                {
                    "id": "subject",
                    "type": "hidden",
                    "description": {"en": "Who or what it is about", "zh-Hans": "反馈对象"},
                },
                {
                    "id": "feedback",
                    "type": "text",
                    "style": "long",
                    "max_length": 100000,
                    "required": True,
                    "text": {"en": "Feedback", "zh-Hans": "反馈内容"},
                },
            ],
        }
    ],
}


def ensure_feedback_survey(actor: Actor):
    """The organization's text-feedback survey, created and published on first use."""
    from openxm.accounts.errors import NotFound

    try:
        survey = surveys.get_survey(actor, FEEDBACK_KEY)
    except NotFound:
        survey = surveys.create_survey(actor, DEFINITION, key=FEEDBACK_KEY)
    if survey.current_version_id is None:
        surveys.publish_survey(actor, survey.pk)
        survey = surveys.get_survey(actor, survey.pk)
    return survey
