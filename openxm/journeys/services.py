"""Journey design actions: journeys, stages, touchpoints, targets and service-blueprint lanes.

Views, the API, the CLI and the demo call these functions; each checks the actor's permission
(designing journeys needs ``surveys.design``, reading them ``dashboards.view``), owns its
transaction and writes the audit entry. A journey can be written as a document (JSON/YAML, see
:func:`import_journey`), so journeys live as code next to the surveys that measure them.

Read models (:class:`JourneyView`, :class:`TouchpointInfo`) are plain frozen dataclasses: other
apps (insights) get these, never querysets.
"""

import re
from dataclasses import dataclass, field

import yaml
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from openxm.accounts import audit
from openxm.accounts.actors import Actor
from openxm.accounts.errors import InvalidInput, NotFound
from openxm.accounts.models import Organization
from openxm.accounts.roles import Perm

from .models import BLUEPRINT_LANES, TARGET_METRICS, Journey, Stage, Touchpoint

KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
TOUCHPOINT_KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_.:-]{0,63}$")
QUESTION_REF_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}/[A-Za-z0-9_.:-]{1,64}$")
TARGET_RANGES = {"nps": (-100.0, 100.0), "csat": (0.0, 100.0), "ces": (1.0, 7.0)}
CHANNELS = (
    "web",
    "app",
    "email",
    "sms",
    "wechat",
    "chat",
    "phone",
    "store",
    "delivery",
    "social",
    "mail",
    "other",
)
# What a person reads for each touchpoint channel, in the UI language.
CHANNEL_LABELS = {
    "web": gettext_lazy("Website"),
    "app": gettext_lazy("Mobile app"),
    "email": gettext_lazy("E-mail"),
    "sms": gettext_lazy("SMS"),
    "wechat": gettext_lazy("WeChat"),
    "chat": gettext_lazy("Online chat"),
    "phone": gettext_lazy("Phone"),
    "store": gettext_lazy("Store"),
    "delivery": gettext_lazy("Delivery"),
    "social": gettext_lazy("Social media"),
    "mail": gettext_lazy("Post"),
    "other": gettext_lazy("Other"),
}
MAX_LANE_ITEMS = 30
MAX_LANE_TEXT = 300


# --- Read models ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TouchpointInfo:
    key: str
    name: str
    channel: str
    owner_team: str
    description: str
    journey_key: str
    journey_name: str
    stage_key: str
    stage_name: str
    position: int
    questions: tuple[str, ...]
    targets: dict = field(default_factory=dict)
    blueprint: dict = field(default_factory=dict)


@dataclass(frozen=True)
class StageView:
    key: str
    name: str
    position: int
    touchpoints: tuple[TouchpointInfo, ...]


@dataclass(frozen=True)
class JourneyView:
    key: str
    name: str
    description: str
    owner_team: str
    stages: tuple[StageView, ...]
    updated_at: object = None

    @property
    def touchpoints(self) -> tuple[TouchpointInfo, ...]:
        return tuple(t for s in self.stages for t in s.touchpoints)


@dataclass(frozen=True)
class JourneyRow:
    key: str
    name: str
    owner_team: str
    stage_count: int
    touchpoint_count: int
    updated_at: object


def _info(t: Touchpoint, journey: Journey, stage: Stage) -> TouchpointInfo:
    return TouchpointInfo(
        key=t.key,
        name=t.name,
        channel=t.channel,
        owner_team=t.owner_team,
        description=t.description,
        journey_key=journey.key,
        journey_name=journey.name,
        stage_key=stage.key,
        stage_name=stage.name,
        position=t.position,
        questions=tuple(t.questions or ()),
        targets=dict(t.targets or {}),
        blueprint={lane: list((t.blueprint or {}).get(lane, [])) for lane in BLUEPRINT_LANES},
    )


def _view(journey: Journey) -> JourneyView:
    stages = list(
        Stage.objects.for_org(journey.organization).filter(journey=journey).order_by("position", "id")
    )
    tps = Touchpoint.objects.for_org(journey.organization).filter(journey=journey).order_by("position", "id")
    by_stage: dict[int, list[Touchpoint]] = {}
    for t in tps:
        by_stage.setdefault(t.stage_id, []).append(t)
    return JourneyView(
        key=journey.key,
        name=journey.name,
        description=journey.description,
        owner_team=journey.owner_team,
        stages=tuple(
            StageView(s.key, s.name, s.position, tuple(_info(t, journey, s) for t in by_stage.get(s.id, [])))
            for s in stages
        ),
        updated_at=journey.updated_at,
    )


# --- Reading ----------------------------------------------------------------------------------


def list_journeys(actor: Actor) -> list[JourneyRow]:
    actor.require(Perm.DASHBOARDS_VIEW)
    org = actor.organization
    stage_counts: dict[int, int] = {}
    for journey_id in Stage.objects.for_org(org).values_list("journey_id", flat=True):
        stage_counts[journey_id] = stage_counts.get(journey_id, 0) + 1
    tp_counts: dict[int, int] = {}
    for journey_id in Touchpoint.objects.for_org(org).values_list("journey_id", flat=True):
        tp_counts[journey_id] = tp_counts.get(journey_id, 0) + 1
    return [
        JourneyRow(
            j.key, j.name, j.owner_team, stage_counts.get(j.id, 0), tp_counts.get(j.id, 0), j.updated_at
        )
        for j in Journey.objects.for_org(org)
    ]


def _journey(org: Organization, key: str) -> Journey:
    journey = Journey.objects.for_org(org).filter(key=key).first()
    if journey is None:
        raise NotFound("journey", key)
    return journey


def get_journey(actor: Actor, key: str) -> JourneyView:
    actor.require(Perm.DASHBOARDS_VIEW)
    return _view(_journey(actor.organization, key))


def get_touchpoint(actor: Actor, key: str) -> TouchpointInfo:
    actor.require(Perm.DASHBOARDS_VIEW)
    t = (
        Touchpoint.objects.for_org(actor.organization)
        .select_related("journey", "stage")
        .filter(key=key)
        .first()
    )
    if t is None:
        raise NotFound("touchpoint", key)
    return _info(t, t.journey, t.stage)


def touchpoint_directory(org: Organization) -> dict[str, TouchpointInfo]:
    """Every touchpoint of the organization by key (for joining figures to the journey model).

    Takes the organization, not an actor: callers (the insights query service) have already
    checked the actor's permission for the figures they build with it.
    """
    rows = (
        Touchpoint.objects.for_org(org)
        .select_related("journey", "stage")
        .order_by("journey__position", "journey__name", "stage__position", "position", "id")
    )
    return {t.key: _info(t, t.journey, t.stage) for t in rows}


def touchpoint_keys(org: Organization, journey: str = "", stage: str = "") -> list[str]:
    """Keys of the touchpoints of a journey (and stage), for filtering figures (see touchpoint_directory)."""
    rows = Touchpoint.objects.for_org(org)
    if journey:
        rows = rows.filter(journey__key=journey)
    if stage:
        rows = rows.filter(stage__key=stage)
    return list(rows.values_list("key", flat=True))


def journey_views(org: Organization) -> list[JourneyView]:
    """Every journey of the organization with its stages and touchpoints (see touchpoint_directory)."""
    return [_view(j) for j in Journey.objects.for_org(org)]


# --- Validation -------------------------------------------------------------------------------


def _text(value, fieldname: str, max_length: int = 200, required: bool = True) -> str:
    text = ("" if value is None else str(value)).strip()
    if required and not text:
        raise InvalidInput(fieldname, _("must not be empty"))
    if len(text) > max_length:
        raise InvalidInput(fieldname, _("must be at most %(n)s characters") % {"n": max_length})
    return text


def _key(value, fieldname: str, pattern: re.Pattern = KEY_RE) -> str:
    key = ("" if value is None else str(value)).strip()
    if not pattern.match(key):
        if pattern is TOUCHPOINT_KEY_RE:
            hint = _("use 1-64 lower-case letters, digits and . : - _, starting with a letter or digit")
        else:
            hint = _("use 1-64 lower-case letters, digits, - and _, starting with a letter or digit")
        raise InvalidInput(fieldname, hint)
    return key


def clean_targets(value, fieldname: str = "targets") -> dict:
    """``{metric: number}`` for nps (−100…100), csat (top-2-box %, 0…100) and ces (mean, 1…7)."""
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        raise InvalidInput(fieldname, _("must be an object of metric: target"))
    out = {}
    for metric, raw in value.items():
        if metric not in TARGET_METRICS:
            raise InvalidInput(
                f"{fieldname}.{metric}",
                _("must be one of %(choices)s") % {"choices": ", ".join(TARGET_METRICS)},
            )
        if raw in (None, ""):
            continue
        try:
            number = float(raw)
        except (TypeError, ValueError):
            raise InvalidInput(f"{fieldname}.{metric}", _("must be a number")) from None
        low, high = TARGET_RANGES[metric]
        if not low <= number <= high:
            raise InvalidInput(
                f"{fieldname}.{metric}",
                _("must be between %(low)s and %(high)s") % {"low": low, "high": high},
            )
        out[metric] = number
    return out


def clean_blueprint(value, fieldname: str = "blueprint") -> dict:
    """``{lane: [text, ...]}`` over the four lanes; a lane given as text is split into lines."""
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        raise InvalidInput(fieldname, _("must be an object of lane: list of texts"))
    out = {}
    for lane, items in value.items():
        if lane not in BLUEPRINT_LANES:
            raise InvalidInput(
                f"{fieldname}.{lane}",
                _("must be one of %(choices)s") % {"choices": ", ".join(BLUEPRINT_LANES)},
            )
        if isinstance(items, str):
            items = items.splitlines()
        if not isinstance(items, list):
            raise InvalidInput(f"{fieldname}.{lane}", _("must be a list of texts"))
        texts = [str(i).strip() for i in items if str(i).strip()]
        if len(texts) > MAX_LANE_ITEMS:
            raise InvalidInput(
                f"{fieldname}.{lane}", _("must have at most %(n)s items") % {"n": MAX_LANE_ITEMS}
            )
        for i, text in enumerate(texts):
            if len(text) > MAX_LANE_TEXT:
                raise InvalidInput(
                    f"{fieldname}.{lane}[{i}]", _("must be at most %(n)s characters") % {"n": MAX_LANE_TEXT}
                )
        if texts:
            out[lane] = texts
    return out


def clean_questions(value, fieldname: str = "questions") -> list[str]:
    """Survey questions measuring a touchpoint, as ``survey_key/question_id`` strings."""
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = [v for v in re.split(r"[\s,]+", value) if v]
    if not isinstance(value, list):
        raise InvalidInput(fieldname, _("must be a list of survey_key/question_id"))
    out = []
    for i, ref in enumerate(value):
        ref = str(ref).strip()
        if not QUESTION_REF_RE.match(ref):
            raise InvalidInput(f"{fieldname}[{i}]", _("must look like survey_key/question_id"))
        if ref not in out:
            out.append(ref)
    return out


def _channel(value, fieldname: str = "channel") -> str:
    channel = _text(value, fieldname, 32, required=False)
    if channel and channel not in CHANNELS:
        raise InvalidInput(fieldname, _("must be one of %(choices)s") % {"choices": ", ".join(CHANNELS)})
    return channel


# --- Journeys ---------------------------------------------------------------------------------


def _touch(journey: Journey) -> None:
    journey.updated_at = timezone.now()
    journey.save(update_fields=["updated_at"])


@transaction.atomic
def create_journey(
    actor: Actor, key: str, name: str, description: str = "", owner_team: str = "", stages=()
) -> JourneyView:
    """A new journey; ``stages`` is a list of (key, name) in order."""
    actor.require(Perm.SURVEYS_DESIGN)
    key = _key(key, "key")
    name = _text(name, "name")
    scoped = Journey.objects.for_org(actor.organization)
    if scoped.filter(key=key).exists():
        raise InvalidInput("key", _("a journey with this key already exists"))
    journey = scoped.create(
        organization=actor.organization,
        key=key,
        name=name,
        description=_text(description, "description", 2000, required=False),
        owner_team=_text(owner_team, "owner_team", 100, required=False),
        position=scoped.count(),
    )
    for i, (stage_key, stage_name) in enumerate(stages):
        _create_stage(journey, _key(stage_key, f"stages[{i}].key"), _text(stage_name, f"stages[{i}].name"), i)
    audit.record(actor, "journey.created", target_type="journey", target_id=key)
    return _view(journey)


@transaction.atomic
def update_journey(actor: Actor, key: str, **fields) -> JourneyView:
    """Change name, description or owner_team."""
    actor.require(Perm.SURVEYS_DESIGN)
    journey = _journey(actor.organization, key)
    if "name" in fields:
        journey.name = _text(fields["name"], "name")
    if "description" in fields:
        journey.description = _text(fields["description"], "description", 2000, required=False)
    if "owner_team" in fields:
        journey.owner_team = _text(fields["owner_team"], "owner_team", 100, required=False)
    journey.updated_at = timezone.now()
    journey.save()
    audit.record(actor, "journey.edited", target_type="journey", target_id=key)
    return _view(journey)


@transaction.atomic
def delete_journey(actor: Actor, key: str) -> None:
    """Delete a journey with its stages, touchpoints and their operational metrics."""
    actor.require(Perm.SURVEYS_DESIGN)
    journey = _journey(actor.organization, key)
    count = Touchpoint.objects.for_org(actor.organization).filter(journey=journey).count()
    journey.delete()
    audit.record(actor, "journey.deleted", target_type="journey", target_id=key, data={"touchpoints": count})


# --- Stages -----------------------------------------------------------------------------------


def _create_stage(journey: Journey, key: str, name: str, position: int) -> Stage:
    return Stage.objects.for_org(journey.organization).create(
        organization=journey.organization, journey=journey, key=key, name=name, position=position
    )


def _stage(journey: Journey, key: str) -> Stage:
    stage = Stage.objects.for_org(journey.organization).filter(journey=journey, key=key).first()
    if stage is None:
        raise NotFound("stage", key)
    return stage


@transaction.atomic
def add_stage(actor: Actor, journey_key: str, key: str, name: str) -> JourneyView:
    """Append a stage at the right end of the journey."""
    actor.require(Perm.SURVEYS_DESIGN)
    journey = _journey(actor.organization, journey_key)
    key = _key(key, "key")
    scoped = Stage.objects.for_org(actor.organization).filter(journey=journey)
    if scoped.filter(key=key).exists():
        raise InvalidInput("key", _("the journey already has a stage with this key"))
    _create_stage(journey, key, _text(name, "name"), scoped.count())
    _touch(journey)
    audit.record(
        actor, "journey.stage_added", target_type="journey", target_id=journey.key, data={"stage": key}
    )
    return _view(journey)


@transaction.atomic
def rename_stage(actor: Actor, journey_key: str, key: str, name: str) -> JourneyView:
    actor.require(Perm.SURVEYS_DESIGN)
    journey = _journey(actor.organization, journey_key)
    stage = _stage(journey, key)
    stage.name = _text(name, "name")
    stage.save(update_fields=["name"])
    _touch(journey)
    audit.record(
        actor, "journey.stage_edited", target_type="journey", target_id=journey.key, data={"stage": key}
    )
    return _view(journey)


@transaction.atomic
def move_stage(actor: Actor, journey_key: str, key: str, offset: int) -> JourneyView:
    """Move a stage ``offset`` places (−1 left, +1 right); the order is renumbered 0…n−1."""
    actor.require(Perm.SURVEYS_DESIGN)
    journey = _journey(actor.organization, journey_key)
    stages = list(
        Stage.objects.for_org(actor.organization).filter(journey=journey).order_by("position", "id")
    )
    index = next((i for i, s in enumerate(stages) if s.key == key), None)
    if index is None:
        raise NotFound("stage", key)
    target = max(0, min(len(stages) - 1, index + offset))
    stages.insert(target, stages.pop(index))
    for i, s in enumerate(stages):
        if s.position != i:
            s.position = i
            s.save(update_fields=["position"])
    _touch(journey)
    audit.record(
        actor, "journey.stage_moved", target_type="journey", target_id=journey.key, data={"stage": key}
    )
    return _view(journey)


@transaction.atomic
def delete_stage(actor: Actor, journey_key: str, key: str) -> JourneyView:
    """Delete an empty stage (move or delete its touchpoints first)."""
    actor.require(Perm.SURVEYS_DESIGN)
    journey = _journey(actor.organization, journey_key)
    stage = _stage(journey, key)
    if Touchpoint.objects.for_org(actor.organization).filter(stage=stage).exists():
        raise InvalidInput("stage", _("the stage has touchpoints; move or delete them first"))
    stage.delete()
    _touch(journey)
    audit.record(
        actor, "journey.stage_deleted", target_type="journey", target_id=journey.key, data={"stage": key}
    )
    return _view(journey)


# --- Touchpoints ------------------------------------------------------------------------------

_TOUCHPOINT_FIELDS = ("name", "channel", "owner_team", "description", "questions", "targets", "blueprint")


def _apply_touchpoint_fields(t: Touchpoint, fields: dict, prefix: str = "") -> None:
    unknown = set(fields) - set(_TOUCHPOINT_FIELDS) - {"stage"}
    if unknown:
        raise InvalidInput(prefix + sorted(unknown)[0], _("is not a touchpoint field"))
    if "name" in fields:
        t.name = _text(fields["name"], prefix + "name")
    if "channel" in fields:
        t.channel = _channel(fields["channel"], prefix + "channel")
    if "owner_team" in fields:
        t.owner_team = _text(fields["owner_team"], prefix + "owner_team", 100, required=False)
    if "description" in fields:
        t.description = _text(fields["description"], prefix + "description", 2000, required=False)
    if "questions" in fields:
        t.questions = clean_questions(fields["questions"], prefix + "questions")
    if "targets" in fields:
        t.targets = clean_targets(fields["targets"], prefix + "targets")
    if "blueprint" in fields:
        t.blueprint = clean_blueprint(fields["blueprint"], prefix + "blueprint")


@transaction.atomic
def add_touchpoint(actor: Actor, journey_key: str, stage_key: str, key: str, **fields) -> TouchpointInfo:
    """A touchpoint under a stage. ``key`` must be unique in the organization: it is how
    responses and survey questions point at the touchpoint."""
    actor.require(Perm.SURVEYS_DESIGN)
    journey = _journey(actor.organization, journey_key)
    stage = _stage(journey, stage_key)
    key = _key(key, "key", TOUCHPOINT_KEY_RE)
    scoped = Touchpoint.objects.for_org(actor.organization)
    if scoped.filter(key=key).exists():
        raise InvalidInput("key", _("a touchpoint with this key already exists"))
    t = Touchpoint(
        organization=actor.organization,
        journey=journey,
        stage=stage,
        key=key,
        position=scoped.filter(stage=stage).count(),
    )
    if "name" not in fields:
        raise InvalidInput("name", _("must not be empty"))
    _apply_touchpoint_fields(t, fields)
    try:
        with transaction.atomic():
            t.save()
    except IntegrityError:
        raise InvalidInput("key", _("a touchpoint with this key already exists")) from None
    _touch(journey)
    audit.record(
        actor, "touchpoint.created", target_type="touchpoint", target_id=key, data={"journey": journey.key}
    )
    return _info(t, journey, stage)


def _touchpoint(org: Organization, key: str) -> Touchpoint:
    t = Touchpoint.objects.for_org(org).select_related("journey", "stage").filter(key=key).first()
    if t is None:
        raise NotFound("touchpoint", key)
    return t


@transaction.atomic
def update_touchpoint(actor: Actor, key: str, **fields) -> TouchpointInfo:
    """Change a touchpoint's fields (name, channel, owner_team, description, questions, targets,
    blueprint) and, with ``stage``, move it to another stage of its journey."""
    actor.require(Perm.SURVEYS_DESIGN)
    t = _touchpoint(actor.organization, key)
    _apply_touchpoint_fields(t, fields)
    if fields.get("stage") and fields["stage"] != t.stage.key:
        t.stage = _stage(t.journey, fields["stage"])
        t.position = Touchpoint.objects.for_org(actor.organization).filter(stage=t.stage).count()
    t.save()
    _touch(t.journey)
    audit.record(
        actor, "touchpoint.edited", target_type="touchpoint", target_id=key, data={"fields": sorted(fields)}
    )
    return _info(t, t.journey, t.stage)


@transaction.atomic
def delete_touchpoint(actor: Actor, key: str) -> None:
    """Delete a touchpoint and its operational metrics. Feedback tagged with its key stays."""
    actor.require(Perm.SURVEYS_DESIGN)
    t = _touchpoint(actor.organization, key)
    journey = t.journey
    t.delete()
    _touch(journey)
    audit.record(actor, "touchpoint.deleted", target_type="touchpoint", target_id=key)


# --- Journeys as documents --------------------------------------------------------------------


def parse_document(text: str) -> dict:
    """A journey document from JSON or YAML text."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidInput("document", _("is not valid JSON or YAML: %(error)s") % {"error": exc}) from None
    if not isinstance(document, dict):
        raise InvalidInput("document", _("must be an object with key, name and stages"))
    return document


def _check_document(org: Organization, document: dict) -> None:
    """Every problem of a document is found before anything is written."""
    if not isinstance(document, dict):
        raise InvalidInput("document", _("must be an object with key, name and stages"))
    _key(document.get("key"), "key")
    _text(document.get("name"), "name")
    stages = document.get("stages") or []
    if not isinstance(stages, list):
        raise InvalidInput("stages", _("must be a list"))
    seen_stages: set[str] = set()
    seen_tps: set[str] = set()
    for i, stage in enumerate(stages):
        prefix = f"stages[{i}]."
        if not isinstance(stage, dict):
            raise InvalidInput(f"stages[{i}]", _("must be an object with key, name and touchpoints"))
        stage_key = _key(stage.get("key"), prefix + "key")
        if stage_key in seen_stages:
            raise InvalidInput(prefix + "key", _("repeats another stage's key"))
        seen_stages.add(stage_key)
        _text(stage.get("name"), prefix + "name")
        tps = stage.get("touchpoints") or []
        if not isinstance(tps, list):
            raise InvalidInput(prefix + "touchpoints", _("must be a list"))
        for j, tp in enumerate(tps):
            tprefix = f"{prefix}touchpoints[{j}]."
            if not isinstance(tp, dict):
                raise InvalidInput(f"{prefix}touchpoints[{j}]", _("must be an object"))
            tp_key = _key(tp.get("key"), tprefix + "key", TOUCHPOINT_KEY_RE)
            if tp_key in seen_tps:
                raise InvalidInput(tprefix + "key", _("repeats another touchpoint's key"))
            seen_tps.add(tp_key)
            probe = Touchpoint()
            _apply_touchpoint_fields(probe, {k: v for k, v in tp.items() if k != "key"}, tprefix)
            if not probe.name:
                raise InvalidInput(tprefix + "name", _("must not be empty"))
    elsewhere = (
        Touchpoint.objects.for_org(org)
        .filter(key__in=seen_tps)
        .exclude(journey__key=document["key"])
        .values_list("key", "journey__key")
        .first()
    )
    if elsewhere:
        raise InvalidInput(
            "touchpoints",
            _("touchpoint %(key)s belongs to journey %(journey)s")
            % {"key": elsewhere[0], "journey": elsewhere[1]},
        )


@transaction.atomic
def import_journey(actor: Actor, document: dict) -> tuple[JourneyView, bool]:
    """Create the journey a document describes, or make the existing one match it.

    The document is the truth: stages and touchpoints it does not list are deleted (with
    their operational metrics); touchpoints it lists keep their operational metrics when they
    move between stages. Nothing is written when any part is invalid. Returns (journey, created).
    """
    actor.require(Perm.SURVEYS_DESIGN)
    org = actor.organization
    _check_document(org, document)
    key = document["key"].strip()
    journey = Journey.objects.for_org(org).filter(key=key).first()
    created = journey is None
    if created:
        journey = Journey(organization=org, key=key, position=Journey.objects.for_org(org).count())
    journey.name = _text(document.get("name"), "name")
    journey.description = _text(document.get("description"), "description", 2000, required=False)
    journey.owner_team = _text(document.get("owner_team"), "owner_team", 100, required=False)
    journey.updated_at = timezone.now()
    journey.save()

    stages_scoped = Stage.objects.for_org(org).filter(journey=journey)
    tps_scoped = Touchpoint.objects.for_org(org).filter(journey=journey)
    existing_stages = {s.key: s for s in stages_scoped}
    existing_tps = {t.key: t for t in tps_scoped}
    kept_stages, kept_tps = set(), set()
    for i, stage_doc in enumerate(document.get("stages") or []):
        stage = existing_stages.get(stage_doc["key"]) or Stage(
            organization=org, journey=journey, key=stage_doc["key"]
        )
        stage.name = _text(stage_doc["name"], "name")
        stage.position = i
        stage.save()
        kept_stages.add(stage.key)
        for j, tp_doc in enumerate(stage_doc.get("touchpoints") or []):
            t = existing_tps.get(tp_doc["key"]) or Touchpoint(
                organization=org, journey=journey, key=tp_doc["key"]
            )
            t.stage = stage
            t.position = j
            fields = {k: v for k, v in tp_doc.items() if k != "key"}
            for name in ("questions", "targets", "blueprint"):
                fields.setdefault(name, None)
            _apply_touchpoint_fields(t, fields)
            t.save()
            kept_tps.add(t.key)
    tps_scoped.exclude(key__in=kept_tps).delete()
    stages_scoped.exclude(key__in=kept_stages).delete()
    audit.record(
        actor,
        "journey.imported",
        target_type="journey",
        target_id=key,
        data={"created": created, "stages": len(kept_stages), "touchpoints": len(kept_tps)},
    )
    return _view(journey), created


def export_journey(actor: Actor, key: str) -> dict:
    """The journey as a document that :func:`import_journey` reads back."""
    view = get_journey(actor, key)
    return journey_document(view)


def journey_document(view: JourneyView) -> dict:
    def tp_doc(t: TouchpointInfo) -> dict:
        doc = {"key": t.key, "name": t.name}
        for name in ("channel", "owner_team", "description"):
            if getattr(t, name):
                doc[name] = getattr(t, name)
        if t.questions:
            doc["questions"] = list(t.questions)
        if t.targets:
            doc["targets"] = dict(t.targets)
        lanes = {lane: items for lane, items in t.blueprint.items() if items}
        if lanes:
            doc["blueprint"] = lanes
        return doc

    document = {"key": view.key, "name": view.name}
    if view.description:
        document["description"] = view.description
    if view.owner_team:
        document["owner_team"] = view.owner_team
    document["stages"] = [
        {"key": s.key, "name": s.name, "touchpoints": [tp_doc(t) for t in s.touchpoints]} for s in view.stages
    ]
    return document


def dump_document(document: dict, fmt: str = "yaml") -> str:
    if fmt == "json":
        import json

        return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
