"""Suggestions: clauses that ask for something better ("包装可以更环保", "could be more eco-friendly").

A suggestion names a wish, not a verdict, yet its words are often praise words ("更环保",
"nice", "better"), so a model trained on reviews reads it as positive. The sentiment model
(:mod:`openxm.text.sentiment`) therefore never lets a suggestion clause be positive: its label
becomes neutral with score 0; a negative suggestion ("建议别再送错了") stays negative. A comment
made only of suggestion clauses (with a signal) is not positive either; a comment that also
praises ("水果很新鲜，包装可以更环保") keeps the model's verdict.

Included: Chinese 建议/希望…/最好能/能不能/可以更/要是…就好了/有待…; English could/should
be…, would be nice if, I wish, please add, it needs more, why not…. Excluded: wishes that are
praise ("希望继续保持", "keep it up") and questions that are complaints ("why is it so slow?").
"""

from __future__ import annotations

import re

__all__ = ["is_suggestion"]

_ZH = re.compile(
    "建议|希望|盼望|最好(?:能|可以|是|再)|要是.{0,12}(?:就好|就更好|会更好)|如果.{0,12}(?:就好|就更好|会更好)"
    "|若能|能否|能不能|可不可以|可否|可以(?:再|更|多|增加|考虑)|还(?:可以|能)(?:再|更)|应该(?:更|再|多|增加|改进|提供)"
    "|有待|改进一下|改善一下|加强一下"
)
# Wishes that are praise: "希望继续保持", "希望越来越好", "期待下次".
_ZH_PRAISE = re.compile("保持|继续|再接再厉|越来越好|一如既往|下次还")
_EN = re.compile(
    r"\b(?:could|should|might)\s+(?:be|use|have|add|offer|include|improve|make|get)\b"
    r"|\bwould\s+(?:be|love|like|appreciate)\b.*\b(?:if|to\s+see|to\s+have|more|option|options)\b"
    r"|\bit'?d\s+be\s+(?:nice|great|good|better|helpful)\b"
    r"|\b(?:i|we)\s+wish\b|\bwish\s+(?:there|it|you|they)\b"
    r"|\bplease\s+(?:add|make|consider|improve|allow|bring|offer|include|let)\b"
    r"|\bsuggest(?:ion|ions|ed)?\b|\bif\s+only\b|\bwhy\s+not\b|\bconsider\s+adding\b"
    r"|\bneeds?\s+(?:more|to\s+be|to\s+have|an?|better)\b"
    r"|\bhope\s+(?:you|they|it)\s+(?:will\s+|can\s+|could\s+)?(?:add|improve|make|offer|bring|fix)\b",
    re.IGNORECASE,
)
_EN_PRAISE = re.compile(r"\bkeep\s+(?:it|up)\b|\bcouldn'?t\s+be\s+(?:better|happier)\b", re.IGNORECASE)


def is_suggestion(text: str, language: str) -> bool:
    """True if the clause ``text`` (``language`` "zh" or "en") is a suggestion, not a verdict."""
    if language == "zh":
        return _ZH.search(text) is not None and _ZH_PRAISE.search(text) is None
    return _EN.search(text) is not None and _EN_PRAISE.search(text) is None
