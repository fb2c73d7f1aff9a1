"""What a study of each kind may analyse in a survey definition, and its checked configuration.

Included: the candidate questions of a definition per kind (:func:`candidates`), their labels in
the UI language, and :func:`normalise_config`, which checks a raw configuration against the
definition and fills in defaults. Works on definition documents only (no database).

Configurations (``Study.config``), after normalising:

``kano``      ``{"features": [question id, …], "table": "berger"|"pouliot", "tolerance": 0.05}``
``servqual``  ``{"items": [question id, …], "importance": question id | null}`` (the
              ``servqual_importance`` question; found automatically when there is one)
``ipa``       ``{"attributes": [ref, …], "outcome": ref | null, "importance": {ref: ref} | null,
              "crosshair": [importance, performance] | null}``: derived importance
              (correlation with ``outcome``) or stated importance (one importance ref per
              attribute), exactly one of the two; the crosshair defaults to the means
``drivers``   ``{"outcome": ref, "drivers": [ref, …], "method": "relative-weights"|"shapley",
              "bootstrap": 200, "seed": 0, "confidence": 0.95}``

A *ref* names a numeric answer: a scale question's id (``csat``) or a matrix row
(``parts.checkout``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from openxm.accounts.errors import InvalidInput
from openxm.analytics.drivers import MAX_SHAPLEY_DRIVERS, METHODS
from openxm.analytics.kano import TABLES
from openxm.surveys.definition.i18n import localize
from openxm.surveys.definition.model import question_scale
from openxm.surveys.definition.piping import render_pipes
from openxm.surveys.definition.vocab import SERVQUAL_LABELS

KINDS = ("kano", "servqual", "ipa", "drivers")
NUMERIC_TYPES = frozenset({"nps", "csat", "ces", "rating", "likert", "number"})
MAX_BOOTSTRAP = 2000
DEFAULT_BOOTSTRAP = 200
MAX_ATTRIBUTES = 40


@dataclass(frozen=True)
class Candidate:
    """A question (or matrix row) a study of some kind can use."""

    ref: str
    question_id: str
    sub_key: str
    qtype: str
    label: str
    dimension: str = ""  # the SERVQUAL dimension of a servqual item
    scale: tuple[int, int] | None = None  # (min, max) of a rating; None for numbers and choices


def _questions(document: Mapping[str, Any]):
    for page in document.get("pages", []):
        yield from page.get("questions", [])


def text_of(document: Mapping[str, Any], text: Any, language: str) -> str:
    """A definition text in ``language`` with ``{{…|fallback}}`` placeholders read as their fallback."""
    raw = localize(text, language, document.get("default_language", "en"))
    return " ".join(render_pipes(raw, lambda kind, name: None).split())


def dimension_label(dimension: str, language: str) -> str:
    labels = SERVQUAL_LABELS.get(dimension)
    return labels.get(language, labels["en"]) if labels else dimension


def candidates(document: Mapping[str, Any], kind: str, language: str = "en") -> list[Candidate]:
    """The questions of ``document`` a study of ``kind`` can analyse, in definition order."""
    out: list[Candidate] = []
    for spec in _questions(document):
        qid, qtype = spec["id"], spec["type"]
        label = text_of(document, spec.get("text"), language) or qid
        if kind == "kano" and qtype == "kano":
            out.append(Candidate(qid, qid, "", qtype, label))
        elif kind == "servqual" and qtype == "servqual":
            out.append(Candidate(qid, qid, "", qtype, label, spec.get("dimension", "")))
        elif kind in ("ipa", "drivers") and qtype in NUMERIC_TYPES:
            out.append(Candidate(qid, qid, "", qtype, label, scale=question_scale(spec)))
        elif kind in ("ipa", "drivers") and qtype == "matrix":
            for row in spec.get("rows", []):
                row_label = text_of(document, row.get("text"), language) or row["id"]
                out.append(Candidate(f"{qid}.{row['id']}", qid, row["id"], qtype, row_label,
                                     scale=question_scale(spec)))
    return out


def importance_question(document: Mapping[str, Any]) -> str | None:
    """The id of the first ``servqual_importance`` question (the 100-point allocation)."""
    return next((s["id"] for s in _questions(document) if s["type"] == "servqual_importance"), None)


def labels(document: Mapping[str, Any], language: str) -> dict[str, str]:
    """Label of every ref (all kinds) and of every SERVQUAL dimension, in ``language``."""
    out = {}
    for kind in KINDS:
        for c in candidates(document, kind, language):
            out[c.ref] = c.label
    for dimension in SERVQUAL_LABELS:
        out.setdefault(dimension, dimension_label(dimension, language))
    return out


def split_ref(ref: str) -> tuple[str, str]:
    """``"parts.checkout"`` → ``("parts", "checkout")``; ``"csat"`` → ``("csat", "")``."""
    qid, _sep, sub = ref.partition(".")
    return qid, sub


# --- Checking a configuration ---------------------------------------------------------------


def _list(raw: Mapping[str, Any], field: str) -> list[str]:
    value = raw.get(field)
    if value is None:
        return []
    if isinstance(value, str):
        value = [v for v in re.split(r"[\s,]+", value) if v]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise InvalidInput(field, _("must be a list of question ids"))
    seen: list[str] = []
    for v in value:
        if v in seen:
            raise InvalidInput(field, _("%(ref)s is listed twice") % {"ref": v})
        seen.append(v)
    return seen


def _known(field: str, refs: list[str], allowed: dict[str, Candidate], what: str) -> None:
    for ref in refs:
        if ref not in allowed:
            raise InvalidInput(
                field, _("%(ref)s is not %(what)s of this survey") % {"ref": ref, "what": what}
            )


def _number(raw: Mapping[str, Any], field: str, default: float, low: float, high: float) -> float:
    value = raw.get(field, default)
    if value is None or value == "":
        return default
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidInput(field, _("must be a number")) from None
    if not low <= number <= high:
        raise InvalidInput(field, _("must be between %(low)s and %(high)s") % {"low": low, "high": high})
    return number


def _int(raw: Mapping[str, Any], field: str, default: int, low: int, high: int) -> int:
    number = _number(raw, field, default, low, high)
    if not float(number).is_integer():
        raise InvalidInput(field, _("must be a whole number"))
    return int(number)


def _choice(raw: Mapping[str, Any], field: str, choices: tuple[str, ...], default: str) -> str:
    value = raw.get(field) or default
    if value not in choices:
        raise InvalidInput(field, _("must be one of %(choices)s") % {"choices": ", ".join(choices)})
    return value


def normalise_config(document: Mapping[str, Any], kind: str, raw: Mapping[str, Any] | None) -> dict:
    """The checked configuration of a ``kind`` study of the survey ``document``.

    Raises :class:`InvalidInput` naming the field and the problem. Lists left empty mean
    "every candidate question" for KANO features and SERVQUAL items.
    """
    if kind not in KINDS:
        raise InvalidInput("kind", _("must be one of %(choices)s") % {"choices": ", ".join(KINDS)})
    raw = raw or {}
    if not isinstance(raw, Mapping):
        raise InvalidInput("config", _("must be an object"))
    allowed = {c.ref: c for c in candidates(document, kind)}
    if kind == "kano":
        features = _list(raw, "features") or list(allowed)
        if not features:
            raise InvalidInput("features", _("the survey has no KANO questions"))
        _known("features", features, allowed, _("a KANO question"))
        return {
            "features": features,
            "table": _choice(raw, "table", tuple(TABLES), "berger"),
            "tolerance": _number(raw, "tolerance", 0.05, 0, 0.5),
        }
    if kind == "servqual":
        items = _list(raw, "items") or list(allowed)
        if not items:
            raise InvalidInput("items", _("the survey has no SERVQUAL questions"))
        _known("items", items, allowed, _("a SERVQUAL question"))
        found = importance_question(document)
        importance = raw.get("importance", found)
        if importance not in (None, "", found):
            raise InvalidInput("importance", _("must be the survey's importance allocation question"))
        return {"items": items, "importance": importance or None}
    if kind == "ipa":
        return _ipa(raw, allowed)
    return _drivers(raw, allowed)


def _ipa(raw: Mapping[str, Any], allowed: dict[str, Candidate]) -> dict:
    attributes = _list(raw, "attributes")
    if len(attributes) < 2:
        raise InvalidInput("attributes", _("choose at least two attributes"))
    if len(attributes) > MAX_ATTRIBUTES:
        raise InvalidInput("attributes", _("choose at most %(n)s attributes") % {"n": MAX_ATTRIBUTES})
    _known("attributes", attributes, allowed, _("a rating question"))
    outcome = raw.get("outcome") or None
    importance = raw.get("importance") or None
    if (outcome is None) == (importance is None):
        raise InvalidInput(
            "outcome", _("give an outcome (derived importance) or importance questions (stated), one of them")
        )
    if outcome is not None:
        _known("outcome", [outcome], allowed, _("a rating question"))
        if outcome in attributes:
            raise InvalidInput("outcome", _("the outcome cannot also be an attribute"))
    if importance is not None:
        if not isinstance(importance, Mapping) or set(importance) != set(attributes):
            raise InvalidInput("importance", _("give one importance question for every attribute"))
        _known("importance", list(importance.values()), allowed, _("a rating question"))
        importance = {a: importance[a] for a in attributes}
    crosshair = raw.get("crosshair") or None
    if crosshair is not None:
        try:
            crosshair = [float(crosshair[0]), float(crosshair[1])]
        except (TypeError, ValueError, IndexError, KeyError):
            raise InvalidInput("crosshair", _("must be two numbers: importance, performance")) from None
    return {"attributes": attributes, "outcome": outcome, "importance": importance, "crosshair": crosshair}


def _drivers(raw: Mapping[str, Any], allowed: dict[str, Candidate]) -> dict:
    outcome = raw.get("outcome")
    if not outcome:
        raise InvalidInput("outcome", _("choose the outcome question"))
    _known("outcome", [outcome], allowed, _("a rating question"))
    drivers = _list(raw, "drivers")
    if outcome in drivers:
        raise InvalidInput("drivers", _("the outcome cannot also be a driver"))
    if len(drivers) < 2:
        raise InvalidInput("drivers", _("choose at least two drivers"))
    if len(drivers) > MAX_ATTRIBUTES:
        raise InvalidInput("drivers", _("choose at most %(n)s drivers") % {"n": MAX_ATTRIBUTES})
    _known("drivers", drivers, allowed, _("a rating question"))
    method = _choice(raw, "method", METHODS, "relative-weights")
    if method == "shapley" and len(drivers) > MAX_SHAPLEY_DRIVERS:
        raise InvalidInput(
            "method",
            _("Shapley takes at most %(n)s drivers; use relative weights") % {"n": MAX_SHAPLEY_DRIVERS},
        )
    return {
        "outcome": outcome,
        "drivers": drivers,
        "method": method,
        "bootstrap": _int(raw, "bootstrap", DEFAULT_BOOTSTRAP, 0, MAX_BOOTSTRAP),
        "seed": _int(raw, "seed", 0, 0, 2**31 - 1),
        "confidence": _number(raw, "confidence", 0.95, 0.5, 0.999),
    }


def refs_of(kind: str, config: Mapping[str, Any]) -> list[str]:
    """Every ref a configuration reads (numeric kinds)."""
    if kind == "ipa":
        refs = list(config["attributes"])
        if config.get("outcome"):
            refs.append(config["outcome"])
        refs += [r for r in (config.get("importance") or {}).values() if r not in refs]
        return refs
    if kind == "drivers":
        return [config["outcome"], *config["drivers"]]
    return []
