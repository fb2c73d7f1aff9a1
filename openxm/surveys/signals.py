"""Domain signals of the surveys app. Apps to the right subscribe in their AppConfig.ready.

``response_recorded`` is sent inside the transaction that stored a complete response (with
``response`` and ``answers``, the Answer rows just written): rollups update in the same
transaction; background work (text analytics, rules) should use ``transaction.on_commit``.
"""

from django.dispatch import Signal

response_recorded = Signal()
