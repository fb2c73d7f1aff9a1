"""A case's priority from the severity of the triggering score and the customer's value tier.

Pure. Severity: NPS 0–3 or CSAT 1 is high, NPS 4–6 or CSAT 2 normal, anything else low. A
valuable customer (champions, loyal, big spenders) or one at risk of leaving raises it one
step, up to urgent. A rule's explicit ``priority`` wins over both.
"""

from __future__ import annotations

ORDER = ("low", "normal", "high", "urgent")
RAISING_TIERS = frozenset({"champions", "loyal", "big_spenders", "at_risk"})


def severity(score_type: str, score: float | None) -> str:
    if score is None:
        return "normal"
    if score_type == "nps":
        return "high" if score <= 3 else "normal" if score <= 6 else "low"
    if score_type == "csat":
        return "high" if score <= 1 else "normal" if score <= 2 else "low"
    return "normal"


def priority_for(score_type: str, score: float | None, tier: str = "", given: str = "") -> str:
    if given:
        return given
    level = ORDER.index(severity(score_type, score))
    if tier in RAISING_TIERS:
        level = min(level + 1, len(ORDER) - 1)
    return ORDER[level]
