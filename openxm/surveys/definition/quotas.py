"""Quotas: given the current counts, decide whether a respondent may continue.

A quota has cells, each a condition with a ``limit``; when a respondent falls into a cell that is
full, the quota's ``action`` applies: ``end`` sends them to the quota's ``ending`` (which may
redirect, e.g. back to a panel provider) and the response is kept as screened out; ``stop``
shows the quota's ``message`` and the response is not kept.

Included: ``check_quotas`` (pure: answers + context + counts → ``QuotaDecision``) and
``quota_key``, the key under which the server keeps a cell's count.
Excluded: counting itself. The server increments the count of every key in
``QuotaDecision.matched`` when a response completes, atomically with storing it.
A cell is decided only once every question it reads is answered (hidden fields and contact
attributes are known from the start), so a condition such as ``not: {q1 gte 9}`` cannot screen
a respondent out before q1 is answered; ``final=True`` decides every cell with what is known.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .conditions import ResponseContext, condition_question_refs, evaluate_condition, is_missing
from .model import SurveyDefinition


def quota_key(quota_id: str, cell_id: str) -> str:
    """``"<quota id>.<cell id>"``: the key of a cell in the counts mapping."""
    return f"{quota_id}.{cell_id}"


@dataclass(frozen=True)
class QuotaDecision:
    """``action``: ``continue``, ``end`` (go to ``ending_id``) or ``stop`` (show ``message``).

    ``quota_id``/``cell_id`` name the first full cell the respondent falls into (definition
    order); ``matched`` lists the keys of every decided cell the respondent falls into.
    """

    action: str
    quota_id: str | None = None
    cell_id: str | None = None
    ending_id: str | None = None
    message: Any = None
    matched: tuple[str, ...] = ()

    @property
    def stops(self) -> bool:
        return self.action != "continue"


def check_quotas(
    definition: SurveyDefinition,
    answers: Mapping[str, Any],
    context: ResponseContext,
    counts: Mapping[str, int],
    *,
    final: bool = False,
) -> QuotaDecision:
    """The decision for one respondent; ``counts`` maps ``quota_key`` → responses counted so far.

    Pass the answers that count (``walk(...).answers``), so answers to questions that were not
    shown do not place a respondent in a cell.
    """
    matched: list[str] = []
    full: tuple[Mapping[str, Any], Mapping[str, Any]] | None = None
    for quota in definition.data.get("quotas", []):
        for cell in quota["cells"]:
            condition = cell["if"]
            if not final and any(is_missing(answers.get(q)) for q in condition_question_refs(condition)):
                continue
            if not evaluate_condition(condition, answers, context):
                continue
            key = quota_key(quota["id"], cell["id"])
            matched.append(key)
            if full is None and counts.get(key, 0) >= cell["limit"]:
                full = (quota, cell)
    if full is None:
        return QuotaDecision("continue", matched=tuple(matched))
    quota, cell = full
    return QuotaDecision(
        action=quota["action"],
        quota_id=quota["id"],
        cell_id=cell["id"],
        ending_id=quota.get("ending"),
        message=quota.get("message"),
        matched=tuple(matched),
    )
