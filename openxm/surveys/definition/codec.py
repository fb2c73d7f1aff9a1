"""Reading and writing definitions as JSON or YAML ("surveys as code").

Included: ``load_definition`` (text, bytes or a mapping → validated ``SurveyDefinition``, or
``DefinitionError`` listing every issue) and ``dump_definition`` (JSON or YAML text that loads
back to an equal definition).
YAML is read with a strict safe loader: only ``true``/``false`` are booleans (``yes``, ``no``,
``on`` stay text, so they can be option ids), dates stay ``YYYY-MM-DD`` text, a repeated key is an
error, and only JSON values are accepted (no sets, binary, timestamps, NaN or infinities).
Excluded: the validation rules themselves (``validate.py``).
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Iterator, Mapping
from typing import Any

import yaml

from .errors import DefinitionError, Issue, Path, format_path, make_issue
from .model import SurveyDefinition
from .validate import validate_definition

_BOOL_TAG = "tag:yaml.org,2002:bool"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


class _DuplicateKeyError(Exception):
    def __init__(self, key: Any):
        super().__init__(key)
        self.key = key


# libyaml's parser and emitter when installed (faster, and its emitter escapes U+0085/U+2028/U+2029
# correctly); the constructor and resolvers stay the Python ones, customised below.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SafeDumper: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_UNICODE_BREAKS = ("\x85", "\u2028", "\u2029")


class _StrictLoader(_SafeLoader):  # type: ignore[misc,valid-type]
    """SafeLoader with YAML 1.2-like booleans, no implicit timestamps, and duplicate-key errors."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _value in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=deep)
            try:
                if key in seen:
                    raise _DuplicateKeyError(key)
                seen.add(key)
            except TypeError:
                pass  # unhashable keys are rejected by the base constructor with its own message
        return super().construct_mapping(node, deep=deep)


class _Dumper(_SafeDumper):  # type: ignore[misc,valid-type]
    """SafeDumper that double-quotes text with Unicode line breaks, which the pure-Python emitter
    would otherwise write raw inside single quotes, where they read back as spaces."""

    def represent_str(self, data: str) -> yaml.ScalarNode:
        if any(ch in data for ch in _UNICODE_BREAKS):
            return self.represent_scalar("tag:yaml.org,2002:str", data, style='"')
        return super().represent_str(data)


_Dumper.add_representer(str, _Dumper.represent_str)

_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_BOOL_TAG, _TIMESTAMP_TAG)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StrictLoader.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _json_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKeyError(key)
        out[key] = value
    return out


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


def _parse(text: str, fmt: str, language: str | None) -> Any:
    if fmt == "json":
        try:
            return json.loads(text, object_pairs_hook=_json_pairs, parse_constant=_reject_constant)
        except json.JSONDecodeError as exc:
            raise DefinitionError([make_issue("", "format.json", language, detail=exc.msg,
                                              line=exc.lineno, column=exc.colno)]) from exc
        except ValueError as exc:
            raise DefinitionError([make_issue("", "format.json", language, detail=str(exc),
                                              line="?", column="?")]) from exc
        except _DuplicateKeyError as exc:
            raise DefinitionError([make_issue("", "format.duplicate_key", language, key=exc.key)]) from exc
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - _StrictLoader is a SafeLoader
    except _DuplicateKeyError as exc:
        raise DefinitionError([make_issue("", "format.duplicate_key", language, key=exc.key)]) from exc
    except yaml.YAMLError as exc:
        detail = " ".join(str(exc).split())
        raise DefinitionError([make_issue("", "format.yaml", language, detail=detail)]) from exc


def _non_json(value: Any, path: Path) -> Iterator[tuple[Path, str]]:
    """Paths of values that JSON cannot hold (YAML can)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                yield path, "format.key"
            else:
                yield from _non_json(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _non_json(item, (*path, i))
    elif isinstance(value, float):
        if not math.isfinite(value):
            yield path, "format.value"
    elif not isinstance(value, str | int | bool) and value is not None:
        yield path, "format.value"


def load_definition(
    source: str | bytes | Mapping[str, Any], format: str = "auto", *, language: str | None = "en"
) -> SurveyDefinition:
    """Parses (when given text) and validates a survey definition.

    ``format``: ``json``, ``yaml`` or ``auto`` (a mapping is taken as is; text starting with ``{``
    is JSON, anything else YAML). Raises ``DefinitionError`` whose ``errors`` name every problem
    (path, code, message in ``language``, params). The mapping passed in is never modified.
    """
    if format not in ("auto", "json", "yaml"):
        raise DefinitionError([make_issue("", "format.unknown", language, format=format)])
    if isinstance(source, Mapping):
        document: Any = copy.deepcopy(dict(source))
    else:
        text = source.decode("utf-8-sig") if isinstance(source, bytes) else source.lstrip("\ufeff")
        fmt = format if format != "auto" else ("json" if text.lstrip().startswith("{") else "yaml")
        document = _parse(text, fmt, language)
    if not isinstance(document, dict):
        raise DefinitionError([make_issue("", "format.not_object", language)])
    bad = [make_issue(format_path(path), code, language) for path, code in _non_json(document, ())]
    if bad:
        raise DefinitionError(bad)
    issues: list[Issue] = validate_definition(document, language)
    if issues:
        raise DefinitionError(issues)
    return SurveyDefinition.from_valid(document)


def dump_definition(definition: SurveyDefinition | Mapping[str, Any], format: str = "json") -> str:
    """The definition as JSON (2-space indent, UTF-8 text kept readable) or YAML (block style).

    Keys keep their order; loading the result gives an equal definition.
    """
    if isinstance(definition, SurveyDefinition):
        data = definition.to_dict()
    else:
        data = copy.deepcopy(dict(definition))
    if format == "json":
        return json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    if format == "yaml":
        return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=False,
                         width=100)
    raise ValueError(f"unknown format {format!r}; use 'json' or 'yaml'")
