"""Reads the msgids of a .po file (enough for the catalog tests; no extra dependency)."""

import ast
import re
from pathlib import Path


def msgids(path: Path) -> set[str]:
    ids, current, in_id = set(), [], False
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.startswith("msgid "):
            current, in_id = [line[6:]], True
        elif line.startswith('"') and in_id:
            current.append(line)
        else:
            if in_id and current:
                text = "".join(ast.literal_eval(part) for part in current)
                if text:
                    ids.add(text)
            in_id = False
            current = []
    return {re.sub(r"\s+", " ", i) for i in ids}
