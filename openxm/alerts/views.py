"""Alert pages: the inbox, rules (list, new rule with back-test, one rule) and webhooks (list,
delivery log, send test). Each view parses the form and calls one service."""

import json

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openxm.accounts.errors import InvalidInput
from openxm.accounts.roles import Perm
from openxm.web.views import member_required

from . import early_warning as early
from . import episodes, notifying, services
from .models import NotificationSettings, Webhook

EXAMPLE_WHEN = '{"score": "nps", "op": "lte", "value": 6}'


@member_required(Perm.DASHBOARDS_VIEW)
def inbox(request):
    if request.method == "POST":
        services.mark_read(request.actor)
        return redirect("alerts:inbox")
    return render(request, "alerts/inbox.html", {"items": services.inbox(request.actor)})


@member_required(Perm.DASHBOARDS_VIEW)
def early_warning(request):
    return render(
        request,
        "alerts/early_warning.html",
        {"episodes": early.episodes(request.actor), "limited": request.actor.scope.limited},
    )


@member_required(Perm.DASHBOARDS_VIEW)
def episode(request, episode_id):
    row = early.get_episode(request.actor, episode_id)
    found = episodes.evidence(request.actor, row)
    return render(
        request,
        "alerts/episode.html",
        {"e": row, "evidence": found, "payloads": {found.chart.id: found.chart.payload()}},
    )


@member_required(Perm.DASHBOARDS_VIEW)
def notification_settings(request):
    if request.method == "POST":
        try:
            notifying.save_settings(
                request.actor,
                alert_email=request.POST.get("alert_email") == "on",
                digest=request.POST.get("digest", ""),
                quiet_start=request.POST.get("quiet_start", ""),
                quiet_end=request.POST.get("quiet_end", ""),
                time_zone=request.POST.get("time_zone", ""),
            )
        except InvalidInput as exc:
            messages.error(request, f"{exc.field}: {exc.message}")
        else:
            messages.success(request, _("Notification settings saved."))
            return redirect("alerts:settings")
    return render(
        request,
        "alerts/settings.html",
        {"s": notifying.get_settings(request.actor), "digests": NotificationSettings.Digest.choices},
    )


def _json_field(text: str, field: str):
    try:
        return json.loads(text)
    except ValueError as exc:
        raise InvalidInput(field, _("is not valid JSON: %(e)s") % {"e": exc}) from exc


def _actions(post) -> list[dict]:
    actions: list[dict] = [{"webhook": key} for key in post.getlist("webhooks") if key]
    emails = [e.strip() for e in post.get("notify", "").replace(";", ",").split(",") if e.strip()]
    if emails:
        actions.append({"notify": emails})
    return actions


@member_required(Perm.ALERTS_MANAGE)
def rules(request):
    actor = request.actor
    form = {
        "key": "",
        "name": "",
        "when": EXAMPLE_WHEN,
        "notify": "",
        "webhooks": [],
        "days": 30,
        "limit": "",
        "urgent": False,
    }
    result, problems = None, []
    if request.method == "POST":
        form = {
            "key": request.POST.get("key", "").strip(),
            "name": request.POST.get("name", "").strip(),
            "when": request.POST.get("when", ""),
            "notify": request.POST.get("notify", ""),
            "webhooks": request.POST.getlist("webhooks"),
            "days": request.POST.get("days", "30"),
            "limit": request.POST.get("limit_per_hour", "").strip(),
            "urgent": request.POST.get("urgent") == "on",
        }
        try:
            when = _json_field(form["when"], "when")
            if request.POST.get("action") == "backtest":
                days = int(form["days"]) if str(form["days"]).isdigit() else 0
                result = services.backtest(actor, when, days)
            else:
                limit = int(form["limit"]) if form["limit"].isdigit() else form["limit"] or None
                services.save_rule(
                    actor, form["key"], form["name"], when, _actions(request.POST), limit, form["urgent"]
                )
                messages.success(request, _("Rule saved."))
                return redirect("alerts:rule", key=form["key"])
        except services.InvalidDocument as exc:
            problems = [str(p) for p in exc.problems]
        except InvalidInput as exc:
            problems = [f"{exc.field}: {exc.message}"]
    return render(
        request,
        "alerts/rules.html",
        {
            "rules": services.list_rules(actor),
            "webhooks": services.list_webhooks(actor),
            "form": form,
            "result": result,
            "problems": problems,
        },
    )


@member_required(Perm.ALERTS_MANAGE)
def rule(request, key):
    actor = request.actor
    found = services.get_rule(actor, key)
    result = services.backtest_rule(actor, key) if request.GET.get("backtest") else None
    return render(
        request,
        "alerts/rule.html",
        {
            "rule": found,
            "when": json.dumps(found.condition, ensure_ascii=False, indent=2),
            "actions": json.dumps(found.actions, ensure_ascii=False),
            "alerts": services.recent_alerts(actor, key),
            "result": result,
        },
    )


@member_required(Perm.ALERTS_MANAGE)
@require_POST
def toggle_rule(request, key):
    found = services.get_rule(request.actor, key)
    services.set_rule_enabled(request.actor, key, not found.enabled)
    return redirect("alerts:rule", key=key)


@member_required(Perm.ALERTS_MANAGE)
def webhooks(request):
    actor = request.actor
    form = {"key": "", "format": "standard", "url": "", "secret": ""}
    problems = []
    if request.method == "POST":
        form = {k: request.POST.get(k, "").strip() for k in form}
        try:
            services.save_webhook(actor, form["key"], form["format"], form["url"], form["secret"])
            messages.success(request, _("Webhook saved."))
            return redirect("alerts:webhook", key=form["key"])
        except services.InvalidDocument as exc:
            problems = [str(p) for p in exc.problems]
    return render(
        request,
        "alerts/webhooks.html",
        {
            "webhooks": services.list_webhooks(actor),
            "formats": Webhook.Format.choices,
            "form": form,
            "problems": problems,
        },
    )


@member_required(Perm.ALERTS_MANAGE)
def webhook(request, key):
    actor = request.actor
    return render(
        request,
        "alerts/webhook.html",
        {"webhook": services.get_webhook(actor, key), "log": services.delivery_log(actor, key)},
    )


@member_required(Perm.ALERTS_MANAGE)
@require_POST
def test_webhook(request, key):
    attempt = services.send_test(request.actor, key)
    if attempt.ok:
        messages.success(
            request, _("Test message delivered (HTTP %(status)s).") % {"status": attempt.status_code}
        )
    else:
        messages.error(
            request,
            _("Test message failed: %(detail)s") % {"detail": attempt.status_code or attempt.excerpt},
        )
    return redirect("alerts:webhook", key=key)
