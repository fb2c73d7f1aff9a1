"""Language detection for feedback text: ``"zh"``, ``"en"`` or ``"other"``.

Script decides first: Han characters make up at least a quarter of the letters → ``"zh"``,
unless kana (Japanese) or Hangul (Korean) are present in quantity, which gives ``"other"``.
Latin-script text is ``"en"`` unless it carries more French, Spanish, German, Portuguese,
Italian or Dutch function words than English ones, or accented letters typical of those
languages with no English function word. Text with no letters at all (emoji, digits, empty)
is ``"other"``. Excluded: traditional/simplified distinction (both are ``"zh"``) and
code-switching within one comment (the dominant script wins).
"""

from __future__ import annotations

import re

__all__ = ["detect_language", "LANGUAGES"]

LANGUAGES = ("zh", "en", "other")

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_LETTER = re.compile(r"[^\W\d_]")
_WORD = re.compile(r"[a-z\u00c0-\u024f']+")
_ACCENTED = re.compile(r"[\u00c0-\u024f]")

_EN = frozenset(
    (
        "the", "a", "an", "and", "or", "but", "is", "are", "was", "were", "be", "been", "it", "this",
        "that", "to", "of", "in", "on", "for", "with", "my", "your", "our", "i", "you", "we", "they", "he",
        "she", "not", "no", "very", "so", "too", "have", "has", "had", "do", "does", "did", "will", "would",
        "can", "could", "should", "at", "from", "by", "as", "all", "just", "get", "got", "there", "their",
        "what", "when", "where", "which", "who", "how",
    )
)
_OTHER_WORDS = {
    "fr": "le la les des une est et pas très avec pour dans sur je nous vous ils mais que qui",
    "es": "el los las una es y muy con por para pero como del al lo yo nosotros está fue",
    "de": "der die das und ist nicht sehr mit für ich wir sie aber ein eine auf zu den dem war",
    "pt/it/nl": "não muito com uma os você é um il di che non è della sono het een niet zeer voor maar",
}
_OTHER = frozenset(word for words in _OTHER_WORDS.values() for word in words.split())


def detect_language(text: str) -> str:
    """Return ``"zh"``, ``"en"`` or ``"other"`` for ``text`` (see the module docstring)."""
    if not text:
        return "other"
    han = sum(map(len, _HAN_RUN.findall(text)))
    if han and han * 4 >= len(text) and not _KANA.search(text) and not _HANGUL.search(text):
        return "zh"  # fast path: Han is at least a quarter of all characters, hence of letters
    letters = len(_LETTER.findall(text))
    if letters == 0:
        return "other"
    if han:
        kana = len(_KANA.findall(text))
        hangul = len(_HANGUL.findall(text))
        if kana >= max(2, han * 0.2) or hangul > han:
            return "other"
        if han >= letters * 0.25:
            return "zh"
    latin = len(_LATIN.findall(text))
    if latin < letters * 0.5:
        return "other"
    words = _WORD.findall(text.lower())
    en = sum(w in _EN for w in words)
    other = sum(w in _OTHER for w in words)
    if other > en:
        return "other"
    if en == 0 and len(_ACCENTED.findall(text)) >= 2:
        return "other"
    return "en"
