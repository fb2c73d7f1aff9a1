"""Checking and normalising one answer of each question type, and its typed storage rows.

Included: ``clean_answer(spec, raw)`` → ``(value, problems)`` for every type but ``hidden`` (whose
value comes from the link, never from the respondent) and ``answer_rows(spec, value)`` → the
``AnswerRow`` tuples to store. Numbers may arrive as numeric text (HTML forms); consent accepts
booleans and the usual form spellings (``on``, ``yes``, ``1``...).
Excluded: whether the question was shown or is required (``answers.py``).

Answer shapes (clean values keep these shapes):
``nps``/``csat``/``ces``/``rating``/``likert``: integer on the scale; ``single_choice``:
option id, or ``{"choice": "other", "other": "text"}``; ``dropdown``: option id;
``multiple_choice``: list of option ids, or ``{"choices": [...], "other": "text"}``; ``matrix``:
``{row id: integer}``; ``ranking``: every option id once, best first; ``text``/``email``/``phone``:
text; ``number``: number; ``date``: ``YYYY-MM-DD``; ``consent``: true/false; ``kano``:
``{"functional": a, "dysfunctional": a, "importance"?: n}`` with a in like, must_be, neutral,
live_with, dislike; ``servqual``: ``{"expectation": 1-7, "perception": 1-7}``;
``servqual_importance``: ``{dimension: points}`` over the five dimensions, adding up to 100.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from .conditions import is_missing
from .model import OTHER, option_ids, question_scale
from .vocab import (
    ALLOCATION_TOTAL,
    KANO_ANSWERS,
    SCALE_TYPES,
    SERVQUAL_DIMENSIONS,
    SERVQUAL_PARTS,
    TEXT_MAX_LENGTH,
)

OTHER_MAX_LENGTH = 1000
_INT = re.compile(r"^[+-]?\d+$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_EMAIL_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_EMAIL_LABEL = re.compile(r"^[^\W_](?:[\w-]{0,61}[^\W_])?$")
_PHONE_CHARS = re.compile(r"^\+?[0-9 ()./-]+$")
_TRUE = {"true", "1", "on", "yes"}
_FALSE = {"false", "0", "off", "no"}


@dataclass(frozen=True)
class AnswerRow:
    """One typed row to store for an answered question, or for one part of a compound answer.

    ``sub_key``: the matrix row, ranked option, KANO part (functional, dysfunctional,
    importance), SERVQUAL part (expectation, perception) or allocation dimension; ``None`` for
    simple questions. Exactly the value fields that apply are set: ``value_number`` (scales,
    numbers, ranks, points, consent as 1/0), ``value_text`` (text, e-mail, phone, date, hidden
    field, "other" text), ``value_choice`` (one option / KANO answer / ranked option),
    ``value_choices`` (multiple choice). ``touchpoint`` and ``cx_dimension`` repeat the
    question's tags for rollups.
    """

    question_id: str
    question_type: str
    sub_key: str | None = None
    value_number: float | None = None
    value_text: str | None = None
    value_choice: str | None = None
    value_choices: tuple[str, ...] = ()
    touchpoint: str | None = None
    cx_dimension: str | None = None


Problem = tuple[str | None, str, dict[str, Any]]  # (sub-key or None, code, params)


class _Problems(list[Problem]):
    def add(self, sub: str | None, code: str, **params: Any) -> None:
        self.append((sub, code, params))


def as_int(raw: Any) -> int | None:
    """An integer from an int, an integral float or integer text; ``None`` otherwise."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float) and math.isfinite(raw) and raw.is_integer():
        return int(raw)
    if isinstance(raw, str) and _INT.match(raw.strip()):
        return int(raw.strip())
    return None


def as_number(raw: Any) -> int | float | None:
    """A finite number from a number or numeric text; ``None`` otherwise."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        return raw if math.isfinite(raw) else None
    if isinstance(raw, str) and _NUMBER.match(raw.strip()):
        text = raw.strip()
        return int(text) if _INT.match(text) else float(text)
    return None


def valid_email(text: str) -> bool:
    """A pragmatic address check: one ``@``, a dot-atom local part, a domain of valid labels."""
    if len(text) > 254 or text.count("@") != 1:
        return False
    local, domain = text.split("@")
    labels = domain.split(".")
    return (
        0 < len(local) <= 64
        and bool(_EMAIL_LOCAL.match(local))
        and len(labels) >= 2
        and all(_EMAIL_LABEL.match(label) for label in labels)
        and not labels[-1].isdigit()
    )


def normalize_phone(text: str) -> str | None:
    """``+`` and 7-15 digits (E.164 length) from a phone number written with spaces, dashes,
    dots or brackets; ``None`` when it is not a phone number."""
    text = text.strip()
    if not _PHONE_CHARS.match(text):
        return None
    digits = re.sub(r"\D", "", text)
    if not 7 <= len(digits) <= 15:
        return None
    return f"+{digits}" if text.startswith("+") else digits


def _scale(spec: Mapping[str, Any], raw: Any, out: _Problems) -> int | None:
    value = as_int(raw)
    if value is None:
        out.add(None, "answer.integer")
        return None
    low, high = question_scale(spec) or (value, value)
    if not low <= value <= high:
        out.add(None, "answer.range", min=low, max=high)
        return None
    return value


def _other_text(spec: Mapping[str, Any], chosen: list[str], text: Any, out: _Problems) -> str | None:
    text = text.strip() if isinstance(text, str) else text
    if text is not None and not isinstance(text, str):
        out.add(OTHER, "answer.string")
        return None
    if OTHER in chosen and spec.get("other"):
        if not text:
            out.add(OTHER, "answer.other_text")
        elif len(text) > OTHER_MAX_LENGTH:
            out.add(OTHER, "answer.too_long", max=OTHER_MAX_LENGTH)
        return text or None
    if text:
        out.add(OTHER, "answer.other_without_choice")
    return None


def _single(spec: Mapping[str, Any], raw: Any, out: _Problems) -> Any:
    other: Any = None
    if isinstance(raw, Mapping) and spec["type"] == "single_choice":
        choice, other = raw.get("choice"), raw.get("other")
        if set(raw) - {"choice", "other"}:
            out.add(None, "answer.object", parts=["choice", "other"])
            return None
    else:
        choice = raw
    if not isinstance(choice, str):
        out.add(None, "answer.string")
        return None
    if choice not in option_ids(spec):
        out.add(None, "answer.unknown_option", value=choice)
        return None
    text = _other_text(spec, [choice], other, out)
    if out:
        return None
    return {"choice": choice, "other": text} if text else choice


def _multiple(spec: Mapping[str, Any], raw: Any, out: _Problems) -> Any:
    other: Any = None
    if isinstance(raw, Mapping):
        chosen, other = raw.get("choices"), raw.get("other")
        if set(raw) - {"choices", "other"}:
            out.add(None, "answer.object", parts=["choices", "other"])
            return None
    else:
        chosen = raw
    if not isinstance(chosen, list):
        out.add(None, "answer.list")
        return None
    allowed = option_ids(spec)
    seen: list[str] = []
    for item in chosen:
        if not isinstance(item, str) or item not in allowed:
            out.add(None, "answer.unknown_option", value=item)
        elif item in seen:
            out.add(None, "answer.duplicate", value=item)
        else:
            seen.append(item)
    exclusive = [o["id"] for o in spec["options"] if o.get("exclusive") and o["id"] in seen]
    if exclusive and len(seen) > 1:
        out.add(None, "answer.exclusive", value=exclusive[0])
    if "min_selections" in spec and len(seen) < spec["min_selections"]:
        out.add(None, "answer.too_few", min=spec["min_selections"])
    if "max_selections" in spec and len(seen) > spec["max_selections"]:
        out.add(None, "answer.too_many", max=spec["max_selections"])
    text = _other_text(spec, seen, other, out)
    if out:
        return None
    ordered = [i for i in allowed if i in seen]
    return {"choices": ordered, "other": text} if text else ordered


def _parts(
    spec: Mapping[str, Any], raw: Any, allowed: tuple[str, ...], out: _Problems
) -> dict[str, Any] | None:
    """The non-empty entries of an object answer whose keys must be among ``allowed``."""
    if not isinstance(raw, Mapping):
        out.add(None, "answer.object", parts=list(allowed))
        return None
    entries = {}
    for key, value in raw.items():
        if key not in allowed:
            out.add(str(key), "answer.unknown_part", part=key)
        elif not is_missing(value):
            entries[key] = value
    return entries


def _bounded_parts(entries: Mapping[str, Any], low: int, high: int, out: _Problems) -> dict[str, int]:
    clean = {}
    for key, raw in entries.items():
        value = as_int(raw)
        if value is None:
            out.add(key, "answer.integer")
        elif not low <= value <= high:
            out.add(key, "answer.range", min=low, max=high)
        else:
            clean[key] = value
    return clean


def _matrix(spec: Mapping[str, Any], raw: Any, out: _Problems) -> Any:
    rows = tuple(r["id"] for r in spec["rows"])
    entries = _parts(spec, raw, rows, out)
    if entries is None:
        return None
    low, high = question_scale(spec) or (0, 0)
    clean = _bounded_parts(entries, low, high, out)
    return None if out else {r: clean[r] for r in rows if r in clean}


def _ranking(spec: Mapping[str, Any], raw: Any, out: _Problems) -> Any:
    if not isinstance(raw, list):
        out.add(None, "answer.list")
        return None
    allowed = option_ids(spec)
    for item in raw:
        if not isinstance(item, str) or item not in allowed:
            out.add(None, "answer.unknown_option", value=item)
    for item in {i for i in raw if isinstance(i, str) and raw.count(i) > 1}:
        out.add(None, "answer.duplicate", value=item)
    if not out and len(raw) != len(allowed):
        out.add(None, "answer.ranking")
    return None if out else list(raw)


def _text(spec: Mapping[str, Any], raw: Any, out: _Problems) -> Any:
    if not isinstance(raw, str):
        out.add(None, "answer.string")
        return None
    text = raw.strip()
    limit = spec.get("max_length", TEXT_MAX_LENGTH[spec.get("style", "short")])
    if len(text) > limit:
        out.add(None, "answer.too_long", max=limit)
    elif len(text) < spec.get("min_length", 0):
        out.add(None, "answer.too_short", min=spec["min_length"])
    return None if out else text


def _number(spec: Mapping[str, Any], raw: Any, out: _Problems) -> Any:
    value = as_number(raw)
    if value is None:
        out.add(None, "answer.number")
        return None
    if spec.get("integer"):
        if as_int(value) is None:
            out.add(None, "answer.integer")
            return None
        value = int(value)
    low, high = spec.get("min"), spec.get("max")
    if low is not None and high is not None and not low <= value <= high:
        out.add(None, "answer.range", min=low, max=high)
    elif low is not None and value < low:
        out.add(None, "answer.min", min=low)
    elif high is not None and value > high:
        out.add(None, "answer.max", max=high)
    return None if out else value


def _date(spec: Mapping[str, Any], raw: Any, out: _Problems) -> Any:
    text = raw.strip() if isinstance(raw, str) else None
    try:
        parsed = date.fromisoformat(text) if text and _DATE.match(text) else None
    except ValueError:
        parsed = None
    if parsed is None or text is None:
        out.add(None, "answer.date")
        return None
    if "min" in spec and text < spec["min"]:
        out.add(None, "answer.date_min", min=spec["min"])
    elif "max" in spec and text > spec["max"]:
        out.add(None, "answer.date_max", max=spec["max"])
    return None if out else text


def _email(spec: Mapping[str, Any], raw: Any, out: _Problems) -> Any:
    if not isinstance(raw, str) or not valid_email(raw.strip()):
        out.add(None, "answer.email")
        return None
    local, domain = raw.strip().split("@")
    return f"{local}@{domain.lower()}"


def _phone(spec: Mapping[str, Any], raw: Any, out: _Problems) -> Any:
    number = normalize_phone(raw) if isinstance(raw, str) else None
    if number is None:
        out.add(None, "answer.phone")
    return number


def _consent(spec: Mapping[str, Any], raw: Any, out: _Problems) -> Any:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower() if isinstance(raw, str | int) else None
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    out.add(None, "answer.boolean")
    return None


def _kano(spec: Mapping[str, Any], raw: Any, out: _Problems) -> Any:
    allowed = ("functional", "dysfunctional", "importance") if "importance" in spec else ("functional",
                                                                                         "dysfunctional")
    entries = _parts(spec, raw, allowed, out)
    if entries is None:
        return None
    clean: dict[str, Any] = {}
    for part in ("functional", "dysfunctional"):
        if part in entries:
            if entries[part] in KANO_ANSWERS:
                clean[part] = entries[part]
            else:
                out.add(part, "answer.kano", value=entries[part], allowed=list(KANO_ANSWERS))
    if "importance" in entries:
        clean.update(_bounded_parts({"importance": entries["importance"]}, 1, spec["importance"]["max"], out))
    missing = [p for p in ("functional", "dysfunctional") if p not in entries]
    if entries and missing:
        out.add(None, "answer.incomplete", parts=missing)
    return None if out else clean


def _servqual(spec: Mapping[str, Any], raw: Any, out: _Problems) -> Any:
    entries = _parts(spec, raw, SERVQUAL_PARTS, out)
    if entries is None:
        return None
    low, high = question_scale(spec) or (1, 7)
    clean = _bounded_parts(entries, low, high, out)
    missing = [p for p in SERVQUAL_PARTS if p not in entries]
    if entries and missing:
        out.add(None, "answer.incomplete", parts=missing)
    return None if out else {p: clean[p] for p in SERVQUAL_PARTS if p in clean}


def _allocation(spec: Mapping[str, Any], raw: Any, out: _Problems) -> Any:
    entries = _parts(spec, raw, SERVQUAL_DIMENSIONS, out)
    if entries is None:
        return None
    clean = _bounded_parts(entries, 0, ALLOCATION_TOTAL, out)
    if not out and entries and sum(clean.values()) != ALLOCATION_TOTAL:
        out.add(None, "answer.allocation", total=ALLOCATION_TOTAL, sum=sum(clean.values()))
    return None if out else {d: clean.get(d, 0) for d in SERVQUAL_DIMENSIONS}


_CLEANERS: dict[str, Callable[[Mapping[str, Any], Any, _Problems], Any]] = {
    **dict.fromkeys(SCALE_TYPES, _scale),
    "single_choice": _single, "dropdown": _single, "multiple_choice": _multiple,
    "matrix": _matrix, "ranking": _ranking, "text": _text, "number": _number, "date": _date,
    "email": _email, "phone": _phone, "consent": _consent, "kano": _kano, "servqual": _servqual,
    "servqual_importance": _allocation,
}


def clean_answer(spec: Mapping[str, Any], raw: Any) -> tuple[Any, list[Problem]]:
    """``(clean value, [])`` for a valid answer, ``(None, problems)`` otherwise; a missing answer
    (``None``, blank, empty) gives ``(None, [])``."""
    if is_missing(raw) or (isinstance(raw, Mapping) and all(is_missing(v) for v in raw.values())):
        return None, []
    problems = _Problems()
    value = _CLEANERS[spec["type"]](spec, raw, problems)
    if problems:
        return None, list(problems)
    return (None if is_missing(value) else value), []


def answer_rows(spec: Mapping[str, Any], value: Any) -> list[AnswerRow]:
    """The rows to store for a clean, non-missing answer (see ``AnswerRow``)."""
    qid, qtype = spec["id"], spec["type"]
    tags = {"touchpoint": spec.get("touchpoint"), "cx_dimension": spec.get("cx_dimension")}

    def row(sub: str | None = None, **values: Any) -> AnswerRow:
        return AnswerRow(qid, qtype, sub, **values, **tags)

    if qtype in SCALE_TYPES or qtype == "number":
        return [row(value_number=value)]
    if qtype in ("single_choice", "dropdown"):
        if isinstance(value, Mapping):
            return [row(value_choice=value["choice"], value_text=value.get("other"))]
        return [row(value_choice=value)]
    if qtype == "multiple_choice":
        if isinstance(value, Mapping):
            return [row(value_choices=tuple(value["choices"]), value_text=value.get("other"))]
        return [row(value_choices=tuple(value))]
    if qtype == "consent":
        return [row(value_number=1 if value else 0)]
    if qtype == "ranking":
        return [row(option, value_number=rank, value_choice=option) for rank, option in enumerate(value, 1)]
    if qtype == "kano":
        return [row(part, value_number=v) if part == "importance" else row(part, value_choice=v)
                for part, v in value.items()]
    if qtype in ("matrix", "servqual", "servqual_importance"):
        return [row(part, value_number=v) for part, v in value.items()]
    return [row(value_text=str(value))]
