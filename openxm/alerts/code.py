"""Rules and webhooks as code: the YAML/JSON document of ``openxm alerts apply`` and ``export``.

```yaml
webhooks:
  - key: cx-team
    format: standard          # standard | slack | feishu | dingtalk | wecom
    url: https://hooks.example.com/openxm
    secret: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
rules:
  - key: detractors
    name: Detractors
    when: {score: nps, op: lte, value: 6}
    actions:
      - webhook: cx-team
      - notify: [manager@example.com]
      - case: {priority: high, assign: owner}   # opens one case per response (openxm/cases)
```

A ``case`` action takes ``priority`` (low, normal, high, urgent; left out: from the response's
score and the customer's value tier) and ``assign`` (``owner``: the unit's case owner;
``team:KEY``: that team's queue; ``round_robin:KEY`` or ``least_loaded:KEY``: a member of that
team).

Included: parsing (:func:`parse`), checking every part (:func:`check`: problems name the rule or
webhook key, the path and the problem, in the active language) and writing a document from
stored rows (:func:`document`). Excluded: writing rows (``services.apply_document``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import yaml
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from openxm.surveys.definition.rule_conditions import check_rule_condition

from . import formats, transport
from .models import FORMATS

KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
WEBHOOK_FIELDS = {"key", "format", "url", "secret", "enabled", "early_warning"}
RULE_FIELDS = {"key", "name", "when", "actions", "enabled", "limit_per_hour", "urgent"}
SIGNED = ("feishu", "dingtalk")


@dataclass(frozen=True)
class Problem:
    where: str  # "rule detractors", "webhook cx-team", or "" for the document
    path: str  # "rules[0].when.op"
    message: str

    def __str__(self) -> str:
        head = f"{self.where}: " if self.where else ""
        return f"{head}{self.path}: {self.message}"


def parse(text: str, fmt: str = "auto") -> Any:
    """The document in ``text`` (YAML is a superset of JSON); ValueError with the reason."""
    try:
        if fmt == "json" or (fmt == "auto" and text.lstrip().startswith("{")):
            return json.loads(text)
        return yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise ValueError(str(exc).splitlines()[0]) from exc


def _secret_problem(fmt: str, secret: Any, required: bool) -> str | None:
    secrets = secret if isinstance(secret, list) else ([] if secret in (None, "") else [secret])
    if any(not isinstance(s, str) for s in secrets):
        return _("must be text or a list of texts")
    if fmt == "standard":
        if not secrets:
            return _("a standard webhook needs a secret (whsec_ followed by base64)") if required else None
        for s in secrets:
            try:
                if not s.startswith(formats.SECRET_PREFIX) or len(formats.secret_bytes(s)) < 16:
                    raise ValueError
            except ValueError:
                return _("must be whsec_ followed by at least 16 bytes in base64")
    elif fmt in ("slack", "wecom") and secrets:
        return _("a %(format)s webhook has no secret: its URL is the secret") % {"format": fmt}
    elif len(secrets) > 1:
        return _("give one secret")
    return None


def _url_problem(url: Any) -> str | None:
    if not isinstance(url, str) or not url:
        return _("is required")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return _("must be an http:// or https:// address with a host")
    try:
        transport.check_address(parts.hostname, transport.parse_networks(_allowed()))
    except ValueError:
        return None  # a host name: checked when connecting
    except transport.Refused:
        return _("%(host)s is not a public address (see OPENXM_WEBHOOK_ALLOWED_NETWORKS)") % {
            "host": parts.hostname
        }
    return None


def _allowed() -> str:
    from django.conf import settings

    return getattr(settings, "OPENXM_WEBHOOK_ALLOWED_NETWORKS", "") or ""


def _unknown(item: dict, known: set[str]) -> list[str]:
    return sorted(str(k) for k in item if k not in known)


def _common(item: dict, path: str, where: str, fields: set[str]) -> list[Problem]:
    """Unknown fields, the key's shape and the true/false fields (``enabled``; a webhook's
    ``early_warning``) of a webhook or rule."""
    found = [Problem(where, f"{path}.{k}", _("is not a known field")) for k in _unknown(item, fields)]
    key = item.get("key")
    if not isinstance(key, str) or not KEY.match(key):
        found.append(Problem(where, f"{path}.key", _("must be lower-case letters, digits, - or _")))
    for flag in ("enabled", "early_warning"):
        if flag in fields and flag in item and not isinstance(item[flag], bool):
            found.append(Problem(where, f"{path}.{flag}", _("must be true or false")))
    return found


def _check_webhook(i: int, item: Any, existing: set[str]) -> list[Problem]:
    path = f"webhooks[{i}]"
    if not isinstance(item, dict):
        return [Problem("", path, _("must be a mapping with key, format, url and secret"))]
    key = item.get("key")
    where = _("webhook %(key)s") % {"key": key} if isinstance(key, str) else ""
    found = _common(item, path, where, WEBHOOK_FIELDS)
    fmt = item.get("format", "standard")
    if fmt not in FORMATS:
        found.append(
            Problem(
                where, f"{path}.format", _("must be one of: %(allowed)s") % {"allowed": ", ".join(FORMATS)}
            )
        )
        return found
    problem = _url_problem(item.get("url"))
    if problem:
        found.append(Problem(where, f"{path}.url", problem))
    problem = _secret_problem(fmt, item.get("secret"), required=key not in existing)
    if problem:
        found.append(Problem(where, f"{path}.secret", problem))
    return found


CASE_PRIORITIES = ("low", "normal", "high", "urgent")
CASE_ASSIGN = re.compile(r"^(owner|(team|round_robin|least_loaded):[a-z0-9][a-z0-9_-]{0,63})$")
ACTION_KINDS = ("webhook", "notify", "case")


def _check_case(where: str, at: str, options: Any) -> list[Problem]:
    if options is None:
        return []
    if not isinstance(options, dict):
        return [Problem(where, f"{at}.case", _("must be a mapping with priority and assign"))]
    found = [
        Problem(where, f"{at}.case.{k}", _("is not a known field"))
        for k in _unknown(options, {"priority", "assign"})
    ]
    if "priority" in options and options["priority"] not in CASE_PRIORITIES:
        found.append(
            Problem(
                where,
                f"{at}.case.priority",
                _("must be one of: %(allowed)s") % {"allowed": ", ".join(CASE_PRIORITIES)},
            )
        )
    if "assign" in options and not (
        isinstance(options["assign"], str) and CASE_ASSIGN.match(options["assign"])
    ):
        found.append(
            Problem(
                where,
                f"{at}.case.assign",
                _("must be owner, team:KEY, round_robin:KEY or least_loaded:KEY"),
            )
        )
    return found


def _check_actions(where: str, path: str, actions: Any, webhooks: set[str]) -> list[Problem]:
    if not isinstance(actions, list) or not actions:
        return [
            Problem(
                where, path, _("needs a list of actions (webhook: KEY, notify: [e-mail, …] or case: {…})")
            )
        ]
    found = []
    for j, action in enumerate(actions):
        at = f"{path}[{j}]"
        if not isinstance(action, dict) or len(action) != 1 or next(iter(action)) not in ACTION_KINDS:
            found.append(
                Problem(
                    where,
                    at,
                    _("must be one of webhook: KEY, notify: [e-mail, …] or case: {priority, assign}"),
                )
            )
        elif "case" in action:
            found += _check_case(where, at, action["case"])
        elif "webhook" in action and action["webhook"] not in webhooks:
            found.append(
                Problem(where, f"{at}.webhook", _("no webhook with key %(key)s") % {"key": action["webhook"]})
            )
        elif "notify" in action:
            emails = action["notify"]
            if (
                not isinstance(emails, list)
                or not emails
                or any(not isinstance(e, str) or "@" not in e for e in emails)
            ):
                found.append(Problem(where, f"{at}.notify", _("must be a list of e-mail addresses")))
    return found


def _check_rule(i: int, item: Any, webhooks: set[str]) -> list[Problem]:
    path = f"rules[{i}]"
    if not isinstance(item, dict):
        return [Problem("", path, _("must be a mapping with key, name, when and actions"))]
    key = item.get("key")
    where = _("rule %(key)s") % {"key": key} if isinstance(key, str) else ""
    found = _common(item, path, where, RULE_FIELDS)
    if not isinstance(item.get("name"), str) or not item["name"].strip():
        found.append(Problem(where, f"{path}.name", _("is required")))
    if "when" not in item:
        found.append(Problem(where, f"{path}.when", _("is required")))
    else:
        for at, message in check_rule_condition(item["when"], (f"{path}.when",), get_language() or "en"):
            found.append(Problem(where, at, message))
    found += _check_actions(where, f"{path}.actions", item.get("actions"), webhooks)
    limit = item.get("limit_per_hour")
    if limit is not None and (
        isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 10000
    ):
        found.append(Problem(where, f"{path}.limit_per_hour", _("must be a whole number from 1 to 10000")))
    if "urgent" in item and not isinstance(item["urgent"], bool):
        found.append(Problem(where, f"{path}.urgent", _("must be true or false")))
    return found


def _duplicates(items: list, section: str) -> list[Problem]:
    seen: set[str] = set()
    found = []
    for i, item in enumerate(items):
        key = item.get("key") if isinstance(item, dict) else None
        if isinstance(key, str) and key in seen:
            found.append(Problem("", f"{section}[{i}].key", _("%(key)s appears twice") % {"key": key}))
        seen.add(key)
    return found


def check(doc: Any, existing_webhooks: set[str]) -> list[Problem]:
    """Every problem of the document; ``existing_webhooks`` are keys already stored (a rule may
    name them, and a stored webhook may leave out its secret)."""
    if not isinstance(doc, dict):
        return [Problem("", "", _("the document must be a mapping with webhooks and rules"))]
    found = [Problem("", k, _("is not a known field")) for k in _unknown(doc, {"webhooks", "rules"})]
    hooks, rules = doc.get("webhooks") or [], doc.get("rules") or []
    for name, items in (("webhooks", hooks), ("rules", rules)):
        if not isinstance(items, list):
            found.append(Problem("", name, _("must be a list")))
    if found:
        return found
    found += _duplicates(hooks, "webhooks") + _duplicates(rules, "rules")
    for i, item in enumerate(hooks):
        found += _check_webhook(i, item, existing_webhooks)
    known = existing_webhooks | {h.get("key") for h in hooks if isinstance(h, dict)}
    for i, item in enumerate(rules):
        found += _check_rule(i, item, known)
    return found


def secrets_of(value: Any) -> str:
    """A secret field as stored: several secrets space-separated."""
    if isinstance(value, list):
        return " ".join(value)
    return value or ""


def document(webhooks, rules) -> dict:
    """The document of these stored rows. Secrets are left out (apply keeps a stored secret when
    the document has none), so an export can be shared and applied again."""
    return {
        "webhooks": [
            {
                "key": w.key,
                "format": w.format,
                "url": w.url,
                **({"early_warning": True} if w.early_warning else {}),
                **({} if w.enabled else {"enabled": False}),
            }
            for w in webhooks
        ],
        "rules": [
            {
                "key": r.key,
                "name": r.name,
                "when": r.condition,
                "actions": r.actions,
                **({} if r.limit_per_hour is None else {"limit_per_hour": r.limit_per_hour}),
                **({"urgent": True} if r.urgent else {}),
                **({} if r.enabled else {"enabled": False}),
            }
            for r in rules
        ],
    }


def dump(doc: dict, fmt: str = "yaml") -> str:
    if fmt == "json":
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
