"""Case configuration pages for organisation admins (``members.manage``): case settings (SLA
targets, paused states, risk window, control group, follow-up distributions — also per alert
rule — and the messenger webhook), working calendars with holidays and make-up working days,
units' calendars and case owners, teams, root-cause codes and recovery actions.

Each page lists what exists and has a form that calls one ``config`` service; a refused value
comes back as the service's message under the field it names, and nothing is saved. Each list
entry's key opens the form filled with it (``?edit=KEY``).
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from openxm.accounts.errors import InvalidInput, NotFound
from openxm.accounts.roles import Perm
from openxm.accounts.scope import unit_tree
from openxm.alerts import services as alerts
from openxm.distribution.services import list_distributions
from openxm.web.views import member_required

from . import config
from .clocks import DEFAULT_TARGETS, settings_of
from .models import PRIORITIES, Case

DAYS = [
    gettext_lazy("Monday"),
    gettext_lazy("Tuesday"),
    gettext_lazy("Wednesday"),
    gettext_lazy("Thursday"),
    gettext_lazy("Friday"),
    gettext_lazy("Saturday"),
    gettext_lazy("Sunday"),
]
TABS = [
    ("cases:config_settings", gettext_lazy("Case settings")),
    ("cases:config_calendars", gettext_lazy("Calendars")),
    ("cases:config_units", gettext_lazy("Units")),
    ("cases:config_teams", gettext_lazy("Teams")),
    ("cases:config_codes", gettext_lazy("Root causes and recovery")),
]


def _page(request, template: str, current: str, context: dict, status: int = 200):
    return render(request, template, {"tabs": TABS, "current": current, **context}, status=status)


def _error(exc: InvalidInput) -> dict:
    """{field: message} of a refused save."""
    return {exc.field: exc.message}


def _missing(exc: NotFound, fields: dict[str, str]) -> dict:
    """{field: message} of a key that named nothing; ``fields`` maps what was missing (member,
    calendar…) to the form field that named it."""
    return {fields.get(exc.what, ""): str(exc)}


def _editing(request, rows):
    """The row the list's ``?edit=KEY`` link asked for, or None (a new one)."""
    return next((r for r in rows if r.key == request.GET.get("edit")), None)


def _lines(text: str) -> list[str]:
    return [p for p in text.replace(",", " ").split() if p]


@member_required(Perm.MEMBERS_MANAGE)
def calendars(request):
    actor = request.actor
    rows = config.list_calendars(actor)
    editing = _editing(request, rows)
    form = {
        "key": editing.key if editing else "",
        "name": editing.name if editing else "",
        "tz": editing.tz if editing else "Asia/Shanghai",
        "country": editing.country if editing else "CN",
        "week": config.week_as_text(editing.week if editing else None),
        "extra_holidays": "\n".join(editing.extra_holidays) if editing else "",
        "extra_workdays": "\n".join(editing.extra_workdays) if editing else "",
    }
    if not editing:
        form["week"] = ["09:00-12:00, 13:00-18:00"] * 5 + ["", ""]
    errors: dict = {}
    if request.method == "POST":
        post = request.POST
        form = {k: post.get(k, "").strip() for k in ("key", "name", "tz", "country")}
        form["week"] = [post.get(f"week.{i}", "").strip() for i in range(7)]
        form["extra_holidays"] = post.get("extra_holidays", "")
        form["extra_workdays"] = post.get("extra_workdays", "")
        try:
            config.save_calendar(
                actor,
                form["key"],
                form["name"],
                form["tz"],
                config.week_from_text(form["week"]),
                form["country"],
                _lines(form["extra_holidays"]),
                _lines(form["extra_workdays"]),
            )
        except InvalidInput as exc:
            errors = _error(exc)
        else:
            messages.success(request, _("Calendar %(key)s saved.") % {"key": form["key"]})
            return redirect("cases:config_calendars")
    days = [(i, DAYS[i], form["week"][i], errors.get(f"week.{i}")) for i in range(7)]
    return _page(
        request,
        "cases/config_calendars.html",
        "cases:config_calendars",
        {"rows": rows, "form": form, "days": days, "errors": errors},
        status=422 if errors else 200,
    )


@member_required(Perm.MEMBERS_MANAGE)
def units(request):
    actor = request.actor
    errors: dict = {}
    form = {"unit": request.GET.get("edit", ""), "calendar": "", "owner": ""}
    if request.method == "POST":
        form = {k: request.POST.get(k, "").strip() for k in form}
        try:
            config.set_unit(actor, form["unit"], calendar=form["calendar"], owner=form["owner"])
        except InvalidInput as exc:
            errors = _error(exc)
        except NotFound as exc:
            errors = _missing(exc, {"member": "owner", "unit": "unit", "calendar": "calendar"})
        else:
            messages.success(request, _("Unit %(unit)s saved.") % {"unit": form["unit"]})
            return redirect("cases:config_units")
    setups = {s.unit_id: s for s in config.list_unit_setups(actor)}
    rows = [
        (code, setups.get(pk))
        for pk, code, _parent in unit_tree(actor.organization)
        if actor.scope.allows_unit(pk)
    ]
    if request.method == "GET" and form["unit"]:
        setup = next((s for code, s in rows if code == form["unit"]), None)
        if setup is not None:
            form["calendar"] = setup.calendar.key if setup.calendar else ""
            form["owner"] = setup.owner.email if setup.owner else ""
    return _page(
        request,
        "cases/config_units.html",
        "cases:config_units",
        {"rows": rows, "form": form, "errors": errors, "calendars": config.list_calendars(actor)},
        status=422 if errors else 200,
    )


@member_required(Perm.MEMBERS_MANAGE)
def teams(request):
    actor = request.actor
    rows = config.list_teams(actor)
    editing = _editing(request, rows)
    form = {
        "key": editing.key if editing else "",
        "name": editing.name if editing else "",
        "members": "\n".join(u.email for u in editing.members.all()) if editing else "",
    }
    errors: dict = {}
    if request.method == "POST":
        form = {k: request.POST.get(k, "").strip() for k in form}
        try:
            config.save_team(actor, form["key"], form["name"], _lines(form["members"]))
        except InvalidInput as exc:
            errors = _error(exc)
        except NotFound as exc:
            errors = _missing(exc, {"member": "members"})
        else:
            messages.success(request, _("Team %(key)s saved.") % {"key": form["key"]})
            return redirect("cases:config_teams")
    queues = config.queue_sizes(actor)
    return _page(
        request,
        "cases/config_teams.html",
        "cases:config_teams",
        {"rows": [(t, queues.get(t.pk, 0)) for t in rows], "form": form, "errors": errors},
        status=422 if errors else 200,
    )


@member_required(Perm.MEMBERS_MANAGE)
def codes(request):
    """Root-cause codes and recovery actions: two lists and two forms (``kind`` tells which)."""
    actor = request.actor
    causes = config.list_root_causes(actor, active_only=False)
    recoveries = config.list_recovery_actions(actor, active_only=False)
    edit = request.GET.get("edit", "")
    cause = next((r for r in causes if r.key == edit and request.GET.get("kind") == "cause"), None)
    recovery = next((r for r in recoveries if r.key == edit and request.GET.get("kind") == "recovery"), None)
    forms = {
        "cause": {"key": getattr(cause, "key", ""), "name": getattr(cause, "name", ""), "active": True},
        "recovery": {
            "key": getattr(recovery, "key", ""),
            "name": getattr(recovery, "name", ""),
            "default_cost": str(getattr(recovery, "default_cost", "0")),
            "active": True,
        },
    }
    if cause is not None:
        forms["cause"]["active"] = cause.active
    if recovery is not None:
        forms["recovery"]["active"] = recovery.active
    errors: dict = {"cause": {}, "recovery": {}}
    if request.method == "POST":
        kind = "recovery" if request.POST.get("kind") == "recovery" else "cause"
        form = {k: request.POST.get(k, "").strip() for k in forms[kind] if k != "active"}
        form["active"] = request.POST.get("active") == "on"
        forms[kind] = form
        try:
            if kind == "cause":
                config.save_root_cause(actor, form["key"], form["name"], form["active"])
            else:
                config.save_recovery_action(
                    actor, form["key"], form["name"], form["default_cost"] or "0", form["active"]
                )
        except InvalidInput as exc:
            errors[kind] = _error(exc)
        else:
            messages.success(request, _("%(key)s saved.") % {"key": form["key"]})
            return redirect("cases:config_codes")
    return _page(
        request,
        "cases/config_codes.html",
        "cases:config_codes",
        {"causes": causes, "recoveries": recoveries, "forms": forms, "errors": errors},
        status=422 if errors["cause"] or errors["recovery"] else 200,
    )


def _number(text: str, field: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise InvalidInput(field, _("must be a number")) from None


def _settings_changes(post, rules) -> dict:
    """The ``update_settings`` changes of the settings form (numbers parsed, field-named)."""
    targets: dict = {}
    for p in PRIORITIES:
        row = {}
        for clock in ("first_response_hours", "resolution_hours"):
            text = post.get(f"targets.{p}.{clock}", "").strip()
            if text:
                row[clock] = _number(text, f"targets.{p}.{clock}")
        if row:
            targets[p] = row
    by_rule = {}
    for rule in rules:
        chosen = post.get(f"rule.{rule.key}", "")
        by_rule[rule.key] = [int(chosen)] if chosen.isdigit() else []
    share = _number(post.get("control_share", "").strip() or "0", "control_share")
    if not 0 <= share <= 50:
        raise InvalidInput("control_share", _("must be between 0 and 50 %"))
    return {
        "default_calendar": post.get("default_calendar", ""),
        "targets": targets,
        "paused_states": post.getlist("paused_states"),
        "risk_hours": _number(post.get("risk_hours", "").strip() or "0", "risk_hours"),
        "control_share": share / 100,
        "followup_distributions": [int(i) for i in post.getlist("followup") if i.isdigit()],
        "followup_by_rule": by_rule,
        "messenger_webhook": post.get("messenger_webhook", ""),
    }


@member_required(Perm.MEMBERS_MANAGE)
def case_settings(request):
    actor = request.actor
    rules = alerts.list_rules(actor)
    errors: dict = {}
    if request.method == "POST":
        try:
            config.update_settings(actor, **_settings_changes(request.POST, rules))
        except InvalidInput as exc:
            errors = _error(exc)
        except NotFound as exc:
            errors = _missing(
                exc,
                {"calendar": "default_calendar", "distribution": "followup", "webhook": "messenger_webhook"},
            )
        else:
            messages.success(request, _("Case settings saved."))
            return redirect("cases:config_settings")
    current = settings_of(actor.organization)
    posted = request.POST if errors else None
    targets = current.targets or DEFAULT_TARGETS
    rows = []
    for p, label in Case.PRIORITY_CHOICES:
        cells = []
        for clock in ("first_response_hours", "resolution_hours"):
            name = f"targets.{p}.{clock}"
            value = posted.get(name, "") if posted else (targets.get(p) or {}).get(clock, "")
            value = f"{value:g}" if isinstance(value, int | float) else value  # 8, not 8.0
            cells.append((name, value, errors.get(name)))
        rows.append((label, cells))
    return _page(
        request,
        "cases/config_settings.html",
        "cases:config_settings",
        {
            "s": current,
            "posted": posted,
            "errors": errors,
            "target_rows": rows,
            "calendars": config.list_calendars(actor),
            "distributions": list_distributions(actor),
            "webhooks": alerts.list_webhooks(actor),
            "rules": [(r, (current.followup_by_rule or {}).get(r.key, [None])[0]) for r in rules],
            "pausable": [
                (k, v) for k, v in Case.STATE_CHOICES if k in ("new", "in_progress", "waiting", "reopened")
            ],
            # What applies: no list stored means "waiting" (clocks.policy), so show it checked.
            "paused": current.paused_states or ["waiting"],
            "control_percent": f"{current.control_share * 100:g}",
        },
        status=422 if errors else 200,
    )
