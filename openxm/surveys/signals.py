"""Domain signals of a response's life: stored, deleted, anonymised. Apps that keep data derived
from responses subscribe in their ``AppConfig.ready`` (this app too: quota counts).

They are defined here, next to ``Response`` and ``Answer``, so that every app keeping derived
data can subscribe without importing to its right (``surveys`` is left of ``responses``, whose
actions send the last two). ``tests/test_signals.py`` lists every receiver.

``responses_recorded`` is sent once per storing transaction, inside it, with ``recorded``: a
list of ``(response, answers)`` pairs — each complete response just stored (or just completed)
and the answer rows just written for it (``collect.AnswerRow``: the attributes of ``Answer``,
without model instances). A batch of a hundred responses is one send, so a
receiver can write its own rows once per batch (rollups do: one upsert per table).

``response_deleted`` is sent by the deleting action inside its transaction, with ``response``,
before any row goes: a receiver still reads the response's answers and its own derived rows,
subtracts what it counted and deletes what it keeps for the response.

``response_anonymised`` is sent inside the anonymising transaction, with ``response``, after it
lost what identifies its respondent (contact link, hidden fields, e-mail and phone answers;
text answers redacted): a receiver drops or recomputes whatever it derived from those.

Receivers that must stay consistent with responses (rollups, quota counts, text analytics
results) write in the same transaction, so a failure undoes the whole change; background work
uses ``openxm.jobs.on_commit_batch``.
"""

from django.dispatch import Signal

responses_recorded = Signal()
response_deleted = Signal()
response_anonymised = Signal()
