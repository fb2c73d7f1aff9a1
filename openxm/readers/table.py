"""``read_table``: the one reader behind every file input of openxm (imports, ``openxm analyze``).

What a caller gets:

* ``columns``: the header row, stripped; a blank header becomes ``column_<n>`` and a repeated
  one gets `` (2)``, `` (3)``… so every row dict has distinct keys (each rename is an issue).
* rows as dicts, streamed: every iteration re-reads the file, so millions of rows need no
  more memory than one row, and a table can be iterated again.
* values as read: text for CSV; for XLSX the cell values openpyxl gives (numbers, dates,
  text). Blank cells are ``""`` in both. Nothing is converted or trimmed.
* fully blank rows are skipped; a short row is padded with ``""`` and reported in
  ``issues``; a row with extra non-blank fields is an error in CSV (it means a shifted
  row: an unquoted delimiter or a wrong delimiter), and reported and ignored in XLSX (a note
  typed to the right of the data). Trailing blank fields are dropped silently.

Errors are :class:`ReadError` ("<file>: line <n>: <problem>").
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from openxm.readers.delimited import choose_delimiter, normalise_delimiter, read_sample, records
from openxm.readers.encoding import check_encoding, detect_encoding
from openxm.readers.errors import ReadError, ReadIssue, gettext_noop
from openxm.readers.xlsx import cell_text, open_sheet

__all__ = ["Table", "read_table"]

MAX_ISSUES = 100
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # Excel 97–2003 .xls
_UNDECODABLE = re.compile("[\udc80-\udcff]")

Source = str | os.PathLike[str] | BinaryIO
Row = dict[str, Any]


class _Borrowed(io.RawIOBase):
    """A caller's binary stream, read from the start; closing this leaves theirs open."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        stream.seek(0)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True  # zipfile (XLSX) seeks; the caller's stream was required to seek

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._stream.seek(offset, whence)

    def tell(self) -> int:
        return self._stream.tell()

    def readinto(self, buffer: Any) -> int:
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _source(source: Source) -> tuple[Path | None, Callable[[], BinaryIO], str]:
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if not path.exists():
            raise ReadError(str(path), gettext_noop("no such file"))
        if not path.is_file():
            raise ReadError(str(path), gettext_noop("not a file"))
        return path, lambda: path.open("rb"), str(path)
    if isinstance(source, io.TextIOBase):
        raise TypeError("read_table needs a path or a binary stream; open the file with 'rb'")
    if not (hasattr(source, "read") and hasattr(source, "seek")):
        raise TypeError(f"read_table needs a path or a seekable binary stream, not {type(source).__name__}")
    name = str(getattr(source, "name", "") or "<upload>")
    return None, lambda: io.BufferedReader(_Borrowed(source)), name


class Table:
    """A tabular file opened for reading; see the module docstring.

    ``format`` is "csv" or "xlsx"; ``encoding`` and ``delimiter`` are None for XLSX and
    ``sheet`` is None for CSV. ``issues`` lists what was repaired during the latest
    iteration (at most 100; ``issue_count`` has the total).
    """

    def __init__(
        self,
        *,
        name: str,
        format: str,
        columns: tuple[str, ...],
        encoding: str | None,
        delimiter: str | None,
        sheet: str | None,
        header_issues: list[ReadIssue],
        row_source: Callable[[Table], Iterator[tuple[int, Row]]],
    ) -> None:
        self.name = name
        self.format = format
        self.columns = columns
        self.encoding = encoding
        self.delimiter = delimiter
        self.sheet = sheet
        self._header_issues = header_issues
        self._row_source = row_source
        self.issues: list[ReadIssue] = list(header_issues)
        self.issue_count = len(header_issues)

    def __repr__(self) -> str:
        return f"<Table {self.name!r} {self.format} columns={len(self.columns)}>"

    def resolve(self, ref: str) -> str:
        """The column named ``ref`` (exactly, or after trimming spaces), or ``#N`` for the N-th
        column counting from 1, for headers too long or too comma-laden to type."""
        if ref in self.columns:
            return ref
        if ref.strip() in self.columns:
            return ref.strip()
        if ref.startswith("#") and ref[1:].isdigit():
            position = int(ref[1:])
            if 1 <= position <= len(self.columns):
                return self.columns[position - 1]
            raise ReadError(
                self.name,
                gettext_noop("column %(ref)s does not exist; there are %(count)d columns"),
                params={"ref": ref, "count": len(self.columns)},
            )
        shown = ", ".join(repr(c) for c in self.columns[:8]) + (", …" if len(self.columns) > 8 else "")
        raise ReadError(
            self.name,
            gettext_noop("no column %(ref)r; columns: %(shown)s (or #1…#%(count)d)"),
            params={"ref": ref, "shown": shown, "count": len(self.columns)},
        )

    def note(self, line: int, message: str) -> None:
        self.issue_count += 1
        if len(self.issues) < MAX_ISSUES:
            self.issues.append(ReadIssue(line, message))

    def rows_with_lines(self) -> Iterator[tuple[int, Row]]:
        """(line or sheet row number, row dict) for every data row, read afresh from the file."""
        self.issues = list(self._header_issues)
        self.issue_count = len(self._header_issues)
        yield from self._row_source(self)

    def __iter__(self) -> Iterator[Row]:
        for _, row in self.rows_with_lines():
            yield row

    def to_dataframe(self) -> Any:
        """Every row in a pandas DataFrame (values as read, columns in file order)."""
        import pandas as pd

        return pd.DataFrame(list(self), columns=list(self.columns))


def _columns(cells: list[str], line: int) -> tuple[tuple[str, ...], list[ReadIssue]]:
    while cells and not cells[-1].strip():
        cells = cells[:-1]
    names: list[str] = []
    issues: list[ReadIssue] = []
    seen: set[str] = set()
    for position, raw in enumerate(cells, start=1):
        name = raw.strip()
        if not name:
            name = f"column_{position}"
            issues.append(ReadIssue(line, f"column {position} has no header; named it {name!r}"))
        if name in seen:
            copy = 2
            while f"{name} ({copy})" in seen:
                copy += 1
            issues.append(
                ReadIssue(line, f"header {name!r} repeats; column {position} named {name} ({copy})")
            )
            name = f"{name} ({copy})"
        seen.add(name)
        names.append(name)
    return tuple(names), issues


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_table(
    source: Source,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | int | None = None,
    header: bool = True,
) -> Table:
    """Open a CSV/TSV/TXT or XLSX file and read its header; rows stream on iteration.

    ``encoding`` and ``delimiter`` override detection for text files; ``sheet`` (name or
    0-based index) picks an XLSX worksheet, the first by default. With ``header=False`` the
    first row is data and the columns are ``column_1``… Raises ReadError for a missing,
    empty, undecodable or malformed file.
    """
    path, open_binary, name = _source(source)
    with open_binary() as stream:
        head = stream.read(8)
    if head.startswith(_OLE_MAGIC):
        raise ReadError(
            name, gettext_noop("legacy .xls (Excel 97–2003) files are not read; save it as .xlsx or CSV")
        )
    if head.startswith(_ZIP_MAGIC):
        return _read_xlsx(path, open_binary, name, sheet=sheet, header=header)
    if path is not None and path.suffix.lower() in {".xlsx", ".xlsm"}:
        raise ReadError(name, gettext_noop("the file is named .xlsx but is not an XLSX workbook"))
    return _read_text(path, open_binary, name, encoding=encoding, delimiter=delimiter, header=header)


def _not_decodable(name: str, encoding: str | None) -> ReadError:
    return ReadError(
        name, gettext_noop("the file is not valid %(encoding)s text"), params={"encoding": encoding}
    )


def _read_text(
    path: Path | None,
    open_binary: Callable[[], BinaryIO],
    name: str,
    *,
    encoding: str | None,
    delimiter: str | None,
    header: bool,
) -> Table:
    # A detected encoding was checked over every byte; a given one (or a BOM) was not, so
    # its rows are checked as they stream.
    if encoding is not None:
        encoding = check_encoding(encoding, name=name)
        verified = False
    else:
        encoding = detect_encoding(open_binary, name=name)
        verified = not (encoding.startswith("utf-16") or encoding == "utf-8-sig")

    def open_text() -> io.TextIOWrapper:
        return io.TextIOWrapper(open_binary(), encoding=encoding, errors="surrogateescape", newline="")

    if delimiter is not None:
        try:
            delimiter = normalise_delimiter(delimiter)
        except ValueError as error:
            raise ReadError(
                name, gettext_noop("delimiter: %(error)s"), params={"error": str(error)}
            ) from None
    else:
        try:
            with open_text() as text:
                sample, more = read_sample(text)
        except UnicodeError:  # e.g. a UTF-16 file cut in the middle of a character
            raise _not_decodable(name, encoding) from None
        prefer_tab = path is not None and path.suffix.lower() in {".tsv", ".tab"}
        delimiter = choose_delimiter(sample, truncated=more, prefer_tab=prefer_tab)

    def stream_records() -> Iterator[tuple[int, list[str]]]:
        with open_text() as text:
            try:
                for line, fields in records(text, delimiter):
                    if not verified:
                        for cell in fields:
                            bad = _UNDECODABLE.search(cell)
                            if bad:
                                byte = ord(bad.group()) - 0xDC00
                                raise ReadError(
                                    name,
                                    gettext_noop("byte 0x%(byte)02X is not valid %(encoding)s"),
                                    line=line,
                                    params={"byte": byte, "encoding": encoding},
                                )
                    if any(cell.strip() for cell in fields):
                        yield line, fields
            except UnicodeError:
                raise _not_decodable(name, encoding) from None
            except csv.Error as error:
                line = getattr(error, "openxm_line", None)
                raise ReadError(
                    name, gettext_noop("malformed CSV (%(error)s)"), line=line, params={"error": error}
                ) from None

    columns, header_issues, header_line = _text_header(stream_records(), name, header)

    def rows(table: Table) -> Iterator[tuple[int, Row]]:
        width = len(columns)
        for line, fields in stream_records():
            if header and line <= header_line:
                continue
            if len(fields) > width:
                extra = fields[width:]
                if any(cell.strip() for cell in extra):
                    raise ReadError(
                        name,
                        gettext_noop(
                            "the row has %(fields)d fields but the header has %(width)d; extra values "
                            "%(extra)r have no column (an unquoted %(delimiter)s inside a cell?)"
                        ),
                        line=line,
                        params={
                            "fields": len(fields),
                            "width": width,
                            "extra": extra[:3],
                            "delimiter": repr(delimiter),  # a character reads the same in every language
                        },
                    )
                fields = fields[:width]
            elif len(fields) < width:
                table.note(line, f"the row has {len(fields)} of {width} fields; padded with blanks")
                fields = fields + [""] * (width - len(fields))
            yield line, dict(zip(columns, fields, strict=True))

    return Table(
        name=name,
        format="csv",
        columns=columns,
        encoding=codecs.lookup(encoding).name,
        delimiter=delimiter,
        sheet=None,
        header_issues=header_issues,
        row_source=rows,
    )


def _text_header(
    stream: Iterator[tuple[int, list[str]]], name: str, header: bool
) -> tuple[tuple[str, ...], list[ReadIssue], int]:
    try:
        line, fields = next(stream)
    except StopIteration:
        raise ReadError(name, gettext_noop("the file is empty (no header row)")) from None
    finally:
        stream.close()  # type: ignore[attr-defined]
    if not header:
        return tuple(f"column_{i}" for i in range(1, len(fields) + 1)), [], 0
    columns, issues = _columns(fields, line)
    return columns, issues, line


def _read_xlsx(
    path: Path | None,
    open_binary: Callable[[], BinaryIO],
    name: str,
    *,
    sheet: str | int | None,
    header: bool,
) -> Table:
    with open_sheet(path, open_binary, name=name, sheet=sheet) as (title, sheet_rows):
        first = next(((n, cells) for n, cells in sheet_rows if not all(map(_blank, cells))), None)
    if first is None:
        raise ReadError(
            name, gettext_noop("sheet %(title)r is empty (no header row)"), params={"title": title}
        )
    header_line, header_cells = first
    if header:
        columns, header_issues = _columns([cell_text(v) for v in header_cells], header_line)
    else:
        last = max(i for i, v in enumerate(header_cells) if not _blank(v))
        columns, header_issues = tuple(f"column_{i}" for i in range(1, last + 2)), []

    def rows(table: Table) -> Iterator[tuple[int, Row]]:
        width = len(columns)
        with open_sheet(path, open_binary, name=name, sheet=sheet) as (_, sheet_rows):
            for number, cells in sheet_rows:
                if (header and number <= header_line) or all(map(_blank, cells)):
                    continue
                values = ["" if v is None else v for v in cells[:width]]
                if any(not _blank(v) for v in cells[width:]):
                    table.note(number, f"values right of column {width} have no header; ignored")
                if len(values) < width:
                    values += [""] * (width - len(values))
                yield number, dict(zip(columns, values, strict=True))

    return Table(
        name=name,
        format="xlsx",
        columns=columns,
        encoding=None,
        delimiter=None,
        sheet=title,
        header_issues=header_issues,
        row_source=rows,
    )
