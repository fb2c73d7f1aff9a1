"""Feature strings for the sentiment model, computed per clause.

Chinese: character 1-, 2- and 3-grams inside each clause (no jieba: character n-grams are
about fifty times faster and cope with new words and typos), punctuation and spaces removed.
English: lower-cased word 1- and 2-grams where every word within three words after a negator
(not, n't, never, no, …) is prefixed ``NOT_`` (so "not good" yields ``NOT_good``, not
``good``), plus character 3-grams of the words. N-grams never cross a clause boundary.
"""

from __future__ import annotations

import re

from .lexicon import en_words

__all__ = ["zh_features", "en_features", "NEGATORS_EN"]

NEGATORS_EN = frozenset(
    (
        "not", "no", "never", "n't", "nothing", "nobody", "none", "nor", "neither", "without", "hardly",
        "barely", "cannot", "don't", "didn't", "doesn't", "isn't", "wasn't", "aren't", "weren't", "won't",
        "wouldn't", "can't", "couldn't", "shouldn't", "dont", "didnt", "doesnt", "isnt", "wasnt", "arent",
        "werent", "wont", "wouldnt", "cant", "couldnt", "shouldnt",
    )
)
_ZH_DROP = re.compile(r"[\s\W_]+")


def zh_features(clause: str) -> list[str]:
    """Character 1–3-grams of one Chinese clause (letters and digits kept, punctuation dropped)."""
    s = _ZH_DROP.sub("", clause) if _ZH_DROP.search(clause) else clause
    n = len(s)
    out = list(s)
    out += [s[i : i + 2] for i in range(n - 1)]
    out += [s[i : i + 3] for i in range(n - 2)]
    return out


def en_features(clause: str) -> list[str]:
    """Negation-marked word 1–2-grams and character 3-grams of one English clause."""
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
    out = list(marked)
    out += [marked[i] + " " + marked[i + 1] for i in range(len(marked) - 1)]
    for w in words:
        padded = f"<{w}>"
        out += ["#" + padded[i : i + 3] for i in range(len(padded) - 2)]
    return out
