"""Domain signals of the surveys app. Apps to the right subscribe in their AppConfig.ready.

``responses_recorded`` is sent once per storing transaction, inside it, with ``recorded``: a
list of ``(response, answers)`` pairs — each complete response just stored (or just completed)
and the answer rows just written for it (``collect.AnswerRow``: the attributes of ``Answer``,
without model instances). A batch of a hundred responses is one send, so a
receiver can write its own rows once per batch (rollups do: one upsert per table). Receivers
that must stay consistent with the response write in the same transaction; background work
(text analytics, rules) should use ``transaction.on_commit``.
"""

from django.dispatch import Signal

responses_recorded = Signal()
