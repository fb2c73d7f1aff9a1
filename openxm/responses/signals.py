"""Domain signals of the responses app; apps to the right (insights, loop) subscribe in ready().

``response_deleted`` is sent inside the deleting transaction, before the rows go (with
``response``); ``response_anonymised`` after a response lost what identifies its respondent.
Rollups adjust in the same transaction; background work should use ``transaction.on_commit``.
"""

from django.dispatch import Signal

response_deleted = Signal()
response_anonymised = Signal()
