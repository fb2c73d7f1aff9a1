"""How text analytics results follow the life of a response (``surveys.signals``).

* Stored: the comments of the responses just stored are analysed after the commit, one batch
  per transaction (``tasks.queue_responses``).
* Deleted: the response's analyses and their topics go, in the deleting transaction.
* Anonymised: the response's comments are analysed again, in the anonymising transaction, from
  their redacted text, so no offset, phrase or flag taken from the original words survives.
"""

from .models import CommentAnalysis, CommentTopic

# ``engine`` loads the text pipeline (most of a second) and ``tasks`` Celery: imported when first
# used, not at start-up.


def on_responses_recorded(sender, recorded, **kwargs) -> None:
    from .engine import is_comment
    from .tasks import queue_responses

    by_org: dict[int, list[int]] = {}
    for response, answers in recorded:
        if any(is_comment(a) for a in answers):
            by_org.setdefault(response.organization_id, []).append(response.pk)
    for org_id, ids in by_org.items():
        queue_responses(org_id, ids)


def _drop(response) -> None:
    org = response.organization
    CommentTopic.objects.for_org(org).filter(analysis__response_id=response.pk).delete()
    CommentAnalysis.objects.for_org(org).filter(response_id=response.pk).delete()


def on_response_deleted(sender, response, **kwargs) -> None:
    _drop(response)


def on_response_anonymised(sender, response, **kwargs) -> None:
    from .engine import analyse_responses

    _drop(response)
    analyse_responses(response.organization, [response.pk])
