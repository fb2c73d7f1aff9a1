"""Text that cannot be stored or shown safely: NUL characters, lone surrogates, control characters.

Pure functions shared by the request layer (every string in a query string, form post or JSON
body) and the model guard (every text column before it is written). PostgreSQL refuses NUL in
text and JSON, every database refuses a lone surrogate (it has no UTF-8 encoding), and C0
control characters other than tab, line feed and carriage return are never typed by a person.

Included: str values and the keys of mappings, nested lists and mappings. Excluded: bytes
(uploaded files are read by openxm.readers, which decodes and reports on its own).
"""

import re
from collections.abc import Mapping

NUL = "nul"
SURROGATE = "surrogate"
CONTROL = "control"

_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def problem(text: str) -> str | None:
    """The first problem in ``text`` (NUL, SURROGATE or CONTROL), or None when it is clean."""
    found = _BAD.search(text)
    if found is None:
        return None
    char = found.group()
    if char == "\x00":
        return NUL
    if "\ud800" <= char <= "\udfff":
        return SURROGATE
    return CONTROL


def find_problem(value, path: str = "") -> tuple[str, str] | None:
    """(dotted path, problem) of the first bad string in ``value``; a bad key names its mapping.

    Lists add no path segment: ``{"a": ["ok", "\\x00"]}`` reports ``a``.
    """
    if isinstance(value, str):
        code = problem(value)
        return (path, code) if code else None
    if isinstance(value, Mapping):
        for key, item in value.items():
            if isinstance(key, str) and (code := problem(key)):
                return (path or _printable(key), code)
            found = find_problem(item, f"{path}.{key}" if path else str(key))
            if found:
                return found
        return None
    if isinstance(value, list | tuple):
        for item in value:
            found = find_problem(item, path)
            if found:
                return found
    return None


# A JSON escape that may decode to a character ``_BAD`` finds: backspace and form feed (``\b``,
# ``\f``), and ``\u`` escapes of C0 controls (tab, line feed and carriage return too, which is
# only cautious), of DEL and of surrogates (a valid pair as well).
_BAD_ESCAPE = re.compile(r"\\(?:[bf]|u(?:00[01]|007[fF]|[dD][89a-fA-F]))")


def json_text_clean(text: str) -> bool:
    """True when no key or string of the JSON document ``text`` can hold bad text: the text has
    no bad character and no escape that could decode to one. It scans the text without
    parsing it; False is no finding (parse the document and use :func:`find_problem`)."""
    return _BAD.search(text) is None and _BAD_ESCAPE.search(text) is None


def _printable(key: str) -> str:
    """A bad key at the top level is named by its printable part."""
    return _BAD.sub("", key) or "?"
