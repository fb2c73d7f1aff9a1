"""The whole text pipeline for one comment: ``analyze(text) -> CommentAnalysis``.

Steps: language detection → PII redaction → clause split → clause and comment sentiment →
taxonomy topics with aspect sentiment → flags. Everything except ``redacted_text`` is computed on
the original text, and every span (clauses, topics, flags, PII) is an offset into it.

Languages: ``"zh"`` and ``"en"`` get the shipped sentiment models. ``"other"`` gets no
sentiment (neutral, score 0, clauses unscored) but still PII redaction, topic rules and flags,
which are written in Chinese and English and may match loan words. Empty or whitespace-only
text gives an empty analysis with language ``"other"``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ._fast import fast_constructor
from .clauses import split_clauses
from .flags import Flag, detect_flags
from .lang import LANGUAGES, detect_language
from .pii import PIISpan, redact
from .sentiment import ClauseSentiment, load_sentiment_model
from .topics import Taxonomy, TopicMatch, default_taxonomy

__all__ = ["CommentAnalysis", "analyze", "analyze_batch"]


@dataclass(frozen=True, slots=True)
class CommentAnalysis:
    """Everything the pipeline says about one comment (spans are offsets into ``text``)."""

    text: str
    language: str
    sentiment: str
    score: float
    mixed: bool
    clauses: tuple[ClauseSentiment, ...]
    topics: tuple[TopicMatch, ...]
    flags: tuple[Flag, ...]
    redacted_text: str
    pii: tuple[PIISpan, ...]

    @property
    def pii_kinds(self) -> tuple[str, ...]:
        """Distinct PII kinds found, in order of first appearance."""
        return tuple(dict.fromkeys(span.kind for span in self.pii))

    @property
    def topic_ids(self) -> tuple[str, ...]:
        return tuple(t.id for t in self.topics)

    @property
    def flag_kinds(self) -> tuple[str, ...]:
        return tuple(f.kind for f in self.flags)


_analysis = fast_constructor(CommentAnalysis)


def analyze(text: str, language: str = "auto", taxonomy: Taxonomy | None = None) -> CommentAnalysis:
    """Analyse one comment; ``language`` is ``"auto"`` or one of ``"zh"``, ``"en"``, ``"other"``."""
    if language != "auto" and language not in LANGUAGES:
        raise ValueError(f"language must be 'auto', 'zh', 'en' or 'other', not {language!r}")
    text = text or ""
    if not text.strip():
        return CommentAnalysis(text, "other", "neutral", 0.0, False, (), (), (), text, ())
    lang = detect_language(text) if language == "auto" else language
    redaction = redact(text)
    spans = split_clauses(text)
    if lang in ("zh", "en"):
        result = load_sentiment_model(lang).analyze(text, spans)
        label, score, mixed, clauses = result.label, result.score, result.mixed, result.clauses
    else:
        label, score, mixed = "neutral", 0.0, False
        clauses = tuple(ClauseSentiment(c.text, c.start, c.end, "neutral", 0.0) for c in spans)
    topics = (taxonomy or default_taxonomy()).match(clauses, "zh" if lang == "zh" else "en")
    return _analysis(
        text, lang, label, score, mixed, clauses, topics, detect_flags(text), redaction.text, redaction.spans
    )


def analyze_batch(
    texts: Iterable[str], language: str = "auto", taxonomy: Taxonomy | None = None
) -> list[CommentAnalysis]:
    """``analyze`` over many comments (models and taxonomy are loaded once)."""
    taxonomy = taxonomy or default_taxonomy()
    return [analyze(t, language, taxonomy) for t in texts]
