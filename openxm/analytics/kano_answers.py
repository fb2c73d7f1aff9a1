"""Reading KANO answer labels: English, Chinese, Korean wordings and the codes 1–5.

A KANO question has five answers, in this order and with these codes:

==========  ====  =====================================================
answer      code  recognised wordings (examples)
==========  ====  =====================================================
like        1     I like it (that way); 我喜欢; 마음에 든다
must-be     2     I expect it; It must be that way; 理应如此; 应该的; 당연하다
neutral     3     I am neutral; 无所谓; 아무런 느낌이 없다
live-with   4     I can live with it; I can tolerate it; 能忍受; 하는 수 없다
dislike     5     I dislike it (that way); 我不喜欢; 마음에 안 든다
==========  ====  =====================================================

Matching ignores case, spaces and punctuation ("I like it." = "i like it"), full-width
forms, and a leading code such as "1. I like it". Only whole labels match: "like" is never
found inside "dislike". Labels not listed here need a user mapping ``{label: answer}``,
which takes precedence over the built-in wordings.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from openxm.analytics.values import is_missing, to_number

ANSWERS: tuple[str, ...] = ("like", "must-be", "neutral", "live-with", "dislike")

# fmt: off
_WORDINGS: dict[str, tuple[str, ...]] = {
    "like": (
        "like", "i like it", "i like it that way", "i like", "i would like it", "i would like it that way",
        "i would be delighted", "this would be very helpful to me", "satisfied",
        "我喜欢", "喜欢", "我很喜欢", "很喜欢", "非常喜欢", "我喜歡", "喜歡", "我很喜歡", "很喜歡",
        "마음에 든다", "마음에 듭니다", "좋다",
    ),
    "must-be": (
        "must-be", "must be", "i expect it", "i expect it that way", "it must be that way", "it must be",
        "expect", "expected", "it is a basic requirement", "this is a basic requirement for me",
        "理应如此", "理所当然", "应该的", "本应如此", "必须的", "必须这样", "它必须这样",
        "理應如此", "理所當然", "應該的", "本應如此", "必須的",
        "당연하다", "당연합니다",
    ),
    "neutral": (
        "neutral", "i am neutral", "i'm neutral", "i don't care", "i do not care", "indifferent",
        "it doesn't matter", "it does not matter", "no feeling", "this would not affect me",
        "无所谓", "我无所谓", "中立", "没感觉", "没有感觉", "都可以",
        "無所謂", "我無所謂", "沒感覺", "沒有感覺",
        "아무런 느낌이 없다", "아무 느낌이 없다", "상관없다",
    ),
    "live-with": (
        "live-with", "live with", "i can live with it", "i can live with it that way", "i can tolerate it",
        "i can tolerate it that way", "tolerate", "i can accept it", "this would be a minor inconvenience",
        "能忍受", "我能忍受", "可以忍受", "我可以忍受", "能接受", "可以接受", "勉强接受", "能容忍",
        "可以容忍", "勉強接受",
        "하는 수 없다", "어쩔 수 없다", "참을 수 있다",
    ),
    "dislike": (
        "dislike", "i dislike it", "i dislike it that way", "i don't like it", "i do not like it",
        "i would dislike it", "this would be a major problem for me", "dissatisfied",
        "我不喜欢", "不喜欢", "很不喜欢", "讨厌", "我不喜歡", "不喜歡", "很不喜歡", "討厭",
        "마음에 안 든다", "마음에 들지 않는다", "싫다",
    ),
}
# fmt: on

# "1. I like it", "(2) It must be that way", "3 - I am neutral", "4：能忍受"
_CODE_PREFIX = re.compile(r"^\(?([1-5])\s*[).:=：、\-]\s*")


def normalise_label(label: str) -> str:
    """The comparison key of a label: NFKC, casefolded, without spaces or punctuation."""
    text = unicodedata.normalize("NFKC", label).casefold().replace("’", "'")
    return "".join(ch for ch in text if unicodedata.category(ch)[0] not in "PZSC")


def _answer_name(value: object) -> str | None:
    """A canonical answer for a mapping target: an answer name, a known wording or a code."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
        return ANSWERS[int(number) - 1] if number.is_integer() and 1 <= number <= 5 else None
    if isinstance(value, str):
        return _BUILTIN.get(normalise_label(value)) or _code_answer(value)
    return None


def _code_answer(text: str) -> str | None:
    try:
        number = to_number(text)
    except ValueError:
        return None
    if number is not None and number.is_integer() and 1 <= number <= 5:
        return ANSWERS[int(number) - 1]
    return None


_BUILTIN: dict[str, str] = {
    normalise_label(wording): answer for answer, wordings in _WORDINGS.items() for wording in wordings
}


class AnswerReader:
    """Turns raw KANO answers into one of :data:`ANSWERS`.

    ``mapping`` adds or overrides labels: ``{"Super": "like", "Bof": 3}``; its targets may be
    answer names, any recognised wording, or codes 1–5.
    """

    def __init__(self, mapping: Mapping[str, object] | None = None) -> None:
        self._custom: dict[str, str] = {}
        for label, target in (mapping or {}).items():
            answer = _answer_name(target)
            if answer is None:
                raise ValueError(
                    f"KANO answer mapping {label!r} → {target!r}: the target must be one of "
                    f"{', '.join(ANSWERS)} or a code 1–5"
                )
            self._custom[normalise_label(str(label))] = answer

    def read(self, value: object, *, where: str = "KANO answer") -> str | None:
        """The answer for ``value``; None when missing; ValueError naming an unknown label."""
        if is_missing(value):
            return None
        if isinstance(value, str):
            key = normalise_label(value)
            if key in self._custom:
                return self._custom[key]
            answer = _BUILTIN.get(key) or _code_answer(value)
            if answer is None:
                text = unicodedata.normalize("NFKC", value.strip())
                prefix = _CODE_PREFIX.match(text)
                if prefix:
                    # "1. I like it": the wording decides; the code alone is the fallback.
                    rest = normalise_label(text[prefix.end() :])
                    answer = self._custom.get(rest) or _BUILTIN.get(rest) or ANSWERS[int(prefix.group(1)) - 1]
            if answer is not None:
                return answer
        else:
            key = normalise_label(str(value))
            if key in self._custom:
                return self._custom[key]
            answer = _answer_name(value)
            if answer is not None:
                return answer
        raise ValueError(
            f"{where} {value!r} is not a KANO answer; use one of {', '.join(ANSWERS)}, "
            f"a code 1–5, a recognised wording, or map it with an answer mapping"
        )
