"""Segment keys: the contact attributes a response is rolled up by, as one string.

A key lists the organization's configured attributes in order as ``name=value`` parts joined
by ``|`` (``tier=gold|kind=customer``); a missing value is an empty part (``tier=``). Keys are
self-describing, so keys written under an older configuration still read correctly. The names
``kind`` and ``language`` read the contact's own fields; every other name reads
``contact.attributes``.
"""

from collections.abc import Iterable, Mapping

CONTACT_FIELDS = ("kind", "language")
MAX_VALUE = 40


def _clean(value) -> str:
    if value is None:
        return ""
    text = str(value).strip()
    return text.replace("|", "/").replace("=", "-")[:MAX_VALUE]


def attribute_value(contact, name: str) -> str:
    if contact is None:
        return ""
    if name in CONTACT_FIELDS:
        return _clean(getattr(contact, name, ""))
    return _clean((contact.attributes or {}).get(name))


def build_key(contact, attributes: Iterable[str]) -> str:
    return "|".join(f"{name}={attribute_value(contact, name)}" for name in attributes)[:200]


def parse_key(key: str) -> dict[str, str]:
    out = {}
    for part in (key or "").split("|"):
        if "=" in part:
            name, value = part.split("=", 1)
            out[name] = value
    return out


def matching_keys(keys: Iterable[str], wanted: Mapping[str, str]) -> list[str]:
    """The keys whose parts include every ``name=value`` of ``wanted`` (all keys when empty)."""
    out = []
    for key in keys:
        parts = parse_key(key)
        if all(parts.get(name) == _clean(value) for name, value in wanted.items()):
            out.append(key)
    return out
