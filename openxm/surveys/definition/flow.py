"""The one evaluator of a survey's logic: visibility, next page, ending, route and piped text.

The server calls these functions (and a browser may mirror them with ``export_rules``):
- ``visible_questions`` - the questions of a page a respondent sees, in presentation order;
- ``is_page_visible`` - a page's ``display_if``;
- ``next_step`` - after a page (or at the start): the next page, or the ending;
- ``walk`` - the whole route for a set of answers: pages visited, questions shown, the answers
  that count (answers to questions the respondent was not shown are left out, so a stale answer
  from an abandoned branch never steers logic), the ending;
- ``render_text`` - a text in the respondent's language with ``{{...}}`` filled in;
- ``resolve_language`` - the survey language for a response.

Rules: after a page its ``next`` rules are tried in order and the first that holds (a rule
without ``if`` always holds) goes to its page or ends with its ending; with no rule holding the
survey continues with the following page. A page whose ``display_if`` is false is skipped, also
when it is a ``goto`` target. Past the last page the survey ends with ``default_ending`` (else
the first ending, else ``None``: the platform's own thank-you page).
Excluded: quotas (``quotas.py``) and answer validation (``answers.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .conditions import ResponseContext, evaluate_condition
from .i18n import localize, pick_language
from .model import SurveyDefinition
from .ordering import Ordering, randomize
from .piping import format_answer, render_pipes


@dataclass(frozen=True)
class Step:
    """Where a respondent goes next: a page (``page_id``) or, when ``page_id`` is ``None``, the end
    with ``ending_id`` (``None`` for the platform's default thank-you page)."""

    page_id: str | None
    ending_id: str | None = None

    @property
    def finished(self) -> bool:
        return self.page_id is None


@dataclass(frozen=True)
class Route:
    """A respondent's path through the survey for a given set of answers.

    ``pages``: visited pages in order; ``shown``: page id → questions shown on it (presentation
    order, hidden fields excluded); ``answers``: only the answers to shown questions;
    ``finished``: the route reached an ending (``ending_id``), rather than stopping at
    ``through_page``.
    """

    pages: tuple[str, ...]
    shown: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    answers: Mapping[str, Any] = field(default_factory=dict)
    finished: bool = False
    ending_id: str | None = None

    @property
    def shown_questions(self) -> tuple[str, ...]:
        return tuple(q for page in self.pages for q in self.shown.get(page, ()))


def ordering_for(definition: SurveyDefinition, context: ResponseContext) -> Ordering:
    """The presentation order for this response (definition order without a seed)."""
    if context.seed is None:
        return definition.definition_order
    return randomize(definition, context.seed)


def resolve_language(definition: SurveyDefinition, context: ResponseContext) -> str:
    """The respondent's choice (``context.language``), else the contact's ``language`` attribute,
    else the survey default, matched against the declared languages."""
    contact_language = context.contact.get("language")
    return pick_language(
        definition.languages,
        definition.default_language,
        respondent=context.language,
        contact=contact_language if isinstance(contact_language, str) else None,
    )


def is_page_visible(
    definition: SurveyDefinition, page_id: str, answers: Mapping[str, Any], context: ResponseContext
) -> bool:
    """The page's ``display_if`` (a page without one is always visible)."""
    return evaluate_condition(definition.page(page_id).spec.get("display_if"), answers, context)


def visible_questions(
    definition: SurveyDefinition,
    page_id: str,
    answers: Mapping[str, Any],
    context: ResponseContext,
    ordering: Ordering | None = None,
) -> tuple[str, ...]:
    """Questions of a page shown to the respondent, in presentation order; hidden fields excluded.

    Conditions on earlier questions of the same page are evaluated in definition order, and the
    answer of a question that is not shown does not count for the questions after it.
    """
    page = definition.page(page_id)
    effective = dict(answers)
    shown: set[str] = set()
    for qid in page.question_ids:
        spec = definition.question(qid).spec
        if spec["type"] == "hidden":
            continue
        if evaluate_condition(spec.get("display_if"), effective, context):
            shown.add(qid)
        else:
            effective.pop(qid, None)
    order = (ordering or ordering_for(definition, context)).questions.get(page_id, page.question_ids)
    return tuple(q for q in order if q in shown)


def next_step(
    definition: SurveyDefinition,
    current_page: str | None,
    answers: Mapping[str, Any],
    context: ResponseContext,
    ordering: Ordering | None = None,
) -> Step:
    """The page after ``current_page`` (``None``: the first page), or the ending."""
    order = (ordering or ordering_for(definition, context)).pages
    start = 0
    if current_page is not None:
        start = order.index(current_page) + 1
        for rule in definition.page(current_page).spec.get("next", []):
            if evaluate_condition(rule.get("if"), answers, context):
                if "end" in rule:
                    return Step(None, rule["end"])
                start = order.index(rule["goto"])
                break
    for page_id in order[start:]:
        if is_page_visible(definition, page_id, answers, context):
            return Step(page_id)
    return Step(None, definition.default_ending)


def walk(
    definition: SurveyDefinition,
    answers: Mapping[str, Any],
    context: ResponseContext,
    through_page: str | None = None,
) -> Route:
    """The route a respondent with these answers takes, stopping after ``through_page`` if given.

    When the route does not pass ``through_page`` it runs to its ending.
    """
    ordering = ordering_for(definition, context)
    effective: dict[str, Any] = {}
    pages: list[str] = []
    shown: dict[str, tuple[str, ...]] = {}
    step = next_step(definition, None, effective, context, ordering)
    while step.page_id is not None:
        page_id = step.page_id
        if page_id in shown:  # forward-only branching makes this unreachable; never loop
            raise RuntimeError(f"page {page_id!r} visited twice")
        pages.append(page_id)
        on_page = {q: answers[q] for q in definition.page(page_id).question_ids if q in answers}
        visible = visible_questions(definition, page_id, {**effective, **on_page}, context, ordering)
        shown[page_id] = visible
        effective.update({q: on_page[q] for q in visible if q in on_page})
        if page_id == through_page:
            return Route(tuple(pages), shown, effective, finished=False)
        step = next_step(definition, page_id, effective, context, ordering)
    return Route(tuple(pages), shown, effective, finished=True, ending_id=step.ending_id)


def render_text(
    definition: SurveyDefinition,
    text: Any,
    answers: Mapping[str, Any],
    context: ResponseContext,
    language: str | None = None,
) -> str:
    """``text`` (plain or ``{lang: text}``) in ``language`` (default: ``resolve_language``) with
    ``{{q1}}``, ``{{hidden.x}}``, ``{{contact.x}}`` and ``{{q1|fallback}}`` filled in.

    The result is not HTML-escaped: escaping is the renderer's job.
    """
    lang = language or resolve_language(definition, context)
    default = definition.default_language
    raw = localize(text, lang, default)

    def resolve(kind: str, name: str) -> str | None:
        if kind == "question":
            question = definition.questions.get(name)
            if question is None:
                return None
            return format_answer(question.spec, answers.get(name), lang, default)
        source = context.hidden if kind == "hidden" else context.contact
        value = source.get(name)
        if value is None:
            return None
        return format_answer({"type": "number"}, value, lang, default)

    return render_pipes(raw, resolve)
