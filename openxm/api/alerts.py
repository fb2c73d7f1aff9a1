"""Alert routes: rules (list, one, save, back-test), rules as code (apply, export), webhooks
(list, delivery log, send test), the member's inbox and their notification settings.

Rules, webhooks, back-tests and tests need ``alerts.manage``; the inbox and the settings
``dashboards.view`` (an API key has no inbox: its list is empty; it has no settings: 422). A
rule saved through the API is owned by the key
(or the signed-in member) and sees only what its owner may see.
"""

from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.responses import Status

from openxm.accounts.errors import InvalidInput
from openxm.alerts import notifying, services

from .errors import ErrorOut

router = Router(tags=["alerts"])


class RuleOut(Schema):
    key: str
    name: str
    when: dict[str, Any]
    actions: list[dict[str, Any]]
    enabled: bool
    reads_text: bool
    limit_per_hour: int | None = None
    urgent: bool = False


class RuleIn(Schema):
    name: str
    when: dict[str, Any]
    actions: list[dict[str, Any]]
    limit_per_hour: int | None = None
    urgent: bool = False


class BacktestHitOut(Schema):
    response_id: int
    at: str
    survey: str
    touchpoint: str
    unit: str


class BacktestOut(Schema):
    days: int
    count: int
    examined: int
    hits: list[BacktestHitOut]


class BacktestIn(Schema):
    when: dict[str, Any]
    days: int = 30


class DocumentIn(Schema):
    document: str
    format: str = "auto"
    dry_run: bool = False


class ChangeOut(Schema):
    action: str
    kind: str
    key: str


class PlanOut(Schema):
    dry_run: bool
    changes: list[ChangeOut]


class ProblemsOut(ErrorOut):
    """A 422 for rules as code: the one error shape plus every problem found (where, path,
    problem)."""

    problems: list[dict[str, str]] = []


class DocumentOut(Schema):
    document: str


class WebhookOut(Schema):
    key: str
    format: str
    url: str
    enabled: bool
    early_warning: bool = Field(
        description="Subscribed to episode.opened, episode.updated and episode.closed"
    )
    consecutive_failures: int
    disabled_reason: str


class AttemptOut(Schema):
    message_id: str
    event_type: str
    number: int
    at: datetime
    status_code: int | None
    duration_ms: int
    ok: bool
    excerpt: str


class InboxOut(Schema):
    id: int
    kind: str
    created_at: str
    read: bool
    title: str
    response_id: int | None
    detail: dict[str, Any]


class ReadIn(Schema):
    ids: list[int] | None = None


class CountOut(Schema):
    count: int


class SettingsOut(Schema):
    alert_email: bool
    digest: str
    quiet_start: str
    quiet_end: str
    time_zone: str


class SettingsIn(Schema):
    """The whole settings: what is left out takes its default (e-mails on, no digest, no quiet
    hours, the organization's time zone)."""

    alert_email: bool = True
    digest: str = "none"
    quiet_start: str = ""
    quiet_end: str = ""
    time_zone: str = ""


def _settings_out(s) -> SettingsOut:
    return SettingsOut(
        alert_email=s.alert_email,
        digest=s.digest,
        quiet_start=s.quiet_start.strftime("%H:%M") if s.quiet_start else "",
        quiet_end=s.quiet_end.strftime("%H:%M") if s.quiet_end else "",
        time_zone=s.time_zone,
    )


def _rule_out(r) -> RuleOut:
    return RuleOut(
        key=r.key,
        name=r.name,
        when=r.condition,
        actions=r.actions,
        enabled=r.enabled,
        reads_text=r.reads_text,
        limit_per_hour=r.limit_per_hour,
        urgent=r.urgent,
    )


def _backtest_out(b) -> BacktestOut:
    return BacktestOut(
        days=b.days, count=b.count, examined=b.examined, hits=[BacktestHitOut(**h.__dict__) for h in b.hits]
    )


def _attempt_out(a) -> AttemptOut:
    return AttemptOut(
        message_id=a.delivery.message_id,
        event_type=a.delivery.event.get("type", ""),
        number=a.number,
        at=a.at,
        status_code=a.status_code,
        duration_ms=a.duration_ms,
        ok=a.ok,
        excerpt=a.excerpt,
    )


@router.get("/alerts/rules", response=list[RuleOut], summary="Alert rules")
def list_rules(request):
    return [_rule_out(r) for r in services.list_rules(request.auth)]


@router.get("/alerts/rules/{key}", response=RuleOut, summary="One alert rule")
def get_rule(request, key: str):
    return _rule_out(services.get_rule(request.auth, key))


@router.put(
    "/alerts/rules/{key}",
    response={200: RuleOut, 422: ProblemsOut},
    summary="Create or replace one rule (owned by the caller)",
)
def put_rule(request, key: str, payload: RuleIn):
    try:
        services.save_rule(
            request.auth,
            key,
            payload.name,
            payload.when,
            payload.actions,
            payload.limit_per_hour,
            payload.urgent,
        )
    except services.InvalidDocument as exc:
        return Status(422, _problems(exc))
    return _rule_out(services.get_rule(request.auth, key))


@router.get(
    "/alerts/rules/{key}/backtest",
    response=BacktestOut,
    summary="How often the rule would have fired on stored responses (default: the last 30 days)",
)
def backtest_rule(request, key: str, days: int = 30):
    return _backtest_out(services.backtest_rule(request.auth, key, days))


@router.post("/alerts/backtest", response=BacktestOut, summary="Back-test a condition before saving it")
def backtest(request, payload: BacktestIn):
    return _backtest_out(services.backtest(request.auth, payload.when, payload.days))


def _problems(exc: services.InvalidDocument) -> ProblemsOut:
    return ProblemsOut(
        detail=exc.message,
        problems=[{"where": p.where, "path": p.path, "problem": p.message} for p in exc.problems],
    )


@router.post(
    "/alerts/apply",
    response={200: PlanOut, 422: ProblemsOut},
    summary="Apply a rules document (YAML or JSON), all or nothing",
)
def apply(request, payload: DocumentIn):
    if payload.format not in ("auto", "yaml", "json"):
        raise InvalidInput("format", _("must be auto, yaml or json"))
    try:
        plan = services.apply_document(request.auth, payload.document, payload.format, payload.dry_run)
    except services.InvalidDocument as exc:
        return Status(422, _problems(exc))
    return PlanOut(
        dry_run=plan.dry_run, changes=[ChangeOut(action=a, kind=k, key=x) for a, k, x in plan.changes]
    )


@router.get("/alerts/export", response=DocumentOut, summary="The rules and webhooks as a document")
def export(request, format: str = "yaml"):
    if format not in ("yaml", "json"):
        raise InvalidInput("format", _("must be yaml or json"))
    return DocumentOut(document=services.export_document(request.auth, format))


@router.get("/alerts/webhooks", response=list[WebhookOut], summary="Webhooks (secrets are never shown)")
def list_webhooks(request):
    return [
        WebhookOut(
            key=w.key,
            format=w.format,
            url=w.shown_url,
            enabled=w.enabled,
            early_warning=w.early_warning,
            consecutive_failures=w.consecutive_failures,
            disabled_reason=w.disabled_reason,
        )
        for w in services.list_webhooks(request.auth)
    ]


@router.get(
    "/alerts/webhooks/{key}/deliveries", response=list[AttemptOut], summary="The webhook's delivery log"
)
def deliveries(request, key: str):
    return [_attempt_out(a) for a in services.delivery_log(request.auth, key)]


@router.post("/alerts/webhooks/{key}/test", response=AttemptOut, summary="Send a test message now")
def send_test(request, key: str):
    return _attempt_out(services.send_test(request.auth, key))


@router.get("/alerts/inbox", response=list[InboxOut], summary="The caller's alerts, newest first")
def inbox(request):
    return [InboxOut(**row.__dict__) for row in services.inbox(request.auth)]


@router.post("/alerts/inbox/read", response=CountOut, summary="Mark inbox items (all without ids) as read")
def mark_read(request, payload: ReadIn):
    return CountOut(count=services.mark_read(request.auth, payload.ids))


@router.get(
    "/alerts/settings",
    response={200: SettingsOut, 422: ErrorOut},
    summary="The calling member's notification settings",
)
def get_settings(request):
    return _settings_out(notifying.get_settings(request.auth))


@router.put(
    "/alerts/settings",
    response={200: SettingsOut, 422: ErrorOut},
    summary="Replace the calling member's notification settings (e-mails, digest, quiet hours, time zone)",
)
def put_settings(request, payload: SettingsIn):
    return _settings_out(notifying.save_settings(request.auth, **payload.dict()))
