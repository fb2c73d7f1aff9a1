"""Flags on a comment: churn intent, urgency, complaint escalation and refund requests.

The phrases live in ``data/flags.json`` (editable; English phrases match whole words,
case-insensitively, with any run of spaces between words; Chinese phrases match as
substrings; phrases made of digits such as 12315 never match inside a longer number).

Negation: a phrase does not flag when a negator stands just before it — for English one of
not/never/no/won't/don't/… within the three preceding words ("I won't cancel", "no need to
cancel my subscription"), for Chinese one of 不/没/没有/别/无需/不用/不想/不会/不打算/不要/并不
ending at most two characters before it ("不会退订", "不是很急"). Negation inside a phrase is
part of the phrase ("won't be back", "不会再来" flag). Each kind is reported at most once, with
the first phrase that triggered it. Excluded: sarcasm and threats written without a listed
phrase.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from .features import NEGATORS_EN
from .lexicon import trie_regex

__all__ = ["Flag", "detect_flags", "FLAG_KINDS"]

FLAG_KINDS = ("churn", "urgency", "escalation", "refund")

_ZH_NEGATORS = ("不", "没", "别", "无需", "不用", "不想", "不会", "不打算", "不要", "并不", "没有", "未")
_EN_WORD = re.compile(r"[a-z']+")
_EN_TOKEN = re.compile(r"[a-z0-9']+")  # what the English phrases' boundaries (?<![\w']) … (?![\w']) cut at
_CJK_OR_DIGIT = re.compile(r"[0-9\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")


@dataclass(frozen=True, slots=True)
class Flag:
    """A raised flag: its kind and ``phrase`` = ``text[start:end]`` that triggered it."""

    kind: str
    phrase: str
    start: int
    end: int


def _phrase_pattern(phrase: str, english: bool) -> str:
    if english:
        return r"\s+".join(re.escape(w) for w in phrase.split())
    if phrase.isdigit():
        return rf"(?<![0-9]){re.escape(phrase)}(?![0-9])"
    return re.escape(phrase)


@cache
def _rules() -> tuple[tuple[str, bool, re.Pattern[str], re.Pattern[str]], ...]:
    raw = resources.files("openxm.text").joinpath("data/flags.json").read_text(encoding="utf-8")
    spec = json.loads(raw)
    rules = []
    for kind in FLAG_KINDS:
        entry = spec[kind]
        en = sorted(entry["en"], key=len, reverse=True)
        zh = sorted(entry["zh"], key=len, reverse=True)
        en_re = re.compile(
            r"(?<![\w'])(?:" + "|".join(_phrase_pattern(p, True) for p in en) + r")(?![\w'])", re.IGNORECASE
        )
        zh_re = re.compile("|".join(_phrase_pattern(p, False) for p in zh))
        rules.append((kind, bool(entry.get("negation_aware", True)), en_re, zh_re))
    return tuple(rules)


@cache
def _prefilters() -> tuple[re.Pattern[str], frozenset[str]]:
    """Cheap tests that a comment may raise a flag at all (most raise none).

    Chinese: one trie regex of every phrase (digit boundaries are left to the full rules).
    English: the first word of every phrase; a phrase can only match where its first word stands
    as a whole word, so a comment none of whose words is one cannot raise an English flag.
    A single alternation of all the phrases costs about fifteen times as much per comment.
    """
    raw = resources.files("openxm.text").joinpath("data/flags.json").read_text(encoding="utf-8")
    spec = json.loads(raw)
    zh = [phrase for kind in FLAG_KINDS for phrase in spec[kind]["zh"]]
    en = {_EN_TOKEN.findall(phrase.casefold())[0] for kind in FLAG_KINDS for phrase in spec[kind]["en"]}
    return trie_regex(zh), frozenset(en)


def _negated(text: str, start: int, chinese: bool) -> bool:
    if chinese:
        before = text[max(0, start - 6) : start]
        return any(before.endswith(neg) or before[:-1].endswith(neg) for neg in _ZH_NEGATORS)
    words = _EN_WORD.findall(text[max(0, start - 60) : start].lower())[-3:]
    return any(w in NEGATORS_EN or w.endswith("n't") for w in words)


def detect_flags(text: str) -> tuple[Flag, ...]:
    """Flags raised by ``text``, in ``FLAG_KINDS`` order (see the module docstring)."""
    if not text:
        return ()
    found: list[Flag] = []
    scripts = []
    any_zh, en_heads = _prefilters()
    if _CJK_OR_DIGIT.search(text) and any_zh.search(text):
        scripts.append(True)
    if _LATIN.search(text) and not en_heads.isdisjoint(_EN_TOKEN.findall(text.casefold())):
        scripts.append(False)
    if not scripts:
        return ()
    for kind, negation_aware, en_re, zh_re in _rules():
        best: Flag | None = None
        for chinese in scripts:
            pattern = zh_re if chinese else en_re
            for m in pattern.finditer(text):
                if negation_aware and _negated(text, m.start(), chinese):
                    continue
                if best is None or m.start() < best.start:
                    best = Flag(kind, m.group(), m.start(), m.end())
                break
        if best is not None:
            found.append(best)
    return tuple(found)
