"""Survey definitions: the versioned JSON/YAML format, its validation, logic and answer checking.

Pure Python (stdlib, jsonschema, PyYAML): no Django, no other openxm app. The format is
described in ``docs/survey-definition.md``; the JSON Schema ships as ``schema.json`` here.

Definitions
    ``load_definition(text_or_dict, format="auto")`` → ``SurveyDefinition`` or ``DefinitionError``
    (``.errors``: ``DefinitionIssue(path, code, message, params)``); ``dump_definition(defn,
    format="json"|"yaml")``; ``validate_definition(dict)`` → issues; ``definition_schema()``;
    ``render_issues(issues, language)`` (en / zh-Hans).
Respondents
    ``ResponseContext(hidden, contact, language, seed)``; ``validate_answers(defn, answers,
    context)`` → ``ValidatedAnswers`` (errors, normalised values, ``AnswerRow`` rows, route).
Logic (one evaluator, used by the server; ``export_rules`` for a browser mirror)
    ``evaluate_condition``, ``visible_questions``, ``next_step``, ``walk``, ``render_text``,
    ``randomize`` → ``Ordering``, ``check_quotas`` → ``QuotaDecision``, ``quota_key``.
Languages
    ``pick_language(languages, default, respondent=, contact=)``, ``canonical_language``.
Templates
    ``list_templates()``, ``load_template(key)``.
"""

from .answer_types import AnswerRow
from .answers import ValidatedAnswers, validate_answers
from .codec import dump_definition, load_definition
from .conditions import ResponseContext, evaluate_condition
from .errors import DefinitionError, DefinitionIssue, Issue, render_issues
from .export import export_rules
from .flow import Route, Step, next_step, render_text, visible_questions, walk
from .i18n import canonical_language, pick_language
from .model import SurveyDefinition
from .ordering import Ordering, randomize
from .quotas import QuotaDecision, check_quotas, quota_key
from .schema_check import definition_schema
from .templates import TemplateInfo, list_templates, load_template
from .validate import validate_definition

__all__ = [
    "AnswerRow",
    "DefinitionError",
    "DefinitionIssue",
    "Issue",
    "Ordering",
    "QuotaDecision",
    "ResponseContext",
    "Route",
    "Step",
    "SurveyDefinition",
    "TemplateInfo",
    "ValidatedAnswers",
    "canonical_language",
    "check_quotas",
    "definition_schema",
    "dump_definition",
    "evaluate_condition",
    "export_rules",
    "list_templates",
    "load_definition",
    "load_template",
    "next_step",
    "pick_language",
    "quota_key",
    "randomize",
    "render_issues",
    "render_text",
    "validate_answers",
    "validate_definition",
    "visible_questions",
    "walk",
]
