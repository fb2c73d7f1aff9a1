"""Feature strings for the sentiment model, computed per clause.

Chinese: character 1-, 2- and 3-grams inside each clause (no jieba: character n-grams are
about fifty times faster and cope with new words and typos), punctuation and spaces removed.
English: lower-cased word 1- and 2-grams where every word within three words after a negator
(not, n't, never, no, …) is prefixed ``NOT_`` (so "not good" yields ``NOT_good``, not
``good``), plus character 3-grams of the words. N-grams never cross a clause boundary. In both
languages the n-grams inside a negated lexicon entry ("不差", "没有想象中好", "not bad") are
replaced by one ``¬<entry>`` feature, so the model cannot read "差" or "bad" as evidence there.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .lexicon import en_words

__all__ = ["zh_features", "zh_gram_set", "en_features", "zh_clean", "NEGATORS_EN"]

NEGATORS_EN = frozenset(
    (
        "not", "no", "never", "n't", "nothing", "nobody", "none", "nor", "neither", "without", "hardly",
        "barely", "cannot", "don't", "didn't", "doesn't", "isn't", "wasn't", "aren't", "weren't", "won't",
        "wouldn't", "can't", "couldn't", "shouldn't", "dont", "didnt", "doesnt", "isnt", "wasnt", "arent",
        "werent", "wont", "wouldnt", "cant", "couldnt", "shouldnt",
    )
)
_ZH_DROP = re.compile(r"[\s\W_]+")
_ADD = str.__add__


def zh_clean(clause: str) -> str:
    """The clause without spaces and punctuation: what Chinese features and the lexicon read."""
    return _ZH_DROP.sub("", clause) if _ZH_DROP.search(clause) else clause


def _reach(masks, n: int) -> list[int]:
    """Per unit ``i`` of ``n``: the furthest end of a mask starting at or before ``i`` (−1: none).

    An n-gram ``[i, j)`` lies inside some mask exactly when ``j <= reach[i]``: the mask reaching
    furthest among those that start by ``i`` is the one that could contain it.
    """
    reach = [-1] * n
    for start, end, _ in masks:
        for i in range(start, n):
            if reach[i] < end:
                reach[i] = end
    return reach


def zh_gram_set(s: str) -> set[str]:
    """The distinct character 1–3-grams of an already cleaned clause without masks (the fast path)."""
    if len(s) < 3:
        return {s, *s} if len(s) == 2 else set(s)
    bigrams = list(map(_ADD, s, s[1:]))
    return {*s, *bigrams, *map(_ADD, bigrams, s[2:])}


def zh_features(clause: str, masks: Sequence[tuple[int, int, str]] = ()) -> list[str]:
    """Character 1–3-grams of one Chinese clause (letters and digits kept, punctuation dropped).

    ``masks`` are negated lexicon spans of the cleaned clause (see ``Lexicon.scan``): n-grams
    inside one are replaced by a single ``¬<entry>`` feature.
    """
    s = zh_clean(clause)
    n = len(s)
    if not masks:
        out = list(s)
        out += [s[i : i + 2] for i in range(n - 1)]
        out += [s[i : i + 3] for i in range(n - 2)]
        return out
    reach = _reach(masks, n)
    out = [s[i : i + k] for k in (1, 2, 3) for i in range(n - k + 1) if i + k > reach[i]]
    return out + ["¬" + key for _, _, key in masks]


def en_features(clause: str, masks: Sequence[tuple[int, int, str]] = ()) -> list[str]:
    """Negation-marked word 1–2-grams and character 3-grams of one English clause.

    ``masks`` (word spans of negated lexicon entries) replace the n-grams inside them by one
    ``¬<entry>`` feature, as for Chinese.
    """
    words = en_words(clause)
    marked: list[str] = []
    scope = 0
    for w in words:
        if w in NEGATORS_EN or w.endswith("n't"):
            marked.append(w)
            scope = 3
        elif scope:
            marked.append("NOT_" + w)
            scope -= 1
        else:
            marked.append(w)
    n = len(marked)
    reach = _reach(masks, n)
    keep = [i + 1 > reach[i] for i in range(n)]
    out = [marked[i] for i in range(n) if keep[i]]
    out += [marked[i] + " " + marked[i + 1] for i in range(n - 1) if i + 2 > reach[i]]
    for i, w in enumerate(words):
        if keep[i]:
            padded = f"<{w}>"
            out += ["#" + padded[i3 : i3 + 3] for i3 in range(len(padded) - 2)]
    return out + ["¬" + key for _, _, key in masks]
