"""Opening cases from alert rules: the receiver of ``alerts.signals.alert_fired``.

A rule whose actions include ``case: {…}`` opens one case for the response it fired on. The
alert itself fires once per (rule, response), and the case's unique constraint on the same pair
holds even when two processes evaluate the same response at once.
"""

from __future__ import annotations

import logging

from . import control, services

log = logging.getLogger(__name__)


def on_alert_fired(sender, rule, alert, response, owner, **kwargs) -> None:
    for action in rule.actions or []:
        if "case" in action:
            case = services.open_for_rule(rule, alert, response, owner, action["case"])
            if case is not None:
                control.draw(case)
                services.announce_opened(case)
            return
