"""What the builder's JavaScript needs from the server, rendered into the page as JSON.

Included: ``builder_config`` - the format's vocabulary (question types grouped for the palette,
fixed scales, CX dimensions, operators allowed per kind of value, KANO and SERVQUAL labels), the
starter content of new questions, every UI string the scripts show (translated here, so the
scripts hold no English), the labels a respondent sees in the preview (in each survey language
the UI speaks), the survey's URLs and the CSRF token.
Excluded: the draft itself (the template renders it separately) and any decision about what is
valid (the server validates every save).
"""

import hashlib
import json
from typing import Any

from django.middleware.csrf import get_token
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _

from openxm.surveys.definition import vocab
from openxm.surveys.definition.validate_logic import OPERATORS_BY_KIND, value_kind

from . import defaults
from .labels import preview_labels, ui_labels


def type_labels() -> dict[str, str]:
    return {
        "nps": _("NPS"), "csat": _("CSAT"), "ces": _("CES"), "rating": _("Rating"),
        "likert": _("Likert scale"), "single_choice": _("Single choice"),
        "multiple_choice": _("Multiple choice"), "dropdown": _("Dropdown"), "matrix": _("Matrix"),
        "ranking": _("Ranking"), "text": _("Text"), "number": _("Number"), "date": _("Date"),
        "email": _("E-mail"), "phone": _("Phone number"), "consent": _("Consent"),
        "hidden": _("Hidden field"),
        "kano": _("KANO pair"), "servqual": _("SERVQUAL item"), "servqual_importance": _("SERVQUAL weights"),
    }


def type_hints() -> dict[str, str]:
    return {
        "nps": _("0-10 likelihood to recommend"), "csat": _("1-5 satisfaction"),
        "ces": _("1-7 customer effort"), "rating": _("Stars or points"),
        "likert": _("Labelled agreement scale"), "single_choice": _("One option"),
        "multiple_choice": _("Several options"), "dropdown": _("One option from a list"),
        "matrix": _("Rows rated on one scale"), "ranking": _("Put options in order"),
        "text": _("Open comment"), "number": _("A number"), "date": _("A calendar date"),
        "email": _("An e-mail address"), "phone": _("A phone number"), "consent": _("Yes or no"),
        "hidden": _("Value from the link, not asked"), "kano": _("Functional and dysfunctional"),
        "servqual": _("Expectation and perception"), "servqual_importance": _("100 points over 5 dimensions"),
    }


def palette() -> list[dict[str, Any]]:
    groups = [
        (_("Metrics"), ["nps", "csat", "ces"]),
        (_("Scales"), ["rating", "likert", "matrix"]),
        (_("Choices"), ["single_choice", "multiple_choice", "dropdown", "ranking"]),
        (_("Open answers"), ["text", "number", "date", "email", "phone"]),
        (_("Consent and data"), ["consent", "hidden"]),
        (_("Methods"), ["kano", "servqual", "servqual_importance"]),
    ]
    return [{"label": label, "types": types} for label, types in groups]


def operator_labels() -> dict[str, str]:
    return {
        "eq": _("is"), "neq": _("is not"), "in": _("is one of"), "not_in": _("is none of"),
        "gt": _("is more than"), "gte": _("is at least"), "lt": _("is less than"), "lte": _("is at most"),
        "between": _("is between"), "contains": _("contains"), "answered": _("is answered"),
        "not_answered": _("is not answered"), "selected": _("has selected"),
    }


def cx_dimension_labels() -> dict[str, str]:
    return {
        "usefulness": _("Usefulness"), "reliability": _("Reliability"), "responsiveness": _("Responsiveness"),
        "empathy": _("Empathy"), "resolution": _("Resolution"), "personalization": _("Personalization"),
    }


def audience_labels() -> dict[str, str]:
    return {"customer": _("Customers"), "employee": _("Employees"), "internal": _("Internal customers")}


def _respondent_preview_url(survey) -> str | None:
    """The collection module's preview of the draft, when that module is installed."""
    try:
        return reverse("distribution:preview", args=[survey.pk])
    except NoReverseMatch:
        return None


def draft_revision(draft) -> str:
    """A fingerprint of a stored draft: a save built on another one is a conflicting edit."""
    canonical = json.dumps(draft, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:20]


def _ui_language() -> str:
    return "zh-Hans" if (translation.get_language() or "en").lower().startswith("zh") else "en"


def builder_config(request, survey, urls: dict[str, str]) -> dict[str, Any]:
    """Everything but the draft, JSON-ready, in the current UI language."""
    ui_lang = _ui_language()
    ordered_ops = list(vocab.OPERATORS)
    return {
        "survey": {
            "id": survey.pk,
            "key": survey.key,
            "status": survey.status,
            "version": survey.current_version.number if survey.current_version_id else None,
            "revision": draft_revision(survey.draft),
        },
        "ui_language": ui_lang,
        "csrf_token": get_token(request),
        "urls": {**urls, "respondent_preview": _respondent_preview_url(survey)},
        "types": type_labels(),
        "type_hints": type_hints(),
        "palette": palette(),
        "value_kinds": {t: value_kind(t, None) for t in vocab.QUESTION_TYPES},
        "operators": operator_labels(),
        "operators_by_kind": {
            kind: [op for op in ordered_ops if op in allowed] for kind, allowed in OPERATORS_BY_KIND.items()
        },
        "valueless_operators": sorted(vocab.VALUELESS_OPERATORS),
        "list_operators": sorted(vocab.LIST_VALUE_OPERATORS),
        "fixed_scales": {t: list(s) for t, s in vocab.FIXED_SCALES.items()},
        "scale_types": sorted(vocab.SCALE_TYPES),
        "option_types": sorted(vocab.OPTION_TYPES),
        "pipeable_types": sorted(vocab.PIPEABLE_TYPES),
        "cx_dimensions": cx_dimension_labels(),
        "audiences": audience_labels(),
        "kano_answers": {a: vocab.KANO_LABELS[a] for a in vocab.KANO_ANSWERS},
        "servqual_dimensions": {d: vocab.SERVQUAL_LABELS[d] for d in vocab.SERVQUAL_DIMENSIONS},
        "kano_importance_max": list(vocab.KANO_IMPORTANCE_MAX),
        "id_pattern": "^[A-Za-z][A-Za-z0-9_]{0,63}$",
        "starters": defaults.starter_specs(),
        "id_stems": defaults.ID_STEMS,
        "numbered": defaults.NUMBERED,
        "ending_text": defaults.ENDING_TEXT,
        "other_text": defaults.OTHER_TEXT,
        "importance_text": defaults.IMPORTANCE_TEXT,
        "schema_version": vocab.SCHEMA_VERSION,
        "ui": ui_labels(),
        "preview_ui": preview_labels(survey.draft.get("languages") or [], ui_lang),
    }
