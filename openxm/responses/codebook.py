"""The codebook: the one column set of every export (CSV, XLSX, SPSS, Parquet, DataFrame).

Included: ``build_codebook(survey_key, title, definitions)`` → :class:`Codebook`, the columns
("variables") of a survey's export, each with its name, label, storage kind, measurement level
and value labels, in the survey's default language; ``value_labels_all_languages`` for the
import's automatic value mapping (a label in any language reads as its code).
Excluded: reading responses (``exporting.py``) and writing files (``writers.py``).

Column rules, so every format carries the same values:

* response envelope first (id, survey, version, status, channel, touchpoint, language, unit,
  contact, dates, weight, tags), then hidden fields and questions in definition order; questions
  only in older versions of the export follow those of the newest version;
* scales, numbers, consent (1/0), ranks and points are numbers; single choices and KANO answers
  are numeric codes (the option's position, from 1) whose value labels are the option texts;
  a multiple choice is one 0/1 column per option; text, e-mail, phone, date and hidden fields
  are text;
* every comment (a text question, or the "other" text of a choice question) is followed by its
  text analytics: ``<column>_sentiment`` (positive, neutral, negative), ``<column>_score``
  (-1 to 1), ``<column>_topics`` and ``<column>_flags`` (ids joined by "; "), empty while the
  comment is not analysed (roles ``sentiment``, ``score``, ``topics``, ``flags``);
* names are valid SPSS variable names (letters, digits, ``_``; at most 64 characters; never a
  reserved word), unique, and the same in every format.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from openxm.surveys.definition.i18n import localize
from openxm.surveys.definition.model import SurveyDefinition, option_ids, option_text, question_scale
from openxm.surveys.definition.vocab import KANO_ANSWERS, KANO_LABELS, SERVQUAL_DIMENSIONS, SERVQUAL_PARTS

NUMERIC, STRING, DATETIME = "numeric", "string", "datetime"
_RESERVED = {"all", "and", "by", "eq", "ge", "gt", "le", "lt", "ne", "not", "or", "to", "with"}

# Built-in labels of the codebook, in the survey's language (data, not UI strings).
_WORDS = {
    "en": {
        "selected": "Selected",
        "not_selected": "Not selected",
        "yes": "Yes",
        "no": "No",
        "other": "other (text)",
        "rank": "rank",
        "sentiment": "sentiment",
        "score": "sentiment score (-1 to 1)",
        "topics": "topics",
        "flags": "flags",
    },
    "zh-Hans": {
        "selected": "已选",
        "not_selected": "未选",
        "yes": "是",
        "no": "否",
        "other": "其他（文本）",
        "rank": "排名",
        "sentiment": "情感",
        "score": "情感分值（-1 至 1）",
        "topics": "主题",
        "flags": "标记",
    },
}

ENVELOPE: tuple[tuple[str, str, str, dict], ...] = (
    # name, kind, measure, label per language
    ("response_id", NUMERIC, "nominal", {"en": "Response id", "zh-Hans": "答卷编号"}),
    ("survey", STRING, "nominal", {"en": "Survey key", "zh-Hans": "问卷标识"}),
    ("version", NUMERIC, "nominal", {"en": "Survey version", "zh-Hans": "问卷版本"}),
    ("status", STRING, "nominal", {"en": "Status", "zh-Hans": "状态"}),
    ("channel", STRING, "nominal", {"en": "Channel", "zh-Hans": "渠道"}),
    ("touchpoint", STRING, "nominal", {"en": "Touchpoint", "zh-Hans": "触点"}),
    ("language", STRING, "nominal", {"en": "Response language", "zh-Hans": "作答语言"}),
    ("unit", STRING, "nominal", {"en": "Unit code", "zh-Hans": "组织单元代码"}),
    ("contact_id", STRING, "nominal", {"en": "Contact id", "zh-Hans": "联系人编号"}),
    ("contact_name", STRING, "nominal", {"en": "Contact name", "zh-Hans": "联系人姓名"}),
    ("contact_email", STRING, "nominal", {"en": "Contact e-mail", "zh-Hans": "联系人邮箱"}),
    ("contact_phone", STRING, "nominal", {"en": "Contact phone", "zh-Hans": "联系人电话"}),
    ("started_at", DATETIME, "scale", {"en": "Started (UTC)", "zh-Hans": "开始时间（UTC）"}),
    ("completed_at", DATETIME, "scale", {"en": "Completed (UTC)", "zh-Hans": "完成时间（UTC）"}),
    ("weight", NUMERIC, "scale", {"en": "Weight", "zh-Hans": "权重"}),
    ("tags", STRING, "nominal", {"en": "Tags", "zh-Hans": "标签"}),
)
PII_COLUMNS = frozenset({"contact_name", "contact_email", "contact_phone"})


@dataclass(frozen=True)
class Variable:
    """One column. ``role`` says how its value is read from a response's answer rows:
    ``envelope`` (a response field), ``hidden``, ``number`` (value_number), ``code`` (an option
    or KANO answer as its code), ``selected`` (1/0 for option ``part``), ``part`` (value_number
    of sub-key ``part``), ``kano`` (the code of part ``part``), ``other`` (the "other" text),
    ``text`` (value_text); the text analytics of the comment before it: ``sentiment``,
    ``score``, ``topics``, ``flags``."""

    name: str
    label: str
    kind: str
    measure: str
    role: str
    question: str = ""
    qtype: str = ""
    part: str = ""
    value_labels: Mapping[float, str] = field(default_factory=dict)
    codes: Mapping[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "type": self.kind,
            "measure": self.measure,
            "question": self.question,
            "part": self.part,
            "values": {_code_text(k): v for k, v in self.value_labels.items()},
        }


@dataclass(frozen=True)
class Codebook:
    survey: str
    title: str
    language: str
    versions: tuple[int, ...]
    variables: tuple[Variable, ...]
    # The zone the file's times are written in: UTC, or the organisation's zone for CSV and XLSX, whose
    # cells carry the offset (2026-03-01T09:30:00+08:00).
    time_zone: str = "UTC"

    def in_time_zone(self, zone: str) -> Codebook:
        """The same codebook for a file whose times are written in ``zone`` (labels name it)."""
        variables = tuple(
            replace(v, label=v.label.replace("UTC", zone))
            if v.kind == DATETIME and v.role == "envelope"
            else v
            for v in self.variables
        )
        return replace(self, variables=variables, time_zone=zone)

    @property
    def names(self) -> list[str]:
        return [v.name for v in self.variables]

    def variable(self, name: str) -> Variable:
        return next(v for v in self.variables if v.name == name)

    def by_question(self) -> dict[str, list[Variable]]:
        out: dict[str, list[Variable]] = {}
        for v in self.variables:
            if v.question:
                out.setdefault(v.question, []).append(v)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "survey": self.survey,
            "title": self.title,
            "language": self.language,
            "versions": list(self.versions),
            "variables": [v.to_dict() for v in self.variables],
        }

    def rows(self) -> list[list[str]]:
        """The codebook as a table (for CSV and the XLSX "Codebook" sheet)."""
        header = ["variable", "label", "type", "measure", "question", "values"]
        body = [
            [
                v.name,
                v.label,
                v.kind,
                v.measure,
                v.question + (f".{v.part}" if v.part and v.question else ""),
                "; ".join(f"{_code_text(k)} = {text}" for k, text in v.value_labels.items()),
            ]
            for v in self.variables
        ]
        return [header, *body]


def _code_text(code: float) -> str:
    return str(int(code)) if float(code).is_integer() else str(code)


def spss_name(raw: str, taken: set[str]) -> str:
    """A valid, unique SPSS variable name derived from ``raw`` (added to ``taken``)."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", raw).strip("_") or "v"
    if not name[0].isalpha():
        name = f"v_{name}"
    name = name[:60]
    if name.lower() in _RESERVED:
        name += "_"
    candidate, n = name, 2
    while candidate.lower() in taken:
        candidate, n = f"{name}_{n}", n + 1
    taken.add(candidate.lower())
    return candidate


_PIPE = re.compile(r"\{\{\s*([^}|]+?)\s*(?:\|([^}]*))?\}\}")


def _text(text: Any, lang: str, default: str) -> str:
    """A label in ``lang`` with piped values shown as their fallback ("from {{hidden.store|us}}"
    reads "from us") or as [reference]."""
    return _PIPE.sub(
        lambda m: m.group(2) if m.group(2) is not None else f"[{m.group(1)}]", localize(text, lang, default)
    )


def _words(language: str) -> dict[str, str]:
    return _WORDS["zh-Hans" if language.startswith("zh") else "en"]


def _scale_labels(spec: Mapping[str, Any], lang: str, default: str) -> dict[float, str]:
    scale = spec.get("scale") or {}
    bounds = question_scale(spec)
    if bounds is None:
        return {}
    low, high = bounds
    labels = scale.get("labels")
    if labels:
        return {float(low + i): localize(text, lang, default) for i, text in enumerate(labels)}
    out = {}
    if "min_label" in scale:
        out[float(low)] = localize(scale["min_label"], lang, default)
    if "max_label" in scale:
        out[float(high)] = localize(scale["max_label"], lang, default)
    return out


def _kano_labels(spec: Mapping[str, Any], lang: str, default: str) -> dict[float, str]:
    custom = spec.get("labels") or {}
    return {
        float(i): localize(custom.get(answer) or KANO_LABELS[answer], lang, default)
        for i, answer in enumerate(KANO_ANSWERS, start=1)
    }


ANALYSIS_ROLES = ("sentiment", "score", "topics", "flags")


def _analysis_variables(comment: Variable, lang: str, taken: set[str]) -> list[Variable]:
    """The text analytics columns that follow a comment column."""
    words = _words(lang)
    return [
        Variable(
            spss_name(f"{comment.name}_{role}", taken),
            f"{comment.label} — {words[role]}",
            NUMERIC if role == "score" else STRING,
            "scale" if role == "score" else "nominal",
            role,
            comment.question,
            comment.qtype,
        )
        for role in ANALYSIS_ROLES
    ]


def _question_variables(spec: Mapping[str, Any], lang: str, default: str, taken: set[str]) -> list[Variable]:
    qid, qtype = spec["id"], spec["type"]
    text = _text(spec.get("text") or spec.get("description") or qid, lang, default)
    words = _words(lang)

    def var(suffix: str, label: str, kind: str, measure: str, role: str, part: str = "", **kw) -> Variable:
        name = spss_name(f"{qid}_{suffix}" if suffix else qid, taken)
        return Variable(name, label, kind, measure, role, qid, qtype, part, **kw)

    if qtype == "hidden":
        return [var("", text, STRING, "nominal", "hidden")]
    if qtype in ("nps", "csat", "ces", "rating", "likert"):
        return [var("", text, NUMERIC, "ordinal", "number", value_labels=_scale_labels(spec, lang, default))]
    if qtype == "number":
        return [var("", text, NUMERIC, "scale", "number")]
    if qtype == "consent":
        return [
            var("", text, NUMERIC, "nominal", "number", value_labels={1.0: words["yes"], 0.0: words["no"]})
        ]
    if qtype in ("single_choice", "dropdown"):
        ids = option_ids(spec)
        codes = {o: i for i, o in enumerate(ids, start=1)}
        labels = {float(i): localize(option_text(spec, o), lang, default) for o, i in codes.items()}
        out = [var("", text, NUMERIC, "nominal", "code", value_labels=labels, codes=codes)]
        if spec.get("other"):
            other = var("other_text", f"{text} — {words['other']}", STRING, "nominal", "other")
            out += [other, *_analysis_variables(other, lang, taken)]
        return out
    if qtype == "multiple_choice":
        out = [
            var(
                option,
                f"{text} — {localize(option_text(spec, option), lang, default)}",
                NUMERIC,
                "nominal",
                "selected",
                option,
                value_labels={1.0: words["selected"], 0.0: words["not_selected"]},
            )
            for option in option_ids(spec)
        ]
        if spec.get("other"):
            other = var("other_text", f"{text} — {words['other']}", STRING, "nominal", "other")
            out += [other, *_analysis_variables(other, lang, taken)]
        return out
    if qtype == "ranking":
        return [
            var(
                o,
                f"{text} — {localize(option_text(spec, o), lang, default)} ({words['rank']})",
                NUMERIC,
                "ordinal",
                "part",
                o,
            )
            for o in option_ids(spec)
        ]
    if qtype == "matrix":
        labels = _scale_labels(spec, lang, default)
        return [
            var(
                r["id"],
                f"{text} — {localize(r['text'], lang, default)}",
                NUMERIC,
                "ordinal",
                "part",
                r["id"],
                value_labels=labels,
            )
            for r in spec.get("rows", [])
        ]
    if qtype == "kano":
        labels = _kano_labels(spec, lang, default)
        codes = {a: i for i, a in enumerate(KANO_ANSWERS, start=1)}
        out = [
            var(
                part,
                f"{_text(spec.get(part) or text, lang, default)} ({part})",
                NUMERIC,
                "nominal",
                "kano",
                part,
                value_labels=labels,
                codes=codes,
            )
            for part in ("functional", "dysfunctional")
        ]
        if "importance" in spec:
            out.append(var("importance", f"{text} (importance)", NUMERIC, "ordinal", "part", "importance"))
        return out
    if qtype == "servqual":
        labels = _scale_labels(spec, lang, default)
        return [
            var(
                part,
                f"{_text(spec.get(part) or text, lang, default)} ({part})",
                NUMERIC,
                "ordinal",
                "part",
                part,
                value_labels=labels,
            )
            for part in SERVQUAL_PARTS
        ]
    if qtype == "servqual_importance":
        return [var(d, f"{text} — {d}", NUMERIC, "scale", "part", d) for d in SERVQUAL_DIMENSIONS]
    answer = var("", text, STRING, "nominal", "text")  # text, email, phone, date
    if qtype == "text":
        return [answer, *_analysis_variables(answer, lang, taken)]
    return [answer]


def build_codebook(survey_key: str, title: str, definitions: Iterable[SurveyDefinition]) -> Codebook:
    """The codebook of a survey's export; ``definitions`` newest version first (the newest one
    gives the order, texts and language; older versions add the questions they alone had)."""
    defs = list(definitions)
    if not defs:
        raise ValueError("a codebook needs at least one definition")
    newest = defs[0]
    lang = default = newest.default_language
    taken: set[str] = set()
    variables = [
        Variable(spss_name(name, taken), localize(labels, lang, "en"), kind, measure, "envelope", part=name)
        for name, kind, measure, labels in ENVELOPE
    ]
    seen: set[str] = set()
    for definition in defs:
        ordered = sorted(definition.questions.values(), key=lambda q: q.position)
        for question in ordered:
            if question.id in seen:
                continue
            seen.add(question.id)
            variables.extend(_question_variables(question.spec, lang, default, taken))
    versions = tuple(d.version for d in defs if d.version is not None)
    return Codebook(survey_key, title, lang, versions, tuple(variables))


def value_labels_all_languages(spec: Mapping[str, Any], part: str = "") -> dict[str, Any]:
    """``{casefolded label or id: answer value}`` in every language of a question (or of one
    part), for reading imported cells written as labels ("Very satisfied", "非常满意", "price")."""
    qtype = spec["type"]
    out: dict[str, Any] = {}

    def add(text: Any, value: Any) -> None:
        texts = text.values() if isinstance(text, Mapping) else [text]
        for t in texts:
            if isinstance(t, str) and t.strip():
                out.setdefault(t.strip().casefold(), value)

    if qtype in ("single_choice", "dropdown", "multiple_choice", "ranking"):
        for option in option_ids(spec):
            add(option, option)
            add(option_text(spec, option), option)
    elif qtype == "kano" and part in ("functional", "dysfunctional"):
        custom = spec.get("labels") or {}
        for answer in KANO_ANSWERS:
            add(answer, answer)
            add(custom.get(answer) or KANO_LABELS[answer], answer)
    elif question_scale(spec) is not None and not (qtype == "kano" and part == "importance"):
        scale = spec.get("scale") or {}
        bounds = question_scale(spec)
        low, high = bounds
        for i, text in enumerate(scale.get("labels") or []):
            add(text, low + i)
        if "min_label" in scale:
            add(scale["min_label"], low)
        if "max_label" in scale:
            add(scale["max_label"], high)
    return out
