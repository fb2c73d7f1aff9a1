"""Where import and export files live: ``MEDIA_ROOT/<kind>/<organization id>/<random>/<name>``.

The random directory keeps names unguessable and lets two files share a name; rows store the
path relative to ``MEDIA_ROOT`` so the media directory can move (or be shared storage).
"""

import hashlib
import json
import re
import secrets
import shutil
from pathlib import Path

from django.conf import settings


def media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def absolute(relative: str) -> Path:
    path = (media_root() / relative).resolve()
    if media_root().resolve() not in path.parents:
        raise ValueError(f"{relative!r} is outside the media directory")
    return path


def safe_name(name: str, default: str = "file") -> str:
    base = Path(str(name or "")).name
    base = re.sub(r"[^\w.\- ()\u4e00-\u9fff]+", "_", base).strip(" .") or default
    return base[:120]


def new_path(kind: str, organization_id: int, name: str) -> tuple[Path, str]:
    """(absolute path, path relative to MEDIA_ROOT) of a new file; its directory exists."""
    relative = f"{kind}/{organization_id}/{secrets.token_hex(12)}/{safe_name(name)}"
    path = media_root() / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    return path, relative


def store_copy(source, target: Path) -> tuple[int, str]:
    """Copy a path or a binary stream to ``target``: (size in bytes, SHA-256)."""
    digest = hashlib.sha256()
    size = 0
    if isinstance(source, str | Path):
        handle = open(source, "rb")  # noqa: SIM115 - closed below; a caller's stream is not
        close = True
    else:
        handle, close = source, False
        if hasattr(handle, "seek"):
            handle.seek(0)
    try:
        with open(target, "wb") as out:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
    finally:
        if close:
            handle.close()
    return size, digest.hexdigest()


def sidecar(relative: str, name: str) -> Path:
    """A file next to a stored file (progress, reports)."""
    return absolute(relative).parent / name


def write_json(path: Path, data: dict) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data))
    tmp.replace(path)


def read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def remove_dir_of(relative: str) -> None:
    if relative:
        shutil.rmtree(absolute(relative).parent, ignore_errors=True)
