"""Theme discovery over stored comments that no topic caught, as suggested taxonomy topics.

Chinese and English comments are clustered separately (each with its own tokeniser and stop
words; see :func:`openxm.text.themes.discover_themes`), ``k`` shared between them by their
number of comments; themes are then listed largest first. Clustering reads the redacted text, so
PII never becomes a top term. Repeated comments (the same text sent many times) count once per
sending but are shown once among the examples. Each theme gets a suggested topic id (its first
top term that is a usable new id, else ``theme_<n>``) and a suggested rule: its first five top
terms, quoted, joined with OR.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from openxm.accounts.scope import Scope
from openxm.surveys.door import Slice
from openxm.text.themes import discover_themes

from .models import CommentAnalysis
from .queries import analyses
from .taxonomies import active_taxonomy
from .verbatims import Segment, segments

MIN_GROUP = 5
EXAMPLES = 3


@dataclass(frozen=True)
class ThemeSuggestion:
    id: int
    language: str
    size: int
    top_terms: tuple[str, ...]
    examples: list  # segments per example
    suggested_id: str
    suggested_rule: str


def suggest_rule(terms) -> str:
    picked = [t.replace('"', "").strip() for t in terms[:5]]
    return " OR ".join(f'"{t}"' for t in picked if t)


def _suggest_id(terms, number: int, taken: set[str]) -> str:
    for term in terms:
        slug = re.sub(r"[^a-z0-9]+", "_", term.lower()).strip("_")[:50]
        if slug and not slug[0].isdigit() and slug not in taken:
            return slug
    base, n = f"theme_{number}", 1
    while base in taken:
        n += 1
        base = f"theme_{number}_{n}"
    return base


def _example(analysis: CommentAnalysis, redact: bool) -> tuple:
    original = analysis.answer.value_text[: analysis.text_length]
    if redact or len(original) != analysis.text_length:
        return (Segment(analysis.redacted_text),)
    return segments(original, [], analysis.pii, redact=False)


def suggest_themes(scope: Scope, piece: Slice, *, k: int, sample: int) -> tuple[int, list]:
    """Themes among the newest ``sample`` comments without a topic inside the scope and slice;
    example comments are redacted without the scope's ``pii``."""
    organization = scope.organization
    redact = not scope.pii
    rows = list(
        analyses(scope, piece)
        .exclude(topics__kind="topic")
        .select_related("answer")
        .order_by("-answered_at", "-pk")[:sample]
    )
    groups: dict[str, list[CommentAnalysis]] = {}
    for a in rows:
        groups.setdefault("zh" if a.language == "zh" else "en", []).append(a)
    usable = {lang: members for lang, members in groups.items() if len(members) >= MIN_GROUP}
    total = sum(len(m) for m in usable.values())
    found = []
    for lang, members in usable.items():
        k_lang = max(2, round(k * len(members) / total)) if len(usable) > 1 else k
        # Clustered on the redacted text: a phone number is noise for a theme, and must not
        # surface as a top term to a member without pii.view.
        texts = [a.redacted_text for a in members]
        by_text: dict[str, CommentAnalysis] = {}
        for a, text in zip(members, texts, strict=True):
            by_text.setdefault(text, a)
        result = discover_themes(texts, k=k_lang, language=lang, n_examples=12)
        for theme in result.themes:
            distinct = list(dict.fromkeys(t for t in theme.examples if t in by_text))[:EXAMPLES]
            examples = [_example(by_text[t], redact) for t in distinct]
            found.append((lang, theme, examples))
    found.sort(key=lambda item: -item[1].size)
    taken = {t["id"] for t in active_taxonomy(organization).document["topics"]}
    themes = []
    for number, (lang, theme, examples) in enumerate(found, start=1):
        suggested = _suggest_id(theme.top_terms, number, taken)
        taken.add(suggested)
        themes.append(
            ThemeSuggestion(
                number, lang, theme.size, theme.top_terms, examples, suggested, suggest_rule(theme.top_terms)
            )
        )
    return len(rows), themes
