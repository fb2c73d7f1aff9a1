"""Delimited text (CSV, TSV, TXT): choosing the delimiter and streaming records.

The delimiter is one of comma, semicolon (European Excel), tab and pipe. ``csv.Sniffer``
proposes one from the first 64 KiB; its guess is kept only when it splits the sample into a
consistent number of fields (at least two, on at least 90 % of the records). Otherwise each
candidate is scored by how consistently it splits the sample and the best wins, preferring
tab for .tsv files and the listed order otherwise. A file where no candidate splits anything
is one column.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterator

CANDIDATES = (",", ";", "\t", "|")
ALIASES = {"comma": ",", "semicolon": ";", "tab": "\t", "\\t": "\t", "pipe": "|"}
SAMPLE_CHARS = 1 << 16


def normalise_delimiter(delimiter: str) -> str:
    value = ALIASES.get(delimiter.lower(), delimiter)
    if len(value) != 1 or value in '\r\n"':
        raise ValueError(f"delimiter must be one character such as , ; | or tab (got {delimiter!r})")
    return value


def _split(sample: str, delimiter: str, truncated: bool) -> list[int]:
    try:
        records = list(csv.reader(io.StringIO(sample), delimiter=delimiter))
    except csv.Error:
        return []
    if truncated and records:
        records.pop()  # the sample may end inside the last record
    return [len(r) for r in records if any(cell.strip() for cell in r)]


def _consistency(widths: list[int]) -> tuple[bool, float, int]:
    if not widths:
        return (False, 0.0, 0)
    modal, hits = Counter(widths).most_common(1)[0]
    return (modal > 1, hits / len(widths), modal)


def choose_delimiter(sample: str, *, truncated: bool, prefer_tab: bool = False) -> str:
    """The delimiter for a file starting with ``sample``; see the module docstring."""
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters="".join(CANDIDATES)).delimiter
    except csv.Error:
        sniffed = None
    if sniffed:
        splits, share, _ = _consistency(_split(sample, sniffed, truncated))
        if splits and share >= 0.9:
            return sniffed
    order = ("\t", ",", ";", "|") if prefer_tab else CANDIDATES
    scored = [(_consistency(_split(sample, d, truncated)), -i, d) for i, d in enumerate(order)]
    (splits, _, _), _, best = max(scored)
    return best if splits else ","


def read_sample(text: io.TextIOBase) -> tuple[str, bool]:
    """Up to SAMPLE_CHARS of text cut at a line end, and whether the file goes on."""
    sample = text.read(SAMPLE_CHARS)
    more = bool(text.read(1))
    if more and "\n" in sample:
        sample = sample[: sample.rindex("\n") + 1]
    return sample, more


def records(text: io.TextIOBase, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(line where the record starts, fields) for every record; quoted cells may span lines.

    A csv.Error propagates with the line where its record starts attached as
    ``error.openxm_line`` so the caller can name it.
    """
    reader = csv.reader(text, delimiter=delimiter)
    while True:
        start = reader.line_num + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            error.openxm_line = start  # type: ignore[attr-defined]
            raise
        yield start, fields
