"""Deleting and anonymising a response: each one action that owns its whole change.

``drop_comments`` (a retention policy's end for raw comments) is the third.

Each action checks the permission (``data.delete``) and the response's state inside the actor's
scope, writes (the response's rows through ``surveys.erasure``, its tags here), records the
audit entry (``data.deleted``, ``data.anonymised``) and sends its domain signal
(``surveys.signals.response_deleted`` / ``response_anonymised``), all in one transaction. Data
derived from the response is adjusted by the signal's receivers in that transaction: rollups
and the response's fact (insights), quota counts (surveys), text analytics results (comments);
``tests/test_signals.py`` lists them. The web page and the API call these functions and write
nothing after them.

Excluded: reading responses (``browse.py``), deleting a respondent's response in progress when
a quota stops the survey (``surveys.screening.discard``: never counted, analysed or rolled up).
"""

from __future__ import annotations

from django.db import transaction

from openxm.accounts import audit
from openxm.accounts.actors import Actor
from openxm.accounts.roles import Perm
from openxm.surveys import erasure
from openxm.surveys.signals import response_anonymised, response_deleted

from .models import ResponseTag


@transaction.atomic
def delete_response(actor: Actor, response_id: int) -> None:
    """Delete a response with its answers and tags (audited as data.deleted).

    ``response_deleted`` is sent before any row goes, so its receivers subtract what they
    counted from the rows as they were.
    """
    actor.require(Perm.DATA_DELETE)
    response = erasure.locked(actor.scope, response_id)
    data = {
        "survey": response.survey.key,
        "version": response.version.number,
        "completed_at": response.completed_at.isoformat() if response.completed_at else None,
    }
    response_deleted.send(sender=type(response), response=response)
    ResponseTag.objects.for_org(actor.organization).filter(response_id=response.pk).delete()
    erasure.delete_rows(response)
    audit.record(actor, "data.deleted", target_type="response", target_id=response_id, data=data)


@transaction.atomic
def anonymise_response(actor: Actor, response_id: int):
    """Keep the answers for statistics, drop what identifies the respondent
    (``surveys.erasure.anonymise_rows`` says what goes; audited as data.anonymised).

    Returns the response. One anonymised already is returned as it is: nothing written, audited
    or sent.
    """
    actor.require(Perm.DATA_DELETE)
    response = erasure.locked(actor.scope, response_id)
    if erasure.is_anonymised(response):
        return response
    erasure.anonymise_rows(response)
    audit.record(
        actor,
        "data.anonymised",
        target_type="response",
        target_id=response.pk,
        data={"survey": response.survey.key},
    )
    response_anonymised.send(sender=type(response), response=response)
    return response


@transaction.atomic
def drop_comments(actor: Actor, response_id: int):
    """A retention policy's end for raw comments: the free-text answers go and the response is
    anonymised (``surveys.erasure.drop_texts`` then ``anonymise_rows``); scores, choices and
    dates stay for statistics. Audited as ``data.comments_dropped``; ``response_anonymised`` is
    sent, so text analytics drops its results (nothing is left to analyse) and rollups move the
    counts out of the contact's segment."""
    actor.require(Perm.DATA_DELETE)
    response = erasure.locked(actor.scope, response_id)
    dropped = erasure.drop_texts(response)
    if not erasure.is_anonymised(response):
        erasure.anonymise_rows(response)
    audit.record(
        actor,
        "data.comments_dropped",
        target_type="response",
        target_id=response.pk,
        data={"survey": response.survey.key, "answers": dropped},
    )
    response_anonymised.send(sender=type(response), response=response)
    return response
