"""Domain signals of alerts. Rooms to the right (cases) subscribe in their ``AppConfig.ready``.

``alert_fired`` is sent once per alert, after the alert's row is committed and its inbox items,
e-mails and webhooks are on their way, with ``rule``, ``alert``, ``response`` and ``owner`` (the
rule's actor, whose scope the rule reads with). A rule fires at most once per response, so a
receiver sees each (rule, response) pair once; receivers still guard with their own unique
constraints, because the same response may be evaluated by two processes at once.
"""

from django.dispatch import Signal

alert_fired = Signal()
