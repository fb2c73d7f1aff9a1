"""Builder pages. Each view validates its input and calls one surveys service.

Included: the builder page (the draft and the builder's configuration rendered as JSON for
``static/openxm/js/builder.js``), ``save`` (store the draft, answer with its problems) and
``publish`` (publish the stored draft as the next version), both JSON endpoints for the script.
Excluded: editing itself, which happens in the browser; validation rules (the definition package).
"""

import json

from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openxm.accounts.errors import InvalidInput
from openxm.accounts.roles import Perm
from openxm.surveys import services
from openxm.web.views import member_required

from .config import builder_config, draft_revision


def _issue_json(issue, language: str) -> dict:
    text = issue.render(language)
    prefix = f"{issue.path}: "
    return {
        "path": issue.path,
        "code": issue.code,
        "message": text[len(prefix):] if issue.path and text.startswith(prefix) else text,
    }


def issues_json(issues) -> list[dict]:
    language = services.ui_language()
    return [_issue_json(i, language) for i in issues]


def _urls(survey) -> dict[str, str]:
    return {
        "save": reverse("surveys:builder_save", args=[survey.pk]),
        "publish": reverse("surveys:builder_publish", args=[survey.pk]),
        "detail": reverse("surveys:detail", args=[survey.pk]),
        "export": reverse("surveys:export", args=[survey.pk]),
    }


@member_required(Perm.SURVEYS_DESIGN)
def builder(request, ref):
    survey = services.get_survey(request.actor, ref)
    return render(request, "surveys/builder.html", {
        "survey": survey,
        "draft": survey.draft,
        "config": builder_config(request, survey, _urls(survey)),
        "issues": issues_json(services.validate_document(survey.draft)),
    })


def _saved(survey) -> dict:
    return {
        "revision": draft_revision(survey.draft),
        "title": survey.title,
        "status": survey.status,
        "version": survey.current_version.number if survey.current_version_id else None,
    }


@member_required(Perm.SURVEYS_DESIGN)
@require_POST
def save(request, ref):
    """Body: ``{"definition": {...}, "revision": "<revision of the draft the edit started from>"}``.

    A stale revision (the stored draft changed since: another tab or another designer) answers 409
    with the stored draft, unless ``"force": true``.
    The draft is stored even when it has problems; they come back with paths.
    """
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"detail": _("The request body is not JSON."), "field": "body"}, status=400)
    document = body.get("definition") if isinstance(body, dict) else None
    if not isinstance(document, dict):
        return JsonResponse({"detail": _("must be an object"), "field": "definition"}, status=422)
    survey = services.get_survey(request.actor, ref)
    revision = body.get("revision")
    if revision and revision != draft_revision(survey.draft) and not body.get("force"):
        return JsonResponse({"conflict": True, **_saved(survey), "definition": survey.draft}, status=409)
    try:
        survey = services.save_draft(request.actor, survey.pk, document)
    except InvalidInput as exc:
        return JsonResponse({"detail": exc.message, "field": exc.field}, status=422)
    issues = services.validate_document(survey.draft)
    return JsonResponse({"saved": True, **_saved(survey), "issues": issues_json(issues)})


@member_required(Perm.SURVEYS_DESIGN)
@require_POST
def publish(request, ref):
    """Publish the stored draft; problems answer 422 with the issues, nothing is published."""
    try:
        version = services.publish_survey(request.actor, ref)
    except services.InvalidDefinition as exc:
        return JsonResponse({"published": False, "issues": issues_json(exc.issues)}, status=422)
    survey = services.get_survey(request.actor, ref)
    return JsonResponse({
        "published": True,
        "number": version.number,
        "published_at": version.published_at.isoformat(),
        **_saved(survey),
        "definition": survey.draft,
    })
