"""Organization taxonomies: the rules document, its checks, and the compiled taxonomy in force.

A taxonomy document is the JSON form of :mod:`openxm.text.topics`' YAML: ``name`` and
``topics``, each with ``id`` (dots nest: ``delivery.speed`` is under ``delivery``), ``label``
(``{"en": …, "zh": …}``), ``rule`` (the rule language of :mod:`openxm.text.rules`) and an
optional ``description``. :func:`check_document` reports every problem at once, each naming the
topic (its position and id) and, for rules, the position in the rule; :func:`normalise` puts
parents before their children. An organization without a saved version uses the shipped
default, reported as version 0. Compiled taxonomies are kept per process, keyed by the saved
version (rows never change once written).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml
from django.utils.translation import gettext as _

from openxm.accounts.errors import InvalidInput
from openxm.text.rules import RuleSyntaxError, parse_rule
from openxm.text.topics import Taxonomy as CompiledTaxonomy
from openxm.text.topics import TopicDefinition, default_taxonomy

from .models import Taxonomy

ID_RE = re.compile(r"^[a-z0-9_]+(?:\.[a-z0-9_]+)*$")
MAX_TOPICS = 500
MAX_RULE = 4000
LANGS = ("en", "zh")

_COMPILED: OrderedDict = OrderedDict()
_LOCK = threading.Lock()


@dataclass(frozen=True)
class Issue:
    """One problem of a document: ``index`` is the topic's position (0-based) or None."""

    index: int | None
    topic: str
    field: str
    message: str

    def __str__(self) -> str:
        if self.index is None:
            return self.message
        return _("Topic %(n)s (%(id)s), %(field)s: %(message)s") % {
            "n": self.index + 1,
            "id": self.topic or "?",
            "field": self.field,
            "message": self.message,
        }


class InvalidTaxonomy(InvalidInput):
    """A document with problems; ``issues`` lists them all (``field`` names the first one)."""

    def __init__(self, issues: list[Issue]):
        self.issues = issues
        first = issues[0]
        where = f"topics[{first.index}].{first.field}" if first.index is not None else first.field
        super().__init__(where, "; ".join(str(i) for i in issues))


@dataclass(frozen=True)
class ActiveTaxonomy:
    """The taxonomy in force: its version (0 = shipped default), document and compiled form."""

    version: int
    name: str
    document: dict
    compiled: CompiledTaxonomy
    saved: Taxonomy | None


@cache
def default_document() -> dict:
    """The shipped default taxonomy as a document."""
    text = resources.files("openxm.text").joinpath("data/taxonomy_cx.yaml").read_text(encoding="utf-8")
    return normalise_topics(yaml.safe_load(text))


def normalise_topics(data: dict) -> dict:
    """The document with only the known keys, labels as {en, zh} and text stripped."""
    topics = []
    for raw in data.get("topics") or []:
        if not isinstance(raw, dict):
            continue
        label = raw.get("label") or {}
        if not isinstance(label, dict):
            label = {"en": str(label)}
        topics.append(
            {
                "id": str(raw.get("id") or "").strip(),
                "label": {lang: str(label.get(lang) or "").strip() for lang in LANGS},
                "rule": " ".join(str(raw.get("rule") or "").split()),
                "description": str(raw.get("description") or "").strip(),
            }
        )
    return {"name": str(data.get("name") or "").strip(), "topics": topics}


def normalise(document: dict) -> dict:
    """Parents before children, otherwise in the given order (a child follows its parent's family)."""
    doc = normalise_topics(document)
    topics = doc["topics"]
    children: dict[str, list[dict]] = {}
    roots: list[dict] = []
    ids = {t["id"] for t in topics}
    for t in topics:
        parent = t["id"].rsplit(".", 1)[0] if "." in t["id"] else ""
        (children.setdefault(parent, []) if parent in ids else roots).append(t)
    ordered: list[dict] = []

    def walk(topic: dict) -> None:
        ordered.append(topic)
        for child in children.get(topic["id"], []):
            walk(child)

    for topic in roots:
        walk(topic)
    doc["topics"] = ordered
    return doc


def check_document(document: dict) -> list[Issue]:
    """Every problem of a (normalised) document; empty when it can be saved."""
    issues: list[Issue] = []
    topics = document.get("topics") or []
    if not document.get("name"):
        issues.append(Issue(None, "", "name", _("The taxonomy needs a name.")))
    if not topics:
        issues.append(Issue(None, "", "topics", _("The taxonomy needs at least one topic.")))
    if len(topics) > MAX_TOPICS:
        issues.append(Issue(None, "", "topics", _("At most %(n)s topics.") % {"n": MAX_TOPICS}))
    seen: set[str] = set()
    all_ids = {t["id"] for t in topics}
    for i, t in enumerate(topics):
        tid = t["id"]
        if not tid:
            issues.append(Issue(i, tid, "id", _("needs an id")))
        elif not ID_RE.match(tid) or len(tid) > 100:
            issues.append(
                Issue(
                    i,
                    tid,
                    "id",
                    _("use lowercase letters, digits and _, with dots for sub-topics (delivery.speed)"),
                )
            )
        elif tid in seen:
            issues.append(Issue(i, tid, "id", _("the id is used by an earlier topic")))
        elif "." in tid and tid.rsplit(".", 1)[0] not in all_ids:
            issues.append(
                Issue(
                    i,
                    tid,
                    "id",
                    _("its parent %(parent)s is not in the taxonomy") % {"parent": tid.rsplit(".", 1)[0]},
                )
            )
        seen.add(tid)
        if not (t["label"].get("en") or t["label"].get("zh")):
            issues.append(Issue(i, tid, "label", _("needs a label in English or Chinese")))
        rule = t["rule"]
        if not rule:
            issues.append(Issue(i, tid, "rule", _("needs a rule")))
        elif len(rule) > MAX_RULE:
            issues.append(Issue(i, tid, "rule", _("is longer than %(n)s characters") % {"n": MAX_RULE}))
        else:
            try:
                parse_rule(rule)
            except RuleSyntaxError as exc:
                issues.append(Issue(i, tid, "rule", rule_problem(exc, rule)))
    return issues


def rule_problem(exc: RuleSyntaxError, rule: str) -> str:
    """The parser's message, with the position when it has none (an unfinished rule)."""
    message = str(exc)
    if "position" not in message and "end of rule" not in message:
        message += f" (position {len(rule)}, the end of the rule)"
    return message


def compile_document(document: dict) -> CompiledTaxonomy:
    """The compiled taxonomy of a checked, normalised document."""
    topics = [
        TopicDefinition(
            t["id"],
            tuple(sorted((lang, text) for lang, text in t["label"].items() if text)),
            t["rule"],
            t["id"].rsplit(".", 1)[0] if "." in t["id"] else None,
        )
        for t in document["topics"]
    ]
    return CompiledTaxonomy(document["name"], topics)


def active_taxonomy(organization) -> ActiveTaxonomy:
    """The organization's newest saved taxonomy, or the shipped default (version 0)."""
    saved = Taxonomy.objects.for_org(organization).order_by("-version").first()
    if saved is None:
        return ActiveTaxonomy(0, default_taxonomy().name, default_document(), default_taxonomy(), None)
    key = (organization.pk, saved.pk, saved.version, saved.created_at)
    compiled = _COMPILED.get(key)
    if compiled is None:
        compiled = compile_document(saved.document)
        with _LOCK:
            _COMPILED[key] = compiled
            while len(_COMPILED) > 64:
                _COMPILED.popitem(last=False)
    return ActiveTaxonomy(saved.version, saved.name, saved.document, compiled, saved)


def label_language(language: str | None) -> str:
    """The taxonomy label key for a UI language code (zh-hans → zh)."""
    return "zh" if (language or "").lower().startswith("zh") else "en"


def topic_labels(document: dict, language: str | None) -> dict[str, str]:
    """{topic id: label in the UI language (else the other one, else the id)}."""
    lang = label_language(language)
    other = "en" if lang == "zh" else "zh"
    return {t["id"]: t["label"].get(lang) or t["label"].get(other) or t["id"] for t in document["topics"]}


def to_yaml(document: dict) -> str:
    """The document as YAML in the shipped file's shape (readable by ``openxm text --taxonomy``)."""
    data = {
        "name": document["name"],
        "topics": [
            {
                k: v
                for k, v in (
                    ("id", t["id"]),
                    ("label", {x: y for x, y in t["label"].items() if y}),
                    ("rule", t["rule"]),
                    ("description", t.get("description")),
                )
                if v
            }
            for t in document["topics"]
        ],
    }
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def parse_upload(text: str) -> dict:
    """A document from YAML or JSON text (the JSON of the API or the YAML of the CLI)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidTaxonomy(
            [Issue(None, "", "file", _("not valid YAML or JSON: %(e)s") % {"e": exc})]
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("topics"), list):
        raise InvalidTaxonomy([Issue(None, "", "file", _("a taxonomy needs a 'topics' list"))])
    for i, raw in enumerate(data["topics"]):
        if not isinstance(raw, dict):
            raise InvalidTaxonomy([Issue(i, "", "topic", _("is not a mapping"))])
        unknown = set(raw) - {"id", "label", "rule", "description"}
        if unknown:
            raise InvalidTaxonomy(
                [
                    Issue(
                        i,
                        str(raw.get("id", "")),
                        "topic",
                        _("unknown keys %(keys)s") % {"keys": ", ".join(sorted(unknown))},
                    )
                ]
            )
    return data
