"""The export archive of an access request: one zip with the same rows twice.

* ``data.json``: ``{"request": …, "subject": …(masked), "exported_at": …, "tables": {label: [row, …]}}``
  with every model a hook covers (an empty list when nothing was found in it);
* ``<app_label>.<Model>.csv``: one file per model with rows, a column per field (nested JSON
  values written as JSON text), UTF-8 with a byte-order mark so spreadsheet programs read Chinese.

The file is written next to its final name and moved into place, so a failed export leaves no
half-written archive.
"""

from __future__ import annotations

import csv
import io
import json
import os
import zipfile
from pathlib import Path

from django.utils import timezone


def _csv(rows: list[dict]) -> str:
    columns: list[str] = []
    for r in rows:
        columns.extend(k for k in r if k not in columns)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(columns)
    for r in rows:
        writer.writerow(
            [
                json.dumps(r.get(c), ensure_ascii=False)
                if isinstance(r.get(c), dict | list)
                else r.get(c, "")
                for c in columns
            ]
        )
    return out.getvalue()


def write(path: Path, tables: dict[str, list[dict]], about: dict) -> int:
    """Write the archive to ``path``; its size in bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {**about, "exported_at": timezone.now().isoformat(), "tables": tables}
    partial = path.with_suffix(".part")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("data.json", json.dumps(document, ensure_ascii=False, indent=2, default=str))
        for label, rows in sorted(tables.items()):
            if rows:
                z.writestr(f"{label}.csv", _csv(rows))
    os.replace(partial, path)
    return path.stat().st_size
