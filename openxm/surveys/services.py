"""Survey design actions: create, import, edit, publish, close, duplicate, export.

Definitions are validated by the pure ``openxm.surveys.definition`` package; this module adds
ownership, versions, permissions and the audit log. Web, API and CLI call these functions.
"""

import copy
import re
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from openxm.accounts import audit
from openxm.accounts.actors import Actor
from openxm.accounts.errors import InvalidInput, NotFound
from openxm.accounts.roles import Perm

from . import definition as sd
from .models import Survey, SurveyVersion


class InvalidDefinition(InvalidInput):
    """A definition was rejected; ``issues`` name every path and problem (in the UI language)."""

    def __init__(self, issues: list):
        self.issues = issues
        first = issues[0] if issues else None
        super().__init__(first.path if first else "definition", "; ".join(str_issue(i) for i in issues[:5]))


def str_issue(issue) -> str:
    return issue.render(ui_language())


def ui_language() -> str:
    """The definition package speaks en and zh-Hans; Django's code for the latter is zh-hans."""
    return "zh-Hans" if (get_language() or "en").lower().startswith("zh") else "en"


def title_text(title, language: str | None = None) -> str:
    if isinstance(title, dict):
        lang = language or ui_language()
        return title.get(lang) or next(iter(title.values()), "")
    return str(title or "")


@dataclass(frozen=True)
class SurveyRow:
    id: int
    key: str
    title: str
    status: str
    audience: str
    touchpoint: str
    version: int | None
    updated_at: object


def _row(s: Survey) -> SurveyRow:
    number = s.current_version.number if s.current_version_id else None
    return SurveyRow(s.id, s.key, s.title, s.status, s.audience, s.touchpoint, number, s.updated_at)


def _parse(source, fmt: str = "auto") -> dict:
    """A definition document from text or a mapping, with every problem reported as issues."""
    try:
        return sd.load_definition(source, fmt, language=ui_language()).to_dict()
    except sd.DefinitionError as exc:
        raise InvalidDefinition(exc.errors) from None


def validate_document(source, fmt: str = "auto") -> list:
    """Issues of a definition (text or mapping); empty when it is valid."""
    try:
        sd.load_definition(source, fmt, language=ui_language())
    except sd.DefinitionError as exc:
        return exc.errors
    return []


def list_surveys(actor: Actor) -> list[SurveyRow]:
    actor.require(Perm.DASHBOARDS_VIEW)
    return [_row(s) for s in Survey.objects.for_org(actor.organization).select_related("current_version")]


def get_survey(actor: Actor, ref: int | str) -> Survey:
    """A survey of the actor's organization by id or key."""
    actor.require(Perm.DASHBOARDS_VIEW)
    scoped = Survey.objects.for_org(actor.organization).select_related("current_version")
    survey = scoped.filter(pk=int(ref)).first() if str(ref).isdigit() else scoped.filter(key=ref).first()
    if survey is None:
        raise NotFound("survey", ref)
    return survey


def _unique_key(actor: Actor, base: str) -> str:
    base = re.sub(r"[^a-z0-9-]+", "-", (base or "survey").lower()).strip("-")[:56] or "survey"
    scoped = Survey.objects.for_org(actor.organization)
    key, n = base, 2
    while scoped.filter(key=key).exists():
        key, n = f"{base}-{n}", n + 1
    return key


def _apply_document(survey: Survey, document: dict) -> None:
    survey.draft = document
    survey.title = title_text(document.get("title"), document.get("default_language"))[:300]
    survey.audience = document.get("audience", "customer")
    survey.touchpoint = document.get("touchpoint", "") or ""
    survey.updated_at = timezone.now()


@transaction.atomic
def create_survey(actor: Actor, source, fmt: str = "auto", key: str | None = None) -> Survey:
    """A new draft survey from a valid definition (text or mapping)."""
    actor.require(Perm.SURVEYS_DESIGN)
    document = _parse(source, fmt)
    key = _unique_key(actor, key or document.get("key") or "survey")
    document["key"] = key
    survey = Survey(organization=actor.organization, key=key, created_by=actor.user)
    _apply_document(survey, document)
    try:
        survey.save()
    except IntegrityError:
        raise InvalidInput("key", _("a survey with this key already exists")) from None
    audit.record(actor, "survey.created", target_type="survey", target_id=survey.pk, data={"key": key})
    return survey


def create_from_template(
    actor: Actor, template_key: str, key: str | None = None, title: str | dict | None = None
) -> Survey:
    """A draft from a library template, named ``title`` (one name for every language, or a
    {language: name} mapping); the template's own title when none is given."""
    try:
        template = sd.load_template(template_key)
    except (KeyError, FileNotFoundError, ValueError):
        raise InvalidInput("template", _("no template named %(key)s") % {"key": template_key}) from None
    document = template.to_dict()
    if title is not None:
        document["title"] = _title_in_every_language(document, title)
    return create_survey(actor, document, key=key or _key_from(title) or template_key)


def create_blank_survey(actor: Actor, title: str, key: str | None = None) -> Survey:
    """A draft with one page and one open question, in English and Simplified Chinese, to build
    on in the builder."""
    document = {
        "schema_version": 1,
        "title": {"en": title, "zh-Hans": title},
        "languages": ["en", "zh-Hans"],
        "default_language": ui_language() if ui_language() in ("en", "zh-Hans") else "en",
        "pages": [
            {
                "id": "p1",
                "questions": [
                    {
                        "id": "q1",
                        "type": "text",
                        "text": {"en": "Your question", "zh-Hans": "您的问题"},
                    }
                ],
            }
        ],
    }
    return create_survey(actor, document, key=key or _key_from(title) or "survey")


def _title_in_every_language(document: dict, title: str | dict) -> dict:
    if isinstance(title, dict):
        names = {lang: str(title.get(lang) or "").strip() for lang in document["languages"]}
    else:
        names = dict.fromkeys(document["languages"], str(title).strip())
    if not all(names.values()):
        raise InvalidInput("title", _("give the survey a name"))
    return names


def _key_from(title) -> str:
    """A key from an ASCII name ("Store visits 2026" → store-visits-2026); empty for other names
    (Chinese names keep the template's key, made unique)."""
    text = title if isinstance(title, str) and title.isascii() else ""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:56]


@transaction.atomic
def import_survey(actor: Actor, text: str, fmt: str = "auto", publish: bool = False) -> tuple[Survey, bool]:
    """Surveys as code: create the survey named by the file's key, or replace its draft.

    Returns (survey, created). With ``publish`` the imported draft is published at once.
    """
    actor.require(Perm.SURVEYS_DESIGN)
    document = _parse(text, fmt)
    existing = Survey.objects.for_org(actor.organization).filter(key=document.get("key") or "").first()
    if existing is None:
        survey, created = create_survey(actor, document), True
    else:
        survey, created = save_draft(actor, existing.pk, document, require_valid=True), False
    if publish:
        publish_survey(actor, survey.pk)
        survey.refresh_from_db()
    return survey, created


@transaction.atomic
def save_draft(actor: Actor, ref, document: dict, require_valid: bool = False) -> Survey:
    """Store the draft being edited. Drafts may be incomplete unless ``require_valid``;
    publishing needs a valid one. The key of a survey never changes through its draft."""
    actor.require(Perm.SURVEYS_DESIGN)
    survey = get_survey(actor, ref)
    if not isinstance(document, dict):
        raise InvalidInput("definition", _("must be an object"))
    document = copy.deepcopy(document)
    document["key"] = survey.key
    if require_valid:
        document = _parse(document)
    _apply_document(survey, document)
    survey.save()
    audit.record(actor, "survey.edited", target_type="survey", target_id=survey.pk)
    return survey


@transaction.atomic
def publish_survey(actor: Actor, ref) -> SurveyVersion:
    """Publish the draft as the next version; earlier versions stay readable."""
    actor.require(Perm.SURVEYS_DESIGN)
    survey = (
        Survey.objects.for_org(actor.organization)
        .select_for_update()
        .filter(pk=get_survey(actor, ref).pk)
        .get()
    )
    last = (
        SurveyVersion.objects.for_org(actor.organization)
        .filter(survey=survey)
        .aggregate(n=Max("number"))["n"]
    )
    number = (last or 0) + 1
    document = copy.deepcopy(survey.draft)
    document["version"] = number
    document = _parse(document)
    version = SurveyVersion.objects.for_org(actor.organization).create(
        organization=actor.organization,
        survey=survey,
        number=number,
        definition=document,
        published_by=actor.user,
    )
    survey.current_version = version
    survey.status = Survey.Status.ACTIVE
    survey.draft = document
    survey.updated_at = timezone.now()
    survey.save(update_fields=["current_version", "status", "draft", "updated_at"])
    audit.record(
        actor, "survey.published", target_type="survey", target_id=survey.pk, data={"version": number}
    )
    return version


@transaction.atomic
def set_status(actor: Actor, ref, status: str) -> Survey:
    """Close a survey (no more responses) or reopen a closed one."""
    actor.require(Perm.SURVEYS_DESIGN)
    survey = get_survey(actor, ref)
    if status not in (Survey.Status.ACTIVE, Survey.Status.CLOSED):
        raise InvalidInput("status", _("must be active or closed"))
    if status == Survey.Status.ACTIVE and survey.current_version_id is None:
        raise InvalidInput("status", _("publish the survey before opening it"))
    survey.status = status
    survey.updated_at = timezone.now()
    survey.save(update_fields=["status", "updated_at"])
    audit.record(
        actor,
        f"survey.{'closed' if status == 'closed' else 'reopened'}",
        target_type="survey",
        target_id=survey.pk,
    )
    return survey


def duplicate_survey(actor: Actor, ref, key: str | None = None) -> Survey:
    source = get_survey(actor, ref)
    document = copy.deepcopy(source.draft)
    document.pop("version", None)
    return create_survey(actor, document, key=key or f"{source.key}-copy")


def version_document(actor: Actor, ref, number: int | None = None) -> dict:
    """The definition of a published version (the current one by default), or the draft when
    nothing is published yet and no number is asked for."""
    survey = get_survey(actor, ref)
    if number is None:
        return copy.deepcopy(survey.current_version.definition if survey.current_version_id else survey.draft)
    version = SurveyVersion.objects.for_org(actor.organization).filter(survey=survey, number=number).first()
    if version is None:
        raise NotFound("survey version", number)
    return copy.deepcopy(version.definition)


def export_survey(
    actor: Actor, ref, fmt: str = "json", number: int | None = None, draft: bool = False
) -> str:
    if fmt not in ("json", "yaml"):
        raise InvalidInput("format", _("must be json or yaml"))
    document = copy.deepcopy(get_survey(actor, ref).draft) if draft else version_document(actor, ref, number)
    return sd.dump_definition(document, fmt)


def list_versions(actor: Actor, ref) -> list[SurveyVersion]:
    survey = get_survey(actor, ref)
    return list(
        SurveyVersion.objects.for_org(actor.organization).filter(survey=survey).select_related("published_by")
    )


def list_templates(language: str | None = None) -> list[dict]:
    lang = language or ui_language()
    return [
        {
            "key": t.key,
            "title": title_text(t.title, lang),
            "description": _PIPE.sub(lambda m: m.group(1) or "", title_text(t.description, lang)),
        }
        for t in sd.list_templates()
    ]


# A piped value in a preview shows its fallback ("{{hidden.company|this company}}" → "this
# company"), or nothing.
_PIPE = re.compile(r"\{\{[^{}|]*(?:\|([^{}]*))?\}\}")
