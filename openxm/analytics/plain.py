"""Results as plain data: dicts, lists, numbers and strings, ready for JSON.

Result dataclasses hold read-only mappings (``MappingProxyType``) and tuples so they stay
frozen; ``dataclasses.asdict`` cannot copy mapping proxies, hence this converter. Mapping
keys are kept as they are (ints stay ints; ``json.dumps`` writes them as strings).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any


def to_plain(value: Any) -> Any:
    """``value`` with dataclasses → dicts, mappings → dicts, tuples/lists → lists, NaN → None."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: to_plain(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {key: to_plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_plain(item) for item in value]
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
