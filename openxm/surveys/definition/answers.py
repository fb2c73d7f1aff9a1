"""Validating one respondent's answers against a definition, and the rows to store.

Included: ``validate_answers(defn, answers, context, through_page=None)`` → ``ValidatedAnswers``:
every answer is checked and normalised for its type (``answer_types.py``), the route is walked
with the valid answers (``flow.walk``), and then only the questions the respondent was actually
shown count: a question hidden by logic is never required, and an answer to it is dropped
(listed in ``dropped``), not stored and not an error. Required questions on the pages visited
(up to ``through_page`` for a page-by-page submission, else to the ending) must be answered.
Hidden fields take their values from ``context.hidden``; a respondent cannot set them.
Errors carry the path (question id, or ``id.part`` for a matrix row, KANO/SERVQUAL part,
allocation dimension or "other" text), the code and a message in the respondent's language.
Excluded: quotas (``quotas.py``) and persistence (the Django app writes ``rows``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .answer_types import AnswerRow, answer_rows, clean_answer
from .conditions import ResponseContext, is_missing
from .errors import Issue, make_issue, sort_issues
from .flow import Route, resolve_language, walk
from .model import SurveyDefinition, question_parts


@dataclass(frozen=True)
class ValidatedAnswers:
    """The outcome of ``validate_answers``.

    ``values``: normalised answers of the questions shown, plus hidden field values (what to keep
    as the response's raw answers); ``rows``: typed rows to store, in definition order (empty
    unless ``ok``, so a rejected submission can never be half-written);
    ``errors``: per-field issues (empty when ``ok``); ``route``: pages visited, questions shown,
    ending; ``dropped``: ids of answers ignored because their question was not shown (or is a
    hidden field); ``language``: the survey language used for the messages; ``by_question``: the
    errors grouped by question id, for showing them next to each field.
    """

    values: Mapping[str, Any]
    rows: tuple[AnswerRow, ...]
    errors: tuple[Issue, ...]
    route: Route
    dropped: tuple[str, ...] = ()
    language: str = "en"
    by_question: Mapping[str, tuple[Issue, ...]] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def ending_id(self) -> str | None:
        return self.route.ending_id


def _required_problem(spec: Mapping[str, Any], value: Any) -> tuple[str, dict[str, Any]] | None:
    """``(code, params)`` when a required question is not (fully) answered."""
    qtype = spec["type"]
    if value is None or is_missing(value):
        return "answer.required", {}
    if qtype == "consent" and value is not True:
        return "answer.consent", {}
    if qtype in ("matrix", "kano"):
        missing = [p for p in question_parts(spec) if p not in value]
        if missing:
            return "answer.incomplete", {"parts": missing}
    return None


def validate_answers(
    definition: SurveyDefinition,
    answers: Any,
    context: ResponseContext | None = None,
    through_page: str | None = None,
) -> ValidatedAnswers:
    """Checks one respondent's answers (question id → answer) and builds the rows to store."""
    context = context or ResponseContext()
    language = resolve_language(definition, context)
    errors: list[Issue] = []
    if not isinstance(answers, Mapping):
        errors.append(make_issue("", "answer.not_object", language))
        answers = {}
    clean: dict[str, Any] = {}
    problems: dict[str, list[Issue]] = {}
    dropped: list[str] = []
    for qid, raw in answers.items():
        question = definition.questions.get(qid) if isinstance(qid, str) else None
        if question is None:
            errors.append(make_issue(str(qid), "answer.unknown_question", language))
            continue
        if question.type == "hidden":
            dropped.append(qid)
            continue
        value, found = clean_answer(question.spec, raw)
        if found:
            problems[qid] = [
                make_issue(f"{qid}.{sub}" if sub else qid, code, language, **params)
                for sub, code, params in found
            ]
        elif value is not None:
            clean[qid] = value
    route = walk(definition, clean, context, through_page)
    shown = set(route.shown_questions)
    for qid in answers:
        if qid in definition.questions and qid not in shown and definition.question(qid).type != "hidden":
            dropped.append(qid)
    for qid in route.shown_questions:
        if qid in problems:
            errors.extend(problems[qid])
            continue
        spec = definition.question(qid).spec
        if spec.get("required"):
            problem = _required_problem(spec, clean.get(qid))
            if problem:
                code, params = problem
                errors.append(make_issue(qid, code, language, **params))
    values: dict[str, Any] = {}
    rows: list[AnswerRow] = []
    for qid, question in sorted(definition.questions.items(), key=lambda item: item[1].position):
        if question.type == "hidden":
            raw_hidden = context.hidden.get(qid)
            if not is_missing(raw_hidden):
                values[qid] = str(raw_hidden)
                rows.append(AnswerRow(qid, "hidden", value_text=str(raw_hidden)))
        elif qid in shown and qid in clean:
            values[qid] = clean[qid]
            rows.extend(answer_rows(question.spec, clean[qid]))
    ordered = sort_issues(errors)
    grouped: dict[str, list[Issue]] = {}
    for issue in ordered:
        grouped.setdefault(issue.path.split(".")[0], []).append(issue)
    return ValidatedAnswers(
        values=values,
        rows=tuple(rows) if not ordered else (),
        errors=tuple(ordered),
        route=route,
        dropped=tuple(sorted(set(dropped))),
        language=language,
        by_question={k: tuple(v) for k, v in grouped.items()},
    )
