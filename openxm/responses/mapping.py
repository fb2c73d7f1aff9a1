"""Column and value mapping of an import: how one row of a file becomes a ``collect.Submission``.

A mapping is a small document (YAML for the CLI, a form in the UI, JSON in the API)::

    mode: responses            # or feedback: free text tied to a touchpoint
    columns:
      Customer: contact.id
      E-mail: contact.email
      Tier: contact.attributes.tier
      Order: hidden.order_id
      Satisfaction: {to: csat, values: {"Very satisfied": 5, "Satisfied": 4}}
      Checkout: parts.checkout     # a matrix row, KANO/SERVQUAL part or ranked option
      Improve: improve             # multiple choice: "price; quality"
      Improve (other): improve.other
      Date: date
      Store: touchpoint
    defaults: {channel: import, touchpoint: purchase, language: zh-Hans}
    date_format: "%d/%m/%Y %H:%M"  # optional; ISO 8601 and common forms are read without it
    time_zone: Asia/Shanghai       # for dates without an offset; default: the organization's
    split: ";"                     # between choices in one cell; default any of ; , |

Targets: a question id (or ``question.<id>``), ``<id>.<part>``, ``<id>.other``, ``hidden.<key>``,
``contact.id|name|email|phone|language|kind``, ``contact.attributes.<key>``, ``touchpoint``,
``channel``, ``date`` (completed), ``started_at``, ``language``, ``unit``, ``idempotency_key``,
``weight``, ``ignore``. Cells written as labels in any language of the survey ("Very
satisfied", "非常满意", an option's text) read as their codes without a value mapping; an explicit
``values`` entry wins. Blank cells are unanswered.

Included: parsing and checking a mapping against a definition (``parse_mapping``), converting a
row (``convert_row``) with every problem named by its column, suggestions for the UI.
Excluded: answer validation (``collect.prepare`` does it, the same as for every response).
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from openxm.accounts.errors import InvalidInput
from openxm.surveys import collect
from openxm.surveys.definition.i18n import canonical_language
from openxm.surveys.definition.model import SurveyDefinition, option_ids, question_parts

from .codebook import value_labels_all_languages

ENVELOPE_TARGETS = (
    "touchpoint",
    "channel",
    "date",
    "started_at",
    "language",
    "unit",
    "idempotency_key",
    "weight",
)
CONTACT_TARGETS = ("id", "name", "email", "phone", "language", "kind")
_CONTACT_LIMITS = {"id": 128, "name": 200, "phone": 32, "language": 10, "email": 254}
_ALIASES = {"completed_at": "date", "question": "", "skip": "ignore", "": "ignore"}
_LIST_TYPES = frozenset({"multiple_choice", "ranking"})
_DATE_FORMATS = (
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y.%m.%d %H:%M:%S",
    "%Y.%m.%d %H:%M",
    "%Y.%m.%d",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
)
FEEDBACK_QUESTION = "feedback"


@dataclass(frozen=True)
class Target:
    """Where a column goes. ``kind``: question, part, other, hidden, contact, attribute,
    envelope or ignore."""

    kind: str
    name: str = ""
    part: str = ""
    qtype: str = ""

    @property
    def text(self) -> str:
        if self.kind == "question":
            return self.name
        if self.kind == "part":
            return f"{self.name}.{self.part}"
        if self.kind == "other":
            return f"{self.name}.other"
        if self.kind == "hidden":
            return f"hidden.{self.name}"
        if self.kind == "contact":
            return f"contact.{self.name}"
        if self.kind == "attribute":
            return f"contact.attributes.{self.name}"
        return self.name or "ignore"


@dataclass(frozen=True)
class ColumnRule:
    column: str
    target: Target
    values: Mapping[str, Any] = field(default_factory=dict)  # casefolded cell text → value
    auto: Mapping[str, Any] = field(default_factory=dict)  # the survey's own labels → value
    given: Mapping[str, Any] = field(default_factory=dict)  # the value mapping as written


@dataclass(frozen=True)
class ImportMapping:
    mode: str
    rules: tuple[ColumnRule, ...]
    channel: str = "import"
    touchpoint: str = ""
    language: str = ""
    source: str = ""
    date_format: str = ""
    time_zone: dt.tzinfo = dt.UTC
    split: str = ""

    def column_of(self, path: str) -> str | None:
        """The column feeding an answer path of collect's errors (``csat``, ``parts.staff``)."""
        for rule in self.rules:
            if rule.target.kind in ("question", "part", "other") and rule.target.text == path:
                return rule.column
        head = path.split(".")[0]
        for rule in self.rules:
            if rule.target.kind in ("question", "part", "other") and rule.target.name == head:
                return rule.column
        return None

    def to_dict(self) -> dict[str, Any]:
        columns: dict[str, Any] = {}
        for rule in self.rules:
            if rule.values:
                columns[rule.column] = {"to": rule.target.text, "values": dict(rule.given)}
            else:
                columns[rule.column] = rule.target.text
        out: dict[str, Any] = {
            "mode": self.mode,
            "columns": columns,
            "defaults": {
                k: v
                for k, v in (
                    ("channel", self.channel),
                    ("touchpoint", self.touchpoint),
                    ("language", self.language),
                    ("source", self.source),
                )
                if v
            },
        }
        if self.date_format:
            out["date_format"] = self.date_format
        if self.split:
            out["split"] = self.split
        out["time_zone"] = str(self.time_zone)
        return out


def _fail(field_name: str, message: str):
    raise InvalidInput(field_name, message)


def parse_target(text: str, definition: SurveyDefinition) -> Target:
    """A target from its text form; ValueError with the problem when it names nothing."""
    raw = str(text or "").strip()
    raw = _ALIASES.get(raw, raw)
    if raw in ("ignore",):
        return Target("ignore")
    if raw in ENVELOPE_TARGETS:
        return Target("envelope", raw)
    if raw.startswith("contact.attributes.") or raw.startswith("contact.attribute."):
        key = raw.split(".", 2)[2].strip()
        if not key:
            raise ValueError(_("name the contact attribute: contact.attributes.<name>"))
        return Target("attribute", key)
    if raw.startswith("contact."):
        name = raw.split(".", 1)[1]
        if name not in CONTACT_TARGETS:
            raise ValueError(
                _("contact fields are %(fields)s, or contact.attributes.<name>")
                % {"fields": ", ".join(CONTACT_TARGETS)}
            )
        return Target("contact", name)
    if raw.startswith("hidden."):
        key = raw.split(".", 1)[1].strip()
        if not key:
            raise ValueError(_("name the hidden field: hidden.<name>"))
        return Target("hidden", key)
    if raw.startswith("question."):
        raw = raw.split(".", 1)[1]
    qid, _dot, part = raw.partition(".")
    question = definition.questions.get(qid)
    if question is None:
        raise ValueError(_("the survey has no question %(id)s") % {"id": qid})
    spec = question.spec
    if question.type == "hidden":
        return Target("hidden", qid)
    if not part:
        return Target("question", qid, qtype=question.type)
    if part == "other":
        if question.type not in ("single_choice", "multiple_choice") or not spec.get("other"):
            raise ValueError(_("question %(id)s has no 'other' answer") % {"id": qid})
        return Target("other", qid, "other", question.type)
    parts = question_parts(spec) if question.type != "ranking" else option_ids(spec)
    if part not in parts:
        raise ValueError(
            _("question %(id)s has no part %(part)s (parts: %(parts)s)")
            % {"id": qid, "part": part, "parts": ", ".join(parts) or "-"}
        )
    return Target("part", qid, part, question.type)


def _key(value: Any) -> str:
    return cell_text(value).casefold()


def cell_text(value: Any) -> str:
    """A cell as text: 5.0 reads "5", dates read in ISO form, text is stripped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _value_map(raw: Any, field_name: str) -> dict[str, Any]:
    if raw in (None, ""):
        return {}
    if not isinstance(raw, Mapping):
        _fail(field_name, _('must map cell values to answers, e.g. {"Very satisfied": 5}'))
    return {_key(k): v for k, v in raw.items()}


def parse_mapping(
    raw: Mapping[str, Any],
    definition: SurveyDefinition,
    resolve: Callable[[str], str],
    *,
    time_zone: str = "UTC",
) -> ImportMapping:
    """Check a mapping document against the survey and the file's columns (``resolve`` turns
    a column reference into the file's column name or raises ValueError).

    Raises InvalidInput naming the mapping field and the problem.
    """
    if not isinstance(raw, Mapping):
        _fail("mapping", _("must be an object with 'columns'"))
    mode = raw.get("mode") or "responses"
    if mode not in ("responses", "feedback"):
        _fail("mapping.mode", _("must be responses or feedback"))
    columns = raw.get("columns")
    if not isinstance(columns, Mapping) or not columns:
        _fail("mapping.columns", _("map at least one column"))
    rules: list[ColumnRule] = []
    seen_targets: dict[str, str] = {}
    for ref, spec in columns.items():
        where = f"mapping.columns.{ref}"
        try:
            column = resolve(str(ref))
        except ValueError as exc:
            _fail(where, str(exc))
        if isinstance(spec, Mapping):
            target_text, values = spec.get("to", ""), spec.get("values")
        else:
            target_text, values = spec, None
        try:
            target = parse_target(target_text, definition)
        except ValueError as exc:
            _fail(where, str(exc))
        if target.kind == "ignore":
            continue
        if target.text in seen_targets:
            _fail(
                where,
                _("column '%(other)s' already maps to %(target)s")
                % {"other": seen_targets[target.text], "target": target.text},
            )
        seen_targets[target.text] = column
        auto: dict[str, Any] = {}
        if target.kind in ("question", "part"):
            auto = value_labels_all_languages(definition.question(target.name).spec, target.part)
        lookup = _value_map(values, f"{where}.values")
        rules.append(ColumnRule(column, target, lookup, auto, dict(values) if lookup else {}))
    defaults = raw.get("defaults") or {}
    if not isinstance(defaults, Mapping):
        _fail("mapping.defaults", _("must be an object"))
    channel = str(defaults.get("channel") or "import")
    if channel not in collect.CHANNELS:
        _fail(
            "mapping.defaults.channel",
            _("must be one of %(choices)s") % {"choices": ", ".join(collect.CHANNELS)},
        )
    touchpoint = str(defaults.get("touchpoint") or "").strip()
    if len(touchpoint) > 64:
        _fail("mapping.defaults.touchpoint", _("must be at most 64 characters"))
    tz_name = str(raw.get("time_zone") or time_zone or "UTC")
    try:
        tz = zoneinfo.ZoneInfo(tz_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        _fail("mapping.time_zone", _("unknown time zone %(tz)s") % {"tz": tz_name})
    date_format = str(raw.get("date_format") or "")
    if date_format and "%" not in date_format:
        _fail("mapping.date_format", _("must be a strftime pattern such as %%d/%%m/%%Y %%H:%%M"))
    if mode == "feedback" and FEEDBACK_QUESTION not in seen_targets:
        _fail("mapping.columns", _("map the column holding the feedback text to 'feedback'"))
    if mode == "feedback" and "touchpoint" not in seen_targets and not touchpoint:
        _fail(
            "mapping.defaults.touchpoint",
            _("text feedback is tied to a touchpoint: map a column or give one"),
        )
    return ImportMapping(
        mode=mode,
        rules=tuple(rules),
        channel=channel,
        touchpoint=touchpoint,
        language=str(defaults.get("language") or ""),
        source=str(defaults.get("source") or ""),
        date_format=date_format,
        time_zone=tz,
        split=str(raw.get("split") or ""),
    )


# --- Rows -------------------------------------------------------------------------------------


@dataclass
class Converted:
    """A row as a submission and the problems found converting it (``(column, message)``).

    The submission is built even when there are problems (with the faulty envelope values left
    out), so the answers can still be validated and every problem of the row reported."""

    submission: collect.Submission | None
    problems: list[tuple[str, str]]


def parse_datetime(value: Any, fmt: str, tz: dt.tzinfo) -> dt.datetime | None:
    """An aware datetime from a cell (a datetime, a date, or text); None when unreadable."""
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, dt.date):
        parsed = dt.datetime(value.year, value.month, value.day)
    else:
        text = cell_text(value)
        parsed = None
        formats = (fmt,) if fmt else ()
        for candidate in formats:
            try:
                parsed = dt.datetime.strptime(text, candidate)
            except ValueError:
                return None
        if parsed is None and not fmt:
            try:
                parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
            except ValueError:
                for candidate in _DATE_FORMATS:
                    try:
                        parsed = dt.datetime.strptime(text, candidate)
                        break
                    except ValueError:
                        continue
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


def _plain(value: Any) -> Any:
    """A cell as an answer when no label matched: numbers stay numbers, text is stripped."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, dt.datetime | dt.date):
        return cell_text(value)
    return str(value).strip()


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class _Row:
    """Builds one submission; collects problems instead of stopping at the first."""

    def __init__(self, mapping: ImportMapping, definition: SurveyDefinition):
        self.m = mapping
        self.definition = definition
        self.answers: dict[str, Any] = {}
        self.parts: dict[str, dict[str, Any]] = {}
        self.others: dict[str, str] = {}
        self.hidden: dict[str, Any] = {}
        self.contact: dict[str, str] = {}
        self.attributes: dict[str, Any] = {}
        self.envelope: dict[str, Any] = {}
        self.problems: list[tuple[str, str]] = []

    def lookup(self, rule: ColumnRule, value: Any) -> tuple[Any, bool]:
        key = _key(value)
        if key in rule.values:
            return rule.values[key], True
        if key in rule.auto:
            return rule.auto[key], True
        return value, False

    def split(self, text: str) -> list[str]:
        pattern = re.escape(self.m.split) if self.m.split else r"[;,|>\n]"
        return [p.strip() for p in re.split(pattern, text) if p.strip()]

    def question(self, rule: ColumnRule, value: Any) -> None:
        target = rule.target
        mapped, found = self.lookup(rule, value)
        if target.qtype in _LIST_TYPES:
            if found:
                items = mapped if isinstance(mapped, list) else [mapped]
            else:
                items = []
                for piece in self.split(cell_text(value)):
                    item, _ok = self.lookup(rule, piece)
                    items.append(item)
            self.answers[target.name] = items
        elif target.qtype == "date":
            when = parse_datetime(value, "", dt.UTC) if not found else None
            self.answers[target.name] = (
                mapped if found else (when.date().isoformat() if when else _plain(value))
            )
        elif target.qtype in ("text", "email", "phone"):
            self.answers[target.name] = cell_text(mapped) if found else cell_text(value)
        else:
            self.answers[target.name] = mapped if found else _plain(value)

    def add(self, rule: ColumnRule, value: Any) -> None:
        target = rule.target
        column = rule.column
        if target.kind == "question":
            self.question(rule, value)
            return
        mapped, found = self.lookup(rule, value)
        plain = mapped if found else _plain(value)
        if target.kind == "part":
            self.parts.setdefault(target.name, {})[target.part] = plain
        elif target.kind == "other":
            self.others[target.name] = cell_text(plain)
        elif target.kind == "hidden":
            self.hidden[target.name] = cell_text(plain)
        elif target.kind == "attribute":
            self.attributes[target.name] = plain
        elif target.kind == "contact":
            text = cell_text(plain)
            limit = _CONTACT_LIMITS.get(target.name)
            if limit and len(text) > limit:
                self.problems.append((column, _("is longer than %(n)s characters") % {"n": limit}))
            self.contact[target.name] = text
        else:
            self.envelope_field(column, target.name, plain, found)

    def envelope_field(self, column: str, name: str, value: Any, mapped: bool) -> None:
        text = cell_text(value)
        if name in ("date", "started_at"):
            when = parse_datetime(value, self.m.date_format, self.m.time_zone)
            if when is None:
                hint = self.m.date_format or _("ISO 8601 such as 2024-05-31 14:30, or give date_format")
                self.problems.append(
                    (
                        column,
                        _("'%(value)s' is not a date and time (%(hint)s)") % {"value": text, "hint": hint},
                    )
                )
            self.envelope[name] = when
        elif name == "channel":
            channel = text.casefold()
            if channel not in collect.CHANNELS:
                self.problems.append(
                    (
                        column,
                        _("'%(value)s' is not a channel (%(choices)s); add a value mapping")
                        % {"value": text, "choices": ", ".join(collect.CHANNELS)},
                    )
                )
            self.envelope[name] = channel
        elif name == "weight":
            try:
                weight = float(text)
            except ValueError:
                weight = None
            if weight is None or not 0 < weight < 1e6:
                self.problems.append((column, _("'%(value)s' is not a positive number") % {"value": text}))
            self.envelope[name] = weight or 1.0
        elif name == "language":
            self.envelope[name] = canonical_language(text)
        else:
            limit = {"touchpoint": 64, "unit": 64, "idempotency_key": 128}[name]
            if len(text) > limit:
                self.problems.append((column, _("is longer than %(n)s characters") % {"n": limit}))
            self.envelope[name] = text

    def finish_answers(self) -> None:
        for qid, parts in self.parts.items():
            spec = self.definition.question(qid).spec
            if spec["type"] == "ranking":
                ranks = dict(parts)
                if all(isinstance(r, int) for r in ranks.values()):
                    self.answers[qid] = sorted(ranks, key=lambda o: ranks[o])
                else:
                    self.answers[qid] = ranks  # collect reports the shape problem
            else:
                self.answers[qid] = parts
        for qid, text in self.others.items():
            qtype = self.definition.question(qid).type
            chosen = self.answers.get(qid)
            if qtype == "single_choice":
                self.answers[qid] = {"choice": chosen or "other", "other": text}
            else:
                choices = list(chosen or [])
                if "other" not in choices:
                    choices.append("other")
                self.answers[qid] = {"choices": choices, "other": text}

    def contact_ref(self) -> collect.ContactRef | None:
        fields = dict(self.contact)
        external_id = fields.pop("id", "") or fields.get("email", "")
        if not external_id:
            if fields or self.attributes:
                self.problems.append(
                    ("contact.id", _("contact fields need a contact id (or e-mail) column with a value"))
                )
            return None
        if fields.get("email"):
            try:
                validate_email(fields["email"])
            except ValidationError:
                self.problems.append(
                    (
                        "contact.email",
                        _("'%(value)s' is not a valid e-mail address") % {"value": fields["email"]},
                    )
                )
        if fields.get("kind") and fields["kind"] not in ("customer", "employee"):
            self.problems.append(("contact.kind", _("must be customer or employee")))
        return collect.ContactRef(external_id, fields, self.attributes)


def convert_row(
    mapping: ImportMapping,
    definition: SurveyDefinition,
    row: Mapping[str, Any],
    *,
    key: str,
    meta: dict,
) -> Converted:
    """The submission for one row (``key``: its idempotency key unless a column gives one)."""
    builder = _Row(mapping, definition)
    for rule in mapping.rules:
        value = row.get(rule.column)
        if not _blank(value):
            builder.add(rule, value)
    builder.finish_answers()
    contact = builder.contact_ref()
    env = builder.envelope
    touchpoint = env.get("touchpoint") or mapping.touchpoint
    hidden = builder.hidden
    if mapping.mode == "feedback":
        if not touchpoint:
            builder.problems.append(("touchpoint", _("text feedback needs a touchpoint")))
        if mapping.source and "source" not in hidden:
            hidden["source"] = mapping.source
    completed = env.get("date")
    if completed is not None and completed > dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5):
        column = next(r.column for r in mapping.rules if r.target.text == "date")
        builder.problems.append((column, _("is in the future")))
        completed = None  # so the answers are still checked and reported
    submission = collect.Submission(
        answers=builder.answers,
        idempotency_key=env.get("idempotency_key") or key,
        channel=env["channel"] if env.get("channel") in collect.CHANNELS else mapping.channel,
        touchpoint=touchpoint,
        language=env.get("language") or mapping.language or None,
        contact=contact,
        hidden=hidden,
        unit=env.get("unit", ""),
        started_at=env.get("started_at"),
        completed_at=completed,
        weight=env.get("weight") or 1.0,
        meta=meta,
    )
    return Converted(submission, builder.problems)


# --- Suggestions for the mapping step ----------------------------------------------------------

_WORDS = {
    "contact.id": {
        "customer id",
        "customer",
        "contact id",
        "client id",
        "member id",
        "客户编号",
        "会员号",
        "客户id",
    },
    "contact.email": {"email", "e-mail", "mail", "邮箱", "电子邮件"},
    "contact.phone": {"phone", "mobile", "telephone", "电话", "手机", "手机号"},
    "contact.name": {"name", "customer name", "姓名", "客户姓名"},
    "date": {
        "date",
        "completed",
        "completed at",
        "submitted",
        "timestamp",
        "time",
        "日期",
        "时间",
        "提交时间",
    },
    "touchpoint": {"touchpoint", "触点"},
    "channel": {"channel", "source channel", "渠道"},
    "language": {"language", "lang", "语言"},
    "unit": {"unit", "store code", "门店代码"},
}


def _norm(text: str) -> str:
    return re.sub(r"[\s_\-:：?？]+", " ", str(text)).strip().casefold()


def suggest_targets(columns: list[str], definition: SurveyDefinition) -> dict[str, str]:
    """A first guess per column (question ids and texts, contact and envelope words)."""
    by_text: dict[str, str] = {}
    for question in definition.questions.values():
        by_text.setdefault(_norm(question.id), question.id)
        text = question.spec.get("text") or {}
        for t in text.values() if isinstance(text, Mapping) else [text]:
            by_text.setdefault(_norm(t), question.id)
    out: dict[str, str] = {}
    used: set[str] = set()
    for column in columns:
        norm = _norm(column)
        guess = by_text.get(norm)
        if guess is None:
            guess = next((target for target, words in _WORDS.items() if norm in words), "ignore")
        if guess in used:
            guess = "ignore"
        if guess != "ignore":
            used.add(guess)
        if guess in definition.questions and definition.question(guess).type == "hidden":
            guess = f"hidden.{guess}"
        out[column] = guess
    return out


def target_choices(definition: SurveyDefinition, language: str) -> list[tuple[str, str]]:
    """Every target of this survey as (value, label) for the mapping form."""
    from openxm.surveys.definition.i18n import localize

    default = definition.default_language
    out: list[tuple[str, str]] = [("ignore", _("— ignore this column —"))]
    for question in sorted(definition.questions.values(), key=lambda q: q.position):
        spec = question.spec
        label = localize(spec.get("text") or spec.get("description") or question.id, language, default)
        short = label if len(label) <= 60 else label[:57] + "…"
        if question.type == "hidden":
            out.append((f"hidden.{question.id}", _("Hidden field: %(name)s") % {"name": question.id}))
            continue
        out.append((question.id, f"{question.id} · {short}"))
        if question.type in ("matrix", "kano", "servqual", "servqual_importance"):
            out.extend((f"{question.id}.{p}", f"{question.id}.{p}") for p in question_parts(spec))
        if question.type == "ranking":
            out.extend(
                (f"{question.id}.{o}", _("%(target)s (rank)") % {"target": f"{question.id}.{o}"})
                for o in option_ids(spec)
            )
        if spec.get("other") and question.type in ("single_choice", "multiple_choice"):
            out.append(
                (f"{question.id}.other", _("%(target)s (other text)") % {"target": f"{question.id}.other"})
            )
    out += [(f"contact.{f}", _("Contact: %(field)s") % {"field": f}) for f in CONTACT_TARGETS]
    labels = {
        "touchpoint": _("Touchpoint"),
        "channel": _("Channel"),
        "date": _("Date completed"),
        "started_at": _("Date started"),
        "language": _("Language"),
        "unit": _("Unit code"),
        "idempotency_key": _("Response key (skips rows already imported)"),
        "weight": _("Weight"),
    }
    out += [(t, labels[t]) for t in ENVELOPE_TARGETS]
    return out
