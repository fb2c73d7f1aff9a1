"""Languages of a survey: canonical tags, choosing the respondent's language, picking a text.

Included: ``canonical_language`` (``zh``, ``zh-CN``, ``zh_cn``, ``zh-SG`` → ``zh-Hans``; ``zh-TW``,
``zh-HK``, ``zh-MO`` → ``zh-Hant``; case fixed as in BCP 47), ``pick_language`` (respondent
choice, then contact language, then the survey default; exact tag first, then the base language)
and ``localize`` (a plain string or a ``{lang: text}`` map → one string).
Excluded: the language of error messages (``messages.message_language``) and piping.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

_SIMPLIFIED_REGIONS = {"cn", "sg", "my"}
_TRADITIONAL_REGIONS = {"tw", "hk", "mo"}


def canonical_language(tag: str) -> str:
    """The canonical spelling of a language tag (``en-us`` → ``en-US``, ``zh_CN`` → ``zh-Hans``)."""
    parts = [p for p in tag.strip().replace("_", "-").split("-") if p]
    if not parts:
        return ""
    base = parts[0].lower()
    rest = [p.lower() for p in parts[1:]]
    if base == "zh":
        if "hant" in rest or (not {"hans"} & set(rest) and _TRADITIONAL_REGIONS & set(rest)):
            return "zh-Hant"
        if not rest or "hans" in rest or _SIMPLIFIED_REGIONS & set(rest):
            return "zh-Hans"
    out = [base]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            out.append(part.title())
        elif len(part) == 2 and part.isalpha():
            out.append(part.upper())
        else:
            out.append(part.lower())
    return "-".join(out)


def _match(candidate: str | None, available: Iterable[str]) -> str | None:
    if not candidate:
        return None
    wanted = canonical_language(candidate)
    by_canonical = {canonical_language(a): a for a in available}
    if wanted in by_canonical:
        return by_canonical[wanted]
    base = wanted.split("-")[0]
    if base in by_canonical:
        return by_canonical[base]
    if base == "zh":
        return None  # never answer a Traditional reader in Simplified (or back) silently
    for canon, original in by_canonical.items():
        if canon.split("-")[0] == base:
            return original
    return None


def pick_language(
    languages: Iterable[str],
    default_language: str,
    *,
    respondent: str | None = None,
    contact: str | None = None,
) -> str:
    """The survey language to use for one respondent.

    Order: the language the respondent chose, then the contact's stored language, then
    ``default_language``. Each candidate matches a declared language exactly (after
    canonicalisation), else by base language (``en-GB`` → ``en``). Simplified and Traditional
    Chinese never substitute for each other.
    """
    available = list(languages)
    for candidate in (respondent, contact):
        found = _match(candidate, available)
        if found:
            return found
    return default_language


def localize(text: Any, language: str, default_language: str) -> str:
    """One string from a plain string or a ``{lang: text}`` map.

    A map without ``language`` falls back to ``default_language``, then to its first entry; a
    missing text (``None``) is ``""``.
    """
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    if isinstance(text, Mapping):
        for lang in (language, default_language):
            if lang in text:
                return str(text[lang])
        return str(next(iter(text.values()), ""))
    return str(text)
