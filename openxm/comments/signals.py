"""Domain signals of the comments app. Apps to the right subscribe in their AppConfig.ready.

``analyses_written`` is sent inside the transaction that writes (or replaces) the text
analyses of some responses, with ``organization`` and ``response_ids``. Receivers that start
background work (alert rules on sentiment, topics and flags) use ``transaction.on_commit``.
"""

from django.dispatch import Signal

analyses_written = Signal()
