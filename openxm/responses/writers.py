"""Export writers: the same rows and codebook as CSV, XLSX, SPSS .sav, Parquet or a DataFrame.

Every writer takes the :class:`~openxm.responses.codebook.Codebook` and an iterator of row
chunks (lists of value lists in codebook order: ``float | None`` for numbers, ``str`` for text,
naive UTC ``datetime | None`` for dates) and streams where the format allows it:

* CSV: UTF-8 with BOM; cells that a spreadsheet would run as a formula get a leading
  apostrophe (``openxm.utils.csvsafe``); whole numbers are written without ``.0``; times in
  ISO 8601 with their offset (``2026-03-01T09:30:00+08:00``) in the codebook's time zone (the
  organisation's for exports). The codebook is a separate download.
* XLSX: a "Responses" sheet (streamed; text starting with ``=`` is stored as text, never as a
  formula; at most 1,048,575 rows and 32,767 characters per cell) and a "Codebook" sheet. Times
  are ISO 8601 text with their offset, as in CSV: an Excel date cell cannot carry a zone.
* SPSS .sav (pyreadstat): variable labels, value labels and measurement levels from the
  codebook; the whole table is held in memory while it is written (pyreadstat cannot append).
  SPSS limits variable labels to 256 bytes and value labels to 120 bytes; longer ones are cut.
* Parquet (pyarrow): one row group per chunk; the codebook is stored as JSON in the file's
  metadata under ``openxm.codebook``.
* DataFrame: numbers float64, text object, dates datetime64; ``attrs["codebook"]`` holds the
  codebook as a dict.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from openxm.utils.csvsafe import neutralise

from .codebook import DATETIME, NUMERIC, Codebook

XLSX_MAX_ROWS = 1_048_575
XLSX_MAX_CELL = 32_767
FORMATS = {"csv": "csv", "xlsx": "xlsx", "sav": "sav", "parquet": "parquet"}
# Formats whose times are text with an offset, written in the codebook's time zone.
ZONED_FORMATS = frozenset({"csv", "xlsx"})
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "sav": "application/x-spss-sav",
    "parquet": "application/vnd.apache.parquet",
}

Chunks = Iterable[list[list[Any]]]


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def iso_time(value: dt.datetime, zone: dt.tzinfo) -> str:
    """A naive UTC time as ISO 8601 in ``zone`` with its offset (2026-03-01T09:30:00+08:00)."""
    return value.replace(tzinfo=dt.UTC).astimezone(zone).isoformat()


def csv_cell(value: Any, zone: dt.tzinfo = dt.UTC) -> str:
    if _missing(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return iso_time(value, zone)
    return neutralise(value)


def write_csv(codebook: Codebook, chunks: Chunks, path: Path) -> None:
    """Times in ISO 8601 with their offset, in ``codebook.time_zone``."""
    zone = ZoneInfo(codebook.time_zone)
    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([neutralise(n) for n in codebook.names])
        for chunk in chunks:
            writer.writerows([csv_cell(v, zone) for v in row] for row in chunk)


def write_codebook_csv(codebook: Codebook, path: Path) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerows([neutralise(v) for v in row] for row in codebook.rows())


def _xlsx_cells(ws, row: list[Any], zone: dt.tzinfo = dt.UTC) -> list[Any]:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    out: list[Any] = []
    for value in row:
        if _missing(value):
            out.append(None)
        elif isinstance(value, dt.datetime):
            out.append(iso_time(value, zone))
        elif isinstance(value, str):
            text = ILLEGAL_CHARACTERS_RE.sub("", value)[:XLSX_MAX_CELL]
            if text.startswith("="):
                cell = WriteOnlyCell(ws, value=text)
                cell.data_type = "s"  # text, never a formula
                out.append(cell)
            else:
                out.append(text)
        else:
            out.append(value)
    return out


def write_xlsx(codebook: Codebook, chunks: Chunks, path: Path) -> None:
    from openpyxl import Workbook

    zone = ZoneInfo(codebook.time_zone)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Responses")
    sheet.append(codebook.names)
    for chunk in chunks:
        for row in chunk:
            sheet.append(_xlsx_cells(sheet, row, zone))
    book = workbook.create_sheet("Codebook")
    for row in codebook.rows():
        book.append(_xlsx_cells(book, row))
    workbook.save(path)


def frame(codebook: Codebook, chunks: Chunks):
    """All rows as a pandas DataFrame with the codebook's dtypes."""
    import pandas as pd

    columns: list[list[Any]] = [[] for _ in codebook.variables]
    for chunk in chunks:
        for row in chunk:
            for i, value in enumerate(row):
                columns[i].append(value)
    data = {}
    for variable, values in zip(codebook.variables, columns, strict=True):
        if variable.kind == NUMERIC:
            data[variable.name] = pd.Series([math.nan if v is None else v for v in values], dtype="float64")
        elif variable.kind == DATETIME:
            data[variable.name] = pd.Series(pd.to_datetime(values), dtype="datetime64[ns]")
        else:
            data[variable.name] = pd.Series(["" if v is None else v for v in values], dtype="object")
    df = pd.DataFrame(data, columns=codebook.names)
    df.attrs["codebook"] = codebook.to_dict()
    return df


def write_sav(codebook: Codebook, chunks: Chunks, path: Path) -> None:
    import pyreadstat

    df = frame(codebook, chunks)
    df.attrs = {}
    pyreadstat.write_sav(
        df,
        str(path),
        file_label=codebook.title[:64],
        column_labels=[v.label for v in codebook.variables],
        variable_value_labels={v.name: dict(v.value_labels) for v in codebook.variables if v.value_labels},
        variable_measure={v.name: v.measure for v in codebook.variables},
    )


def _arrow_schema(codebook: Codebook):
    import pyarrow as pa

    types = {NUMERIC: pa.float64(), DATETIME: pa.timestamp("us")}
    fields = [pa.field(v.name, types.get(v.kind, pa.string())) for v in codebook.variables]
    meta = {b"openxm.codebook": json.dumps(codebook.to_dict(), ensure_ascii=False).encode()}
    return pa.schema(fields, metadata=meta)


def write_parquet(codebook: Codebook, chunks: Chunks, path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = _arrow_schema(codebook)
    with pq.ParquetWriter(str(path), schema) as writer:
        wrote = False
        for chunk in chunks:
            if not chunk:
                continue
            columns = list(zip(*chunk, strict=True))
            arrays = {
                v.name: ["" if x is None and v.kind not in (NUMERIC, DATETIME) else x for x in columns[i]]
                for i, v in enumerate(codebook.variables)
            }
            writer.write_table(pa.Table.from_pydict(arrays, schema=schema))
            wrote = True
        if not wrote:
            writer.write_table(schema.empty_table())


WRITERS = {"csv": write_csv, "xlsx": write_xlsx, "sav": write_sav, "parquet": write_parquet}


def counting(chunks: Chunks, on_chunk) -> Iterator[list[list[Any]]]:
    """Pass chunks through, calling ``on_chunk(rows so far)`` after each."""
    done = 0
    for chunk in chunks:
        yield chunk
        done += len(chunk)
        on_chunk(done)
