"""Respondent forms: a page of a survey definition as plain HTML form fields, and back.

Included: ``page_questions`` (the questions a respondent sees on a page, as view models for
``respond/_question.html``: texts piped and in the respondent's language, options in the
response's order, previous answers filled in, errors attached) and ``answers_from_form`` (a
submitted form → answers in the shapes of ``openxm.surveys.definition``), both for every
question type. Fields are named ``q_<id>`` and ``q_<id>.<part>`` (question ids are identifiers,
so the dot is unambiguous). Excluded: validation (the definition package) and storage.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from openxm.surveys import definition as sd
from openxm.surveys.definition.model import OTHER, question_scale
from openxm.surveys.definition.vocab import KANO_ANSWERS, KANO_LABELS, SERVQUAL_DIMENSIONS, SERVQUAL_LABELS

KINDS = {
    "nps": "scale",
    "csat": "scale",
    "ces": "scale",
    "rating": "scale",
    "likert": "scale",
    "single_choice": "radio",
    "multiple_choice": "checkbox",
    "dropdown": "select",
    "matrix": "parts",
    "kano": "parts",
    "servqual": "parts",
    "ranking": "ranking",
    "servqual_importance": "allocation",
    "text": "input",
    "number": "input",
    "date": "input",
    "email": "input",
    "phone": "input",
    "consent": "consent",
}
INPUT_TYPES = {"text": "text", "number": "number", "date": "date", "email": "email", "phone": "tel"}
AUTOCOMPLETE = {"email": "email", "phone": "tel"}


@dataclass
class Choice:
    value: str
    label: str
    checked: bool = False
    hint: str = ""


@dataclass
class Part:
    """One sub-question: a matrix row, a KANO or SERVQUAL part, an allocation dimension, a ranked option."""

    key: str
    name: str
    label: str
    choices: list[Choice] = field(default_factory=list)
    value: str = ""
    errors: list[str] = field(default_factory=list)
    min_label: str = ""
    max_label: str = ""


@dataclass
class Other:
    name: str
    label: str
    value: str
    checked: bool


@dataclass
class QuestionView:
    id: str
    type: str
    kind: str
    name: str
    text: str
    description: str = ""
    required: bool = False
    errors: list[str] = field(default_factory=list)
    choices: list[Choice] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)
    value: str = ""
    other: Other | None = None
    min_label: str = ""
    max_label: str = ""
    input_type: str = "text"
    multiline: bool = False
    attrs: dict = field(default_factory=dict)

    @property
    def dom_id(self) -> str:
        return f"q-{self.id}"

    @property
    def grouped(self) -> bool:
        """Rendered as a fieldset with a legend (several inputs) rather than one labelled input."""
        return self.kind not in ("input", "select")


class _Text:
    """Renders a definition text (plain or per language, with pipes) for one respondent."""

    def __init__(self, definition, answers: Mapping, context: sd.ResponseContext, language: str):
        self.definition, self.answers, self.context, self.language = definition, answers, context, language

    def __call__(self, text: Any) -> str:
        if text is None:
            return ""
        return sd.render_text(self.definition, text, self.answers, self.context, self.language)


def _str(value: Any) -> str:
    return "" if value is None else str(value)


def _scale_choices(spec, low: int, high: int, current: Any, text: _Text) -> list[Choice]:
    labels = (spec.get("scale") or {}).get("labels") or []
    star = spec.get("type") == "rating" and spec.get("style") == "star"
    out = []
    for i, value in enumerate(range(low, high + 1)):
        hint = text(labels[i]) if i < len(labels) else ""
        label = "★" * (value - low + 1) if star else str(value)
        out.append(Choice(str(value), label, _str(current) == str(value), hint))
    return out


def _ends(spec, text: _Text) -> tuple[str, str]:
    scale = spec.get("scale") or {}
    return text(scale.get("min_label")), text(scale.get("max_label"))


def _options(spec, order: tuple[str, ...], text: _Text, chosen: set[str]) -> list[Choice]:
    by_id = {o["id"]: o for o in spec.get("options", [])}
    return [Choice(oid, text(by_id[oid]["text"]), oid in chosen) for oid in order if oid in by_id]


def _question(spec, ordering: sd.Ordering, value: Any, errors: list[str], text: _Text) -> QuestionView:
    qid, qtype = spec["id"], spec["type"]
    view = QuestionView(
        id=qid,
        type=qtype,
        kind=KINDS[qtype],
        name=f"q_{qid}",
        text=text(spec.get("text")),
        description=text(spec.get("description")),
        required=bool(spec.get("required")),
        errors=errors,
    )
    if view.kind == "scale":
        low, high = question_scale(spec)
        view.choices = _scale_choices(spec, low, high, value, text)
        view.min_label, view.max_label = _ends(spec, text)
    elif qtype in ("single_choice", "multiple_choice", "dropdown"):
        order = ordering.options.get(qid) or tuple(o["id"] for o in spec["options"])
        if isinstance(value, Mapping):
            chosen_raw, other_text = value.get("choice", value.get("choices")), value.get("other")
        else:
            chosen_raw, other_text = value, None
        chosen = set(chosen_raw) if isinstance(chosen_raw, list) else {chosen_raw} if chosen_raw else set()
        view.choices = _options(spec, order, text, chosen)
        if spec.get("other"):
            view.other = Other(
                f"{view.name}.other", text(spec["other"]["text"]), _str(other_text), OTHER in chosen
            )
    elif qtype == "matrix":
        low, high = question_scale(spec)
        rows = {r["id"]: r for r in spec["rows"]}
        current = value if isinstance(value, Mapping) else {}
        for rid in ordering.rows.get(qid) or tuple(rows):
            part = Part(rid, f"{view.name}.{rid}", text(rows[rid]["text"]))
            part.choices = _scale_choices(spec, low, high, current.get(rid), text)
            view.parts.append(part)
        view.min_label, view.max_label = _ends(spec, text)
    elif qtype == "kano":
        current = value if isinstance(value, Mapping) else {}
        labels = spec.get("labels", {})
        for key in ("functional", "dysfunctional"):
            part = Part(key, f"{view.name}.{key}", text(spec.get(key)))
            part.choices = [
                Choice(a, text(labels.get(a) or KANO_LABELS[a]), current.get(key) == a) for a in KANO_ANSWERS
            ]
            view.parts.append(part)
        if "importance" in spec:
            imp = spec["importance"]
            part = Part("importance", f"{view.name}.importance", text(imp["text"]))
            part.choices = _scale_choices(
                {}, int(imp["min"]), int(imp["max"]), current.get("importance"), text
            )
            view.parts.append(part)
    elif qtype == "servqual":
        current = value if isinstance(value, Mapping) else {}
        low, high = question_scale(spec)
        for key in ("expectation", "perception"):
            part = Part(key, f"{view.name}.{key}", text(spec.get(key)))
            part.choices = _scale_choices(spec, low, high, current.get(key), text)
            view.parts.append(part)
        view.min_label, view.max_label = _ends(spec, text)
    elif qtype == "servqual_importance":
        current = value if isinstance(value, Mapping) else {}
        labels = spec.get("labels", {})
        for dim in SERVQUAL_DIMENSIONS:
            label = text(labels.get(dim) or SERVQUAL_LABELS[dim])
            view.parts.append(Part(dim, f"{view.name}.{dim}", label, value=_str(current.get(dim))))
        view.attrs = {"min": 0, "max": 100}
    elif qtype == "ranking":
        by_id = {o["id"]: o for o in spec["options"]}
        order = ordering.options.get(qid) or tuple(by_id)
        ranks = {oid: i + 1 for i, oid in enumerate(value)} if isinstance(value, list) else {}
        for oid in order:
            part = Part(oid, f"{view.name}.{oid}", text(by_id[oid]["text"]))
            part.choices = [Choice(str(n), str(n), ranks.get(oid) == n) for n in range(1, len(order) + 1)]
            view.parts.append(part)
    elif qtype == "consent":
        view.value = "on" if value is True else ""
    else:  # text, number, date, email, phone
        view.input_type = INPUT_TYPES[qtype]
        view.multiline = qtype == "text" and spec.get("style") == "long"
        view.value = _str(value)
        attrs: dict[str, Any] = {}
        if qtype == "text":
            attrs["maxlength"] = spec.get("max_length", 10000 if view.multiline else 255)
        elif qtype == "number":
            attrs.update({k: spec[k] for k in ("min", "max") if k in spec})
            attrs["step"] = "1" if spec.get("integer") else "any"
            attrs["inputmode"] = "numeric" if spec.get("integer") else "decimal"
        elif qtype == "date":
            attrs.update({k: spec[k] for k in ("min", "max") if k in spec})
        if qtype in AUTOCOMPLETE:
            attrs["autocomplete"] = AUTOCOMPLETE[qtype]
        view.attrs = attrs
    _attach_part_errors(view, errors)
    return view


def _attach_part_errors(view: QuestionView, errors: list[str]) -> None:
    """Errors arrive as "part: message" for parts (see ``page_questions``); move them to the part."""
    if not view.parts:
        return
    by_key = {p.key: p for p in view.parts}
    kept = []
    for message in errors:
        key, _sep, rest = message.partition("\x1f")
        if rest and key in by_key:
            by_key[key].errors.append(rest)
        else:
            kept.append(rest or message)
    view.errors = kept


def page_questions(
    definition,
    page_id: str,
    answers: Mapping[str, Any],
    context: sd.ResponseContext,
    language: str,
    errors: Mapping[str, list] | None = None,
) -> list[QuestionView]:
    """View models of the questions a respondent sees on ``page_id`` (in presentation order).

    ``errors`` maps a field path (``q1``, ``q1.part``, ``q1.other``) to messages.
    """
    ordering = sd.randomize(definition, context.seed)
    visible = sd.visible_questions(definition, page_id, answers, context, ordering)
    text = _Text(definition, answers, context, language)
    by_question: dict[str, list[str]] = {}
    for path, messages in (errors or {}).items():
        qid, _sep, part = path.partition(".")
        for message in messages:
            by_question.setdefault(qid, []).append(
                f"{part}\x1f{message}" if part and part != OTHER else message
            )
    return [
        _question(definition.question(qid).spec, ordering, answers.get(qid), by_question.get(qid, []), text)
        for qid in visible
    ]


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def answers_from_form(definition, page_id: str, data) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Answers to every question of ``page_id`` from a submitted form (``QueryDict``-like, with
    ``get`` and ``getlist``); a question left blank is ``None``. Also returns form-level errors
    the definition package cannot see (a ranking given the same rank twice)."""
    answers: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for qid in definition.page(page_id).question_ids:
        spec = definition.question(qid).spec
        qtype, name = spec["type"], f"q_{qid}"
        if qtype == "hidden":
            continue
        value: Any = None
        if qtype in ("single_choice", "dropdown"):
            choice = data.get(name) or None
            other = (data.get(f"{name}.other") or "").strip()
            value = {"choice": OTHER, "other": other} if choice == OTHER and other else choice
        elif qtype == "multiple_choice":
            chosen = [c for c in data.getlist(name) if c]
            other = (data.get(f"{name}.other") or "").strip()
            if other and OTHER in chosen:
                value = {"choices": chosen, "other": other}
            else:
                value = chosen or None
        elif qtype in ("matrix", "kano", "servqual", "servqual_importance"):
            keys = _part_keys(spec)
            parts = {k: data.get(f"{name}.{k}") for k in keys}
            value = {k: v for k, v in parts.items() if not _blank(v)} or None
        elif qtype == "ranking":
            value, problem = _ranking(spec, data, name)
            if problem:
                errors[qid] = [problem]
        elif qtype == "consent":
            value = True if data.get(name) else None
        else:
            raw = data.get(name)
            value = None if _blank(raw) else raw
        answers[qid] = value
    return answers, errors


def _part_keys(spec) -> tuple[str, ...]:
    qtype = spec["type"]
    if qtype == "matrix":
        return tuple(r["id"] for r in spec["rows"])
    if qtype == "kano":
        return (
            ("functional", "dysfunctional", "importance")
            if "importance" in spec
            else ("functional", "dysfunctional")
        )
    if qtype == "servqual":
        return ("expectation", "perception")
    return SERVQUAL_DIMENSIONS


def _ranking(spec, data, name: str) -> tuple[list[str] | None, str]:
    options = [o["id"] for o in spec["options"]]
    ranks: dict[str, int] = {}
    for oid in options:
        raw = data.get(f"{name}.{oid}")
        if not _blank(raw) and str(raw).isdigit():
            ranks[oid] = int(raw)
    if not ranks:
        return None, ""
    if len(ranks) != len(options) or sorted(ranks.values()) != list(range(1, len(options) + 1)):
        return None, _("Give every option a different rank from 1 to %(n)s.") % {"n": len(options)}
    return sorted(options, key=lambda o: ranks[o]), ""
