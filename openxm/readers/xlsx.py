"""XLSX worksheets streamed row by row with openpyxl's read-only mode (bounded memory)."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from openxm.readers.errors import ReadError, gettext_noop


@contextmanager
def open_sheet(
    path: Path | None, open_binary: Callable[[], BinaryIO], *, name: str, sheet: str | int | None
) -> Iterator[tuple[str, Iterator[tuple[int, tuple[Any, ...]]]]]:
    """(sheet title, iterator of (row number, cell values)) for the chosen worksheet.

    ``sheet`` is a sheet name or a 0-based index; None means the first worksheet. Formulas
    give their cached values (``data_only``), as Excel shows them.
    """
    import openpyxl

    stream = None if path is not None else open_binary()
    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it does not read; none affect values.
            warnings.simplefilter("ignore")
            try:
                workbook = openpyxl.load_workbook(
                    path if path is not None else stream, read_only=True, data_only=True
                )
            except Exception as error:  # openpyxl raises zipfile, KeyError, XML errors alike
                raise ReadError(
                    name, gettext_noop("not a readable XLSX workbook (%(error)s)"), params={"error": error}
                ) from error
        try:
            worksheet = _pick(workbook, sheet, name)
            rows = (
                (number, tuple(values))
                for number, values in enumerate(worksheet.iter_rows(min_row=1, values_only=True), start=1)
            )
            yield worksheet.title, rows
        finally:
            workbook.close()
    finally:
        if stream is not None:
            stream.close()


def _pick(workbook: Any, sheet: str | int | None, name: str) -> Any:
    sheets = workbook.worksheets
    if not sheets:
        raise ReadError(name, gettext_noop("the workbook has no worksheet"))
    if sheet is None:
        return sheets[0]
    if isinstance(sheet, int):
        if not 0 <= sheet < len(sheets):
            raise ReadError(
                name,
                gettext_noop("sheet index %(index)d is out of range; the workbook has %(count)d sheets"),
                params={"index": sheet, "count": len(sheets)},
            )
        return sheets[sheet]
    for candidate in sheets:
        if candidate.title == sheet:
            return candidate
    titles = ", ".join(repr(s.title) for s in sheets)
    raise ReadError(
        name,
        gettext_noop("no sheet named %(sheet)r; sheets: %(titles)s"),
        params={"sheet": sheet, "titles": titles},
    )


def cell_text(value: Any) -> str:
    """A header cell as text: 2023.0 reads "2023", blanks read ""."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
