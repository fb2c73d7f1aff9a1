"""Tokenising Chinese (jieba + a CX user dictionary) and English (lower-cased words).

Chinese goes through a private ``jieba.Tokenizer`` (the global jieba instance is left alone)
initialised on first use with the shipped ``data/userdict_zh.txt`` (delivery, refunds,
customer service, billing… terms that the default dictionary cuts badly). Initialisation takes
about a second and jieba's log lines are silenced. English is split into lower-cased words
(apostrophes kept inside words). ``content_tokens`` also drops punctuation, numbers, single
Latin letters and the shipped stop words, which is what topic discovery wants.
"""

from __future__ import annotations

import logging
import re
import threading
import warnings
from functools import cache
from importlib import resources

from .lang import detect_language

__all__ = ["tokenize", "content_tokens", "stopwords"]

_LOCK = threading.Lock()
_EN_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)*")
_KEEP = re.compile(r"[\w\u4e00-\u9fff]")


@cache
def _jieba():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # jieba's own pkg_resources and regex-escape warnings
        import jieba

        jieba.setLogLevel(logging.WARNING)
        tok = jieba.Tokenizer()
        with _LOCK:
            tok.initialize()
            with resources.files("openxm.text").joinpath("data/userdict_zh.txt").open("rb") as f:
                tok.load_userdict(f)
    return tok


def tokenize(text: str, language: str = "auto") -> list[str]:
    """Tokens of ``text``: jieba words for Chinese (spaces dropped), lower-cased words otherwise."""
    if language == "auto":
        language = detect_language(text)
    if language == "zh":
        return [t for t in _jieba().lcut(text, HMM=True) if t.strip()]
    return _EN_TOKEN.findall(text.lower())


@cache
def stopwords(language: str) -> frozenset[str]:
    """The shipped stop-word list for ``"zh"`` or ``"en"``."""
    path = resources.files("openxm.text").joinpath(f"data/stopwords_{language}.txt")
    return frozenset(line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


def content_tokens(text: str, language: str = "auto") -> list[str]:
    """Tokens without stop words, punctuation, bare numbers and one-letter Latin words."""
    if language == "auto":
        language = detect_language(text)
    stop = stopwords("zh" if language == "zh" else "en")
    out = []
    for t in tokenize(text, language):
        if t in stop or t.isdigit() or not _KEEP.search(t) or (t.isascii() and len(t) < 2):
            continue
        out.append(t)
    return out
