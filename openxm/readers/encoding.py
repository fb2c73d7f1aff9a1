"""Telling the text encoding of an uploaded CSV/TSV file.

Statistical detectors guess wrong on the short Chinese answers surveys are full of, so this
is a strict try-order with sanity checks, each candidate decoded over the *whole* file in
1 MiB chunks (bounded memory, so a bad byte on line two million is still seen):

1. a byte-order mark: UTF-8 (``utf-8-sig``, what Excel writes for "CSV UTF-8") or UTF-16
   (Excel "Unicode text");
2. ``utf-8`` when every byte decodes;
3. ``gb18030`` (a superset of GBK/GB2312, what Chinese Excel writes as "CSV") when every
   byte decodes *and* the text looks Chinese: at least 80 % of its non-ASCII characters are
   in GB2312. Windows-1252 text with accents also decodes as GB18030, but into rare
   characters, which this check rejects;
4. ``cp949`` (Korean Excel) when the bytes decoded as GB18030 use only the rows where
   KS X 1001 keeps Hangul (lead bytes 0xB0–0xC8; at least 20 such characters), never the
   later GB2312 rows every Chinese text uses;
5. ``cp1252`` (Western European Excel) when every byte decodes, unless the file is mostly
   valid UTF-8 with a few damaged bytes, which is reported as an error instead;
6. charset-normalizer's best guess, checked over the whole file; otherwise an error.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from openxm.readers.errors import ReadError, gettext_noop

CHUNK = 1 << 20
_SURROGATE = re.compile("[\udc80-\udcff]")
_NON_ASCII = re.compile("[^\x00-\x7f\udc80-\udcff]")
_PLAUSIBILITY_SAMPLE = 100_000  # non-ASCII characters looked at; enough to judge a language

Opener = Callable[[], BinaryIO]


@dataclass
class _Scan:
    bad: int = 0
    first_bad_line: int | None = None
    non_ascii: int = 0
    sample: str = ""


def _scan(open_binary: Opener, encoding: str) -> _Scan:
    """Decode the whole stream, counting undecodable bytes (as surrogate escapes)."""
    scan = _Scan()
    decoder = codecs.getincrementaldecoder(encoding)(errors="surrogateescape")
    lines = 1
    sample_parts: list[str] = []
    sampled = 0
    with open_binary() as stream:
        while True:
            chunk = stream.read(CHUNK)
            text = decoder.decode(chunk, final=not chunk)
            bad = _SURROGATE.search(text)
            if bad:
                if scan.first_bad_line is None:
                    scan.first_bad_line = lines + text.count("\n", 0, bad.start())
                scan.bad += len(_SURROGATE.findall(text))
            non_ascii = _NON_ASCII.findall(text)
            scan.non_ascii += len(non_ascii)
            if sampled < _PLAUSIBILITY_SAMPLE and non_ascii:
                part = "".join(non_ascii[: _PLAUSIBILITY_SAMPLE - sampled])
                sample_parts.append(part)
                sampled += len(part)
            lines += text.count("\n")
            if not chunk:
                break
    scan.sample = "".join(sample_parts)
    return scan


def _looks_chinese(sample: str) -> bool:
    if not sample:
        return True
    in_gb2312 = len(sample.encode("gb2312", errors="ignore")) // 2
    return in_gb2312 >= 0.8 * len(sample)


def _looks_korean(sample: str) -> bool:
    """GB18030-decoded text whose hanzi all come from the KS X 1001 Hangul rows."""
    hanzi = [lead for lead in sample.encode("gb2312", errors="ignore")[::2] if lead >= 0xB0]
    # About half of everyday hanzi sit above row 0xC8, so 20 in a row below it is not Chinese.
    return len(hanzi) >= 20 and all(lead <= 0xC8 for lead in hanzi)


def sniff_bom(head: bytes) -> tuple[str, int] | None:
    """(encoding, BOM length) when ``head`` starts with a byte-order mark."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", 0
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", 0
    return None


def detect_encoding(open_binary: Opener, *, name: str) -> str:
    """The encoding of the stream ``open_binary()`` returns; see the module docstring.

    Raises ReadError naming ``name`` and the first undecodable line when no candidate fits.
    """
    with open_binary() as stream:
        head = stream.read(4)
    bom = sniff_bom(head)
    if bom:
        return bom[0]

    utf8 = _scan(open_binary, "utf-8")
    if utf8.bad == 0:
        return "utf-8"
    gb = _scan(open_binary, "gb18030")
    if gb.bad == 0 and _looks_chinese(gb.sample):
        if _looks_korean(gb.sample):
            korean = _scan(open_binary, "cp949")
            if korean.bad == 0:
                return "cp949"
        return "gb18030"
    if utf8.non_ascii >= 2 * utf8.bad:
        raise ReadError(
            name,
            gettext_noop(
                "the file is UTF-8 except for bytes that are not valid UTF-8 here; repair the file "
                "or give its encoding explicitly"
            ),
            line=utf8.first_bad_line,
        )
    western = _scan(open_binary, "cp1252")
    if western.bad == 0:
        return "cp1252"
    guess = _charset_normalizer_guess(open_binary)
    if guess and _scan(open_binary, guess).bad == 0:
        return guess
    raise ReadError(
        name,
        gettext_noop("cannot tell the text encoding (not UTF-8, GB18030, Windows-1252); give it explicitly"),
        line=utf8.first_bad_line,
    )


def _charset_normalizer_guess(open_binary: Opener) -> str | None:
    from charset_normalizer import from_bytes

    with open_binary() as stream:
        head = stream.read(CHUNK)
    match = from_bytes(head).best()
    return None if match is None else codecs.lookup(match.encoding).name


def check_encoding(encoding: str, *, name: str) -> str:
    """The codec name for a user-given ``encoding``; ReadError when Python has no such codec."""
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise ReadError(
            name, gettext_noop("unknown text encoding %(encoding)r"), params={"encoding": encoding}
        ) from None
