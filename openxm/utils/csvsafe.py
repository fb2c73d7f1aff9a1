"""CSV writing that spreadsheet programs cannot be tricked by.

A cell starting with ``= + - @`` (or a tab/carriage return) is run as a formula by Excel and
LibreOffice; such cells get a leading apostrophe (OWASP "CSV injection"). Numbers are written
as numbers, so a negative score stays ``-3``.
"""

import csv
import io
from collections.abc import Iterable, Sequence

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def write_csv(header: Sequence[str], rows: Iterable[Sequence], out=None) -> str | None:
    """Write ``header`` and ``rows`` as UTF-8 CSV (with BOM, so Excel opens Chinese text).

    Returns the text when ``out`` is None, else writes to ``out`` and returns None.
    """
    target = out if out is not None else io.StringIO()
    if out is None:
        target.write("\ufeff")
    writer = csv.writer(target, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
    return target.getvalue() if out is None else None
