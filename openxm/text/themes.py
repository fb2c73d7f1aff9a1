"""Theme discovery: cluster comments no topic rule caught into suggested new topics.

Recipe: content tokens (jieba words for Chinese, words for English, stop words dropped; see
:func:`openxm.text.tokenize.content_tokens`) plus their bigrams → TF-IDF (terms in at least
``min_df`` comments and at most 60 % of them) → NMF with ``k`` components, NNDSVDa
initialisation and a fixed ``seed``, so the same input gives the same themes. Each comment goes
to its strongest component; a comment with no known term is left unassigned (``-1``). A theme
reports its size, its top terms (highest NMF loadings) and the comments that load most on it.
With ``taxonomy`` given, comments that already match a topic are left out first (they are
reported as ``-2``). Excluded: choosing ``k`` automatically beyond capping it at what the data
allows, and naming the themes (top terms are the suggested name).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .clauses import split_clauses
from .lang import detect_language
from .tokenize import content_tokens
from .topics import Taxonomy

__all__ = ["Theme", "ThemeResult", "discover_themes"]

UNASSIGNED = -1
CATEGORISED = -2


@dataclass(frozen=True, slots=True)
class Theme:
    """A suggested topic: ``size`` comments, ``top_terms`` and up to ``n_examples`` examples."""

    id: int
    size: int
    top_terms: tuple[str, ...]
    examples: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ThemeResult:
    """Themes (largest first) and, per input comment, its theme id, -1 or -2 (see module)."""

    themes: tuple[Theme, ...]
    assignments: tuple[int, ...]


def _analyzer(language: str):
    def analyse(text: str) -> list[str]:
        tokens = content_tokens(text, language)
        return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]

    return analyse


def discover_themes(
    texts: Sequence[str],
    k: int = 8,
    seed: int = 0,
    language: str = "auto",
    taxonomy: Taxonomy | None = None,
    top_terms: int = 8,
    n_examples: int = 3,
    min_df: int = 2,
) -> ThemeResult:
    """Cluster ``texts`` into at most ``k`` themes (see the module docstring)."""
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [t or "" for t in texts]
    assignments = [UNASSIGNED] * len(texts)
    pool = list(range(len(texts)))
    if taxonomy is not None:
        pool = []
        for i, text in enumerate(texts):
            if any(taxonomy.match_clause(c.text) for c in split_clauses(text)):
                assignments[i] = CATEGORISED
            else:
                pool.append(i)
    pool = [i for i in pool if texts[i].strip()]
    if language == "auto":
        sample = [texts[i] for i in pool[:200]]
        language = "zh" if sum(detect_language(t) == "zh" for t in sample) * 2 > max(1, len(sample)) else "en"
    if len(pool) < 2 or k < 1:
        return ThemeResult((), tuple(assignments))
    vectorizer = TfidfVectorizer(
        analyzer=_analyzer(language), min_df=min(min_df, len(pool)), max_df=0.6 if len(pool) >= 5 else 1.0,
        sublinear_tf=True,
    )
    try:
        X = vectorizer.fit_transform([texts[i] for i in pool])
    except ValueError:  # no term survives min_df/max_df
        return ThemeResult((), tuple(assignments))
    k = max(1, min(k, X.shape[0] - 1, X.shape[1]))
    nmf = NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=400)
    W = nmf.fit_transform(X)
    H = nmf.components_
    terms = vectorizer.get_feature_names_out()
    best = W.argmax(axis=1)
    strength = W.max(axis=1)
    for row, i in enumerate(pool):
        if strength[row] > 0:
            assignments[i] = int(best[row])
    raw = []
    for c in range(k):
        members = np.flatnonzero((best == c) & (strength > 0))
        if not len(members):
            continue
        order = members[np.argsort(-W[members, c], kind="stable")]
        top = tuple(str(terms[j]) for j in np.argsort(-H[c], kind="stable")[:top_terms] if H[c, j] > 0)
        raw.append((c, len(members), top, tuple(texts[pool[r]] for r in order[:n_examples])))
    raw.sort(key=lambda t: (-t[1], t[0]))
    renumber = {old: new for new, (old, *_rest) in enumerate(raw)}
    themes = tuple(Theme(renumber[c], size, top, ex) for c, size, top, ex in raw)
    final = tuple(renumber.get(a, a) if a >= 0 else a for a in assignments)
    return ThemeResult(themes, final)
